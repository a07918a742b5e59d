/**
 * The key registry: named key-encryption keys and their versions, recorded in the metadata
 * store, over one KeyProvider that holds the KEKs themselves. It is the KeyRing model/
 * uses: `wrap` uses the newest version of a key, `unwrap` any version not retired.
 *
 * Lookups are cached in memory; this node's changes invalidate the entry at once, and an
 * entry older than CACHE_TTL_MS is read again, so a rotation on another node sharing the
 * database (PostgreSQL) is seen within that time. A version this node does not know yet is
 * read from the store before an unwrap gives up.
 */
import { KeyError } from './errors.js';
import type { KeyProvider, KeyRing, WrappedKey } from './key-provider.js';
import type { KeyRecord, MetadataStore, StoredWrappedKey, WrappedKeyCount } from '../metadata/types.js';

export const DEFAULT_KEY_ID = 'default';
const CACHE_TTL_MS = 10_000;

/** Key names: usable as SSE-KMS key ids (alias-like names, UUIDs, ARNs). */
const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,255}$/;

export function isValidKeyName(name: string): boolean {
  return KEY_NAME.test(name);
}

/** The newest active version of a key, or null when every version is retired. */
export function currentVersion(key: KeyRecord): number | null {
  let best: number | null = null;
  for (const v of key.versions) if (v.state === 'active' && (best === null || v.version > best)) best = v.version;
  return best;
}

export class KeyRegistry implements KeyRing {
  readonly #metadata: MetadataStore;
  readonly #provider: KeyProvider;
  readonly #cache = new Map<string, { key: KeyRecord | null; at: number }>();
  /** Called after each change this node makes (rotate, create, retire, rewrap): metrics refresh. */
  onChange: () => void = () => undefined;

  private constructor(metadata: MetadataStore, provider: KeyProvider) {
    this.#metadata = metadata;
    this.#provider = provider;
  }

  /** Opens the registry and makes sure the key 'default' exists (version 1 created in the provider). */
  static async open(metadata: MetadataStore, provider: KeyProvider): Promise<KeyRegistry> {
    const registry = new KeyRegistry(metadata, provider);
    await registry.create(DEFAULT_KEY_ID);
    return registry;
  }

  get provider(): KeyProvider {
    return this.#provider;
  }

  get metadata(): MetadataStore {
    return this.#metadata;
  }

  /** The key as recorded (cached), or null. */
  async get(keyId: string, fresh = false): Promise<KeyRecord | null> {
    const hit = this.#cache.get(keyId);
    if (!fresh && hit !== undefined && Date.now() - hit.at < CACHE_TTL_MS) return hit.key;
    const key = await this.#metadata.getKey(keyId);
    this.#cache.set(keyId, { key, at: Date.now() });
    return key;
  }

  invalidate(keyId?: string): void {
    if (keyId === undefined) this.#cache.clear();
    else this.#cache.delete(keyId);
  }

  async has(keyId: string): Promise<boolean> {
    const key = await this.get(keyId);
    return key !== null && currentVersion(key) !== null;
  }

  async wrap(dataKey: Buffer, keyId: string = DEFAULT_KEY_ID): Promise<WrappedKey> {
    const key = await this.get(keyId);
    const version = key === null ? null : currentVersion(key);
    if (key === null || version === null) throw new KeyError('KeyNotFound', { message: `no usable key named ${keyId}` });
    this.#sameProvider(key.provider, keyId);
    const wrapped = await this.#provider.wrap(keyId, version, dataKey);
    return { provider: this.#provider.kind, keyId, version, wrapped };
  }

  async unwrap(wrapped: WrappedKey): Promise<Buffer> {
    this.#sameProvider(wrapped.provider, wrapped.keyId);
    let key = await this.get(wrapped.keyId);
    let found = key?.versions.find((v) => v.version === wrapped.version);
    if (found === undefined) {
      // Maybe created on another node since we cached it.
      key = await this.get(wrapped.keyId, true);
      found = key?.versions.find((v) => v.version === wrapped.version);
    }
    if (found === undefined) throw new KeyError('KeyNotFound', { message: `key ${wrapped.keyId} has no version ${wrapped.version}` });
    if (found.state === 'retired') {
      throw new KeyError('KeyNotFound', { message: `key ${wrapped.keyId} version ${wrapped.version} is retired` });
    }
    return this.#provider.unwrap(wrapped.keyId, wrapped.version, wrapped.wrapped);
  }

  #sameProvider(kind: string, keyId: string): void {
    if (kind !== this.#provider.kind) {
      throw new KeyError('KeyProviderUnavailable', {
        message: `key ${keyId} lives in the "${kind}" key provider, but this node is configured with "${this.#provider.kind}"`,
      });
    }
  }

  /** Creates a named key with version 1 in the provider; 'exists' when it is already there. */
  async create(keyId: string): Promise<'created' | 'exists'> {
    if (!isValidKeyName(keyId)) throw new KeyError('KeyNotFound', { message: `invalid key name ${JSON.stringify(keyId)}` });
    const existing = await this.#metadata.getKey(keyId);
    if (existing !== null) return 'exists';
    await this.#provider.createVersion(keyId, 1);
    const result = await this.#metadata.createKey(keyId, this.#provider.kind, new Date());
    this.invalidate(keyId);
    if (result === 'created') this.onChange();
    return result;
  }

  /** Adds a version for new writes; returns it. */
  async rotate(keyId: string): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const key = await this.#metadata.getKey(keyId);
      if (key === null) throw new KeyError('KeyNotFound', { message: `no key named ${keyId}` });
      this.#sameProvider(key.provider, keyId);
      const next = Math.max(0, ...key.versions.map((v) => v.version)) + 1;
      await this.#provider.createVersion(keyId, next);
      const result = await this.#metadata.addKeyVersion(keyId, next, new Date());
      this.invalidate(keyId);
      if (result === 'ok') {
        this.onChange();
        return next;
      }
      if (result === 'no-key') throw new KeyError('KeyNotFound', { message: `no key named ${keyId}` });
      if (attempt >= 3) throw new KeyError('KeyProviderUnavailable', { message: `key ${keyId}: concurrent rotations, try again` });
    }
  }

  async retire(keyId: string, version: number): Promise<'retired' | 'not-found' | 'in-use' | 'current' | 'already'> {
    const result = await this.#metadata.retireKeyVersion(keyId, version);
    this.invalidate(keyId);
    if (result === 'retired') this.onChange();
    return result;
  }

  async list(): Promise<{ keys: KeyRecord[]; counts: WrappedKeyCount[] }> {
    const [keys, counts] = await Promise.all([this.#metadata.listKeys(), this.#metadata.countWrappedKeys()]);
    return { keys, counts };
  }

  /** Wraps `dataKey` under the newest version of `keyId` and stores it under `ref`. */
  async store(ref: string, dataKey: Buffer, keyId: string = DEFAULT_KEY_ID): Promise<WrappedKey> {
    const wrapped = await this.wrap(dataKey, keyId);
    await this.#metadata.putWrappedKey({ ref, ...wrapped });
    return wrapped;
  }

  /** The data key stored under `ref`, unwrapped; null when none is stored. */
  async load(ref: string): Promise<Buffer | null> {
    const stored = await this.#metadata.getWrappedKey(ref);
    return stored === null ? null : this.unwrap(stored);
  }

  /**
   * Re-wraps one stored key under the newest version of its key, without touching what it
   * encrypts. 'skipped' when it is already newest or changed meanwhile (a newer write won).
   */
  async rewrapOne(stored: StoredWrappedKey, toVersion: number): Promise<'rewrapped' | 'skipped'> {
    if (stored.version >= toVersion) return 'skipped';
    const dataKey = await this.unwrap(stored);
    try {
      const wrapped = await this.#provider.wrap(stored.keyId, toVersion, dataKey);
      const ok = await this.#metadata.replaceWrappedKey(stored.ref, stored, {
        provider: this.#provider.kind,
        version: toVersion,
        wrapped,
      });
      return ok ? 'rewrapped' : 'skipped';
    } finally {
      dataKey.fill(0);
    }
  }
}
