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
 * Credentials as the request path and the admin API see them. Every lookup asks the
 * store, so a revocation or rotation made through any node takes effect on the very next
 * request here (no cache window; the SQLite store answers from decoded rows it drops on
 * any credentials write, metadata/sqlite/row-cache.ts). Kept in memory: SigV4's derived
 * signing keys (shared/sigv4/signing-key.ts) and each key's unsealed secret, tied to the
 * sealed bytes it came from (a rotation or re-seal changes them); both are dropped whenever
 * any node announces a credentials change (follow()) and on a master-key switch.
 */
export class CredentialService {
  /** The key a master-key re-seal (model/reseal.ts) is moving away from; secrets open under either meanwhile. */
  private previousKey: Buffer | null = null;
  /** accessKey -> the sealed secret last opened and what it opened to (issue 11: one AES-GCM open per request saved). */
  private readonly opened = new Map<string, { sealed: Buffer; secret: string }>();

  constructor(
    private readonly metadata: MetadataStore,
    private masterKey: Buffer,
  ) {}

  /** Switches the sealing key without a restart (model/reseal.ts); `previous` still opens until cleared. */
  useMasterKey(current: Buffer, previous: Buffer | null): void {
    this.masterKey = current;
    this.previousKey = previous;
    this.opened.clear();
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

  private openCached(accessKey: string, sealed: Buffer): string {
    const hit = this.opened.get(accessKey);
    if (hit !== undefined && hit.sealed.equals(sealed)) return hit.secret;
    const secret = this.open(accessKey, sealed);
    if (this.opened.size >= 10_000) this.opened.clear(); // bounded, whatever the number of keys
    this.opened.set(accessKey, { sealed: Buffer.from(sealed), secret });
    return secret;
  }

  /** The secret and principal for an active key, or undefined (unknown, revoked, expired). */
  async resolve(accessKey: string, now: Date): Promise<ResolvedCredential | undefined> {
    const record = await this.metadata.getCredential(accessKey);
    if (!record || record.revokedAt !== null || (record.expiresAt !== null && record.expiresAt <= now)) {
      this.opened.delete(accessKey); // a revoked or expired key's secret does not stay in memory
      return undefined;
    }
    return {
      secret: this.openCached(accessKey, record.sealedSecret),
      principal: { kind: 'user', user: record.user, accessKey, role: record.role, permissions: record.permissions },
    };
  }

  /** Drops derived signing keys and opened secrets on every credentials change any node announces; returns the unsubscribe. */
  follow(feed: ChangeFeed): () => void {
    return feed.subscribe((change) => {
      if (change.kind === 'credentials' || change.kind === 'resync') {
        clearSigningKeyCache();
        this.opened.clear();
      }
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
