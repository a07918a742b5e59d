/**
 * The pieces shared by CA and node certificates. Keys come from node:crypto (OpenSSL):
 * RSA-4096 generation in pure JS takes tens of seconds, and node signs in constant time.
 * node-forge only assembles the X.509 structure.
 */
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

export interface KeyPair {
  privateKey: KeyObject;
  /** PKCS#8 PEM ("BEGIN PRIVATE KEY"), what node:tls, openssl and the server read. */
  privateKeyPem: string;
  forgePublicKey: forge.pki.rsa.PublicKey;
}

export function generateRsaKeyPair(bits: 2048 | 3072 | 4096): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
  return fromKeyObjects(privateKey, publicKey);
}

export function fromKeyObjects(privateKey: KeyObject, publicKey: KeyObject): KeyPair {
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    privateKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    forgePublicKey: forge.pki.publicKeyFromPem(publicPem),
  };
}

/**
 * A random positive 128-bit serial (RFC 5280 allows up to 20 octets). The top byte is
 * kept in 0x40..0x7f so the DER INTEGER is positive and has no leading zero octet.
 */
export function randomSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x3f) | 0x40;
  return bytes.toString('hex');
}

/** Validity from slightly in the past (clock skew between nodes) for `days` days. */
export function validity(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  return {
    notBefore: new Date(now.getTime() - 5 * 60 * 1000),
    notAfter: new Date(now.getTime() + days * 24 * 60 * 60 * 1000),
  };
}

// Present in node-forge since 0.x, missing from @types/node-forge.
const getTBSCertificate = (forge.pki as unknown as { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate;

/** Signs cert with SHA-256/RSA using a node KeyObject, filling the fields forge's own sign() would. */
export function signCertificate(cert: forge.pki.Certificate, key: KeyObject): void {
  const sha256WithRSA = forge.pki.oids['sha256WithRSAEncryption'];
  if (sha256WithRSA === undefined) throw new Error('node-forge lacks the sha256WithRSAEncryption OID');
  cert.signatureOid = sha256WithRSA;
  cert.siginfo.algorithmOid = sha256WithRSA;
  cert.tbsCertificate = getTBSCertificate(cert);
  const tbsDer = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), 'binary');
  cert.signature = sign('sha256', tbsDer, key).toString('binary');
}

/** The subjectKeyIdentifier a certificate carries, or the RFC 5280 method-1 SHA-1 of its key. */
export function subjectKeyIdentifier(cert: forge.pki.Certificate): string {
  const ext = cert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | undefined;
  if (ext?.subjectKeyIdentifier !== undefined) return forge.util.hexToBytes(ext.subjectKeyIdentifier);
  return cert.generateSubjectKeyIdentifier().getBytes();
}
