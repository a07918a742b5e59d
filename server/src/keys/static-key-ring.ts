/**
 * A KeyRing over one provider with no registry: every key is at version 1 and only the
 * named keys exist ('default' unless configured). The registry-backed ring (named keys with
 * versions and rotation) replaces it in main.ts.
 */
import type { KeyProvider, KeyRing, WrappedKey } from './key-provider.js';
import { KeyError } from './errors.js';

export class StaticKeyRing implements KeyRing {
  readonly #provider: KeyProvider;
  readonly #keyIds: ReadonlySet<string>;

  constructor(provider: KeyProvider, keyIds: readonly string[] = ['default']) {
    this.#provider = provider;
    this.#keyIds = new Set(keyIds);
  }

  async wrap(dataKey: Buffer, keyId = 'default'): Promise<WrappedKey> {
    if (!this.#keyIds.has(keyId)) throw new KeyError('KeyNotFound', { message: `Invalid keyId ${keyId}` });
    return { provider: this.#provider.kind, keyId, version: 1, wrapped: await this.#provider.wrap(keyId, 1, dataKey) };
  }

  async unwrap(wrapped: WrappedKey): Promise<Buffer> {
    if (wrapped.provider !== this.#provider.kind) {
      throw new KeyError('KeyUnwrapFailed', { message: `data key wrapped by provider ${wrapped.provider}, not ${this.#provider.kind}` });
    }
    return this.#provider.unwrap(wrapped.keyId, wrapped.version, wrapped.wrapped);
  }

  async has(keyId: string): Promise<boolean> {
    return this.#keyIds.has(keyId);
  }
}
