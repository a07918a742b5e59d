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

/**
 * Row shapes as node-postgres returns them (jsonb already parsed, timestamptz as Date,
 * bytea as Buffer, bigint as a decimal string), and the parameters we send for them.
 * jsonb columns are only ever written by this module, so their shape is known.
 */

export interface BucketRow {
  id: string;
  name: string;
  owner: string;
  region: string;
  created_at: Date;
  acl: Acl;
  policy: string | null;
  permissions: Record<string, string[]>;
  settings: BucketSettings;
  encryption: BucketEncryption | null;
  versioning: string;
  object_lock: ObjectLockConfig | null;
  lifecycle: LifecycleRule[] | null;
}

export interface ObjectRow {
  bucket_id: string;
  key: Buffer;
  size: string;
  etag: string;
  last_modified: Date;
  owner: string;
  headers: ObjectHeaders;
  user_metadata: Record<string, string>;
  checksum: StoredChecksum | null;
  acl: Acl;
  storage_class: string;
  chunks: ChunkRef[];
  parts: PartSummary[] | null;
  tags: Tag[];
  encryption: ObjectEncryption | null;
  version_id: string;
  version_seq: string;
  lock_mode: string | null;
  lock_until: Date | null;
  legal_hold: boolean;
  /** The body of a small object, when it is kept inline (NULL: in chunks). */
  inline_body: Buffer | null;
}

export interface VersionRow {
  bucket_id: string;
  key: Buffer;
  version_id: string;
  version_seq: string;
  is_marker: boolean;
  last_modified: Date;
  owner: string;
  lock_mode: string | null;
  lock_until: Date | null;
  legal_hold: boolean;
  /** The whole ObjectRecord (metadata/record-codec.ts); null for a delete marker. */
  record: string | null;
}

export interface UploadRow {
  upload_id: string;
  bucket_id: string;
  key: Buffer;
  initiated: Date;
  owner: string;
  headers: ObjectHeaders;
  user_metadata: Record<string, string>;
  acl: Acl;
  storage_class: string;
  checksum_algorithm: string | null;
  checksum_type: string | null;
  tags: Tag[];
  encryption: ObjectEncryption | null;
  lock_mode: string | null;
  lock_until: Date | null;
  legal_hold: boolean;
}

export interface PartRow {
  upload_id: string;
  part_number: number;
  size: string;
  etag: string;
  last_modified: Date;
  checksum: StoredChecksum | null;
  chunks: ChunkRef[];
}

export interface CredentialRow {
  access_key: string;
  sealed_secret: Buffer;
  user_name: string;
  role: string;
  permissions: string[];
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  expires_at: Date | null;
}

/** Object keys travel as their UTF-8 bytes (the bytea key columns). */
export function keyBytes(key: string): Buffer {
  return Buffer.from(key, 'utf8');
}

/** Parameters are positional; JSON goes as text so pg never turns an array into a PG array. */
const j = (value: unknown): string => JSON.stringify(value);

export const BUCKET_COLUMNS =
  'id, name, owner, region, created_at, acl, policy, permissions, settings, encryption, versioning, object_lock, lifecycle';
export function bucketParams(b: BucketRecord): unknown[] {
  return [
    b.id,
    b.name,
    b.owner,
    b.region,
    b.createdAt,
    j(b.acl),
    b.policy,
    j(b.permissions),
    j(b.settings ?? {}),
    b.encryption ? j(b.encryption) : null,
    b.versioning ?? 'Unversioned',
    b.objectLock ? j(b.objectLock) : null,
    b.lifecycle ? j(b.lifecycle) : null,
  ];
}

export function rowToBucket(r: BucketRow): BucketRecord {
  return {
    id: r.id,
    name: r.name,
    owner: r.owner,
    region: r.region,
    createdAt: r.created_at,
    acl: r.acl,
    policy: r.policy,
    permissions: r.permissions,
    settings: r.settings,
    ...(r.encryption !== null && r.encryption !== undefined ? { encryption: r.encryption } : {}),
    versioning: r.versioning as VersioningState,
    objectLock: r.object_lock,
    lifecycle: r.lifecycle,
  };
}

export const OBJECT_COLUMNS =
  'bucket_id, key, size, etag, last_modified, owner, headers, user_metadata, checksum, acl, storage_class, chunks, parts, tags, encryption, ' +
  'version_id, version_seq, lock_mode, lock_until, legal_hold, inline_body';
/** OBJECT_COLUMNS as listings read them: the inline body left out (a listing never sends it). */
export const LISTED_OBJECT_COLUMNS = OBJECT_COLUMNS.replace('inline_body', 'NULL::bytea AS inline_body');
/** OBJECT_COLUMNS after (bucket_id, key), for UPDATE ... SET (...) = ($3, ...). */
export const OBJECT_VALUE_COLUMNS = OBJECT_COLUMNS.split(', ').slice(2).join(', ');
export function objectParams(o: ObjectRecord): unknown[] {
  return [
    o.bucketId,
    keyBytes(o.key),
    o.size,
    o.etag,
    o.lastModified,
    o.owner,
    j(o.headers),
    j(o.userMetadata),
    o.checksum === null ? null : j(o.checksum),
    j(o.acl),
    o.storageClass,
    j(o.chunks.map((c) => ({ id: c.id, size: c.size }))),
    o.parts === null ? null : j(o.parts),
    j(o.tags ?? []),
    o.encryption ? j(o.encryption) : null,
    o.versionId ?? 'null',
    o.versionSeq ?? o.lastModified.getTime() * 1000,
    o.retention?.mode ?? null,
    o.retention?.retainUntil ?? null,
    o.legalHold === true,
    o.inline ?? null,
  ];
}

export function lockRetention(mode: string | null, until: Date | null): Retention | null {
  return mode === null || until === null ? null : { mode: mode as LockMode, retainUntil: until };
}

export function rowToObject(r: ObjectRow): ObjectRecord {
  return {
    bucketId: r.bucket_id,
    key: r.key.toString('utf8'),
    size: Number(r.size),
    etag: r.etag,
    lastModified: r.last_modified,
    owner: r.owner,
    headers: r.headers,
    userMetadata: r.user_metadata,
    checksum: r.checksum,
    acl: r.acl,
    storageClass: r.storage_class,
    chunks: r.chunks,
    parts: r.parts,
    tags: r.tags,
    ...(r.encryption !== null && r.encryption !== undefined ? { encryption: r.encryption } : {}),
    versionId: r.version_id,
    versionSeq: Number(r.version_seq),
    retention: lockRetention(r.lock_mode, r.lock_until),
    legalHold: r.legal_hold,
    ...(r.inline_body !== null && r.inline_body !== undefined ? { inline: r.inline_body } : {}),
  };
}

export const UPLOAD_COLUMNS =
  'upload_id, bucket_id, key, initiated, owner, headers, user_metadata, acl, storage_class, checksum_algorithm, checksum_type, tags, encryption, ' +
  'lock_mode, lock_until, legal_hold';
export function uploadParams(u: UploadRecord): unknown[] {
  return [
    u.uploadId,
    u.bucketId,
    keyBytes(u.key),
    u.initiated,
    u.owner,
    j(u.headers),
    j(u.userMetadata),
    j(u.acl),
    u.storageClass,
    u.checksumAlgorithm,
    u.checksumType,
    j(u.tags ?? []),
    u.encryption ? j(u.encryption) : null,
    u.retention?.mode ?? null,
    u.retention?.retainUntil ?? null,
    u.legalHold === true,
  ];
}

export function rowToUpload(r: UploadRow): UploadRecord {
  return {
    uploadId: r.upload_id,
    bucketId: r.bucket_id,
    key: r.key.toString('utf8'),
    initiated: r.initiated,
    owner: r.owner,
    headers: r.headers,
    userMetadata: r.user_metadata,
    acl: r.acl,
    storageClass: r.storage_class,
    checksumAlgorithm: r.checksum_algorithm as ChecksumAlgorithm | null,
    checksumType: r.checksum_type as UploadRecord['checksumType'],
    tags: r.tags,
    ...(r.encryption !== null && r.encryption !== undefined ? { encryption: r.encryption } : {}),
    retention: lockRetention(r.lock_mode, r.lock_until),
    legalHold: r.legal_hold,
  };
}

export const PART_COLUMNS = 'upload_id, part_number, size, etag, last_modified, checksum, chunks';
export function partParams(p: PartRecord): unknown[] {
  return [
    p.uploadId,
    p.partNumber,
    p.size,
    p.etag,
    p.lastModified,
    p.checksum === null ? null : j(p.checksum),
    j(p.chunks.map((c) => ({ id: c.id, size: c.size }))),
  ];
}

export function rowToPart(r: PartRow): PartRecord {
  return {
    uploadId: r.upload_id,
    partNumber: r.part_number,
    size: Number(r.size),
    etag: r.etag,
    lastModified: r.last_modified,
    checksum: r.checksum,
    chunks: r.chunks.map((c) => ({ id: c.id, size: Number(c.size) })),
  };
}

export const CREDENTIAL_COLUMNS =
  'access_key, sealed_secret, user_name, role, permissions, created_at, last_used_at, revoked_at, expires_at';
export function credentialParams(c: CredentialRecord): unknown[] {
  return [c.accessKey, c.sealedSecret, c.user, c.role, j(c.permissions), c.createdAt, c.lastUsedAt, c.revokedAt, c.expiresAt];
}

export function rowToCredential(r: CredentialRow): CredentialRecord {
  return {
    accessKey: r.access_key,
    sealedSecret: r.sealed_secret,
    user: r.user_name,
    role: r.role as Role,
    permissions: r.permissions,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
    expiresAt: r.expires_at,
  };
}

/** "$1, $2, ..., $n" for an INSERT of n columns. */
/** How many columns a comma-separated column list names (placeholders follow the lists). */
export function columnCount(columns: string): number {
  return columns.split(',').length;
}

export function placeholders(n: number, from = 1): string {
  return Array.from({ length: n }, (_, i) => `$${i + from}`).join(', ');
}
