/**
 * Envelope encryption for object data and metadata, decided and applied in model/:
 * - every object version (and every multipart upload) gets a random 256-bit data key,
 *   wrapped by the KeyRing (SSE-S3: key 'default'; SSE-KMS: the named key) or by the
 *   client's own key (SSE-C, never stored: only a salted HMAC of it, to tell a wrong key);
 * - its chunks are sealed through an EncryptingChunkStore view whose per-chunk AAD context
 *   binds the bucket id, key, version/upload id, part number and chunk index (the segment
 *   cipher adds segment index and final flag);
 * - its user metadata is sealed under the same data key, and so are its tags (SSE-S3 and
 *   SSE-KMS: the node can unwrap those keys for lifecycle filters and s3:ExistingObjectTag
 *   without the client; an SSE-C object's tags stay in clear, as its key is the client's).
 * A copy that shares chunks keeps `sealedFor` and the data key (re-wrapped if the copy's
 * encryption differs), so the shared chunks stay readable through either record.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ChunkRef, ChunkStore } from '../chunks/chunk-store.js';
import { ChunkTamperedError, EncryptingChunkStore, type SealedChunk } from '../chunks/encrypting-chunk-store.js';
import { SegmentAuthError } from '../chunks/segment-cipher.js';
import { openBuffer, sealBuffer } from '../chunks/sealed-buffer.js';
import type { KeyRing } from '../keys/key-provider.js';
import { KeyError } from '../keys/errors.js';
import type { BucketEncryption, ObjectEncryption, PartSummary, Tag } from '../metadata/types.js';
import { ModelError } from './errors.js';
import { publicRandom } from '../util/public-random.js';
import { freshKey, gcmOpen, gcmSeal } from '../util/aes-gcm.js';

/** A customer-provided key (SSE-C) as the request carried it; MD5 already checked by the plane. */
export interface CustomerKey {
  key: Buffer;
  /** Base64 MD5 of the key, echoed in responses. */
  keyMd5: string;
}

/** What a write asked for (request headers), before the bucket default applies. */
export type SseRequest =
  | { mode: 'AES256'; bucketKeyEnabled?: boolean }
  | { mode: 'aws:kms'; keyId?: string; bucketKeyEnabled?: boolean }
  | { mode: 'SSE-C'; customer: CustomerKey };

/** An object's data key in the clear (in memory only) and its envelope. */
export interface Unsealed {
  encryption: ObjectEncryption;
  dataKey: Buffer;
}

const SSE_C_PROVIDER = 'sse-c';

const identity = (e: ObjectEncryption, what: string): Buffer =>
  Buffer.from(JSON.stringify([what, e.sealedFor.bucketId, e.sealedFor.key, e.sealedFor.id, e.sealedFor.multipart]), 'utf8');

/** AAD context of one chunk: whom it was sealed for, and where it sits (part, index). */
export function chunkContext(sealedFor: ObjectEncryption['sealedFor'], part: number, index: number): Buffer {
  return Buffer.from(JSON.stringify(['anode-chunk-v1', sealedFor.bucketId, sealedFor.key, sealedFor.id, sealedFor.multipart, part, index]));
}

/**
 * Each chunk's (part, index) in an object: a single-part object is part 0, chunk i; a
 * multipart object's chunks are its non-empty parts' chunks in order, each part's indexed
 * from 0 (as UploadPart sealed them).
 */
export function chunkPositions(chunks: readonly ChunkRef[], parts: readonly PartSummary[] | null): Array<{ part: number; index: number }> {
  if (parts === null) return chunks.map((_, index) => ({ part: 0, index }));
  const out: Array<{ part: number; index: number }> = [];
  let c = 0;
  for (const p of parts) {
    let left = p.size;
    let index = 0;
    while (left > 0 && c < chunks.length) {
      left -= chunks[c]!.size;
      out.push({ part: p.partNumber, index: index++ });
      c++;
    }
  }
  return out;
}

export class ObjectCrypto {
  readonly #ring: KeyRing | null;
  readonly #onTampered: (err: ChunkTamperedError) => void;
  /** Encrypt every new object with SSE-S3 when nothing else is asked ([storage] encryption). */
  readonly encryptByDefault: boolean;

  constructor(options: { keyRing: KeyRing | null; encryptByDefault: boolean; onTampered?: (err: ChunkTamperedError) => void }) {
    this.#ring = options.keyRing;
    this.encryptByDefault = options.encryptByDefault && options.keyRing !== null;
    this.#onTampered = options.onTampered ?? (() => {});
  }

  get hasKeyRing(): boolean {
    return this.#ring !== null;
  }

  /** Whether the key ring has `keyId` (SSE-KMS key id validation). */
  async hasKey(keyId: string): Promise<boolean> {
    return this.#ring !== null && (await this.#ring.has(keyId));
  }

  #needRing(): KeyRing {
    if (this.#ring === null) throw new ModelError('EncryptionUnavailable', {});
    return this.#ring;
  }

  /** Checks that a bucket default (PutBucketEncryption) names a usable key. */
  async checkBucketDefault(enc: BucketEncryption): Promise<void> {
    const ring = this.#needRing();
    const keyId = enc.algorithm === 'aws:kms' ? (enc.kmsKeyId ?? 'default') : 'default';
    if (!(await ring.has(keyId))) throw new KeyError('KeyNotFound', { message: `Invalid keyId ${keyId}` });
  }

  /** The encryption a new write gets: what it asked for, else the bucket default, else the node default, else none. */
  resolve(asked: SseRequest | null, bucketDefault: BucketEncryption | null | undefined): SseRequest | null {
    if (asked !== null) return asked;
    if (bucketDefault) {
      return bucketDefault.algorithm === 'aws:kms'
        ? {
            mode: 'aws:kms',
            ...(bucketDefault.kmsKeyId ? { keyId: bucketDefault.kmsKeyId } : {}),
            bucketKeyEnabled: bucketDefault.bucketKeyEnabled,
          }
        : { mode: 'AES256', bucketKeyEnabled: bucketDefault.bucketKeyEnabled };
    }
    return this.encryptByDefault ? { mode: 'AES256' } : null;
  }

  /** A fresh data key for `sealedFor`, wrapped as `req` says. */
  async create(req: SseRequest, sealedFor: ObjectEncryption['sealedFor']): Promise<Unsealed> {
    return this.#wrap(req, sealedFor, freshKey());
  }

  /** The same data key and sealing identity under another wrapping (a copy sharing chunks). */
  rewrap(req: SseRequest, from: Unsealed): Promise<Unsealed> {
    return this.#wrap(req, from.encryption.sealedFor, from.dataKey);
  }

  async #wrap(req: SseRequest, sealedFor: ObjectEncryption['sealedFor'], dataKey: Buffer): Promise<Unsealed> {
    const base = { sealedFor, bucketKeyEnabled: req.mode !== 'SSE-C' && req.bucketKeyEnabled === true };
    if (req.mode === 'SSE-C') {
      const salt = publicRandom(16);
      const mac = createHmac('sha256', salt).update(req.customer.key).digest();
      const partial: ObjectEncryption = {
        mode: 'SSE-C',
        wrappedKey: { provider: SSE_C_PROVIDER, keyId: '', version: 0, wrapped: '' },
        ...base,
        customerKeyHmac: Buffer.concat([salt, mac]).toString('base64'),
      };
      partial.wrappedKey.wrapped = gcmSeal(req.customer.key, identity(partial, 'anode-sse-c-wrap-v1'), dataKey).toString('base64');
      return { encryption: partial, dataKey };
    }
    const ring = this.#needRing();
    const keyId = req.mode === 'aws:kms' ? (req.keyId ?? 'default') : 'default';
    if (!(await ring.has(keyId))) throw new KeyError('KeyNotFound', { message: `Invalid keyId ${keyId}` });
    const w = await ring.wrap(dataKey, keyId);
    return {
      encryption: {
        mode: req.mode,
        wrappedKey: { provider: w.provider, keyId: w.keyId, version: w.version, wrapped: w.wrapped.toString('base64') },
        ...base,
      },
      dataKey,
    };
  }

  /**
   * The data key of an encrypted object or upload. SSE-C needs the customer key: missing →
   * SseCustomerKeyMissing, wrong → SseCustomerKeyMismatch; one given for an object that is
   * not SSE-C → SseCustomerKeyUnexpected (as AWS).
   */
  async unseal(enc: ObjectEncryption, customer: CustomerKey | null): Promise<Unsealed> {
    if (enc.mode === 'SSE-C') {
      if (customer === null) throw new ModelError('SseCustomerKeyMissing', {});
      const stored = Buffer.from(enc.customerKeyHmac ?? '', 'base64');
      const mac = createHmac('sha256', stored.subarray(0, 16)).update(customer.key).digest();
      if (stored.length !== 48 || !timingSafeEqual(mac, stored.subarray(16))) throw new ModelError('SseCustomerKeyMismatch', {});
      const dataKey = gcmOpen(customer.key, identity(enc, 'anode-sse-c-wrap-v1'), Buffer.from(enc.wrappedKey.wrapped, 'base64'));
      if (dataKey === null) throw new ModelError('SseCustomerKeyMismatch', {});
      return { encryption: enc, dataKey };
    }
    if (customer !== null) throw new ModelError('SseCustomerKeyUnexpected', {});
    const ring = this.#needRing();
    const dataKey = await ring.unwrap({
      provider: enc.wrappedKey.provider,
      keyId: enc.wrappedKey.keyId,
      version: enc.wrappedKey.version,
      wrapped: Buffer.from(enc.wrappedKey.wrapped, 'base64'),
    });
    return { encryption: enc, dataKey };
  }

  /**
   * The ETag of a body (or part) with this MD5. As in AWS, an SSE-C or SSE-KMS object's ETag
   * is not the MD5 of its plaintext (which anyone allowed to list would otherwise learn):
   * it is an HMAC of that MD5 under the data key, stable for the object and its parts.
   * SSE-S3 and plaintext objects keep the MD5.
   */
  etag(u: Unsealed | null, md5: Buffer): string {
    if (u === null || u.encryption.mode === 'AES256') return `"${md5.toString('hex')}"`;
    const mac = createHmac('sha256', u.dataKey).update('anode-etag-v1').update(md5).digest();
    return `"${mac.subarray(0, 16).toString('hex')}"`;
  }

  sealMetadata(u: Unsealed, userMetadata: Record<string, string>): string {
    return gcmSeal(u.dataKey, identity(u.encryption, 'anode-meta-v1'), Buffer.from(JSON.stringify(userMetadata), 'utf8')).toString(
      'base64',
    );
  }

  /** Whether an object's tags are sealed: SSE-S3 and SSE-KMS (SSE-C's key is absent when lifecycle and policies read tags). */
  sealsTags(u: Unsealed | null): u is Unsealed {
    return u !== null && u.encryption.mode !== 'SSE-C';
  }

  sealTags(u: Unsealed, tags: readonly Tag[]): string {
    return gcmSeal(u.dataKey, identity(u.encryption, 'anode-tags-v1'), Buffer.from(JSON.stringify(tags), 'utf8')).toString('base64');
  }

  openTags(u: Unsealed): Tag[] {
    if (u.encryption.sealedTags === undefined) return [];
    const plain = gcmOpen(u.dataKey, identity(u.encryption, 'anode-tags-v1'), Buffer.from(u.encryption.sealedTags, 'base64'));
    if (plain === null) throw new KeyError('KeyUnwrapFailed', { message: 'sealed tags failed authentication' });
    return JSON.parse(plain.toString('utf8')) as Tag[];
  }

  openMetadata(u: Unsealed): Record<string, string> {
    if (u.encryption.sealedMetadata === undefined) return {};
    const plain = gcmOpen(u.dataKey, identity(u.encryption, 'anode-meta-v1'), Buffer.from(u.encryption.sealedMetadata, 'base64'));
    if (plain === null) throw new KeyError('KeyUnwrapFailed', { message: 'sealed user metadata failed authentication' });
    return JSON.parse(plain.toString('utf8')) as Record<string, string>;
  }

  /** An inline body sealed as the object's only chunk (part 0, index 0) would be. */
  sealInline(u: Unsealed, plain: Buffer): Buffer {
    return sealBuffer(u.dataKey, chunkContext(u.encryption.sealedFor, 0, 0), plain);
  }

  /** The plaintext of an inline body sealed by sealInline; ChunkTamperedError if it fails authentication. */
  openInline(u: Unsealed, sealed: Buffer, size: number): Buffer {
    try {
      return openBuffer(u.dataKey, chunkContext(u.encryption.sealedFor, 0, 0), sealed, size);
    } catch (err) {
      if (!(err instanceof SegmentAuthError)) throw err;
      const t = new ChunkTamperedError('inline', err.message, { cause: err });
      this.#onTampered(t);
      throw t;
    }
  }

  /** A view writing chunks of part `part` (0 for a single-part object) sealed for `u`. */
  writer(inner: ChunkStore, u: Unsealed, part: number): ChunkStore {
    return new EncryptingChunkStore(inner, {
      key: u.dataKey,
      contextForWrite: (index) => chunkContext(u.encryption.sealedFor, part, index),
      onTampered: this.#onTampered,
    });
  }

  /** A view reading an object's chunks (positions from its parts). */
  reader(inner: ChunkStore, u: Unsealed, chunks: readonly ChunkRef[], parts: readonly PartSummary[] | null): ChunkStore {
    const positions = chunkPositions(chunks, parts);
    const known = new Map<string, SealedChunk>();
    chunks.forEach((c, i) => {
      const pos = positions[i] ?? { part: -1, index: -1 };
      known.set(c.id, { size: c.size, context: chunkContext(u.encryption.sealedFor, pos.part, pos.index) });
    });
    return new EncryptingChunkStore(inner, {
      key: u.dataKey,
      contextForWrite: () => {
        throw new Error('a reader view does not write');
      },
      known,
      onTampered: this.#onTampered,
    });
  }
}
