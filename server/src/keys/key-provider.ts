/** A data key wrapped by one version of a named key-encryption key (KEK). */
export interface WrappedKey {
  provider: string; // KeyProvider.kind that wrapped it
  keyId: string; // named KEK ('default' for SSE-S3 / encryption at rest; SSE-KMS key ids otherwise)
  version: number; // KEK version, 1-based
  wrapped: Buffer;
}

/** One backend holding KEKs (key file, PKCS#11 HSM; later Vault Transit, KMIP). The KEK never leaves it. */
export interface KeyProvider {
  readonly kind: string; // 'file' | 'pkcs11'
  wrap(keyId: string, version: number, dataKey: Buffer): Promise<Buffer>;
  unwrap(keyId: string, version: number, wrapped: Buffer): Promise<Buffer>;
  /** Makes version `version` of keyId exist (HSM: generates a key object; file: derived, nothing to store). */
  createVersion(keyId: string, version: number): Promise<void>;
  /** Throws KeyError('KeyProviderUnavailable') when the provider cannot be reached. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** What model/ uses: wraps under the newest version of a named key, unwraps any version. */
export interface KeyRing {
  wrap(dataKey: Buffer, keyId?: string): Promise<WrappedKey>; // keyId defaults to 'default'
  unwrap(wrapped: WrappedKey): Promise<Buffer>;
  /** True when keyId names a usable key (SSE-KMS key-id validation). */
  has(keyId: string): Promise<boolean>;
}
