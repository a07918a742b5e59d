import { randomBytes } from 'node:crypto';
import type { BucketRecord, ChunkRef, CredentialRecord, ObjectRecord, PartRecord, UploadRecord } from './types.js';

/** Record builders for the conformance suite: every field set, so round trips check them all. */

export function chunk(size = 100): ChunkRef {
  return { id: randomBytes(16).toString('hex'), size };
}

/** A Date at whole milliseconds (what every backend can store exactly). */
export function at(ms: number): Date {
  return new Date(Math.floor(ms));
}

/** The id defaults to the name, so the suite can address a bucket's objects by either. */
export function bucketRecord(name: string, extra: Partial<BucketRecord> = {}): BucketRecord {
  return {
    id: name,
    name,
    owner: 'alice',
    region: 'us-east-1',
    createdAt: at(1_700_000_000_123),
    acl: { owner: 'alice', grants: [{ grantee: { type: 'CanonicalUser', id: 'alice' }, permission: 'FULL_CONTROL' }] },
    policy: null,
    permissions: {},
    settings: {},
    versioning: 'Unversioned',
    objectLock: null,
    lifecycle: null,
    ...extra,
  };
}

export function objectRecord(
  bucketId: string,
  key: string,
  chunks: ChunkRef[] = [chunk()],
  extra: Partial<ObjectRecord> = {},
): ObjectRecord {
  return {
    bucketId,
    key,
    size: chunks.reduce((n, c) => n + c.size, 0),
    etag: '"9e107d9d372bb6826bd81d3542a419d6"',
    lastModified: at(1_700_000_001_456),
    owner: 'alice',
    headers: { contentType: 'text/plain; charset=utf-8', cacheControl: 'max-age=60' },
    userMetadata: { colour: 'blå', 'x-note': '日本語' },
    checksum: { algorithm: 'CRC32C', value: 'yZRlqg==', type: 'FULL_OBJECT' },
    acl: {
      owner: 'alice',
      grants: [{ grantee: { type: 'Group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers' }, permission: 'READ' }],
    },
    storageClass: 'STANDARD',
    chunks,
    parts: null,
    tags: [],
    versionId: 'null',
    versionSeq: 1_700_000_001_456_000,
    retention: null,
    legalHold: false,
    ...extra,
  };
}

export function uploadRecord(bucketId: string, key: string, uploadId: string, extra: Partial<UploadRecord> = {}): UploadRecord {
  return {
    uploadId,
    bucketId,
    key,
    initiated: at(1_700_000_002_789),
    owner: 'alice',
    headers: { contentType: 'application/octet-stream' },
    userMetadata: { purpose: 'test' },
    acl: { owner: 'alice', grants: [] },
    storageClass: 'STANDARD',
    checksumAlgorithm: 'SHA256',
    checksumType: 'COMPOSITE',
    tags: [],
    retention: { mode: 'GOVERNANCE', retainUntil: at(1_900_000_000_000) },
    legalHold: true,
    ...extra,
  };
}

/** A part of one chunk (the default) or of the given consecutive chunks. */
export function partRecord(
  uploadId: string,
  partNumber: number,
  c: ChunkRef | ChunkRef[] = chunk(),
  extra: Partial<PartRecord> = {},
): PartRecord {
  const chunks = Array.isArray(c) ? c : [c];
  return {
    uploadId,
    partNumber,
    size: chunks.reduce((s, ch) => s + ch.size, 0),
    etag: `"${partNumber.toString(16).padStart(32, '0')}"`,
    lastModified: at(1_700_000_003_000 + partNumber),
    checksum: { algorithm: 'SHA256', value: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=', type: 'COMPOSITE' },
    chunks,
    ...extra,
  };
}

export function credentialRecord(accessKey: string, extra: Partial<CredentialRecord> = {}): CredentialRecord {
  return {
    accessKey,
    sealedSecret: randomBytes(69),
    user: 'alice',
    role: 'user',
    permissions: ['bucket:create'],
    createdAt: at(1_700_000_004_000),
    lastUsedAt: null,
    revokedAt: null,
    expiresAt: null,
    ...extra,
  };
}
