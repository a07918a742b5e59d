/**
 * The object write flow, once for every plane: ETag, stored checksums and the record are
 * built here, and every write follows one rule — its chunks are durable before the commit,
 * and removed again if the commit fails or finds its bucket (or upload) gone. This is the
 * one place that will add encryption info and chunk placement to a record.
 * Inputs are already parsed (headers, metadata, ACL, conditions as plain values); failures
 * are ModelErrors (model/errors.ts), or whatever the payload's own checks throw.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ChunkRef, ChunkStore } from '../chunks/chunk-store.js';
import type {
  Acl,
  BucketRecord,
  ChecksumAlgorithm,
  MetadataStore,
  ObjectHeaders,
  ObjectRecord,
  PartRecord,
  StoredChecksum,
  Tag,
  UploadRecord,
  Retention,
  VersionEntry,
  VersioningState,
  ObjectLockConfig,
} from '../metadata/types.js';
import { assertDeletable, assertRetentionChange, defaultRetentionFor, lockStateOf } from './object-lock.js';
import { isWellFormedVersionId, newVersionId, nextVersionSeq } from './versioning.js';
import { combineCrcParts, compositeChecksum, isCrcAlgorithm } from '../util/checksums.js';
import type { BucketWrites } from './bucket-writes.js';
import type { ChunksInFlight } from './chunks-in-flight.js';
import { ModelError } from './errors.js';
import { openObjectRange, readObjectRange, type OpenedRange } from './object-reader.js';
import { writeBody, type Payload, type WrittenBody } from './object-writer.js';
import { readInlineBody } from './inline-body.js';
import { checkWriteConditions, hasWriteConditions, type WriteConditions } from './preconditions.js';
import { ObjectCrypto, type CustomerKey, type SseRequest, type Unsealed } from './object-crypto.js';
import { publicRandom } from '../util/public-random.js';

/** AWS: every part but the last must be at least 5 MiB. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;

/** A request body ready to stream, with what the request asked to verify (s3/body.ts openPayload). */
export interface IncomingBody {
  payload: Payload;
  /** The S3 checksum the client sent, to compute and store. */
  checksumAlgorithm: ChecksumAlgorithm | null;
  /** The signed payload SHA-256 must be computed and checked. */
  needsSha256: boolean;
}

/** What a new object or upload is stored with, besides its bytes. */
export interface ObjectAttributes {
  owner: string;
  headers: ObjectHeaders;
  userMetadata: Record<string, string>;
  acl: Acl;
  storageClass: string;
  /** Object tags (x-amz-tagging); absent = none. */
  tags?: Tag[];
  /** Object Lock asked for with the write (x-amz-object-lock-*); the bucket's default applies otherwise. */
  lock?: RequestedLock;
}

export interface RequestedLock {
  retention: Retention | null;
  legalHold: boolean;
}

/** How a delete went: the version removed or the delete marker made. */
export interface DeleteResult {
  versionId: string | null;
  deleteMarker: boolean;
}

export interface PutObjectInput extends ObjectAttributes {
  bucket: BucketRecord;
  key: string;
  conditions: WriteConditions;
  /** Opened only once the write conditions hold, so their failure is the one reported. */
  openBody: () => IncomingBody;
  /** Server-side encryption asked by the request; null or absent: the bucket's or node's default. */
  sse?: SseRequest | null;
}

export interface CopyObjectInput {
  bucket: BucketRecord;
  lock?: RequestedLock;
  key: string;
  source: ObjectRecord;
  owner: string;
  acl: Acl;
  storageClass: string;
  /** New headers and user metadata (REPLACE), or null to keep the source's (COPY). */
  replace: { headers: ObjectHeaders; userMetadata: Record<string, string> } | null;
  /** A checksum algorithm asked for; null keeps the source's. */
  checksumAlgorithm: ChecksumAlgorithm | null;
  conditions: WriteConditions;
  /** The copy's tags (the source's for x-amz-tagging-directive COPY); absent = the source's. */
  tags?: Tag[];
  /** The destination's encryption asked by the request (null: the bucket's or node's default). */
  sse?: SseRequest | null;
  /** The source's customer key (x-amz-copy-source-server-side-encryption-customer-*). */
  sourceCustomer?: CustomerKey | null;
}

export interface CreateUploadInput extends ObjectAttributes {
  bucket: BucketRecord;
  key: string;
  checksumAlgorithm: ChecksumAlgorithm | null;
  checksumType: 'FULL_OBJECT' | 'COMPOSITE' | null;
  sse?: SseRequest | null;
}

/** An object opened for reading: metadata unsealed, chunks read through its data key. */
export interface OpenObject {
  /** The record with its user metadata in the clear. */
  record: ObjectRecord;
  unsealed: Unsealed | null;
  /** Where its chunks are read from (a decrypting view for an encrypted object). */
  chunks: ChunkStore;
}

/** One <Part> of a CompleteMultipartUpload request. */
export interface CompletedPart {
  partNumber: number;
  /** Quoted, as stored. */
  etag: string;
  /** Checksums the client listed for the part, by algorithm. */
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

export interface ObjectWriteResult {
  record: ObjectRecord;
  etag: string;
  checksum: StoredChecksum | null;
}

export interface PartWriteResult {
  part: PartRecord;
  /** The checksum to echo: the part's, or the one the client sent for an upload without one. */
  checksum: StoredChecksum | null;
}

export interface ObjectServiceDeps {
  metadata: MetadataStore;
  chunks: ChunkStore;
  bucketWrites: BucketWrites;
  /** Counts object bytes received from clients (copies read no client bytes). */
  bytesReceived: (n: number) => void;
  /** Bytes per chunk (storage.chunk_size_mib). */
  chunkSize: number;
  /** Object bodies up to this many bytes are kept inline in the metadata row (storage.inline_max_kib); absent: 0, never. */
  inlineMax?: number;
  /** Chunks written but not yet committed, which GC must leave alone. */
  inFlight: ChunksInFlight;
  /** Encryption at rest and SSE; absent: no key ring (plaintext unless SSE-C). */
  crypto?: ObjectCrypto;
}

function fullChecksum(algorithm: ChecksumAlgorithm | null, written: WrittenBody): StoredChecksum | null {
  return algorithm && written.digests.checksum
    ? { algorithm, value: written.digests.checksum.toString('base64'), type: 'FULL_OBJECT' }
    : null;
}

/** A new object's body as stored: chunks, or (small bodies) the bytes for its metadata row. */
type StoredBody = WrittenBody & { inline: Buffer | null };

// The only spots that know how a written body maps onto chunks (writeBody's result shape).
function chunksOf(written: WrittenBody): ChunkRef[] {
  return written.chunks;
}
function partChunks(part: PartRecord): ChunkRef[] {
  return part.chunks;
}
function partFrom(
  uploadId: string,
  partNumber: number,
  written: WrittenBody,
  algorithm: ChecksumAlgorithm | null,
  etag: string,
): PartRecord {
  return {
    uploadId,
    partNumber,
    size: written.digests.size,
    etag,
    lastModified: new Date(),
    checksum: fullChecksum(algorithm, written),
    chunks: written.chunks,
  };
}

export class ObjectService {
  readonly #metadata: MetadataStore;
  readonly #chunks: ChunkStore;
  readonly #writes: BucketWrites;
  readonly #bytesReceived: (n: number) => void;
  readonly #chunkSize: number;
  readonly #inlineMax: number;
  readonly #inFlight: ChunksInFlight;
  readonly #crypto: ObjectCrypto;

  constructor(deps: ObjectServiceDeps) {
    this.#crypto = deps.crypto ?? new ObjectCrypto({ keyRing: null, encryptByDefault: false });
    this.#metadata = deps.metadata;
    this.#chunks = deps.chunks;
    this.#writes = deps.bucketWrites;
    this.#bytesReceived = deps.bytesReceived;
    this.#chunkSize = deps.chunkSize;
    this.#inlineMax = deps.inlineMax ?? 0;
    this.#inFlight = deps.inFlight;
  }

  /**
   * Runs one write (stream, commit or clean-up) counted against its bucket, with every chunk
   * it writes held from GC until the write has finished either way.
   */
  async #during<T>(bucketId: string, write: (onChunkId: (id: string) => void) => Promise<T>): Promise<T> {
    const held: string[] = [];
    const onChunkId = (id: string) => {
      held.push(id);
      this.#inFlight.hold(id);
    };
    try {
      return await this.#writes.during(bucketId, () => write(onChunkId));
    } finally {
      this.#inFlight.release(held);
    }
  }

  /** The object at `key`, or NoSuchKey. */
  async getObject(bucket: BucketRecord, key: string): Promise<ObjectRecord> {
    const obj = await this.#metadata.getObject(bucket.id, key);
    if (!obj) throw new ModelError('NoSuchKey', { key });
    return obj;
  }

  /** The encryption layer (plane handlers check bucket defaults and key ids through it). */
  get crypto(): ObjectCrypto {
    return this.#crypto;
  }

  /**
   * Opens `record` for reading: an encrypted one's data key is unwrapped (SSE-C: with the
   * customer key, which must be given and right) and its user metadata unsealed.
   */
  async unlock(record: ObjectRecord, customer: CustomerKey | null = null): Promise<OpenObject> {
    // A listed record has no inline body (MetadataStore.listObjects): reading it would send nothing.
    if (record.size > 0 && record.chunks.length === 0 && !record.inline)
      throw new Error('object record without its body (a listed record?)');
    if (!record.encryption) {
      if (customer !== null) throw new ModelError('SseCustomerKeyUnexpected', {});
      return { record, unsealed: null, chunks: this.#chunks };
    }
    const unsealed = await this.#crypto.unseal(record.encryption, customer);
    return {
      record: {
        ...record,
        userMetadata: this.#crypto.openMetadata(unsealed),
        tags: record.encryption.sealedTags !== undefined ? this.#crypto.openTags(unsealed) : (record.tags ?? []),
      },
      unsealed,
      chunks: this.#crypto.reader(this.#chunks, unsealed, record.chunks, record.parts),
    };
  }

  /**
   * Bytes [start, end] (inclusive) of an object kept inline (in the clear: opened through its
   * data key when encrypted), or null when its bytes are in chunks.
   */
  inlineRange(via: OpenObject, start: number, end: number): Buffer | null {
    const { record } = via;
    if (!record.inline) return null;
    const plain = via.unsealed ? this.#crypto.openInline(via.unsealed, record.inline, record.size) : record.inline;
    return plain.subarray(start, end + 1);
  }

  /** Bytes [start, end] (inclusive) of an object made of `chunks`, read as the consumer pulls. */
  read(chunks: readonly ChunkRef[], start: number, end: number, via?: OpenObject): AsyncIterable<Buffer> {
    const inline = via ? this.inlineRange(via, start, end) : null;
    if (inline !== null) return oneBuffer(inline);
    return readObjectRange(via?.chunks ?? this.#chunks, chunks, start, end);
  }

  /**
   * Like read(), with the first chunk already open when this resolves: a missing or
   * unreadable chunk rejects here, while the caller can still answer with an error status.
   */
  async open(chunks: readonly ChunkRef[], start: number, end: number, via?: OpenObject): Promise<OpenedRange> {
    const inline = via ? this.inlineRange(via, start, end) : null;
    if (inline !== null) return Object.assign(oneBuffer(inline), { destroy: () => {} });
    // Held from GC while the body streams: the object may be deleted or replaced meanwhile,
    // and an on-demand GC frees a deleted object's chunks at once (model/gc.ts).
    const ids = chunks.map((c) => c.id);
    for (const id of ids) this.#inFlight.hold(id);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.#inFlight.release(ids);
    };
    let opened: OpenedRange;
    try {
      opened = await openObjectRange(via?.chunks ?? this.#chunks, chunks, start, end);
    } catch (err) {
      release();
      throw err;
    }
    async function* body(): AsyncGenerator<Buffer> {
      try {
        yield* opened;
      } finally {
        release();
      }
    }
    return Object.assign(body(), {
      destroy: () => {
        release();
        opened.destroy();
      },
    });
  }

  /** A fresh data key for a new object version or upload, if its encryption says so. */
  async #newDataKey(sse: SseRequest | null | undefined, bucket: BucketRecord, key: string, id: string | null): Promise<Unsealed | null> {
    const req = this.#crypto.resolve(sse ?? null, bucket.encryption);
    if (req === null) return null;
    return this.#crypto.create(req, { bucketId: bucket.id, key, id: id ?? publicRandom(16).toString('hex'), multipart: id !== null });
  }

  /** User metadata and tags as stored: sealed into the envelope when the object is encrypted. */
  #sealed(
    unsealed: Unsealed | null,
    userMetadata: Record<string, string>,
    tags: Tag[],
  ): Pick<ObjectRecord, 'userMetadata' | 'encryption' | 'tags'> {
    if (unsealed === null) return { userMetadata, tags };
    const encryption = { ...unsealed.encryption };
    delete encryption.sealedMetadata;
    delete encryption.sealedTags;
    if (Object.keys(userMetadata).length > 0)
      encryption.sealedMetadata = this.#crypto.sealMetadata({ ...unsealed, encryption }, userMetadata);
    if (!this.#crypto.sealsTags(unsealed)) return { userMetadata: {}, encryption, tags };
    if (tags.length > 0) encryption.sealedTags = this.#crypto.sealTags({ ...unsealed, encryption }, tags);
    return { userMetadata: {}, encryption, tags: [] };
  }

  /**
   * An object's tags in the clear (GetObjectTagging, s3:ExistingObjectTag, lifecycle
   * filters): sealed ones are opened with the data key the key ring unwraps.
   */
  async tagsOf(record: ObjectRecord): Promise<Tag[]> {
    const enc = record.encryption;
    if (!enc || enc.sealedTags === undefined) return record.tags ?? [];
    return this.#crypto.openTags(await this.#crypto.unseal(enc, null));
  }

  /**
   * PutObjectTagging / DeleteObjectTagging on one version (current or not), sealed under its
   * data key when it has one the node holds; 'not-found' if the version is gone meanwhile.
   */
  async setTags(bucket: BucketRecord, obj: ObjectRecord, tags: Tag[]): Promise<'ok' | 'not-found' | 'marker'> {
    const versionId = obj.versionId ?? 'null';
    if (!obj.encryption || obj.encryption.mode === 'SSE-C') return this.#metadata.patchVersion(bucket.id, obj.key, versionId, { tags });
    const unsealed = await this.#crypto.unseal(obj.encryption, null);
    const sealedTags = tags.length > 0 ? this.#crypto.sealTags(unsealed, tags) : null;
    // Addressed by the version: an overwrite meanwhile has its own tags (and data key).
    return this.#metadata.patchVersion(bucket.id, obj.key, versionId, { sealedTags });
  }

  putObject(input: PutObjectInput): Promise<ObjectWriteResult> {
    // Counted as in flight for the whole stream, so DeleteBucket refuses meanwhile.
    return this.#during(input.bucket.id, (onChunkId) => this.#putObject(input, onChunkId));
  }

  async #putObject(input: PutObjectInput, onChunkId: (id: string) => void): Promise<ObjectWriteResult> {
    const { bucket, key, conditions } = input;
    checkLockRequest(bucket, input.lock);
    await this.#checkWriteConditions(bucket.id, key, conditions);
    // Wrapped before the body is read: an unknown key or a provider down fails first.
    const unsealed = await this.#newDataKey(input.sse, bucket, key, null);
    const body = input.openBody();
    const written = await this.#storeBody(
      body.payload,
      { sha256: body.needsSha256, checksum: body.checksumAlgorithm },
      unsealed,
      onChunkId,
    );
    this.#bytesReceived(written.digests.size);
    const record = this.#record(input, written, fullChecksum(body.checksumAlgorithm, written), unsealed);
    const ids = chunksOf(written).map((c) => c.id);
    // Re-checked at commit: another writer may have won while the body streamed in.
    await this.#discardOnFailure(ids, () => this.#checkWriteConditions(bucket.id, key, conditions));
    await this.#commitObject(bucket, record, ids);
    return { record, etag: record.etag, checksum: record.checksum };
  }

  /**
   * The object a GET/HEAD/CopySource names: its current version, or the version `versionId`.
   * A delete marker in the way is a DeleteMarker error (404 or 405 on the wire).
   */
  async getVersion(bucket: BucketRecord, key: string, versionId: string | undefined): Promise<ObjectRecord> {
    if (versionId === undefined) {
      const obj = await this.#metadata.getObject(bucket.id, key);
      if (obj) return obj;
      if ((bucket.versioning ?? 'Unversioned') !== 'Unversioned') {
        const latest = await this.#metadata.getObjectVersion(bucket.id, key, null);
        if (latest?.type === 'marker') {
          throw new ModelError('DeleteMarker', {
            key,
            versionId: latest.marker.versionId,
            lastModified: latest.marker.lastModified,
            byVersionId: false,
          });
        }
      }
      throw new ModelError('NoSuchKey', { key });
    }
    if (!isWellFormedVersionId(versionId)) throw new ModelError('InvalidVersionId', { versionId });
    const entry = await this.#metadata.getObjectVersion(bucket.id, key, versionId);
    if (entry === null) throw new ModelError('NoSuchVersion', { key, versionId });
    if (entry.type === 'marker') {
      throw new ModelError('DeleteMarker', { key, versionId, lastModified: entry.marker.lastModified, byVersionId: true });
    }
    return entry.object;
  }

  /** One version entry (object or marker) or null. */
  versionEntry(bucket: BucketRecord, key: string, versionId: string | null): Promise<VersionEntry | null> {
    return this.#metadata.getObjectVersion(bucket.id, key, versionId);
  }

  copyObject(input: CopyObjectInput): Promise<ObjectWriteResult> {
    return this.#during(input.bucket.id, (onChunkId) => this.#copyObject(input, onChunkId));
  }

  async #copyObject(input: CopyObjectInput, onChunkId: (id: string) => void): Promise<ObjectWriteResult> {
    const { bucket, key } = input;
    // The source's chunks are shared or read: held from GC until the copy has committed.
    for (const c of input.source.chunks) onChunkId(c.id);
    const algorithm = input.checksumAlgorithm ?? input.source.checksum?.algorithm ?? null;
    checkLockRequest(bucket, input.lock);
    await this.#checkWriteConditions(bucket.id, key, input.conditions);
    const src = await this.unlock(input.source, input.sourceCustomer ?? null);
    const source = src.record;
    const attributes: ObjectAttributes = {
      owner: input.owner,
      acl: input.acl,
      storageClass: input.storageClass,
      ...(input.lock ? { lock: input.lock } : {}),
      headers: input.replace?.headers ?? source.headers,
      userMetadata: input.replace?.userMetadata ?? source.userMetadata,
      tags: input.tags ?? source.tags ?? [],
    };
    const wanted = this.#crypto.resolve(input.sse ?? null, bucket.encryption);
    // Chunks are immutable and reference-counted, so a copy of a single-part object whose
    // checksum stays the same shares the source's chunks: no bytes are read or written. A
    // multipart source (its ETag is not an MD5) or a new checksum algorithm is re-read, and
    // so is a copy between plaintext and encrypted. An encrypted copy that shares chunks
    // shares the data key and sealing identity too (re-wrapped for its own encryption).
    if (source.parts === null && algorithm === (source.checksum?.algorithm ?? null) && (src.unsealed === null) === (wanted === null)) {
      const unsealed = src.unsealed && wanted ? await this.#crypto.rewrap(wanted, src.unsealed) : null;
      const record: ObjectRecord = {
        ...this.#base(bucket, key, attributes, unsealed),
        size: source.size,
        etag: source.etag,
        checksum: source.checksum,
        chunks: source.chunks,
        // An inline body is shared the same way: its bytes stay sealed for the source's identity and data key.
        ...(source.inline ? { inline: source.inline } : {}),
      };
      await this.#commitObject(bucket, record, []);
      return { record, etag: record.etag, checksum: record.checksum };
    }
    const unsealed = await this.#newDataKey(input.sse, bucket, key, null);
    const written = await this.#copyBytes(src, 0, source.size - 1, algorithm, onChunkId, unsealed, 0, true);
    const record = this.#record({ ...attributes, bucket, key }, written, fullChecksum(algorithm, written), unsealed);
    await this.#commitObject(
      bucket,
      record,
      chunksOf(written).map((c) => c.id),
    );
    return { record, etag: record.etag, checksum: record.checksum };
  }

  async createUpload(input: CreateUploadInput): Promise<UploadRecord> {
    checkLockRequest(input.bucket, input.lock);
    // Hex, not base64url: an id starting with '-' reads as an option to aws-cli and other CLIs.
    const uploadId = randomBytes(24).toString('hex');
    const unsealed = await this.#newDataKey(input.sse, input.bucket, input.key, uploadId);
    const upload: UploadRecord = {
      uploadId,
      bucketId: input.bucket.id,
      key: input.key,
      initiated: new Date(),
      owner: input.owner,
      headers: input.headers,
      ...this.#sealed(unsealed, input.userMetadata, input.tags ?? []),
      acl: input.acl,
      storageClass: input.storageClass,
      checksumAlgorithm: input.checksumAlgorithm,
      checksumType: input.checksumType,
      ...(input.lock ? { retention: input.lock.retention, legalHold: input.lock.legalHold } : {}),
    };
    if ((await this.#metadata.createUpload(upload)) === 'no-bucket') throw new ModelError('NoSuchBucket', { bucket: input.bucket.name });
    return upload;
  }

  /** The upload `uploadId`, which must belong to this bucket and key; else NoSuchUpload. */
  async getUpload(bucket: BucketRecord, key: string, uploadId: string): Promise<UploadRecord> {
    const upload = uploadId === '' ? null : await this.#metadata.getUpload(uploadId);
    if (!upload || upload.bucketId !== bucket.id || upload.key !== key) throw new ModelError('NoSuchUpload', { uploadId });
    return upload;
  }

  /**
   * The data key of an upload (its parts are sealed with it); SSE-C needs the customer key
   * on every part. Null for a plaintext upload.
   */
  async unlockUpload(upload: UploadRecord, customer: CustomerKey | null): Promise<Unsealed | null> {
    if (!upload.encryption) {
      if (customer !== null) throw new ModelError('SseCustomerKeyUnexpected', {});
      return null;
    }
    return this.#crypto.unseal(upload.encryption, customer);
  }

  uploadPart(input: {
    upload: UploadRecord;
    partNumber: number;
    body: IncomingBody;
    customer?: CustomerKey | null;
  }): Promise<PartWriteResult> {
    return this.#during(input.upload.bucketId, (onChunkId) => this.#uploadPart(input, onChunkId));
  }

  async #uploadPart(
    { upload, partNumber, body, customer }: { upload: UploadRecord; partNumber: number; body: IncomingBody; customer?: CustomerKey | null },
    onChunkId: (id: string) => void,
  ): Promise<PartWriteResult> {
    if (upload.checksumAlgorithm && body.checksumAlgorithm && body.checksumAlgorithm !== upload.checksumAlgorithm) {
      throw new ModelError('ChecksumAlgorithmMismatch', { expected: upload.checksumAlgorithm, actual: body.checksumAlgorithm });
    }
    const unsealed = await this.unlockUpload(upload, customer ?? null);
    const store = unsealed ? this.#crypto.writer(this.#chunks, unsealed, partNumber) : this.#chunks;
    const written = await writeBody(store, body.payload, {
      sha256: body.needsSha256,
      checksum: upload.checksumAlgorithm ?? body.checksumAlgorithm,
      chunkSize: this.#chunkSize,
      onChunkId,
    });
    this.#bytesReceived(written.digests.size);
    const part = await this.#commitPart(upload, partNumber, written, unsealed);
    return { part, checksum: part.checksum ?? fullChecksum(body.checksumAlgorithm, written) };
  }

  /** Bytes [start, end] of `source` as part `partNumber`; the caller has checked the range. */
  uploadPartCopy(input: {
    upload: UploadRecord;
    partNumber: number;
    source: ObjectRecord;
    start: number;
    end: number;
    customer?: CustomerKey | null;
    sourceCustomer?: CustomerKey | null;
  }): Promise<PartRecord> {
    return this.#during(input.upload.bucketId, async (onChunkId) => {
      for (const c of input.source.chunks) onChunkId(c.id); // read: held from GC until done
      const src = await this.unlock(input.source, input.sourceCustomer ?? null);
      const unsealed = await this.unlockUpload(input.upload, input.customer ?? null);
      const written = await this.#copyBytes(
        src,
        input.start,
        input.end,
        input.upload.checksumAlgorithm,
        onChunkId,
        unsealed,
        input.partNumber,
        false,
      );
      return this.#commitPart(input.upload, input.partNumber, written, unsealed);
    });
  }

  /** Builds the object from the listed parts (ascending, at least one) and commits it. */
  async completeUpload(input: {
    bucket: BucketRecord;
    upload: UploadRecord;
    parts: CompletedPart[];
    conditions: WriteConditions;
  }): Promise<ObjectWriteResult> {
    const { upload, parts: requested } = input;
    const { uploadId } = upload;
    for (let i = 1; i < requested.length; i++) {
      if (requested[i]!.partNumber <= requested[i - 1]!.partNumber) throw new ModelError('InvalidPartOrder', { uploadId });
    }
    const stored = await this.#allParts(uploadId);
    const parts = requested.map((r, i) => {
      const p = stored.get(r.partNumber);
      if (!p || p.etag !== r.etag)
        throw new ModelError('InvalidPart', { uploadId, partNumber: r.partNumber, reason: 'etag', etag: r.etag });
      if (i < requested.length - 1 && p.size < MIN_PART_SIZE) {
        throw new ModelError('EntityTooSmall', { uploadId, partNumber: r.partNumber, size: p.size, minSize: MIN_PART_SIZE, etag: p.etag });
      }
      const given = p.checksum ? r.checksums[p.checksum.algorithm] : undefined;
      if (given !== undefined && given !== p.checksum?.value) {
        throw new ModelError('InvalidPart', { uploadId, partNumber: r.partNumber, reason: 'checksum' });
      }
      return p;
    });
    await this.#checkWriteConditions(upload.bucketId, upload.key, input.conditions);

    const md5 = createHash('md5');
    for (const p of parts) md5.update(Buffer.from(p.etag.slice(1, -1), 'hex'));
    const record: ObjectRecord = {
      ...this.#base(input.bucket, upload.key, {
        ...upload,
        // Lock asked for at CreateMultipartUpload; none (the bucket default) otherwise.
        ...(upload.retention || upload.legalHold
          ? { lock: { retention: upload.retention ?? null, legalHold: upload.legalHold === true } }
          : {}),
      }),
      // Sealed at CreateMultipartUpload: the parts' data key and the sealed metadata as they are.
      ...(upload.encryption ? { encryption: upload.encryption } : {}),
      size: parts.reduce((s, p) => s + p.size, 0),
      etag: `"${md5.digest('hex')}-${parts.length}"`,
      checksum: multipartChecksum(upload, parts),
      chunks: parts.filter((p) => p.size > 0).flatMap(partChunks),
      parts: parts.map((p) => ({
        partNumber: p.partNumber,
        size: p.size,
        etag: p.etag,
        ...(upload.checksumAlgorithm && p.checksum ? { checksum: { algorithm: p.checksum.algorithm, value: p.checksum.value } } : {}),
      })),
    };
    await this.#assertReplaceable(input.bucket, record);
    if ((await this.#metadata.completeUpload(uploadId, record)) === 'no-upload') throw new ModelError('NoSuchUpload', { uploadId });
    return { record, etag: record.etag, checksum: record.checksum };
  }

  /**
   * The object upload `uploadId` made, if it completed recently and that object (the same
   * version, in a versioned bucket) is still the current one at `key`: a retried Complete (the client timed out waiting) is answered
   * with it, as S3 does, rather than NoSuchUpload.
   */
  async completedEarlier(bucket: BucketRecord, key: string, uploadId: string): Promise<ObjectRecord | null> {
    const done = uploadId === '' ? null : await this.#metadata.getCompletedUpload(uploadId);
    if (!done || done.bucketId !== bucket.id || done.key !== key) return null;
    const current = await this.#metadata.getObject(bucket.id, key);
    const same =
      current !== null &&
      (current.versionId ?? 'null') === done.versionId &&
      current.etag === done.etag &&
      current.lastModified.getTime() === done.objectModified.getTime();
    return same ? current : null;
  }

  async abortUpload(upload: UploadRecord): Promise<void> {
    if ((await this.#metadata.abortUpload(upload.uploadId)) === 'no-upload') {
      throw new ModelError('NoSuchUpload', { uploadId: upload.uploadId });
    }
  }

  /**
   * Deleting a missing key succeeds, as in AWS. Without a version id: an unversioned bucket
   * removes the object; a versioning-enabled one adds a delete marker; a suspended one
   * replaces the null version with a null delete marker. With one: that version is removed
   * for good, if object lock allows. Removed versions' chunks go to the trash for GC.
   */
  async deleteObject(
    bucket: BucketRecord,
    key: string,
    options: { versionId?: string | undefined; bypassGovernance?: boolean; owner?: string } = {},
  ): Promise<DeleteResult> {
    const { versionId } = options;
    if (versionId !== undefined) return this.deleteVersion(bucket, key, versionId, options.bypassGovernance === true);
    const state: VersioningState = bucket.versioning ?? 'Unversioned';
    if (state === 'Unversioned') {
      await this.#metadata.deleteObject(bucket.id, key);
      return { versionId: null, deleteMarker: false };
    }
    const now = new Date();
    const versionSeq = nextVersionSeq(now.getTime());
    const markerId = state === 'Enabled' ? newVersionId(versionSeq) : 'null';
    if (markerId === 'null' && bucket.objectLock) {
      const old = await this.#metadata.getObjectVersion(bucket.id, key, 'null');
      if (old?.type === 'object') assertDeletable(old.object, { bypassGovernance: false, now });
    }
    const result = await this.#metadata.putDeleteMarker({
      bucketId: bucket.id,
      key,
      versionId: markerId,
      versionSeq,
      lastModified: now,
      owner: options.owner ?? bucket.owner,
    });
    if (result === 'no-bucket') throw new ModelError('NoSuchBucket', { bucket: bucket.name });
    return { versionId: markerId, deleteMarker: true };
  }

  /**
   * Removes one version for good: the single delete path every plane and the lifecycle
   * runner use. Object lock is checked here (assertDeletable) against the state read, and
   * the store removes the version only if that state is still current; if it changed in
   * between, the check runs again on the new state.
   */
  async deleteVersion(bucket: BucketRecord, key: string, versionId: string, bypassGovernance: boolean): Promise<DeleteResult> {
    if (!isWellFormedVersionId(versionId)) throw new ModelError('InvalidVersionId', { versionId });
    for (let attempt = 0; attempt < 10; attempt++) {
      const entry = await this.#metadata.getObjectVersion(bucket.id, key, versionId);
      if (entry === null) return { versionId, deleteMarker: false };
      const expect = entry.type === 'object' ? lockStateOf(entry.object) : { retention: null, legalHold: false };
      if (entry.type === 'object') assertDeletable(entry.object, { bypassGovernance, now: new Date() });
      const result = await this.#metadata.deleteVersion(bucket.id, key, versionId, expect);
      if (result === 'changed') continue;
      if (result === 'not-found') return { versionId, deleteMarker: false };
      return { versionId, deleteMarker: result.type === 'marker' };
    }
    throw new ModelError('ObjectLocked', { key, versionId, reason: 'GOVERNANCE' });
  }

  // ---- bucket versioning and object lock ----

  async setVersioning(bucket: BucketRecord, state: 'Enabled' | 'Suspended'): Promise<void> {
    if (bucket.objectLock && state !== 'Enabled') {
      throw new ModelError('InvalidBucketState', {
        message: 'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.',
      });
    }
    await this.#metadata.setBucketVersioning(bucket.id, state);
  }

  /** Turns object lock on (a versioning-enabled bucket only; never off again) and sets the default retention. */
  async setObjectLockConfiguration(bucket: BucketRecord, config: ObjectLockConfig): Promise<void> {
    if (!bucket.objectLock && bucket.versioning !== 'Enabled') {
      throw new ModelError('InvalidBucketState', {
        message: "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration",
      });
    }
    await this.#metadata.setBucketObjectLock(bucket.id, config);
  }

  /** The version PutObjectRetention/LegalHold addresses: a real version of a bucket with object lock. */
  async #lockTarget(bucket: BucketRecord, key: string, versionId: string | undefined): Promise<ObjectRecord> {
    if (!bucket.objectLock) throw new ModelError('InvalidLockRequest', { message: 'Bucket is missing Object Lock Configuration' });
    return this.getVersion(bucket, key, versionId);
  }

  async getRetention(bucket: BucketRecord, key: string, versionId: string | undefined): Promise<Retention> {
    const obj = await this.#lockTarget(bucket, key, versionId);
    if (!obj.retention) throw new ModelError('NoLockConfiguration', { what: 'retention' });
    return obj.retention;
  }

  async getLegalHold(bucket: BucketRecord, key: string, versionId: string | undefined): Promise<boolean> {
    const obj = await this.#lockTarget(bucket, key, versionId);
    return obj.legalHold === true;
  }

  /**
   * Sets a version's retention under the rules (object-lock.ts assertRetentionChange). The
   * store applies it only if the lock state is still the one checked, so of two racing
   * changes the second is re-checked against the first's result: a shortening can never
   * undo an extension that won the race.
   */
  async putRetention(
    bucket: BucketRecord,
    key: string,
    versionId: string | undefined,
    retention: Retention | null,
    bypassGovernance: boolean,
  ): Promise<string> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const obj = await this.#lockTarget(bucket, key, versionId);
      assertRetentionChange(obj, retention, { bypassGovernance, now: new Date() });
      const id = obj.versionId ?? 'null';
      const result = await this.#metadata.setRetention(bucket.id, key, id, retention, lockStateOf(obj));
      if (result === 'ok') return id;
      if (result === 'not-found') throw new ModelError('NoSuchVersion', { key, versionId: id });
    }
    throw new ModelError('ObjectLocked', { key, versionId: versionId ?? 'null', reason: 'GOVERNANCE' });
  }

  async putLegalHold(bucket: BucketRecord, key: string, versionId: string | undefined, on: boolean): Promise<string> {
    const obj = await this.#lockTarget(bucket, key, versionId);
    const id = obj.versionId ?? 'null';
    if ((await this.#metadata.setLegalHold(bucket.id, key, id, on)) === 'not-found')
      throw new ModelError('NoSuchVersion', { key, versionId: id });
    return id;
  }

  async #checkWriteConditions(bucketId: string, key: string, conditions: WriteConditions): Promise<void> {
    if (!hasWriteConditions(conditions)) return;
    checkWriteConditions(conditions, key, await this.#metadata.getObject(bucketId, key));
  }

  /**
   * Streams bytes of a stored object (opened, so decrypted if encrypted) into new chunks (a
   * copy that cannot share them), sealed with `unsealed` as part `part` when given; kept
   * inline instead when `mayInline` (a whole object, not a part) and small enough.
   */
  async #copyBytes(
    source: OpenObject,
    start: number,
    end: number,
    algorithm: ChecksumAlgorithm | null,
    onChunkId: (id: string) => void,
    unsealed: Unsealed | null,
    part: number,
    mayInline: boolean,
  ): Promise<StoredBody> {
    const inline = this.inlineRange(source, start, end);
    const payload: Payload = {
      stream: inline !== null ? oneBuffer(inline) : readObjectRange(source.chunks, source.record.chunks, start, end),
      declaredLength: end - start + 1,
      verify: () => undefined,
    };
    if (mayInline) return this.#storeBody(payload, { sha256: false, checksum: algorithm }, unsealed, onChunkId);
    const store = unsealed ? this.#crypto.writer(this.#chunks, unsealed, part) : this.#chunks;
    return {
      ...(await writeBody(store, payload, { sha256: false, checksum: algorithm, chunkSize: this.#chunkSize, onChunkId })),
      inline: null,
    };
  }

  /**
   * Stores a whole object's body: up to inlineMax declared bytes it is read into memory and
   * kept for the metadata row (sealed as chunk 0 when encrypted), so the commit that makes
   * the object visible is also the one fsync that makes its bytes durable; larger bodies
   * become chunks (durable before the commit, as always).
   */
  async #storeBody(
    payload: Payload,
    digest: { sha256: boolean; checksum: ChecksumAlgorithm | null },
    unsealed: Unsealed | null,
    onChunkId: (id: string) => void,
  ): Promise<StoredBody> {
    if (payload.declaredLength <= this.#inlineMax) {
      const body = await readInlineBody(payload, { ...digest, limit: this.#inlineMax });
      const inline = body.bytes.length === 0 ? null : unsealed ? this.#crypto.sealInline(unsealed, body.bytes) : body.bytes;
      return { chunks: [], digests: body.digests, inline };
    }
    const store = unsealed ? this.#crypto.writer(this.#chunks, unsealed, 0) : this.#chunks;
    const written = await writeBody(store, payload, { ...digest, chunkSize: this.#chunkSize, onChunkId });
    return { ...written, inline: null };
  }

  #base(
    bucket: BucketRecord,
    key: string,
    a: ObjectAttributes,
    unsealed: Unsealed | null = null,
  ): Omit<ObjectRecord, 'size' | 'etag' | 'checksum' | 'chunks'> {
    const now = new Date();
    const versionSeq = nextVersionSeq(now.getTime());
    return {
      bucketId: bucket.id,
      key,
      lastModified: now,
      owner: a.owner,
      headers: a.headers,
      ...this.#sealed(unsealed, a.userMetadata, a.tags ?? []),
      acl: a.acl,
      storageClass: a.storageClass,
      parts: null,
      // A bucket that is not versioning-enabled writes (and replaces) the null version.
      versionId: bucket.versioning === 'Enabled' ? newVersionId(versionSeq) : 'null',
      versionSeq,
      retention: a.lock?.retention ?? defaultRetentionFor(bucket, now),
      legalHold: a.lock?.legalHold ?? false,
    };
  }

  /**
   * A write of the null version replaces the key's existing null version: object lock must
   * allow destroying it. (Object lock keeps its bucket versioning-enabled for good, so a
   * locked null version and a null-version write never meet; this is the guard that says so.)
   */
  async #assertReplaceable(bucket: BucketRecord, record: ObjectRecord): Promise<void> {
    if (record.versionId !== 'null' || !bucket.objectLock) return;
    const old = await this.#metadata.getObjectVersion(bucket.id, record.key, 'null');
    if (old?.type === 'object') assertDeletable(old.object, { bypassGovernance: false, now: new Date() });
  }

  /** A single-part object made of `written`; an empty object references no chunk. */
  #record(
    input: ObjectAttributes & { bucket: BucketRecord; key: string },
    written: StoredBody,
    checksum: StoredChecksum | null,
    unsealed: Unsealed | null,
  ): ObjectRecord {
    return {
      ...this.#base(input.bucket, input.key, input, unsealed),
      size: written.digests.size,
      etag: this.#crypto.etag(unsealed, written.digests.md5),
      checksum,
      chunks: written.digests.size === 0 ? [] : chunksOf(written),
      ...(written.inline !== null ? { inline: written.inline } : {}),
    };
  }

  /**
   * Commits a record whose chunks (`written`) are already durable. If the commit fails, or
   * the bucket was deleted while the body streamed in, those chunks are removed. Chunks the
   * record does not reference (an empty body's) are removed after the commit.
   */
  async #commitObject(bucket: BucketRecord, record: ObjectRecord, written: string[]): Promise<void> {
    await this.#discardOnFailure(written, () => this.#assertReplaceable(bucket, record));
    const result = await this.#discardOnFailure(written, () => this.#metadata.putObject(record));
    if (result === 'no-bucket') {
      await this.#discard(written);
      throw new ModelError('NoSuchBucket', { bucket: bucket.name });
    }
    const kept = new Set(record.chunks.map((c) => c.id));
    await this.#discard(written.filter((id) => !kept.has(id)));
  }

  /** Commits a part whose chunks are durable; removes them if the commit fails or the upload is gone. */
  async #commitPart(upload: UploadRecord, partNumber: number, written: WrittenBody, unsealed: Unsealed | null): Promise<PartRecord> {
    const part = partFrom(upload.uploadId, partNumber, written, upload.checksumAlgorithm, this.#crypto.etag(unsealed, written.digests.md5));
    if (
      (await this.#discardOnFailure(
        partChunks(part).map((c) => c.id),
        () => this.#metadata.putPart(part),
      )) === 'no-upload'
    ) {
      await this.#discard(partChunks(part).map((c) => c.id));
      throw new ModelError('NoSuchUpload', { uploadId: upload.uploadId });
    }
    return part;
  }

  async #discardOnFailure<T>(ids: string[], step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      await this.#discard(ids);
      throw err;
    }
  }

  async #discard(ids: string[]): Promise<void> {
    for (const id of ids) await this.#chunks.delete(id);
  }

  async #allParts(uploadId: string): Promise<Map<number, PartRecord>> {
    const stored = new Map<number, PartRecord>();
    for (let after = 0; ;) {
      const batch = await this.#metadata.listParts(uploadId, after, 1000);
      for (const p of batch) stored.set(p.partNumber, p);
      if (batch.length < 1000) return stored;
      after = batch[batch.length - 1]!.partNumber;
    }
  }
}

/** One buffer as a byte stream (an inline body read where a stream is expected). */
async function* oneBuffer(bytes: Buffer): AsyncGenerator<Buffer> {
  if (bytes.length > 0) yield bytes;
}

function checkLockRequest(bucket: BucketRecord, lock: RequestedLock | undefined): void {
  if (lock !== undefined && (lock.retention !== null || lock.legalHold) && !bucket.objectLock) {
    throw new ModelError('InvalidLockRequest', { message: 'Bucket is missing Object Lock Configuration' });
  }
}

/** The whole-object checksum of a multipart object: CRCs combined (FULL_OBJECT), else a checksum of checksums. */
function multipartChecksum(upload: UploadRecord, parts: PartRecord[]): StoredChecksum | null {
  const algorithm = upload.checksumAlgorithm;
  if (!algorithm || !parts.every((p) => p.checksum)) return null;
  const digests = parts.map((p) => Buffer.from(p.checksum!.value, 'base64'));
  if (upload.checksumType === 'FULL_OBJECT' && isCrcAlgorithm(algorithm)) {
    const combined = combineCrcParts(
      algorithm,
      parts.map((p, i) => ({ checksum: digests[i]!, size: p.size })),
    );
    return { algorithm, value: combined.toString('base64'), type: 'FULL_OBJECT' };
  }
  return { algorithm, value: compositeChecksum(algorithm, digests), type: 'COMPOSITE' };
}
