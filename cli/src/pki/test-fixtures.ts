/** Test helpers shared by the pki tests: small (2048-bit) CAs so tests stay fast. */
import { createCa, type PemPair } from './ca.js';

const cache = new Map<string, PemPair>();

/** A CA made once per name per test process. */
export function testCa(name = 'Test CA', days = 30): PemPair {
  const key = `${name}/${days}`;
  let ca = cache.get(key);
  if (ca === undefined) {
    ca = createCa({ commonName: name, days, keyBits: 2048 });
    cache.set(key, ca);
  }
  return ca;
}
