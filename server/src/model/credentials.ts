import { randomBytes, randomInt } from 'node:crypto';
import { clearSigningKeyCache } from '@anode/shared/sigv4/index';
import type { ChangeFeed, CredentialRecord, MetadataStore, Role } from '../metadata/types.js';
import { openSecret, sealSecret } from '../auth/secret-box.js';
import type { Principal } from '../policy/principal.js';

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** 20-character access key id in AWS's AKIA style. */
export function newAccessKey(): string {
  let s = 'AKIA';
  for (let i = 0; i < 16; i++) s += KEY_ALPHABET[randomInt(KEY_ALPHABET.length)];
  return s;
}

/** 40-character secret, like AWS's. */
export function newSecretKey(): string {
  const bytes = randomBytes(40);
  let s = '';
  for (const b of bytes) s += SECRET_ALPHABET[b & 63];
  return s;
}

export interface ResolvedCredential {
  secret: string;
  principal: Extract<Principal, { kind: 'user' }>;
}

/**
 * Credentials as the request path and the admin API see them. Every lookup reads the
 * store, so a revocation or rotation made through any node takes effect on the very next
 * request here (no cache window). The only thing kept in memory is SigV4's derived
 * signing keys (shared/sigv4/signing-key.ts), dropped whenever another node announces a
 * credentials change (follow()).
 */
export class CredentialService {
  /** The key a master-key re-seal (model/reseal.ts) is moving away from; secrets open under either meanwhile. */
  private previousKey: Buffer | null = null;

  constructor(
    private readonly metadata: MetadataStore,
    private masterKey: Buffer,
  ) {}

  /** Switches the sealing key without a restart (model/reseal.ts); `previous` still opens until cleared. */
  useMasterKey(current: Buffer, previous: Buffer | null): void {
    this.masterKey = current;
    this.previousKey = previous;
  }

  get currentMasterKey(): Buffer {
    return this.masterKey;
  }

  private open(accessKey: string, sealed: Buffer): string {
    try {
      return openSecret(this.masterKey, accessKey, sealed);
    } catch (err) {
      if (this.previousKey === null) throw err;
      return openSecret(this.previousKey, accessKey, sealed);
    }
  }

  /** The secret and principal for an active key, or undefined (unknown, revoked, expired). */
  async resolve(accessKey: string, now: Date): Promise<ResolvedCredential | undefined> {
    const record = await this.metadata.getCredential(accessKey);
    if (!record || record.revokedAt !== null) return undefined;
    if (record.expiresAt !== null && record.expiresAt <= now) return undefined;
    return {
      secret: this.open(accessKey, record.sealedSecret),
      principal: { kind: 'user', user: record.user, accessKey, role: record.role, permissions: record.permissions },
    };
  }

  /** Drops derived signing keys on every credentials change any node announces; returns the unsubscribe. */
  follow(feed: ChangeFeed): () => void {
    return feed.subscribe((change) => {
      if (change.kind === 'credentials' || change.kind === 'resync') clearSigningKeyCache();
    });
  }

  /** Records use of a key; the store coalesces writes. */
  touch(accessKey: string, now: Date): void {
    void this.metadata.touchCredential(accessKey, now).catch(() => undefined);
  }

  async create(input: {
    user: string;
    role: Role;
    permissions?: string[];
    accessKey?: string;
    secretKey?: string;
  }): Promise<{ accessKey: string; secretKey: string; record: CredentialRecord }> {
    const accessKey = input.accessKey ?? newAccessKey();
    const secretKey = input.secretKey ?? newSecretKey();
    const record: CredentialRecord = {
      accessKey,
      sealedSecret: sealSecret(this.masterKey, accessKey, secretKey),
      user: input.user,
      role: input.role,
      permissions: input.permissions ?? [],
      createdAt: new Date(),
      lastUsedAt: null,
      revokedAt: null,
      expiresAt: null,
    };
    await this.metadata.putCredential(record);
    return { accessKey, secretKey, record };
  }

  /** True if `accessKey` exists, is active and opens to `secretKey`. */
  async matches(accessKey: string, secretKey: string): Promise<boolean> {
    const found = await this.resolve(accessKey, new Date());
    return found !== undefined && found.secret === secretKey;
  }
}
