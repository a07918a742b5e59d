/**
 * The certificates of the gRPC plane: read and checked at start-up (every failure names
 * the file), re-read on SIGHUP or when a file changes, and handed to the server as
 * credentials whose secure context is swapped in place (connections already open keep the
 * old one; new handshakes get the new one), so a rotation needs no restart.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { unwatchFile, watchFile } from 'node:fs';
import type { PeerCertificate, SecureContextOptions } from 'node:tls';
import { ServerCredentials } from '@grpc/grpc-js';

export const EKU_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
export const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
export const MIN_TLS_VERSION = 'TLSv1.2' as const;

/** A certificate file that is missing, unreadable or unfit; the message names the file. */
export class ClusterTlsError extends Error {
  override readonly name = 'ClusterTlsError';
}

export interface TlsPaths {
  cert: string;
  key: string;
  ca: string;
}

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  ca: Buffer;
  /** The certificate's subject CN: the node id unless cluster.node_id says otherwise. */
  commonName: string;
  notAfter: Date;
  fingerprint256: string;
}

async function readNamed(key: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ClusterTlsError(`cluster.${key}: cannot read ${path}: ${code}`);
  }
}

function parseCert(key: string, path: string, pem: Buffer): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new ClusterTlsError(`cluster.${key}: ${path} is not a PEM certificate: ${(err as Error).message}`);
  }
}

/** The CN of an X509Certificate subject ("CN=node1\nO=Anode" style). */
export function commonNameOf(subject: string): string | null {
  for (const line of subject.split('\n')) {
    const m = /^CN=(.*)$/.exec(line.trim());
    if (m) return m[1]!;
  }
  return null;
}

/** Reads and checks the node's certificate, key and CA: chain, EKUs, key match, validity. */
export async function readTlsMaterial(paths: TlsPaths): Promise<TlsMaterial> {
  const [cert, key, ca] = await Promise.all([
    readNamed('tls_cert', paths.cert),
    readNamed('tls_key', paths.key),
    readNamed('tls_ca', paths.ca),
  ]);
  const x509 = parseCert('tls_cert', paths.cert, cert);
  const caX509 = parseCert('tls_ca', paths.ca, ca);
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new ClusterTlsError(`cluster.tls_key: ${paths.key} is not a PEM private key: ${(err as Error).message}`);
  }
  if (!x509.checkPrivateKey(privateKey)) throw new ClusterTlsError(`cluster.tls_key: ${paths.key} does not match ${paths.cert}`);
  if (!x509.checkIssued(caX509) || !x509.verify(caX509.publicKey))
    throw new ClusterTlsError(`cluster.tls_cert: ${paths.cert} is not signed by the CA in ${paths.ca}`);
  const eku = x509.keyUsage ?? [];
  if (!eku.includes(EKU_SERVER_AUTH) || !eku.includes(EKU_CLIENT_AUTH))
    throw new ClusterTlsError(
      `cluster.tls_cert: ${paths.cert} lacks the serverAuth and clientAuth extended key usages (issue it with anodectl certs issue)`,
    );
  const notAfter = new Date(x509.validTo);
  if (notAfter.getTime() < Date.now()) throw new ClusterTlsError(`cluster.tls_cert: ${paths.cert} expired on ${notAfter.toISOString()}`);
  const commonName = commonNameOf(x509.subject);
  if (commonName === null || commonName === '') throw new ClusterTlsError(`cluster.tls_cert: ${paths.cert} has no subject CN`);
  return { cert, key, ca, commonName, notAfter, fingerprint256: x509.fingerprint256 };
}

/** The names a peer certificate proves: its CN and its DNS subjectAltNames. */
export function peerNames(cert: PeerCertificate): string[] {
  const names: string[] = [];
  if (typeof cert.subject?.CN === 'string' && cert.subject.CN !== '') names.push(cert.subject.CN);
  for (const entry of (cert.subjectaltname ?? '').split(',')) {
    const m = /^\s*DNS:(.+)$/.exec(entry);
    if (m && !names.includes(m[1]!)) names.push(m[1]!);
  }
  return names;
}

/** True if the peer certificate carries the extended key usage `oid`. */
export function hasEku(cert: PeerCertificate, oid: string): boolean {
  return Array.isArray(cert.ext_key_usage) && cert.ext_key_usage.includes(oid);
}

/** The secure-context options both sides use: TLS 1.2 or newer, our CA only. */
export function contextOptions(m: TlsMaterial): SecureContextOptions {
  return { ca: m.ca, cert: m.cert, key: m.key, minVersion: MIN_TLS_VERSION };
}

/**
 * Server credentials requiring a client certificate that chains to tls_ca (rejected in the
 * handshake otherwise), whose certificate and CA can be replaced while the server runs:
 * grpc-js calls server.setSecureContext() with the new options on every update.
 */
export class ReloadableServerCredentials extends ServerCredentials {
  constructor(material: TlsMaterial) {
    super({ requestCert: true, rejectUnauthorized: true, minVersion: MIN_TLS_VERSION }, contextOptions(material));
  }

  update(material: TlsMaterial): void {
    this.updateSecureContextOptions(contextOptions(material));
  }

  override _isSecure(): boolean {
    return true;
  }

  _equals(other: ServerCredentials): boolean {
    return other === this;
  }
}

/**
 * Keeps the node's TLS material current: reload() re-reads the three files (a bad set is
 * refused and the old one kept), and watch() polls them for changes.
 */
export class TlsReloader {
  #material: TlsMaterial;
  readonly #paths: TlsPaths;
  readonly #listeners: Array<(m: TlsMaterial) => void> = [];
  #watching = false;
  #reloading: Promise<boolean> | null = null;

  constructor(paths: TlsPaths, material: TlsMaterial) {
    this.#paths = paths;
    this.#material = material;
  }

  get material(): TlsMaterial {
    return this.#material;
  }

  onReload(listener: (m: TlsMaterial) => void): void {
    this.#listeners.push(listener);
  }

  /** Re-reads the files; resolves true if a new certificate is now in use. Throws (old kept) on a bad set. */
  reload(): Promise<boolean> {
    this.#reloading ??= this.#reload().finally(() => (this.#reloading = null));
    return this.#reloading;
  }

  async #reload(): Promise<boolean> {
    const next = await readTlsMaterial(this.#paths);
    if (next.commonName !== this.#material.commonName)
      throw new ClusterTlsError(
        `cluster.tls_cert: the new certificate is for ${JSON.stringify(next.commonName)}, not this node (${JSON.stringify(this.#material.commonName)}); kept the old one`,
      );
    const changed =
      next.fingerprint256 !== this.#material.fingerprint256 || !next.ca.equals(this.#material.ca) || !next.key.equals(this.#material.key);
    if (!changed) return false;
    this.#material = next;
    for (const l of this.#listeners) l(next);
    return true;
  }

  /** Polls the files (every `intervalMs`); a change triggers reload(), failures go to `onError`. */
  watch(intervalMs: number, onResult: (err: unknown, changed: boolean) => void): void {
    if (this.#watching) return;
    this.#watching = true;
    const changed = (): void => {
      this.reload().then(
        (c) => onResult(null, c),
        (err: unknown) => onResult(err, false),
      );
    };
    for (const path of Object.values(this.#paths)) watchFile(path, { interval: intervalMs, persistent: false }, changed);
  }

  stop(): void {
    if (!this.#watching) return;
    this.#watching = false;
    for (const path of Object.values(this.#paths)) unwatchFile(path);
  }
}
