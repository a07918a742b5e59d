/**
 * The digests of one request body, computed in the crypto pool when there is one and the
 * body is large enough to repay the messages, inline on the request thread otherwise.
 * Small bodies stay inline: a 4 KiB body hashes in microseconds, less than one round trip
 * to a worker.
 */
import type { ChecksumAlgorithm } from '../metadata/types.js';
import { BodyDigester, type BodyDigests } from '../util/checksums.js';
import { cryptoPool } from './crypto-pool.js';

/** Bodies declared smaller than this are hashed inline. */
export const POOL_DIGEST_MIN_BYTES = 1024 * 1024;

export interface BodyDigest {
  /** Feeds bytes; the promise (pooled only) resolves when the caller may send more. */
  update(bytes: Uint8Array): Promise<void> | undefined;
  finish(): Promise<BodyDigests>;
  /** Forgets a digest that will not be finished. */
  drop(): void;
}

export function openBodyDigest(options: { sha256: boolean; checksum: ChecksumAlgorithm | null }, declaredLength: number): BodyDigest {
  const pool = cryptoPool();
  if (pool === null || declaredLength < POOL_DIGEST_MIN_BYTES) {
    const d = new BodyDigester({ sha256: options.sha256, ...(options.checksum ? { checksum: options.checksum } : {}) });
    return {
      update: (bytes) => {
        d.update(bytes);
        return undefined;
      },
      finish: () => Promise.resolve(d.finish()),
      drop: () => {},
    };
  }
  const d = pool.openDigest(options);
  return { update: (bytes) => d.update(bytes), finish: () => d.finish(), drop: () => d.drop() };
}
