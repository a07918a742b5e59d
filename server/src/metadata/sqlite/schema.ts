import type Database from 'better-sqlite3';

/**
 * Schema migrations, one entry per version (index 0 takes user_version 0 -> 1). Never edit
 * a shipped entry: append a new one. Text keys use SQLite's default BINARY collation, which
 * compares UTF-8 bytes — exactly S3's listing order — so no COLLATE clause may be added.
 */
export const MAIN_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE buckets (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    region TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    acl TEXT NOT NULL,
    policy TEXT,
    permissions TEXT NOT NULL
  );
  CREATE TABLE objects (
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    last_modified INTEGER NOT NULL,
    owner TEXT NOT NULL,
    headers TEXT NOT NULL,
    user_metadata TEXT NOT NULL,
    checksum TEXT,
    acl TEXT NOT NULL,
    storage_class TEXT NOT NULL,
    chunks TEXT NOT NULL,
    parts TEXT,
    PRIMARY KEY (bucket, key)
  );
  CREATE TABLE uploads (
    upload_id TEXT PRIMARY KEY,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    initiated INTEGER NOT NULL,
    owner TEXT NOT NULL,
    headers TEXT NOT NULL,
    user_metadata TEXT NOT NULL,
    acl TEXT NOT NULL,
    storage_class TEXT NOT NULL,
    checksum_algorithm TEXT,
    checksum_type TEXT
  );
  CREATE INDEX uploads_by_key ON uploads (bucket, key, upload_id);
  CREATE INDEX uploads_by_age ON uploads (initiated);
  CREATE TABLE parts (
    upload_id TEXT NOT NULL,
    part_number INTEGER NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    last_modified INTEGER NOT NULL,
    checksum TEXT,
    chunk_id TEXT NOT NULL,
    chunk_size INTEGER NOT NULL,
    PRIMARY KEY (upload_id, part_number)
  ) WITHOUT ROWID;
  -- How many objects/parts reference each chunk: isChunkKnown is one index probe, and a
  -- chunk shared by two objects (a copy) is trashed only when the last one lets go.
  CREATE TABLE chunk_refs (
    chunk_id TEXT PRIMARY KEY,
    refs INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE chunk_trash (
    chunk_id TEXT PRIMARY KEY,
    trashed_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX chunk_trash_by_age ON chunk_trash (trashed_at);
  CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 2: objects and uploads belong to a bucket id that a re-created bucket of the same name
  // never gets, so it cannot inherit what a DeleteBucket racing a write left behind. Rows
  // whose bucket is already gone (that race, before this version) are dropped and their
  // chunks released to the trash; the same-name case cannot be told apart and stays.
  `
  ALTER TABLE buckets ADD COLUMN id TEXT;
  UPDATE buckets SET id = lower(hex(randomblob(16)));
  CREATE UNIQUE INDEX buckets_by_id ON buckets (id);

  CREATE TEMP TABLE orphan_chunks AS
    SELECT json_extract(j.value, '$.id') AS chunk_id
      FROM objects o, json_each(o.chunks) j WHERE o.bucket NOT IN (SELECT name FROM buckets)
    UNION ALL
    SELECT p.chunk_id FROM parts p JOIN uploads u ON u.upload_id = p.upload_id
     WHERE u.bucket NOT IN (SELECT name FROM buckets);
  UPDATE chunk_refs SET refs = refs - (SELECT count(*) FROM orphan_chunks c WHERE c.chunk_id = chunk_refs.chunk_id)
   WHERE chunk_id IN (SELECT chunk_id FROM orphan_chunks);
  INSERT OR IGNORE INTO chunk_trash (chunk_id, trashed_at)
    SELECT chunk_id, CAST(unixepoch('subsec') * 1000 AS INTEGER) FROM chunk_refs WHERE refs <= 0;
  DELETE FROM chunk_refs WHERE refs <= 0;
  DELETE FROM parts WHERE upload_id IN (SELECT upload_id FROM uploads WHERE bucket NOT IN (SELECT name FROM buckets));
  DROP TABLE orphan_chunks;

  CREATE TABLE objects_v2 (
    bucket_id TEXT NOT NULL REFERENCES buckets (id),
    key TEXT NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    last_modified INTEGER NOT NULL,
    owner TEXT NOT NULL,
    headers TEXT NOT NULL,
    user_metadata TEXT NOT NULL,
    checksum TEXT,
    acl TEXT NOT NULL,
    storage_class TEXT NOT NULL,
    chunks TEXT NOT NULL,
    parts TEXT,
    PRIMARY KEY (bucket_id, key)
  );
  INSERT INTO objects_v2
    SELECT b.id, o.key, o.size, o.etag, o.last_modified, o.owner, o.headers, o.user_metadata,
           o.checksum, o.acl, o.storage_class, o.chunks, o.parts
      FROM objects o JOIN buckets b ON b.name = o.bucket;
  DROP TABLE objects;
  ALTER TABLE objects_v2 RENAME TO objects;

  CREATE TABLE uploads_v2 (
    upload_id TEXT PRIMARY KEY,
    bucket_id TEXT NOT NULL REFERENCES buckets (id),
    key TEXT NOT NULL,
    initiated INTEGER NOT NULL,
    owner TEXT NOT NULL,
    headers TEXT NOT NULL,
    user_metadata TEXT NOT NULL,
    acl TEXT NOT NULL,
    storage_class TEXT NOT NULL,
    checksum_algorithm TEXT,
    checksum_type TEXT
  );
  INSERT INTO uploads_v2
    SELECT u.upload_id, b.id, u.key, u.initiated, u.owner, u.headers, u.user_metadata, u.acl,
           u.storage_class, u.checksum_algorithm, u.checksum_type
      FROM uploads u JOIN buckets b ON b.name = u.bucket;
  DROP TABLE uploads;
  ALTER TABLE uploads_v2 RENAME TO uploads;
  CREATE INDEX uploads_by_key ON uploads (bucket_id, key, upload_id);
  CREATE INDEX uploads_by_age ON uploads (initiated);
  `,
  // 3: a part is a list of fixed-size chunks, like an object. Each existing part becomes a
  // one-element list of the chunk it had; the chunk_refs counts do not change (the same
  // chunks are referenced the same number of times).
  `
  CREATE TABLE parts_v3 (
    upload_id TEXT NOT NULL,
    part_number INTEGER NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    last_modified INTEGER NOT NULL,
    checksum TEXT,
    chunks TEXT NOT NULL,
    PRIMARY KEY (upload_id, part_number)
  ) WITHOUT ROWID;
  INSERT INTO parts_v3
    SELECT upload_id, part_number, size, etag, last_modified, checksum,
           json_array(json_object('id', chunk_id, 'size', chunk_size))
      FROM parts;
  DROP TABLE parts;
  ALTER TABLE parts_v3 RENAME TO parts;
  `,
  // 4: completed multipart uploads, remembered for a day so a retried Complete (the client
  // timed out waiting for the answer) gets the same 200 instead of NoSuchUpload.
  `
  CREATE TABLE completed_uploads (
    upload_id TEXT PRIMARY KEY,
    bucket_id TEXT NOT NULL,
    key TEXT NOT NULL,
    etag TEXT NOT NULL,
    object_modified INTEGER NOT NULL,
    completed_at INTEGER NOT NULL
  );
  CREATE INDEX completed_uploads_by_age ON completed_uploads (completed_at);
  `,
  // 5: object and upload tags (JSON list of {key, value}), bucket settings (JSON object
  // of tagging, cors, publicAccessBlock, ownership, logging).
  `
  ALTER TABLE objects ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE uploads ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE buckets ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
  `,
  // 6: encryption at rest: an object's and an upload's envelope (wrapped data key, AAD
  // identity, sealed user metadata) and a bucket's default encryption, as JSON; NULL = none.
  `
  ALTER TABLE objects ADD COLUMN encryption TEXT;
  ALTER TABLE uploads ADD COLUMN encryption TEXT;
  ALTER TABLE buckets ADD COLUMN encryption TEXT;
  `,
  // 7: key registry: named key-encryption keys, their versions, and the wrapped data keys.
  `
  CREATE TABLE kek_keys (
    key_id TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE kek_versions (
    key_id TEXT NOT NULL REFERENCES kek_keys (key_id),
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (key_id, version)
  ) WITHOUT ROWID;
  CREATE TABLE object_keys (
    ref TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    key_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    wrapped BLOB NOT NULL
  );
  CREATE INDEX object_keys_by_version ON object_keys (key_id, version, ref);
  `,
  // 8: versioning and object lock: every existing object becomes the current 'null' version
  // (ordered by its last-modified time); non-current versions and delete markers live in
  // object_versions, each with its whole record as JSON. The chunk_refs counts do not change.
  `
  ALTER TABLE buckets ADD COLUMN versioning TEXT NOT NULL DEFAULT 'Unversioned';
  ALTER TABLE buckets ADD COLUMN object_lock TEXT;
  ALTER TABLE buckets ADD COLUMN lifecycle TEXT;
  ALTER TABLE objects ADD COLUMN version_id TEXT NOT NULL DEFAULT 'null';
  ALTER TABLE objects ADD COLUMN version_seq INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE objects ADD COLUMN lock_mode TEXT;
  ALTER TABLE objects ADD COLUMN lock_until INTEGER;
  ALTER TABLE objects ADD COLUMN legal_hold INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE uploads ADD COLUMN lock_mode TEXT;
  ALTER TABLE uploads ADD COLUMN lock_until INTEGER;
  ALTER TABLE uploads ADD COLUMN legal_hold INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE completed_uploads ADD COLUMN version_id TEXT;
  UPDATE objects SET version_seq = last_modified * 1000;
  CREATE TABLE object_versions (
    bucket_id TEXT NOT NULL REFERENCES buckets (id),
    key TEXT NOT NULL,
    version_id TEXT NOT NULL,
    version_seq INTEGER NOT NULL,
    is_marker INTEGER NOT NULL,
    last_modified INTEGER NOT NULL,
    owner TEXT NOT NULL,
    lock_mode TEXT,
    lock_until INTEGER,
    legal_hold INTEGER NOT NULL DEFAULT 0,
    record TEXT,
    PRIMARY KEY (bucket_id, key, version_id)
  );
  CREATE INDEX object_versions_order ON object_versions (bucket_id, key, version_seq DESC, version_id);
  `,
  // small objects inline: the body bytes (sealed when encrypted) of an object kept in its
  // row instead of a chunk file; NULL = its bytes are its chunks. A non-current version keeps
  // it inside object_versions.record (the record codec carries Buffers).
  `
  ALTER TABLE objects ADD COLUMN inline_body BLOB;
  `,
];

/** Migrations of the separate credentials file, attached as schema `cred`. */
export const CREDENTIAL_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE cred.credentials (
    access_key TEXT PRIMARY KEY,
    sealed_secret BLOB NOT NULL,
    user TEXT NOT NULL,
    role TEXT NOT NULL,
    permissions TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER,
    expires_at INTEGER
  );
  `,
];

export class SchemaVersionError extends Error {
  override name = 'SchemaVersionError';
}

/** Brings `schema` up to the latest version, one transaction per step. */
export function migrate(db: Database.Database, schema: 'main' | 'cred', migrations: readonly string[]): void {
  const current = db.pragma(`${schema}.user_version`, { simple: true });
  if (typeof current !== 'number') throw new SchemaVersionError(`cannot read ${schema} schema version`);
  if (current > migrations.length) {
    // A newer anode wrote this database; running old code on it could corrupt it.
    throw new SchemaVersionError(`${schema} database schema version ${current} is newer than this build supports (${migrations.length})`);
  }
  for (let version = current; version < migrations.length; version++) {
    const sql = migrations[version] ?? '';
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`${schema}.user_version = ${version + 1}`);
    }).immediate();
  }
}
