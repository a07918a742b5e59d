/**
 * Issues a node certificate for cluster mTLS: RSA-2048, the given DNS names and IP
 * addresses as subjectAltName, usable as both TLS server and client (every node dials
 * and accepts), signed by the Anode CA.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { parseIp } from '../net/ip.js';
import type { PemPair } from './ca.js';
import { validateDnsName, validateNodeName } from './names.js';
import { generateRsaKeyPair, randomSerialHex, signCertificate, subjectKeyIdentifier, validity } from './x509-build.js';

export interface IssueOptions {
  ca: PemPair;
  node: string;
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
  days: number;
  now?: Date;
}

export interface IssuedCertificate extends PemPair {
  serialHex: string;
  notAfter: Date;
  /** Things the operator should know, e.g. validity cut to the CA's own expiry. */
  warnings: string[];
}

export class CaUnusableError extends Error {
  override name = 'CaUnusableError';
}

/** Checks the CA pair can sign: a CA certificate, not expired, and the key matches it. */
export function checkCa(ca: PemPair, now: Date): { x509: X509Certificate; forgeCert: forge.pki.Certificate } {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(ca.certPem);
  } catch (err) {
    throw new CaUnusableError('the CA certificate is not a PEM X.509 certificate', { cause: err });
  }
  if (!x509.ca)
    throw new CaUnusableError(`the CA certificate (${x509.subject.replace(/\n/g, ', ')}) is not a CA (basicConstraints CA:FALSE)`);
  if (new Date(x509.validTo).getTime() <= now.getTime())
    throw new CaUnusableError(`the CA certificate expired on ${new Date(x509.validTo).toISOString()}`);
  let matches = false;
  try {
    matches = x509.checkPrivateKey(createPrivateKey(ca.keyPem));
  } catch (err) {
    throw new CaUnusableError('the CA key is not a readable unencrypted PEM private key', { cause: err });
  }
  if (!matches) throw new CaUnusableError('the CA key does not belong to the CA certificate');
  let forgeCert: forge.pki.Certificate;
  try {
    forgeCert = forge.pki.certificateFromPem(ca.certPem);
  } catch (err) {
    throw new CaUnusableError('only RSA CAs (as made by `anodectl certs init-ca`) can sign node certificates', { cause: err });
  }
  return { x509, forgeCert };
}

export function issueNodeCertificate(options: IssueOptions): IssuedCertificate {
  const now = options.now ?? new Date();
  const node = validateNodeName(options.node);
  const dnsNames = [...new Set(options.dnsNames.map(validateDnsName))];
  const ips = options.ipAddresses.map((ip) => parseIp(ip));
  if (dnsNames.length === 0 && ips.length === 0)
    throw new CaUnusableError('a node certificate needs at least one --dns name or --ip address');
  const { forgeCert: caCert } = checkCa(options.ca, now);
  const warnings: string[] = [];

  const keys = generateRsaKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.forgePublicKey;
  cert.serialNumber = randomSerialHex();
  const span = validity(now, options.days);
  cert.validity.notBefore = span.notBefore;
  // A certificate cannot outlive its issuer: verifiers reject the chain from then on.
  if (span.notAfter.getTime() > caCert.validity.notAfter.getTime()) {
    span.notAfter = caCert.validity.notAfter;
    warnings.push(`validity cut to the CA's expiry, ${span.notAfter.toISOString()}`);
  }
  cert.validity.notAfter = span.notAfter;
  cert.setSubject([
    { name: 'commonName', value: node },
    { name: 'organizationName', value: 'Anode' },
  ]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', critical: true, cA: false },
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    {
      name: 'subjectAltName',
      // IP SANs as raw octets: forge's own IP parser mistakes "::ffff:1.2.3.4" for IPv4.
      altNames: [
        ...dnsNames.map((value) => ({ type: 2, value })),
        ...ips.map((ip) => ({ type: 7, value: Buffer.from(ip.bytes).toString('binary') })),
      ],
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: subjectKeyIdentifier(caCert) },
  ]);
  signCertificate(cert, createPrivateKey(options.ca.keyPem));
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: keys.privateKeyPem,
    serialHex: cert.serialNumber,
    notAfter: span.notAfter,
    warnings,
  };
}
