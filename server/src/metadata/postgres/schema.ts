import type pg from 'pg';

/**
 * Schema migrations, one entry per version (index 0 takes version 0 -> 1). Never edit a
 * shipped entry: append a new one.
 *
 * Object and upload keys are `bytea` holding the key's UTF-8 bytes: bytea compares
 * byte by byte, which is exactly S3's listing order whatever the database's locale, and
 * unlike `text` it can hold U+0000, which S3 allows in keys. Every other identifier we
 * sort by is `text COLLATE "C"` (byte order too). JSON documents are `jsonb`; values
 * that must come back byte-for-byte as given (bucket policy, settings) stay `text`.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE buckets (
    name text COLLATE "C" PRIMARY KEY,
    owner text NOT NULL,
    region text NOT NULL,
    created_at timestamptz NOT NULL,
    acl jsonb NOT NULL,
    policy text,
    permissions jsonb NOT NULL
  );
  CREATE TABLE objects (
    bucket text COLLATE "C" NOT NULL REFERENCES buckets (name),
    key bytea NOT NULL,
    size bigint NOT NULL,
    etag text NOT NULL,
    last_modified timestamptz NOT NULL,
    owner text NOT NULL,
    headers jsonb NOT NULL,
    user_metadata jsonb NOT NULL,
    checksum jsonb,
    acl jsonb NOT NULL,
    storage_class text NOT NULL,
    chunks jsonb NOT NULL,
    parts jsonb,
    PRIMARY KEY (bucket, key)
  );
  CREATE TABLE uploads (
    upload_id text COLLATE "C" PRIMARY KEY,
    bucket text COLLATE "C" NOT NULL REFERENCES buckets (name),
    key bytea NOT NULL,
    initiated timestamptz NOT NULL,
    owner text NOT NULL,
    headers jsonb NOT NULL,
    user_metadata jsonb NOT NULL,
    acl jsonb NOT NULL,
    storage_class text NOT NULL,
    checksum_algorithm text,
    checksum_type text
  );
  CREATE INDEX uploads_by_key ON uploads (bucket, key, upload_id);
  CREATE INDEX uploads_by_age ON uploads (initiated, upload_id);
  CREATE TABLE parts (
    upload_id text COLLATE "C" NOT NULL REFERENCES uploads (upload_id),
    part_number integer NOT NULL,
    size bigint NOT NULL,
    etag text NOT NULL,
    last_modified timestamptz NOT NULL,
    checksum jsonb,
    chunk_id text COLLATE "C" NOT NULL,
    chunk_size bigint NOT NULL,
    PRIMARY KEY (upload_id, part_number)
  );
  -- How many objects/parts reference each chunk: isChunkKnown is one index probe, and a
  -- chunk shared by two objects (a copy) is trashed only when the last one lets go.
  CREATE TABLE chunk_refs (
    chunk_id text COLLATE "C" PRIMARY KEY,
    refs integer NOT NULL
  );
  CREATE TABLE chunk_trash (
    chunk_id text COLLATE "C" PRIMARY KEY,
    trashed_at timestamptz NOT NULL
  );
  CREATE INDEX chunk_trash_by_age ON chunk_trash (trashed_at, chunk_id);
  CREATE TABLE settings (
    name text COLLATE "C" PRIMARY KEY,
    value text NOT NULL
  );
  CREATE TABLE credentials (
    access_key text COLLATE "C" PRIMARY KEY,
    sealed_secret bytea NOT NULL,
    user_name text NOT NULL,
    role text NOT NULL CHECK (role IN ('admin', 'user')),
    permissions jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at timestamptz,
    expires_at timestamptz
  );
  `,
  // 2: objects and uploads belong to a bucket id that a re-created bucket of the same name
  // never gets, so it cannot inherit what a DeleteBucket racing a write left behind. The
  // foreign keys move to the id: a write whose bucket was deleted fails in its own
  // transaction (the FK check waits for, or sees, the DELETE).
  `
  ALTER TABLE buckets ADD COLUMN id text COLLATE "C";
  UPDATE buckets SET id = replace(gen_random_uuid()::text, '-', '');
  ALTER TABLE buckets ALTER COLUMN id SET NOT NULL;
  ALTER TABLE buckets ADD CONSTRAINT buckets_id_key UNIQUE (id);

  ALTER TABLE objects ADD COLUMN bucket_id text COLLATE "C";
  UPDATE objects o SET bucket_id = b.id FROM buckets b WHERE b.name = o.bucket;
  ALTER TABLE objects ALTER COLUMN bucket_id SET NOT NULL;
  ALTER TABLE objects DROP CONSTRAINT objects_pkey;
  ALTER TABLE objects DROP COLUMN bucket;
  ALTER TABLE objects ADD PRIMARY KEY (bucket_id, key);
  ALTER TABLE objects ADD CONSTRAINT objects_bucket_id_fkey FOREIGN KEY (bucket_id) REFERENCES buckets (id);

  ALTER TABLE uploads ADD COLUMN bucket_id text COLLATE "C";
  UPDATE uploads u SET bucket_id = b.id FROM buckets b WHERE b.name = u.bucket;
  ALTER TABLE uploads ALTER COLUMN bucket_id SET NOT NULL;
  ALTER TABLE uploads DROP COLUMN bucket;
  ALTER TABLE uploads ADD CONSTRAINT uploads_bucket_id_fkey FOREIGN KEY (bucket_id) REFERENCES buckets (id);
  CREATE INDEX uploads_by_key ON uploads (bucket_id, key, upload_id);
  `,
  // 3: a part is a list of fixed-size chunks, like an object. Each existing part becomes a
  // one-element list of the chunk it had; chunk_refs counts do not change.
  `
  ALTER TABLE parts ADD COLUMN chunks jsonb;
  UPDATE parts SET chunks = jsonb_build_array(jsonb_build_object('id', chunk_id, 'size', chunk_size));
  ALTER TABLE parts ALTER COLUMN chunks SET NOT NULL;
  ALTER TABLE parts DROP COLUMN chunk_id, DROP COLUMN chunk_size;
  `,
  // 4: completed multipart uploads, remembered for a day so a retried Complete (the client
  // timed out waiting for the answer) gets the same 200 instead of NoSuchUpload.
  `
  CREATE TABLE completed_uploads (
    upload_id text COLLATE "C" PRIMARY KEY,
    bucket_id text COLLATE "C" NOT NULL,
    key bytea NOT NULL,
    etag text NOT NULL,
    object_modified timestamptz NOT NULL,
    completed_at timestamptz NOT NULL
  );
  CREATE INDEX completed_uploads_by_age ON completed_uploads (completed_at);
  `,
  // 5: object and upload tags (list of {key, value}), bucket settings (object of
  // tagging, cors, publicAccessBlock, ownership, logging).
  `
  ALTER TABLE objects ADD COLUMN tags jsonb NOT NULL DEFAULT '[]';
  ALTER TABLE uploads ADD COLUMN tags jsonb NOT NULL DEFAULT '[]';
  ALTER TABLE buckets ADD COLUMN settings jsonb NOT NULL DEFAULT '{}';
  `,
  // 6: encryption at rest: an object's and an upload's envelope (wrapped data key, AAD
  // identity, sealed user metadata) and a bucket's default encryption; NULL = none.
  `
  ALTER TABLE objects ADD COLUMN encryption jsonb;
  ALTER TABLE uploads ADD COLUMN encryption jsonb;
  ALTER TABLE buckets ADD COLUMN encryption jsonb;
  `,
  // 7: key registry: named key-encryption keys, their versions, and the wrapped data keys.
  `
  CREATE TABLE kek_keys (
    key_id text COLLATE "C" PRIMARY KEY,
    provider text NOT NULL,
    created_at timestamptz NOT NULL
  );
  CREATE TABLE kek_versions (
    key_id text COLLATE "C" NOT NULL REFERENCES kek_keys (key_id),
    version integer NOT NULL,
    created_at timestamptz NOT NULL,
    state text NOT NULL,
    PRIMARY KEY (key_id, version)
  );
  CREATE TABLE object_keys (
    ref text COLLATE "C" PRIMARY KEY,
    provider text NOT NULL,
    key_id text COLLATE "C" NOT NULL,
    version integer NOT NULL,
    wrapped bytea NOT NULL
  );
  CREATE INDEX object_keys_by_version ON object_keys (key_id, version, ref);
  `,
  // 8: versioning and object lock: every existing object becomes the current 'null' version
  // (ordered by its last-modified time); non-current versions and delete markers live in
  // object_versions, each with its whole record as JSON text. chunk_refs counts do not change.
  `
  ALTER TABLE buckets ADD COLUMN versioning text NOT NULL DEFAULT 'Unversioned';
  ALTER TABLE buckets ADD COLUMN object_lock jsonb;
  ALTER TABLE buckets ADD COLUMN lifecycle jsonb;
  ALTER TABLE objects ADD COLUMN version_id text COLLATE "C" NOT NULL DEFAULT 'null';
  ALTER TABLE objects ADD COLUMN version_seq bigint NOT NULL DEFAULT 0;
  ALTER TABLE objects ADD COLUMN lock_mode text;
  ALTER TABLE objects ADD COLUMN lock_until timestamptz;
  ALTER TABLE objects ADD COLUMN legal_hold boolean NOT NULL DEFAULT false;
  ALTER TABLE uploads ADD COLUMN lock_mode text;
  ALTER TABLE uploads ADD COLUMN lock_until timestamptz;
  ALTER TABLE uploads ADD COLUMN legal_hold boolean NOT NULL DEFAULT false;
  ALTER TABLE completed_uploads ADD COLUMN version_id text COLLATE "C";
  UPDATE objects SET version_seq = (extract(epoch FROM last_modified) * 1000000)::bigint;
  CREATE TABLE object_versions (
    bucket_id text COLLATE "C" NOT NULL REFERENCES buckets (id),
    key bytea NOT NULL,
    version_id text COLLATE "C" NOT NULL,
    version_seq bigint NOT NULL,
    is_marker boolean NOT NULL,
    last_modified timestamptz NOT NULL,
    owner text NOT NULL,
    lock_mode text,
    lock_until timestamptz,
    legal_hold boolean NOT NULL DEFAULT false,
    record text,
    PRIMARY KEY (bucket_id, key, version_id)
  );
  CREATE INDEX object_versions_order ON object_versions (bucket_id, key, version_seq DESC, version_id);
  `,
  // 9: cluster: the members (down is derived from last_heartbeat, never stored), where each
  // chunk's replicas are, and the replicas a write or a delete missed (for repair).
  `
  CREATE TABLE cluster_nodes (
    node_id text COLLATE "C" PRIMARY KEY,
    advertise text NOT NULL,
    zone text NOT NULL,
    state text NOT NULL CHECK (state IN ('joining', 'active', 'draining', 'removed', 'isolated')),
    state_changed_at timestamptz NOT NULL,
    state_reason text,
    started_at timestamptz NOT NULL,
    last_heartbeat timestamptz NOT NULL,
    chunks bigint NOT NULL DEFAULT 0,
    bytes bigint NOT NULL DEFAULT 0,
    free_disk_bytes bigint NOT NULL DEFAULT 0,
    version text NOT NULL DEFAULT ''
  );
  CREATE TABLE chunk_replicas (
    chunk_id text COLLATE "C" PRIMARY KEY,
    size bigint NOT NULL,
    sha256 bytea NOT NULL,
    nodes text[] NOT NULL,
    coordinator text COLLATE "C" NOT NULL,
    created_at timestamptz NOT NULL
  );
  CREATE TABLE chunk_repairs (
    chunk_id text COLLATE "C" NOT NULL,
    node_id text COLLATE "C" NOT NULL,
    kind text NOT NULL CHECK (kind IN ('write', 'delete')),
    reason text NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (chunk_id, node_id)
  );
  CREATE INDEX chunk_repairs_by_node ON chunk_repairs (node_id, recorded_at);
  `,
  // small objects inline (see the SQLite migration of the same name).
  `
  ALTER TABLE objects ADD COLUMN inline_body bytea;
  `,
];

export class SchemaVersionError extends Error {
  override name = 'SchemaVersionError';
}

/**
 * One fixed key for pg_advisory_xact_lock: every anode node migrating the same database
 * takes it, so nodes starting together migrate one after the other (the later ones find
 * nothing left to do) instead of racing on CREATE TABLE.
 */
export const MIGRATION_LOCK_KEY = 0x616e6f6465n; // "anode"

/**
 * Brings the database up to the latest version in one transaction under the advisory
 * lock: either every step applies or none does, and the version row moves with them.
 * Returns the version found before migrating.
 */
export async function migrate(client: pg.ClientBase, migrations: readonly string[] = MIGRATIONS): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_version (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      version integer NOT NULL
    )`);
    const rows = (await client.query<{ version: number }>('SELECT version FROM schema_version')).rows;
    const current = rows[0]?.version ?? 0;
    if (rows.length === 0) await client.query('INSERT INTO schema_version (version) VALUES (0)');
    if (current > migrations.length) {
      // A newer anode wrote this database; running old code on it could corrupt it.
      throw new SchemaVersionError(
        `PostgreSQL metadata schema version ${current} is newer than this build supports (${migrations.length})`,
      );
    }
    for (let version = current; version < migrations.length; version++) {
      await client.query(migrations[version] ?? '');
      await client.query('UPDATE schema_version SET version = $1', [version + 1]);
    }
    await client.query('COMMIT');
    return current;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
