import type {
  Acl,
  ChunkRef,
  BucketEncryption,
  BucketRecord,
  BucketSettings,
  Tag,
  ChecksumAlgorithm,
  CredentialRecord,
  ObjectEncryption,
  ObjectHeaders,
  ObjectRecord,
  PartRecord,
  PartSummary,
  Role,
  StoredChecksum,
  UploadRecord,
  LockMode,
  ObjectLockConfig,
  LifecycleRule,
  Retention,
  VersioningState,
} from '../types.js';

/** Row shapes as better-sqlite3 returns them, and their mapping to records. */

export interface BucketRow {
  id: string;
  name: string;
  owner: string;
  region: string;
  created_at: number;
  acl: string;
  policy: string | null;
  permissions: string;
  settings: string;
  encryption: string | null;
  versioning: string;
  object_lock: string | null;
  lifecycle: string | null;
}

export interface ObjectRow {
  bucket_id: string;
  key: string;
  size: number;
  etag: string;
  last_modified: number;
  owner: string;
  headers: string;
  user_metadata: string;
  checksum: string | null;
  acl: string;
  storage_class: string;
  chunks: string;
  parts: string | null;
  tags: string;
  encryption: string | null;
  version_id: string;
  version_seq: number;
  lock_mode: string | null;
  lock_until: number | null;
  legal_hold: number;
  /** The body of a small object, when it is kept inline (NULL: in chunks). */
  inline_body: Buffer | null;
}

export interface VersionRow {
  bucket_id: string;
  key: string;
  version_id: string;
  version_seq: number;
  is_marker: number;
  last_modified: number;
  owner: string;
  lock_mode: string | null;
  lock_until: number | null;
  legal_hold: number;
  /** The whole ObjectRecord (metadata/record-codec.ts); null for a delete marker. */
  record: string | null;
}

export interface UploadRow {
  upload_id: string;
  bucket_id: string;
  key: string;
  initiated: number;
  owner: string;
  headers: string;
  user_metadata: string;
  acl: string;
  storage_class: string;
  checksum_algorithm: string | null;
  checksum_type: string | null;
  tags: string;
  encryption: string | null;
  lock_mode: string | null;
  lock_until: number | null;
  legal_hold: number;
}

export interface PartRow {
  upload_id: string;
  part_number: number;
  size: number;
  etag: string;
  last_modified: number;
  checksum: string | null;
  /** JSON list of {id, size}, like objects.chunks. */
  chunks: string;
}

export interface CredentialRow {
  access_key: string;
  sealed_secret: Buffer;
  user: string;
  role: string;
  permissions: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  expires_at: number | null;
}

/** JSON columns are only ever written by this module, so their shape is known. */
function json<T>(text: string): T {
  return JSON.parse(text) as T;
}

function date(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

export function bucketToRow(b: BucketRecord): BucketRow {
  return {
    id: b.id,
    name: b.name,
    owner: b.owner,
    region: b.region,
    created_at: b.createdAt.getTime(),
    acl: JSON.stringify(b.acl),
    policy: b.policy,
    permissions: JSON.stringify(b.permissions),
    settings: JSON.stringify(b.settings ?? {}),
    encryption: b.encryption ? JSON.stringify(b.encryption) : null,
    versioning: b.versioning ?? 'Unversioned',
    object_lock: b.objectLock ? JSON.stringify(b.objectLock) : null,
    lifecycle: b.lifecycle ? JSON.stringify(b.lifecycle) : null,
  };
}

export function rowToBucket(r: BucketRow): BucketRecord {
  return {
    id: r.id,
    name: r.name,
    owner: r.owner,
    region: r.region,
    createdAt: new Date(r.created_at),
    acl: json<Acl>(r.acl),
    policy: r.policy,
    permissions: json<Record<string, string[]>>(r.permissions),
    settings: json<BucketSettings>(r.settings),
    ...(r.encryption !== null && r.encryption !== undefined ? { encryption: json<BucketEncryption>(r.encryption) } : {}),
    versioning: r.versioning as VersioningState,
    objectLock: r.object_lock === null ? null : json<ObjectLockConfig>(r.object_lock),
    lifecycle: r.lifecycle === null ? null : json<LifecycleRule[]>(r.lifecycle),
  };
}

export function objectToRow(o: ObjectRecord): ObjectRow {
  return {
    bucket_id: o.bucketId,
    key: o.key,
    size: o.size,
    etag: o.etag,
    last_modified: o.lastModified.getTime(),
    owner: o.owner,
    headers: JSON.stringify(o.headers),
    user_metadata: JSON.stringify(o.userMetadata),
    checksum: o.checksum === null ? null : JSON.stringify(o.checksum),
    acl: JSON.stringify(o.acl),
    storage_class: o.storageClass,
    chunks: JSON.stringify(o.chunks.map((c) => ({ id: c.id, size: c.size }))),
    parts: o.parts === null ? null : JSON.stringify(o.parts),
    tags: JSON.stringify(o.tags ?? []),
    encryption: o.encryption ? JSON.stringify(o.encryption) : null,
    version_id: o.versionId ?? 'null',
    version_seq: o.versionSeq ?? o.lastModified.getTime() * 1000,
    lock_mode: o.retention?.mode ?? null,
    lock_until: o.retention?.retainUntil.getTime() ?? null,
    legal_hold: o.legalHold === true ? 1 : 0,
    inline_body: o.inline ?? null,
  };
}

export function rowToObject(r: ObjectRow): ObjectRecord {
  return {
    bucketId: r.bucket_id,
    key: r.key,
    size: r.size,
    etag: r.etag,
    lastModified: new Date(r.last_modified),
    owner: r.owner,
    headers: json<ObjectHeaders>(r.headers),
    userMetadata: json<Record<string, string>>(r.user_metadata),
    checksum: r.checksum === null ? null : json<StoredChecksum>(r.checksum),
    acl: json<Acl>(r.acl),
    storageClass: r.storage_class,
    chunks: json<ChunkRef[]>(r.chunks),
    parts: r.parts === null ? null : json<PartSummary[]>(r.parts),
    tags: json<Tag[]>(r.tags),
    ...(r.encryption !== null && r.encryption !== undefined ? { encryption: json<ObjectEncryption>(r.encryption) } : {}),
    versionId: r.version_id,
    versionSeq: r.version_seq,
    retention: lockRetention(r.lock_mode, r.lock_until),
    legalHold: r.legal_hold === 1,
    ...(r.inline_body !== null && r.inline_body !== undefined ? { inline: r.inline_body } : {}),
  };
}

export function lockRetention(mode: string | null, until: number | null): Retention | null {
  return mode === null || until === null ? null : { mode: mode as LockMode, retainUntil: new Date(until) };
}

export function chunkIdsOf(chunksJson: string): string[] {
  return json<ChunkRef[]>(chunksJson).map((c) => c.id);
}

export function uploadToRow(u: UploadRecord): UploadRow {
  return {
    upload_id: u.uploadId,
    bucket_id: u.bucketId,
    key: u.key,
    initiated: u.initiated.getTime(),
    owner: u.owner,
    headers: JSON.stringify(u.headers),
    user_metadata: JSON.stringify(u.userMetadata),
    acl: JSON.stringify(u.acl),
    storage_class: u.storageClass,
    checksum_algorithm: u.checksumAlgorithm,
    checksum_type: u.checksumType,
    tags: JSON.stringify(u.tags ?? []),
    encryption: u.encryption ? JSON.stringify(u.encryption) : null,
    lock_mode: u.retention?.mode ?? null,
    lock_until: u.retention?.retainUntil.getTime() ?? null,
    legal_hold: u.legalHold === true ? 1 : 0,
  };
}

export function rowToUpload(r: UploadRow): UploadRecord {
  return {
    uploadId: r.upload_id,
    bucketId: r.bucket_id,
    key: r.key,
    initiated: new Date(r.initiated),
    owner: r.owner,
    headers: json<ObjectHeaders>(r.headers),
    userMetadata: json<Record<string, string>>(r.user_metadata),
    acl: json<Acl>(r.acl),
    storageClass: r.storage_class,
    checksumAlgorithm: r.checksum_algorithm as ChecksumAlgorithm | null,
    checksumType: r.checksum_type as UploadRecord['checksumType'],
    tags: json<Tag[]>(r.tags),
    ...(r.encryption !== null && r.encryption !== undefined ? { encryption: json<ObjectEncryption>(r.encryption) } : {}),
    retention: lockRetention(r.lock_mode, r.lock_until),
    legalHold: r.legal_hold === 1,
  };
}

export function partToRow(p: PartRecord): PartRow {
  return {
    upload_id: p.uploadId,
    part_number: p.partNumber,
    size: p.size,
    etag: p.etag,
    last_modified: p.lastModified.getTime(),
    checksum: p.checksum === null ? null : JSON.stringify(p.checksum),
    chunks: JSON.stringify(p.chunks.map((c) => ({ id: c.id, size: c.size }))),
  };
}

export function rowToPart(r: PartRow): PartRecord {
  return {
    uploadId: r.upload_id,
    partNumber: r.part_number,
    size: r.size,
    etag: r.etag,
    lastModified: new Date(r.last_modified),
    checksum: r.checksum === null ? null : json<StoredChecksum>(r.checksum),
    chunks: json<ChunkRef[]>(r.chunks),
  };
}

export function credentialToRow(c: CredentialRecord): CredentialRow {
  return {
    access_key: c.accessKey,
    sealed_secret: c.sealedSecret,
    user: c.user,
    role: c.role,
    permissions: JSON.stringify(c.permissions),
    created_at: c.createdAt.getTime(),
    last_used_at: c.lastUsedAt?.getTime() ?? null,
    revoked_at: c.revokedAt?.getTime() ?? null,
    expires_at: c.expiresAt?.getTime() ?? null,
  };
}

export function rowToCredential(r: CredentialRow): CredentialRecord {
  return {
    accessKey: r.access_key,
    sealedSecret: r.sealed_secret,
    user: r.user,
    role: r.role as Role,
    permissions: json<string[]>(r.permissions),
    createdAt: new Date(r.created_at),
    lastUsedAt: date(r.last_used_at),
    revokedAt: date(r.revoked_at),
    expiresAt: date(r.expires_at),
  };
}
