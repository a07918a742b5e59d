/** Creates the cluster's certificate authority: a self-signed RSA-4096 root that may only sign leaf certificates. */
import forge from 'node-forge';
import { generateRsaKeyPair, randomSerialHex, signCertificate, validity } from './x509-build.js';

export interface CaOptions {
  commonName: string;
  days: number;
  now?: Date;
  /** For tests only: RSA-4096 takes seconds to generate. */
  keyBits?: 2048 | 4096;
}

export interface PemPair {
  certPem: string;
  keyPem: string;
}

export function createCa(options: CaOptions): PemPair {
  const keys = generateRsaKeyPair(options.keyBits ?? 4096);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.forgePublicKey;
  cert.serialNumber = randomSerialHex();
  const { notBefore, notAfter } = validity(options.now ?? new Date(), options.days);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  const name = [
    { name: 'commonName', value: options.commonName },
    { name: 'organizationName', value: 'Anode' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    // pathLen 0: this CA signs node certificates, never another CA.
    { name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 0 },
    { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true, digitalSignature: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signCertificate(cert, keys.privateKey);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}
