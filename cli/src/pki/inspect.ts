/**
 * Describes a certificate for `certs inspect`: names, validity, usages. Works for any
 * X.509 certificate (RSA, EC, Ed25519), not only ours: node:crypto parses it and the
 * few extensions node does not decode are read from the DER with forge's ASN.1 reader.
 */
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { parseIp } from '../net/ip.js';

export interface CertificateInfo {
  subject: string;
  issuer: string;
  serialNumber: string;
  dnsNames: string[];
  ipAddresses: string[];
  notBefore: string;
  notAfter: string;
  /** Whole days until notAfter; negative once expired. */
  daysLeft: number;
  expired: boolean;
  keyUsage: string[];
  extKeyUsage: string[];
  isCA: boolean;
  selfSigned: boolean;
  publicKey: string;
  fingerprintSha256: string;
}

export class NotACertificateError extends Error {
  override name = 'NotACertificateError';
}

const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

const EXT_KEY_USAGES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
};

// The runtime takes an options object; @types/node-forge only knows the older boolean.
// decodeBitStrings: false keeps a BIT STRING's bytes instead of guessing they are ASN.1.
const fromDer = forge.asn1.fromDer as (bytes: string, options?: { decodeBitStrings: boolean }) => forge.asn1.Asn1;

const OID_KEY_USAGE = '2.5.29.15';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';

/** Counts the certificates in a PEM file (for a "showing the first of N" note). */
export function countPemCertificates(text: string): number {
  return text.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
}

/** Raw extension values (DER, binary string) by OID, read from the certificate's DER. */
function extensionValues(der: Buffer): Map<string, string> {
  const values = new Map<string, string>();
  const cert = fromDer(der.toString('binary'), { decodeBitStrings: false });
  const tbs = (cert.value as forge.asn1.Asn1[])[0];
  const wrapper = (tbs?.value as forge.asn1.Asn1[] | undefined)?.find(
    (e) => e.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && e.type === 3,
  );
  const list = (wrapper?.value as forge.asn1.Asn1[] | undefined)?.[0]?.value as forge.asn1.Asn1[] | undefined;
  for (const ext of list ?? []) {
    const parts = ext.value as forge.asn1.Asn1[];
    const oid = parts[0];
    const value = parts[parts.length - 1];
    if (oid === undefined || value === undefined || typeof value.value !== 'string') continue;
    values.set(forge.asn1.derToOid(oid.value as string), value.value);
  }
  return values;
}

function decodeKeyUsage(der: string): string[] {
  const bits = fromDer(der, { decodeBitStrings: false }).value;
  if (typeof bits !== 'string') return [];
  const names: string[] = [];
  // First octet: unused bit count; then the bits, most significant first.
  for (let i = 0; i < KEY_USAGE_BITS.length; i++) {
    const octet = bits.charCodeAt(1 + (i >> 3));
    if (!Number.isNaN(octet) && (octet & (0x80 >> (i & 7))) !== 0) names.push(KEY_USAGE_BITS[i] ?? `bit${i}`);
  }
  return names;
}

function decodeSubjectAltName(der: string): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  const names = fromDer(der).value as forge.asn1.Asn1[];
  for (const name of names) {
    if (typeof name.value !== 'string') continue;
    if (name.type === 2) dnsNames.push(name.value);
    if (name.type === 7) {
      const bytes = Buffer.from(name.value, 'binary');
      if (bytes.length === 4) ipAddresses.push([...bytes].join('.'));
      else if (bytes.length === 16) ipAddresses.push(parseIp(bytes.toString('hex').replace(/(.{4})(?!$)/g, '$1:')).text);
    }
  }
  return { dnsNames, ipAddresses };
}

function describeKey(x509: X509Certificate): string {
  const key = x509.publicKey;
  const details = key.asymmetricKeyDetails;
  const type = (key.asymmetricKeyType ?? 'unknown').toUpperCase();
  if (details?.modulusLength !== undefined) return `${type} ${details.modulusLength}`;
  if (details?.namedCurve !== undefined) return `${type} ${details.namedCurve}`;
  return type;
}

/** Parses a PEM (first certificate) or DER certificate and describes it as of `now`. */
export function inspectCertificate(data: Buffer, now: Date = new Date()): CertificateInfo {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(data);
  } catch (err) {
    throw new NotACertificateError('not an X.509 certificate (PEM or DER)', { cause: err });
  }
  const exts = extensionValues(x509.raw);
  const keyUsageDer = exts.get(OID_KEY_USAGE);
  const sanDer = exts.get(OID_SUBJECT_ALT_NAME);
  const notAfter = new Date(x509.validTo);
  const msLeft = notAfter.getTime() - now.getTime();
  return {
    subject: x509.subject.split('\n').join(', '),
    issuer: x509.issuer.split('\n').join(', '),
    serialNumber: x509.serialNumber.toLowerCase(),
    ...(sanDer === undefined ? { dnsNames: [], ipAddresses: [] } : decodeSubjectAltName(sanDer)),
    notBefore: new Date(x509.validFrom).toISOString(),
    notAfter: notAfter.toISOString(),
    daysLeft: Math.floor(msLeft / 86_400_000),
    expired: msLeft <= 0,
    keyUsage: keyUsageDer === undefined ? [] : decodeKeyUsage(keyUsageDer),
    extKeyUsage: (x509.keyUsage ?? []).map((oid) => EXT_KEY_USAGES[oid] ?? oid),
    isCA: x509.ca,
    selfSigned: x509.checkIssued(x509) && x509.verify(x509.publicKey),
    publicKey: describeKey(x509),
    fingerprintSha256: x509.fingerprint256,
  };
}
