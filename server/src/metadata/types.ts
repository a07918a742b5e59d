/**
 * A chunk an object or part is made of, as metadata records it: structurally the chunk
 * store's ChunkRef (chunks/chunk-store.ts), declared here so metadata/ and chunks/ never
 * import each other; model/ is where the two meet.
 */
export interface ChunkRef {
  id: string;
  size: number;
}

/** An access-control grant as S3 models it. */
export interface Grant {
  grantee: { type: 'CanonicalUser'; id: string; displayName?: string } | { type: 'Group'; uri: string };
  permission: 'FULL_CONTROL' | 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP';
}

export interface Acl {
  owner: string;
  grants: Grant[];
}

export interface BucketRecord {
  /**
   * Random id given at creation and never reused: objects and uploads belong to the id, so
   * a bucket re-created under the same name never sees what the old one held.
   */
  id: string;
  name: string;
  /** Owner user name (the canonical id is derived from it). */
  owner: string;
  region: string;
  createdAt: Date;
  acl: Acl;
  /** Bucket policy JSON as given by the client, or null. */
  policy: string | null;
  /** Per-user permission grants set through the admin API: "user:alice" -> ["read"]. */
  permissions: Record<string, string[]>;
  /** Bucket configuration documents (tagging, CORS, public access block, ...); absent = none set. */
  settings?: BucketSettings;
  /** Default encryption (PutBucketEncryption); absent or null when none is configured. */
  encryption?: BucketEncryption | null;
  /** S3 versioning state; absent means 'Unversioned' (never enabled). */
  versioning?: VersioningState;
  /** Object Lock configuration; absent/null when the bucket has no object lock. */
  objectLock?: ObjectLockConfig | null;
  /** Lifecycle rules (PutBucketLifecycleConfiguration); absent/null when none. */
  lifecycle?: LifecycleRule[] | null;
}

/** An object or bucket tag. */
export interface Tag {
  key: string;
  value: string;
}

/** One CORSRule of a bucket's CORS configuration, as validated on PutBucketCors. */
export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

export interface PublicAccessBlock {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

export type ObjectOwnership = 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';

/** Bucket-level configuration, each part set and removed on its own (setBucketSetting). */
export interface BucketSettings {
  tagging?: Tag[];
  cors?: CorsRule[];
  publicAccessBlock?: PublicAccessBlock;
  ownership?: ObjectOwnership;
  /** BucketLoggingStatus's LoggingEnabled, stored and returned (the access log is anode's own). */
  logging?: { targetBucket: string; targetPrefix: string };
}

/** A bucket's default server-side encryption, as PutBucketEncryption sets it. */
export interface BucketEncryption {
  algorithm: 'AES256' | 'aws:kms';
  /** SSE-KMS: the named key; absent for the default key. */
  kmsKeyId?: string;
  bucketKeyEnabled: boolean;
}

/**
 * How an object's (or upload's) bytes are sealed at rest (envelope encryption): a random
 * data key per object version, itself wrapped by a named key (SSE-S3, SSE-KMS) or by the
 * client's key (SSE-C). Never holds a plaintext key.
 */
export interface ObjectEncryption {
  /** What the client asked for: SSE-S3, SSE-KMS or SSE-C. */
  mode: 'AES256' | 'aws:kms' | 'SSE-C';
  /** The data key wrapped (base64): by provider/keyId/version of the key ring, or provider 'sse-c'. */
  wrappedKey: { provider: string; keyId: string; version: number; wrapped: string };
  /**
   * Whom the chunks were sealed for, bound into every segment's AAD: the bucket id and key
   * they were written under and the version or upload id. A copy that shares the chunks
   * keeps it unchanged.
   */
  sealedFor: { bucketId: string; key: string; id: string; multipart: boolean };
  bucketKeyEnabled: boolean;
  /** SSE-C: base64 of salt(16) | HMAC-SHA256(salt, customer key), to tell a wrong key. */
  customerKeyHmac?: string;
  /** The user metadata sealed under the data key (base64); userMetadata is then {}. */
  sealedMetadata?: string;
  /** The tags sealed under the data key (base64; SSE-S3 and SSE-KMS only); tags is then []. */
  sealedTags?: string;
}

export interface LifecycleFilter {
  prefix: string;
  /** Only objects larger / smaller than this many bytes (null: no bound). */
  sizeGreaterThan: number | null;
  sizeLessThan: number | null;
  /** Only objects carrying every one of these tags (key and value); absent: no tag condition. */
  tags?: Tag[];
}

export interface LifecycleRule {
  id: string;
  enabled: boolean;
  filter: LifecycleFilter;
  /** Current versions expire `days` after creation or from `date` (ISO) on; markers with nothing behind them go. */
  expiration: { days?: number; date?: string; expiredObjectDeleteMarker?: boolean } | null;
  /** Non-current versions are removed `noncurrentDays` after they became non-current, keeping the newest `newer`. */
  noncurrentExpiration: { noncurrentDays: number; newerNoncurrentVersions?: number } | null;
  abortIncompleteMultipartDays: number | null;
}

export type VersioningState = 'Unversioned' | 'Enabled' | 'Suspended';

export type LockMode = 'GOVERNANCE' | 'COMPLIANCE';

export interface DefaultRetention {
  mode: LockMode;
  days?: number;
  years?: number;
}

/** A bucket with object lock: `defaultRetention` applies to new versions written without their own. */
export interface ObjectLockConfig {
  defaultRetention: DefaultRetention | null;
}

export interface Retention {
  mode: LockMode;
  retainUntil: Date;
}

/**
 * The lock state of one version. Destroying or changing it is conditional on the state the
 * caller checked (compare-and-swap in the store), so a concurrent change is never lost.
 */
export interface LockState {
  retention: Retention | null;
  legalHold: boolean;
}

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';

export interface StoredChecksum {
  algorithm: ChecksumAlgorithm;
  /** Base64 of the digest; for a COMPOSITE multipart checksum "<b64>-<parts>". */
  value: string;
  type: 'FULL_OBJECT' | 'COMPOSITE';
}

/** Standard representation headers kept with an object and returned on GET/HEAD. */
export interface ObjectHeaders {
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
}

/** What PutObjectTagging / PutObjectAcl change on one version. */
export interface VersionPatch {
  tags?: Tag[];
  acl?: Acl;
  /**
   * Tags sealed under the version's data key (null: none): replaces encryption.sealedTags and
   * empties the clear-text tags. Nothing else in the envelope changes (a rewrap may touch
   * wrappedKey meanwhile); a version without an envelope is left as it is.
   */
  sealedTags?: string | null;
}

export interface PartSummary {
  partNumber: number;
  size: number;
  etag: string;
  /** The part's own checksum, when the upload was created with a checksum algorithm. */
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
}

export interface ObjectRecord {
  /** The owning bucket's id (BucketRecord.id), not its name. */
  bucketId: string;
  key: string;
  size: number;
  /** ETag with its quotes, as sent on the wire: "\"<md5hex>\"" or "\"<md5hex>-N\"". */
  etag: string;
  lastModified: Date;
  owner: string;
  headers: ObjectHeaders;
  /** x-amz-meta-* with the prefix removed, names lowercased. */
  userMetadata: Record<string, string>;
  checksum: StoredChecksum | null;
  acl: Acl;
  storageClass: string;
  /** Object bytes, in order (none when the body is inline). */
  chunks: ChunkRef[];
  /**
   * A small body kept in the metadata row instead of chunks ([storage] inline_max_kib):
   * the plaintext, or for an encrypted object the bytes sealed as chunk (part 0, index 0)
   * would be. Absent (or null) when the bytes are in `chunks`; never both.
   */
  inline?: Buffer | null;
  /** For objects built by CompleteMultipartUpload: the parts, for GET ?partNumber=. */
  parts: PartSummary[] | null;
  /** Object tags (x-amz-tagging, PutObjectTagging); absent = none. */
  tags?: Tag[];
  /** Absent (or null) for a plaintext object. */
  encryption?: ObjectEncryption | null;
  /**
   * The version id ('null' for the null version, the default). putObject with 'null'
   * replaces the key's null version; with any other id it keeps the current version as a
   * non-current one.
   */
  versionId?: string;
  /** Orders the versions of a key, newest highest (microseconds since the epoch, monotonic). */
  versionSeq?: number;
  retention?: Retention | null;
  legalHold?: boolean;
}

export interface DeleteMarkerRecord {
  bucketId: string;
  key: string;
  versionId: string;
  versionSeq: number;
  lastModified: Date;
  owner: string;
}

/** One entry of a key's version history, newest first. */
export type VersionEntry = ({ type: 'object'; object: ObjectRecord } | { type: 'marker'; marker: DeleteMarkerRecord }) & {
  isLatest: boolean;
};

export interface ListVersionsQuery {
  prefix: string;
  /** Entries strictly after this key ... */
  keyMarker: string;
  /** ... or, when set, after this version of keyMarker (entries of keyMarker older than it come first). */
  after: { versionSeq: number; versionId: string } | null;
  limit: number;
}

export interface UploadRecord {
  uploadId: string;
  /** The owning bucket's id (BucketRecord.id), not its name. */
  bucketId: string;
  key: string;
  initiated: Date;
  owner: string;
  headers: ObjectHeaders;
  userMetadata: Record<string, string>;
  acl: Acl;
  storageClass: string;
  checksumAlgorithm: ChecksumAlgorithm | null;
  checksumType: 'FULL_OBJECT' | 'COMPOSITE' | null;
  /** Tags given on CreateMultipartUpload, for the completed object. */
  tags?: Tag[];
  /** The data key every part is sealed with; absent (or null) for a plaintext upload. */
  encryption?: ObjectEncryption | null;
  /** Object Lock asked for at CreateMultipartUpload, given to the completed object. */
  retention?: Retention | null;
  legalHold?: boolean;
}

export interface PartRecord {
  uploadId: string;
  partNumber: number;
  size: number;
  etag: string;
  lastModified: Date;
  checksum: StoredChecksum | null;
  /** The part's bytes as consecutive chunks, in order; empty for a zero-size part. */
  chunks: ChunkRef[];
}

export type Role = 'admin' | 'user';

export interface CredentialRecord {
  accessKey: string;
  /** The secret sealed with AES-256-GCM under the master key; never the plaintext. */
  sealedSecret: Buffer;
  user: string;
  role: Role;
  /** Optional global permission grants for this credential. */
  permissions: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  /** Set when revoked; a revoked key is refused on the next request. */
  revokedAt: Date | null;
  /** For rotation with grace: the time after which this key stops working. */
  expiresAt: Date | null;
}

export interface ListObjectsQuery {
  prefix: string;
  /** Only keys strictly greater than this (binary UTF-8 order). */
  startAfter: string;
  limit: number;
}

export interface ListUploadsQuery {
  prefix: string;
  /** Uploads after (keyMarker, uploadIdMarker) in (key, uploadId) order. */
  keyMarker: string;
  uploadIdMarker: string;
  limit: number;
}

/** A chunk no longer referenced by metadata, waiting for GC to delete its file. */
export interface TrashedChunk {
  id: string;
  trashedAt: Date;
}

/** One version of a named key-encryption key. */
export interface KeyVersionRecord {
  version: number;
  createdAt: Date;
  /** A retired version unwraps nothing; it is retired only when no wrapped key refers to it. */
  state: 'active' | 'retired';
}

/** A named key-encryption key (KEK) as the key registry records it; the KEK itself lives in its provider. */
export interface KeyRecord {
  keyId: string;
  /** KeyProvider.kind holding its versions. */
  provider: string;
  createdAt: Date;
  /** Ascending by version; new writes use the newest active one. */
  versions: KeyVersionRecord[];
}

/** A data key wrapped by one KEK version, stored under an opaque reference chosen by its writer. */
export interface StoredWrappedKey {
  /** Identity of what the data key encrypts (an object version, the credential master key, ...). */
  ref: string;
  provider: string;
  keyId: string;
  version: number;
  wrapped: Buffer;
}

/** How many stored wrapped keys one KEK version wraps. */
export interface WrappedKeyCount {
  keyId: string;
  version: number;
  count: number;
}

/** How long a completed upload is remembered for retried Completes. */
export const COMPLETED_UPLOAD_MEMORY_MS = 24 * 3600 * 1000;

/** A multipart upload that completed: what a retried Complete is answered from. */
export interface CompletedUpload {
  uploadId: string;
  bucketId: string;
  key: string;
  etag: string;
  /** The lastModified of the object it made: the retry succeeds only while that object is current. */
  objectModified: Date;
  /** The version it made ('null' in an unversioned bucket, or for rows kept from before versioning). */
  versionId: string;
}

/**
 * All metadata lives behind this interface. Every method that replaces or removes data
 * moves the chunks it no longer references into the chunk trash in the same transaction,
 * so GC can delete their files later (after readers in flight have finished).
 * Keys are compared in binary UTF-8 order everywhere (S3's listing order).
 */
export interface MetadataStore {
  close(): Promise<void>;

  // Buckets. Everything but create and lookup by name addresses a bucket by its id, so a
  // call racing a DeleteBucket and a re-create of the name never touches the new bucket.
  createBucket(bucket: BucketRecord): Promise<'created' | 'exists'>;
  getBucket(name: string): Promise<BucketRecord | null>;
  listBuckets(): Promise<BucketRecord[]>;
  /** Returns 'not-empty' if objects, versions, delete markers or uploads in progress remain; the bucket stays. */
  deleteBucket(bucketId: string): Promise<'deleted' | 'not-found' | 'not-empty'>;
  setBucketAcl(bucketId: string, acl: Acl): Promise<void>;
  setBucketPolicy(bucketId: string, policy: string | null): Promise<void>;
  setBucketPermissions(bucketId: string, permissions: Record<string, string[]>): Promise<void>;
  /** Sets (or with null removes) one part of the bucket's settings, leaving the others as they are. */
  setBucketSetting<K extends keyof BucketSettings>(bucketId: string, name: K, value: BucketSettings[K] | null): Promise<void>;
  /** Sets or (null) removes the bucket's default encryption. */
  setBucketEncryption(bucketId: string, encryption: BucketEncryption | null): Promise<void>;

  // Objects
  getObject(bucketId: string, key: string): Promise<ObjectRecord | null>;
  /**
   * Inserts or replaces; the replaced object's chunks go to the trash. 'no-bucket' when the
   * bucket `object.bucketId` no longer exists, checked in the transaction that writes the
   * row (nothing is written; the caller removes the chunks).
   */
  putObject(object: ObjectRecord): Promise<'ok' | 'no-bucket'>;
  /** Returns the removed record, or null; its chunks go to the trash. */
  deleteObject(bucketId: string, key: string): Promise<ObjectRecord | null>;
  setObjectAcl(bucketId: string, key: string, acl: Acl): Promise<boolean>;
  /** Replaces the object's tags; false if the object does not exist. */
  setObjectTags(bucketId: string, key: string, tags: Tag[]): Promise<boolean>;
  /**
   * Objects with key > startAfter and key starting with prefix, ascending, at most limit.
   * Listed records come without their inline body (`inline` absent): read a body through
   * getObject / getObjectVersion. listVersions likewise.
   */
  listObjects(bucketId: string, query: ListObjectsQuery): Promise<ObjectRecord[]>;

  // Versions. A key's current version (if it is not a delete marker) is what getObject and
  // listObjects see; the other versions and every delete marker sit in the version history.
  // Chunks of every version count as referenced until that version is deleted.
  /** The version `versionId` of the key, or its latest version (maybe a marker) when null. */
  getObjectVersion(bucketId: string, key: string, versionId: string | null): Promise<VersionEntry | null>;
  /** Adds a delete marker as the key's latest version ('null': replaces the null version). */
  putDeleteMarker(marker: DeleteMarkerRecord): Promise<'ok' | 'no-bucket'>;
  /**
   * Removes one version for good, only if its lock state is still `expect` ('changed' if
   * not; nothing removed). The next newest version becomes current. Chunks go to the trash.
   */
  deleteVersion(bucketId: string, key: string, versionId: string, expect: LockState): Promise<VersionEntry | 'not-found' | 'changed'>;
  /** Sets a version's retention, only if its lock state is still `expect`. */
  setRetention(
    bucketId: string,
    key: string,
    versionId: string,
    retention: Retention | null,
    expect: LockState,
  ): Promise<'ok' | 'not-found' | 'changed'>;
  setLegalHold(bucketId: string, key: string, versionId: string, on: boolean): Promise<'ok' | 'not-found'>;
  /**
   * Replaces the tags and/or ACL of one version, current or not; a non-current version's
   * record is rewritten in one transaction. 'marker' when the version is a delete marker.
   */
  patchVersion(bucketId: string, key: string, versionId: string, patch: VersionPatch): Promise<'ok' | 'not-found' | 'marker'>;
  /** Versions and delete markers, by key ascending then newest first. */
  listVersions(bucketId: string, query: ListVersionsQuery): Promise<VersionEntry[]>;
  setBucketVersioning(bucketId: string, state: VersioningState): Promise<void>;
  setBucketObjectLock(bucketId: string, config: ObjectLockConfig | null): Promise<void>;
  setBucketLifecycle(bucketId: string, rules: LifecycleRule[] | null): Promise<void>;

  // Multipart uploads
  /** 'no-bucket' when the bucket `upload.bucketId` no longer exists (checked in the same transaction). */
  createUpload(upload: UploadRecord): Promise<'ok' | 'no-bucket'>;
  getUpload(uploadId: string): Promise<UploadRecord | null>;
  /** Inserts or replaces a part; a replaced part's chunk goes to the trash. Fails with 'no-upload' if the upload is gone. */
  putPart(part: PartRecord): Promise<'ok' | 'no-upload'>;
  listParts(uploadId: string, afterPartNumber: number, limit: number): Promise<PartRecord[]>;
  listUploads(bucketId: string, query: ListUploadsQuery): Promise<UploadRecord[]>;
  /**
   * Atomically: removes the upload and its parts and puts `object`. Parts not used by the
   * object, and any object replaced, go to the trash. Returns 'no-upload' if the upload was
   * already completed or aborted (exactly one of concurrent Complete/Abort wins). An upload
   * keeps its bucket from being deleted, so the bucket always exists here.
   */
  completeUpload(uploadId: string, object: ObjectRecord): Promise<'ok' | 'no-upload'>;
  /**
   * An upload completed within COMPLETED_UPLOAD_MEMORY_MS (completeUpload remembers it), so a
   * retried Complete can be answered with the object it made; null otherwise.
   */
  getCompletedUpload(uploadId: string): Promise<CompletedUpload | null>;
  /** Removes the upload and moves its parts' chunks to the trash. */
  abortUpload(uploadId: string): Promise<'ok' | 'no-upload'>;
  /** Uploads initiated before `before`, for expiry by GC. */
  listStaleUploads(before: Date, limit: number): Promise<UploadRecord[]>;

  // Chunk bookkeeping for GC
  /** True if any object or part references the chunk, or it sits in the trash. */
  isChunkKnown(id: string): Promise<boolean>;
  listTrash(before: Date, limit: number): Promise<TrashedChunk[]>;
  removeFromTrash(ids: string[]): Promise<void>;

  // Credentials
  putCredential(credential: CredentialRecord): Promise<void>;
  getCredential(accessKey: string): Promise<CredentialRecord | null>;
  listCredentials(): Promise<CredentialRecord[]>;
  /** Marks revoked (keeps the row for audit); returns false if unknown or already revoked. */
  revokeCredential(accessKey: string, at: Date): Promise<boolean>;
  /** Revokes every active credential except those listed; returns how many were revoked. */
  revokeAllCredentials(at: Date, except: string[]): Promise<number>;
  /** Sets expiresAt (rotation grace). */
  expireCredential(accessKey: string, at: Date): Promise<boolean>;
  /**
   * Replaces a credential's sealed secret only if it is still `from` (master-key re-seal);
   * touches no other field, so a revocation racing the re-seal is never undone. False
   * when the key is unknown or its sealed secret changed meanwhile.
   */
  replaceSealedSecret(accessKey: string, from: Buffer, to: Buffer): Promise<boolean>;
  /** Records use; may be coalesced (at most once a minute per key) to keep the hot path cheap. */
  touchCredential(accessKey: string, at: Date): Promise<void>;

  // Named key-encryption keys (the key registry) and the data keys they wrap
  listKeys(): Promise<KeyRecord[]>;
  getKey(keyId: string): Promise<KeyRecord | null>;
  /** Creates a key with its version 1 (active); 'exists' leaves the existing key as it was. */
  createKey(keyId: string, provider: string, at: Date): Promise<'created' | 'exists'>;
  /** Adds `version`, which must be exactly the newest version + 1 ('conflict' otherwise: a concurrent rotate won). */
  addKeyVersion(keyId: string, version: number, at: Date): Promise<'ok' | 'no-key' | 'conflict'>;
  /**
   * Retires a version, checked in one transaction: 'in-use' while any stored wrapped key
   * (anywhere listWrappedKeys reads) refers to it, 'current' for the newest version (rotate first), 'not-found' if unknown.
   */
  retireKeyVersion(keyId: string, version: number): Promise<'retired' | 'not-found' | 'in-use' | 'current' | 'already'>;
  /**
   * Inserts or replaces the wrapped key stored under `key.ref` (table object_keys: keys that
   * belong to no object row, such as the credential master key). Refs starting with
   * "object:" or "upload:" are reserved for the listing below.
   */
  putWrappedKey(key: StoredWrappedKey): Promise<void>;
  getWrappedKey(ref: string): Promise<StoredWrappedKey | null>;
  deleteWrappedKey(ref: string): Promise<boolean>;
  /**
   * Every stored wrapped key of `keyId` under a version below `belowVersion`, wherever it is
   * stored: object_keys (ascending by ref), then the objects' and uploads' own envelopes
   * (`encryption` column, when the schema has it; refs "object:[bucketId,key]" and
   * "upload:<uploadId>"; SSE-C keys are not the registry's and never listed). Pages in that
   * stable order: pass the last ref returned as `afterRef` ('' to start).
   */
  listWrappedKeys(keyId: string, belowVersion: number, afterRef: string, limit: number): Promise<StoredWrappedKey[]>;
  /**
   * Atomically replaces the wrapped key under `ref` if it is still exactly `expected` (same
   * version and wrapped bytes): a rewrap never overwrites a write that landed meanwhile.
   */
  replaceWrappedKey(
    ref: string,
    expected: Pick<StoredWrappedKey, 'version' | 'wrapped'>,
    next: Omit<StoredWrappedKey, 'ref' | 'keyId'>,
  ): Promise<boolean>;
  /** Stored wrapped keys per key and version, over every place listWrappedKeys reads (versions with none are absent). */
  countWrappedKeys(): Promise<WrappedKeyCount[]>;

  // Node-wide settings (read-only mode, IP blocklist, ...), as small JSON values
  getSetting(name: string): Promise<string | null>;
  putSetting(name: string, value: string | null): Promise<void>;
}

/**
 * What a change announcement is about: a node-wide setting (by name) or the credentials
 * table. 'resync' means announcements may have been missed (the feed reconnected): re-read
 * everything.
 */
export type StateChange = { kind: 'setting'; name: string } | { kind: 'credentials' } | { kind: 'resync' };

/**
 * Announcements of cluster-wide state changes made by any node sharing the metadata store
 * (this one included), so in-memory copies (read-only mode, the IP blocklist, ...) follow
 * within a second. PostgreSQL: LISTEN/NOTIFY on a dedicated connection that reconnects;
 * the store itself announces every settings and credentials write. SQLite (one node): the
 * local feed never fires, the node's own writes already update its memory.
 * Best effort by design: a consumer also re-reads every `resyncIntervalMs` when it is set.
 */
export interface ChangeFeed {
  /** How often a consumer should re-read on its own (null: no other writer exists). */
  readonly resyncIntervalMs: number | null;
  /** Calls `listener` for every announcement; returns the function that unsubscribes. */
  subscribe(listener: (change: StateChange) => void): () => void;
  close(): Promise<void>;
}
