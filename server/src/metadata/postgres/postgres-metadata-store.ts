import pg from 'pg';
import type {
  Acl,
  ChunkRef,
  BucketEncryption,
  BucketRecord,
  CompletedUpload,
  BucketSettings,
  Tag,
  CredentialRecord,
  ListObjectsQuery,
  ListUploadsQuery,
  MetadataStore,
  ObjectRecord,
  PartRecord,
  TrashedChunk,
  UploadRecord,
  KeyRecord,
  StoredWrappedKey,
  WrappedKeyCount,
  DeleteMarkerRecord,
  ListVersionsQuery,
  LockState,
  ObjectLockConfig,
  LifecycleRule,
  Retention,
  VersionEntry,
  VersionPatch,
  VersioningState,
} from '../types.js';
import { COMPLETED_UPLOAD_MEMORY_MS } from '../types.js';
import { prefixUpperBound } from '../key-range.js';
import { migrate, SchemaVersionError } from './schema.js';
import { notifyChange } from './change-feed.js';
import { envelopeKeyOf, isReservedRef, objectRef, parseRef, SSE_C_PROVIDER, uploadRef } from '../wrapped-key-refs.js';
import { passwordOf, redactPostgresUrl } from './redact-url.js';
import {
  BUCKET_COLUMNS,
  CREDENTIAL_COLUMNS,
  OBJECT_COLUMNS,
  LISTED_OBJECT_COLUMNS,
  PART_COLUMNS,
  UPLOAD_COLUMNS,
  bucketParams,
  credentialParams,
  keyBytes,
  objectParams,
  partParams,
  placeholders,
  columnCount,
  rowToBucket,
  rowToCredential,
  rowToObject,
  rowToPart,
  rowToUpload,
  uploadParams,
  lockRetention,
} from './rows.js';
import type { BucketRow, CredentialRow, ObjectRow, PartRow, UploadRow, VersionRow } from './rows.js';
import { decodeRecord, encodeRecord } from '../record-codec.js';
import { listedEntry, mergeVersions, patchedRecord, sameLock } from '../versions.js';

/** last_used_at is written at most this often per key, to keep auth off the write path. */
const TOUCH_INTERVAL_MS = 60_000;
const TOUCH_MEMO_LIMIT = 10_000;
export const DEFAULT_POOL_SIZE = 10;
/** Deadlocks (40P01) and serialization failures (40001) are retried this many times in all. */
const MAX_TX_ATTEMPTS = 5;

/** Two primary-key probes, never a scan (exported so a test can check the query plan). */
export const IS_CHUNK_KNOWN_SQL = `SELECT EXISTS (SELECT 1 FROM chunk_refs WHERE chunk_id = $1)
  OR EXISTS (SELECT 1 FROM chunk_trash WHERE chunk_id = $1) AS known`;

export interface PostgresStoreOptions {
  /** Connections this node keeps to PostgreSQL at most. */
  poolSize?: number;
  /** An idle pooled connection failed (server restart, network cut); the pool replaces it. */
  onIdleError?: (err: Error) => void;
}

/** Opening failed: the message names the server with the password redacted, never the password. */
export class PostgresConnectError extends Error {
  override readonly name = 'PostgresConnectError';
  /** The driver's or the server's error code (ECONNREFUSED, 28P01, ...), when there is one. */
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) {
    super(message);
    this.code = code;
  }
}

type Queryable = Pick<pg.ClientBase, 'query'>;

/** The history row's own columns (version, lock state) override what its record says. */
function versionRowToObject(row: VersionRow): ObjectRecord {
  return {
    ...decodeRecord(row.record ?? '{}'),
    versionId: row.version_id,
    versionSeq: Number(row.version_seq),
    retention: lockRetention(row.lock_mode, row.lock_until),
    legalHold: row.legal_hold,
  };
}

function versionEntry(row: VersionRow, isLatest: boolean): VersionEntry {
  if (row.record === null) {
    return {
      type: 'marker',
      isLatest,
      marker: {
        bucketId: row.bucket_id,
        key: row.key.toString('utf8'),
        versionId: row.version_id,
        versionSeq: Number(row.version_seq),
        lastModified: row.last_modified,
        owner: row.owner,
      },
    };
  }
  return { type: 'object', object: versionRowToObject(row), isLatest };
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isRetryable(err: unknown): boolean {
  const code = errorCode(err);
  return code === '40001' || code === '40P01';
}

/** The foreign keys from objects and uploads to their bucket's id (schema version 2). */
const BUCKET_FOREIGN_KEYS = new Set(['objects_bucket_id_fkey', 'uploads_bucket_id_fkey', 'object_versions_bucket_id_fkey']);

/**
 * A write whose bucket is gone fails its foreign key check inside its own transaction
 * (PostgreSQL takes a key-share lock on the bucket row, so it waits for a DeleteBucket in
 * flight and then sees it): that is 'no-bucket', and nothing was written.
 */
async function whenBucketExists(write: Promise<unknown>): Promise<'ok' | 'no-bucket'> {
  try {
    await write;
    return 'ok';
  } catch (err) {
    const constraint = (err as { constraint?: unknown } | null)?.constraint;
    if (errorCode(err) === '23503' && typeof constraint === 'string' && BUCKET_FOREIGN_KEYS.has(constraint)) return 'no-bucket';
    throw err;
  }
}

const byId = (a: [string, number], b: [string, number]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * The PostgreSQL metadata backend (cluster mode: every node shares one database).
 * Unlike SQLite's single writer, writers here run concurrently on a connection pool, so
 * every read-then-write takes row locks (`SELECT ... FOR UPDATE`) inside its transaction:
 * that is what makes exactly one of concurrent CompleteMultipartUpload/AbortMultipartUpload
 * win, and keeps the chunk reference counts exact. PostgreSQL group-commits concurrent
 * transactions itself, so there is no write batcher here.
 */
export class PostgresMetadataStore implements MetadataStore {
  readonly #pool: pg.Pool;
  /** accessKey -> ms of the last last_used_at write we sent (coalescing touchCredential). */
  readonly #touched = new Map<string, number>();
  #closed = false;

  /** Tables whose rows carry an envelope in an `encryption` jsonb column ('objects', 'uploads'). */
  readonly #envelopes: ReadonlySet<string>;

  private constructor(pool: pg.Pool, envelopes: ReadonlySet<string> = new Set()) {
    this.#pool = pool;
    this.#envelopes = envelopes;
  }

  /**
   * Connects to `url` (postgres://user:password@host:port/database?sslmode=...), creates or
   * migrates the schema, and returns the store. Errors never carry the password.
   */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresMetadataStore> {
    if (url.trim() === '') throw new PostgresConnectError('PostgreSQL connection string is empty', undefined);
    const where = redactPostgresUrl(url);
    const password = passwordOf(url);
    const scrub = (text: string): string => (password === null ? text : text.split(password).join('***'));
    let pool: pg.Pool;
    try {
      pool = new pg.Pool({
        connectionString: url,
        max: options.poolSize ?? DEFAULT_POOL_SIZE,
        connectionTimeoutMillis: 10_000,
        idleTimeoutMillis: 30_000,
        application_name: 'anode',
      });
    } catch (err) {
      throw new PostgresConnectError(
        `invalid PostgreSQL connection string ${where}: ${scrub(String((err as Error).message))}`,
        errorCode(err),
      );
    }
    // Without a listener an idle connection's error would crash the process.
    pool.on('error', (err) => options.onIdleError?.(err));
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new PostgresConnectError(`cannot connect to PostgreSQL at ${where}: ${scrub(String((err as Error).message))}`, errorCode(err));
    }
    try {
      await migrate(client);
      client.release();
    } catch (err) {
      client.release(true);
      await pool.end().catch(() => undefined);
      if (err instanceof SchemaVersionError) throw err;
      // Typically a missing privilege: say where, and what anode was doing.
      throw new PostgresConnectError(
        `PostgreSQL schema migration failed on ${where}: ${scrub(String((err as Error).message))}`,
        errorCode(err),
      );
    }
    // Envelope columns (encryption at rest) exist once their migration has run.
    const envelopes = await pool
      .query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND column_name = 'encryption' AND table_name IN ('objects', 'uploads')`,
      )
      .then((r) => new Set(r.rows.map((x) => x.table_name)))
      .catch(async (err: unknown) => {
        await pool.end().catch(() => undefined);
        throw err;
      });
    return new PostgresMetadataStore(pool, envelopes);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  /**
   * Runs `fn` in one transaction on one pooled connection. Deadlocks and
   * serialization failures roll back and run `fn` again from the start (it must only touch
   * the database); anything else rolls back and rejects.
   */
  async #tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.#pool.connect();
      let broken: Error | undefined;
      try {
        // Explicit, whatever default_transaction_isolation the server has: the locking
        // below is written for READ COMMITTED (stricter levels only add 40001 retries).
        await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError as Error; // the connection is unusable: drop it from the pool
        }
        if (attempt < MAX_TX_ATTEMPTS && isRetryable(err)) {
          await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
          continue;
        }
        throw err;
      } finally {
        client.release(broken);
      }
    }
  }

  async #rows<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    return (await this.#pool.query<R>(sql, params)).rows;
  }

  async #changes(sql: string, params: unknown[]): Promise<number> {
    return (await this.#pool.query(sql, params)).rowCount ?? 0;
  }

  // ---- chunk bookkeeping (inside write transactions) ----

  /**
   * Adds one reference per id in `added` and drops one per id in `removed`, as net deltas:
   * a chunk in both (the parts a completed upload keeps) is not touched at all, so it never
   * passes through the trash. Chunks nobody references any more go to the trash. Rows are
   * locked in id order, which keeps concurrent writers from deadlocking on each other.
   */
  async #shiftRefs(c: Queryable, added: readonly string[], removed: readonly string[], now: Date): Promise<void> {
    const delta = new Map<string, number>();
    for (const id of added) delta.set(id, (delta.get(id) ?? 0) + 1);
    for (const id of removed) delta.set(id, (delta.get(id) ?? 0) - 1);
    const up = [...delta].filter(([, d]) => d > 0).sort(byId);
    const down = [...delta].filter(([, d]) => d < 0).sort(byId);
    if (up.length > 0) {
      const ids = up.map(([id]) => id);
      // One round trip: count the references, and take the chunks out of the trash
      // (referenced again: GC must not delete them).
      await c.query(
        `WITH counted AS (
           INSERT INTO chunk_refs (chunk_id, refs)
           SELECT id, n FROM unnest($1::text[], $2::int[]) AS d(id, n) ORDER BY id COLLATE "C"
           ON CONFLICT (chunk_id) DO UPDATE SET refs = chunk_refs.refs + excluded.refs)
         DELETE FROM chunk_trash WHERE chunk_id = ANY($1::text[])`,
        [ids, up.map(([, n]) => n)],
      );
    }
    if (down.length > 0) {
      const ids = down.map(([id]) => id);
      const left = await c.query<{ chunk_id: string; refs: number }>(
        `UPDATE chunk_refs r SET refs = r.refs + d.n
         FROM unnest($1::text[], $2::int[]) AS d(id, n)
         WHERE r.chunk_id = d.id RETURNING r.chunk_id, r.refs`,
        [ids, down.map(([, n]) => n)],
      );
      const stillUsed = new Set(left.rows.filter((r) => r.refs > 0).map((r) => r.chunk_id));
      const freed = ids.filter((id) => !stillUsed.has(id));
      if (freed.length > 0) {
        await c.query(
          `WITH dropped AS (DELETE FROM chunk_refs WHERE chunk_id = ANY($1::text[]) AND refs <= 0)
           INSERT INTO chunk_trash (chunk_id, trashed_at) SELECT unnest($1::text[]), $2
           ON CONFLICT (chunk_id) DO NOTHING`,
          [freed, now],
        );
      }
    }
  }

  /**
   * Serialises every write to one key's versions (current row and history) for the rest of
   * the transaction, whether or not a row exists yet to lock.
   */
  async #lockKey(c: Queryable, bucketId: string, key: string): Promise<void> {
    await c.query(`SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || encode($2, 'hex'), 0))`, [bucketId, keyBytes(key)]);
  }

  /** Writes the key's new latest version; returns the chunk ids of the version it replaced (a null version). */
  async #upsertObject(c: Queryable, object: ObjectRecord): Promise<string[]> {
    await this.#lockKey(c, object.bucketId, object.key);
    // After making room: a replaced null version no longer counts as newer.
    const released = await this.#makeRoom(c, object.bucketId, object.key, object.versionId ?? 'null');
    const seq = await this.#newestSeq(c, object.bucketId, object.key, object.versionSeq ?? object.lastModified.getTime() * 1000);
    await c.query(
      `INSERT INTO objects (${OBJECT_COLUMNS}) VALUES (${placeholders(columnCount(OBJECT_COLUMNS))})`,
      objectParams({ ...object, versionSeq: seq }),
    );
    return released;
  }

  /**
   * The sequence a new latest version gets (the key is locked): the one proposed, or just
   * above the key's newest, so a node whose clock is behind another's still writes the
   * newest version of the key.
   */
  async #newestSeq(c: Queryable, bucketId: string, key: string, proposed: number): Promise<number> {
    const r = await c.query<{ seq: string | null }>(
      `SELECT GREATEST((SELECT max(version_seq) FROM objects WHERE bucket_id = $1 AND key = $2),
                       (SELECT max(version_seq) FROM object_versions WHERE bucket_id = $1 AND key = $2)) AS seq`,
      [bucketId, keyBytes(key)],
    );
    const newest = r.rows[0]?.seq;
    return newest === null || newest === undefined || Number(newest) < proposed ? proposed : Number(newest) + 1;
  }

  /**
   * Before a new latest version (the key is locked): the current version moves into the
   * history, except that a new 'null' version replaces the null version wherever it is.
   */
  async #makeRoom(c: Queryable, bucketId: string, key: string, versionId: string): Promise<string[]> {
    const kb = keyBytes(key);
    const cur = (await c.query<ObjectRow>('DELETE FROM objects WHERE bucket_id = $1 AND key = $2 RETURNING *', [bucketId, kb])).rows[0];
    if (cur !== undefined) {
      if (versionId === 'null' && cur.version_id === 'null') return cur.chunks.map((ch) => ch.id);
      await this.#insertVersion(c, rowToObject(cur));
    }
    if (versionId !== 'null') return [];
    const old = (
      await c.query<VersionRow>('DELETE FROM object_versions WHERE bucket_id = $1 AND key = $2 AND version_id = $3 RETURNING *', [
        bucketId,
        kb,
        'null',
      ])
    ).rows[0];
    return old?.record ? decodeRecord(old.record).chunks.map((ch) => ch.id) : [];
  }

  async #insertVersion(c: Queryable, object: ObjectRecord): Promise<void> {
    await c.query(
      `INSERT INTO object_versions (bucket_id, key, version_id, version_seq, is_marker, last_modified, owner,
                                    lock_mode, lock_until, legal_hold, record)
       VALUES ($1, $2, $3, $4, false, $5, $6, $7, $8, $9, $10)`,
      [
        object.bucketId,
        keyBytes(object.key),
        object.versionId ?? 'null',
        object.versionSeq ?? object.lastModified.getTime() * 1000,
        object.lastModified,
        object.owner,
        object.retention?.mode ?? null,
        object.retention?.retainUntil ?? null,
        object.legalHold === true,
        encodeRecord(object),
      ],
    );
  }

  /** With the key locked: the newest history version becomes current if there is no current one and it is not a marker. */
  async #settle(c: Queryable, bucketId: string, key: string): Promise<void> {
    const kb = keyBytes(key);
    if ((await c.query('SELECT 1 FROM objects WHERE bucket_id = $1 AND key = $2', [bucketId, kb])).rows.length > 0) return;
    const newest = (
      await c.query<VersionRow>(
        'SELECT * FROM object_versions WHERE bucket_id = $1 AND key = $2 ORDER BY version_seq DESC, version_id LIMIT 1',
        [bucketId, kb],
      )
    ).rows[0];
    if (newest === undefined || newest.record === null) return;
    await c.query('DELETE FROM object_versions WHERE bucket_id = $1 AND key = $2 AND version_id = $3', [bucketId, kb, newest.version_id]);
    await c.query(
      `INSERT INTO objects (${OBJECT_COLUMNS}) VALUES (${placeholders(columnCount(OBJECT_COLUMNS))})`,
      objectParams(versionRowToObject(newest)),
    );
  }

  /** Removes an upload (already locked by the caller) and its parts; returns their chunk ids. */
  async #dropUpload(c: Queryable, uploadId: string): Promise<string[]> {
    const parts = await c.query<{ chunks: ChunkRef[] }>('DELETE FROM parts WHERE upload_id = $1 RETURNING chunks', [uploadId]);
    await c.query('DELETE FROM uploads WHERE upload_id = $1', [uploadId]);
    return parts.rows.flatMap((p) => p.chunks.map((ch) => ch.id));
  }

  async #lockUpload(c: Queryable, uploadId: string, mode: 'UPDATE' | 'SHARE'): Promise<boolean> {
    const r = await c.query(`SELECT 1 FROM uploads WHERE upload_id = $1 FOR ${mode}`, [uploadId]);
    return r.rows.length > 0;
  }

  // ---- buckets ----

  async createBucket(bucket: BucketRecord): Promise<'created' | 'exists'> {
    const n = await this.#changes(
      `INSERT INTO buckets (${BUCKET_COLUMNS}) VALUES (${placeholders(columnCount(BUCKET_COLUMNS))}) ON CONFLICT (name) DO NOTHING`,
      bucketParams(bucket),
    );
    return n > 0 ? 'created' : 'exists';
  }

  async getBucket(name: string): Promise<BucketRecord | null> {
    const row = (await this.#rows<BucketRow>('SELECT * FROM buckets WHERE name = $1', [name]))[0];
    return row === undefined ? null : rowToBucket(row);
  }

  async listBuckets(): Promise<BucketRecord[]> {
    return (await this.#rows<BucketRow>('SELECT * FROM buckets ORDER BY name')).map(rowToBucket);
  }

  deleteBucket(bucketId: string): Promise<'deleted' | 'not-found' | 'not-empty'> {
    return this.#tx(async (c) => {
      // The row lock waits for writers that are inserting into this bucket (their foreign
      // key holds a share lock on it), so the emptiness check below sees their rows; a
      // writer that comes after the DELETE fails its foreign key check.
      const found = await c.query('SELECT 1 FROM buckets WHERE id = $1 FOR UPDATE', [bucketId]);
      if (found.rows.length === 0) return 'not-found';
      const used = await c.query<{ used: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM objects WHERE bucket_id = $1)
             OR EXISTS (SELECT 1 FROM object_versions WHERE bucket_id = $1)
             OR EXISTS (SELECT 1 FROM uploads WHERE bucket_id = $1) AS used`,
        [bucketId],
      );
      if (used.rows[0]?.used === true) return 'not-empty';
      await c.query('DELETE FROM buckets WHERE id = $1', [bucketId]);
      return 'deleted';
    });
  }

  async setBucketAcl(bucketId: string, acl: Acl): Promise<void> {
    await this.#changes('UPDATE buckets SET acl = $1 WHERE id = $2', [JSON.stringify(acl), bucketId]);
  }

  async setBucketSetting<K extends keyof BucketSettings>(bucketId: string, name: K, value: BucketSettings[K] | null): Promise<void> {
    // One member of the settings object, set or removed in place (no read-modify-write race).
    if (value === null || value === undefined)
      await this.#changes('UPDATE buckets SET settings = settings - $1 WHERE id = $2', [name, bucketId]);
    else
      await this.#changes('UPDATE buckets SET settings = settings || jsonb_build_object($1::text, $2::jsonb) WHERE id = $3', [
        name,
        JSON.stringify(value),
        bucketId,
      ]);
  }

  async setBucketPolicy(bucketId: string, policy: string | null): Promise<void> {
    await this.#changes('UPDATE buckets SET policy = $1 WHERE id = $2', [policy, bucketId]);
  }

  async setBucketPermissions(bucketId: string, permissions: Record<string, string[]>): Promise<void> {
    await this.#changes('UPDATE buckets SET permissions = $1 WHERE id = $2', [JSON.stringify(permissions), bucketId]);
  }

  async setBucketEncryption(bucketId: string, encryption: BucketEncryption | null): Promise<void> {
    await this.#changes('UPDATE buckets SET encryption = $1 WHERE id = $2', [
      encryption === null ? null : JSON.stringify(encryption),
      bucketId,
    ]);
  }

  // ---- objects ----

  async getObject(bucketId: string, key: string): Promise<ObjectRecord | null> {
    const row = (await this.#rows<ObjectRow>('SELECT * FROM objects WHERE bucket_id = $1 AND key = $2', [bucketId, keyBytes(key)]))[0];
    return row === undefined ? null : rowToObject(row);
  }

  putObject(object: ObjectRecord): Promise<'ok' | 'no-bucket'> {
    return whenBucketExists(
      this.#tx(async (c) => {
        const replaced = await this.#upsertObject(c, object);
        await this.#shiftRefs(
          c,
          object.chunks.map((ch) => ch.id),
          replaced,
          new Date(),
        );
      }),
    );
  }

  deleteObject(bucketId: string, key: string): Promise<ObjectRecord | null> {
    return this.#tx(async (c) => {
      await this.#lockKey(c, bucketId, key);
      const row = (await c.query<ObjectRow>('DELETE FROM objects WHERE bucket_id = $1 AND key = $2 RETURNING *', [bucketId, keyBytes(key)]))
        .rows[0];
      if (row === undefined) return null;
      const record = rowToObject(row);
      await this.#shiftRefs(
        c,
        [],
        record.chunks.map((ch) => ch.id),
        new Date(),
      );
      return record;
    });
  }

  async setObjectTags(bucketId: string, key: string, tags: Tag[]): Promise<boolean> {
    const n = await this.#changes('UPDATE objects SET tags = $1 WHERE bucket_id = $2 AND key = $3', [
      JSON.stringify(tags),
      bucketId,
      keyBytes(key),
    ]);
    return n > 0;
  }

  async setObjectAcl(bucketId: string, key: string, acl: Acl): Promise<boolean> {
    const n = await this.#changes('UPDATE objects SET acl = $1 WHERE bucket_id = $2 AND key = $3', [
      JSON.stringify(acl),
      bucketId,
      keyBytes(key),
    ]);
    return n > 0;
  }

  async listObjects(bucketId: string, query: ListObjectsQuery): Promise<ObjectRecord[]> {
    const { prefix, startAfter, limit } = query;
    if (limit <= 0) return [];
    // One range scan of the primary key: key > startAfter AND prefix <= key < bound.
    const bound = prefixUpperBound(prefix);
    const rows =
      bound === null
        ? await this.#rows<ObjectRow>(
            `SELECT ${LISTED_OBJECT_COLUMNS} FROM objects WHERE bucket_id = $1 AND key > $2 AND key >= $3 ORDER BY key LIMIT $4`,
            [bucketId, keyBytes(startAfter), keyBytes(prefix), limit],
          )
        : await this.#rows<ObjectRow>(
            `SELECT ${LISTED_OBJECT_COLUMNS} FROM objects WHERE bucket_id = $1 AND key > $2 AND key >= $3 AND key < $4 ORDER BY key LIMIT $5`,
            [bucketId, keyBytes(startAfter), keyBytes(prefix), keyBytes(bound), limit],
          );
    return rows.map(rowToObject);
  }

  // ---- versions ----

  async getObjectVersion(bucketId: string, key: string, versionId: string | null): Promise<VersionEntry | null> {
    const kb = keyBytes(key);
    const cur = (await this.#rows<ObjectRow>('SELECT * FROM objects WHERE bucket_id = $1 AND key = $2', [bucketId, kb]))[0];
    if (cur !== undefined && (versionId === null || cur.version_id === versionId)) {
      return { type: 'object', object: rowToObject(cur), isLatest: true };
    }
    const history = await this.#rows<VersionRow>(
      versionId === null
        ? 'SELECT * FROM object_versions WHERE bucket_id = $1 AND key = $2 ORDER BY version_seq DESC, version_id LIMIT 1'
        : `SELECT v.*, NOT EXISTS (SELECT 1 FROM object_versions n WHERE n.bucket_id = v.bucket_id AND n.key = v.key
             AND (n.version_seq > v.version_seq OR (n.version_seq = v.version_seq AND n.version_id < v.version_id))) AS newest
           FROM object_versions v WHERE v.bucket_id = $1 AND v.key = $2 AND v.version_id = $3`,
      versionId === null ? [bucketId, kb] : [bucketId, kb, versionId],
    );
    const row = history[0] as (VersionRow & { newest?: boolean }) | undefined;
    if (row === undefined) return null;
    return versionEntry(row, cur === undefined && (versionId === null || row.newest === true));
  }

  putDeleteMarker(marker: DeleteMarkerRecord): Promise<'ok' | 'no-bucket'> {
    return whenBucketExists(
      this.#tx(async (c) => {
        await this.#lockKey(c, marker.bucketId, marker.key);
        const released = await this.#makeRoom(c, marker.bucketId, marker.key, marker.versionId);
        const seq = await this.#newestSeq(c, marker.bucketId, marker.key, marker.versionSeq);
        await c.query(
          `INSERT INTO object_versions (bucket_id, key, version_id, version_seq, is_marker, last_modified, owner, legal_hold, record)
           VALUES ($1, $2, $3, $4, true, $5, $6, false, NULL)`,
          [marker.bucketId, keyBytes(marker.key), marker.versionId, seq, marker.lastModified, marker.owner],
        );
        await this.#shiftRefs(c, [], released, new Date());
      }),
    );
  }

  deleteVersion(bucketId: string, key: string, versionId: string, expect: LockState): Promise<VersionEntry | 'not-found' | 'changed'> {
    return this.#tx(async (c) => {
      await this.#lockKey(c, bucketId, key);
      const kb = keyBytes(key);
      let entry: VersionEntry;
      const cur = (
        await c.query<ObjectRow>('SELECT * FROM objects WHERE bucket_id = $1 AND key = $2 AND version_id = $3 FOR UPDATE', [
          bucketId,
          kb,
          versionId,
        ])
      ).rows[0];
      if (cur !== undefined) {
        const object = rowToObject(cur);
        if (!sameLock(object, expect)) return 'changed';
        await c.query('DELETE FROM objects WHERE bucket_id = $1 AND key = $2', [bucketId, kb]);
        entry = { type: 'object', object, isLatest: true };
      } else {
        const row = (
          await c.query<VersionRow>('SELECT * FROM object_versions WHERE bucket_id = $1 AND key = $2 AND version_id = $3 FOR UPDATE', [
            bucketId,
            kb,
            versionId,
          ])
        ).rows[0];
        if (row === undefined) return 'not-found';
        entry = versionEntry(row, false);
        if (entry.type === 'object' && !sameLock(entry.object, expect)) return 'changed';
        await c.query('DELETE FROM object_versions WHERE bucket_id = $1 AND key = $2 AND version_id = $3', [bucketId, kb, versionId]);
      }
      if (entry.type === 'object') {
        await this.#shiftRefs(
          c,
          [],
          entry.object.chunks.map((ch) => ch.id),
          new Date(),
        );
      }
      await this.#settle(c, bucketId, key);
      return entry;
    });
  }

  setRetention(
    bucketId: string,
    key: string,
    versionId: string,
    retention: Retention | null,
    expect: LockState,
  ): Promise<'ok' | 'not-found' | 'changed'> {
    return this.#tx(async (c) => {
      // One conditional UPDATE per table: the row lock it takes serialises concurrent
      // changes, and the second of two racing writers finds the state it expected gone.
      const params = [
        retention?.mode ?? null,
        retention?.retainUntil ?? null,
        bucketId,
        keyBytes(key),
        versionId,
        expect.retention?.mode ?? null,
        expect.retention?.retainUntil ?? null,
        expect.legalHold,
      ];
      const cond = `bucket_id = $3 AND key = $4 AND version_id = $5 AND lock_mode IS NOT DISTINCT FROM $6::text
        AND lock_until IS NOT DISTINCT FROM $7::timestamptz AND legal_hold = $8`;
      if ((await c.query(`UPDATE objects SET lock_mode = $1, lock_until = $2 WHERE ${cond}`, params)).rowCount) return 'ok';
      if ((await c.query(`UPDATE object_versions SET lock_mode = $1, lock_until = $2 WHERE ${cond} AND NOT is_marker`, params)).rowCount) {
        return 'ok';
      }
      const exists = await c.query(
        `SELECT 1 FROM objects WHERE bucket_id = $1 AND key = $2 AND version_id = $3
         UNION ALL SELECT 1 FROM object_versions WHERE bucket_id = $1 AND key = $2 AND version_id = $3 AND NOT is_marker`,
        [bucketId, keyBytes(key), versionId],
      );
      return exists.rows.length > 0 ? 'changed' : 'not-found';
    });
  }

  async setLegalHold(bucketId: string, key: string, versionId: string, on: boolean): Promise<'ok' | 'not-found'> {
    const params = [on, bucketId, keyBytes(key), versionId];
    if ((await this.#changes('UPDATE objects SET legal_hold = $1 WHERE bucket_id = $2 AND key = $3 AND version_id = $4', params)) > 0) {
      return 'ok';
    }
    const n = await this.#changes(
      'UPDATE object_versions SET legal_hold = $1 WHERE bucket_id = $2 AND key = $3 AND version_id = $4 AND NOT is_marker',
      params,
    );
    return n > 0 ? 'ok' : 'not-found';
  }

  patchVersion(bucketId: string, key: string, versionId: string, patch: VersionPatch): Promise<'ok' | 'not-found' | 'marker'> {
    return this.#tx(async (c) => {
      // The key's lock orders this against moves between the tables (a new PUT making this
      // version non-current, a delete making it current again).
      await this.#lockKey(c, bucketId, key);
      const kb = keyBytes(key);
      const sets: string[] = [];
      const params: unknown[] = [bucketId, kb, versionId];
      if (patch.tags !== undefined) sets.push(`tags = $${params.push(JSON.stringify(patch.tags))}`);
      if (patch.acl !== undefined) sets.push(`acl = $${params.push(JSON.stringify(patch.acl))}`);
      if (patch.sealedTags !== undefined) {
        // Only the sealedTags member of the envelope changes (a key rewrap may touch wrappedKey meanwhile).
        const n = params.push(patch.sealedTags);
        sets.push(
          `tags = CASE WHEN encryption IS NULL THEN tags ELSE '[]'::jsonb END`,
          `encryption = CASE WHEN $${n}::text IS NULL THEN encryption - 'sealedTags' ELSE jsonb_set(encryption, '{sealedTags}', to_jsonb($${n}::text)) END`,
        );
      }
      const current = await c.query('SELECT 1 FROM objects WHERE bucket_id = $1 AND key = $2 AND version_id = $3', [
        bucketId,
        kb,
        versionId,
      ]);
      if (current.rows.length > 0) {
        if (sets.length > 0) {
          await c.query(`UPDATE objects SET ${sets.join(', ')} WHERE bucket_id = $1 AND key = $2 AND version_id = $3`, params);
        }
        return 'ok';
      }
      const row = (
        await c.query<VersionRow>('SELECT * FROM object_versions WHERE bucket_id = $1 AND key = $2 AND version_id = $3 FOR UPDATE', [
          bucketId,
          kb,
          versionId,
        ])
      ).rows[0];
      if (row === undefined) return 'not-found';
      if (row.record === null) return 'marker';
      // The row's own columns (lock state, ids) stay as they are; only the record changes.
      const record = patchedRecord(decodeRecord(row.record), patch);
      await c.query('UPDATE object_versions SET record = $1 WHERE bucket_id = $2 AND key = $3 AND version_id = $4', [
        encodeRecord(record),
        bucketId,
        kb,
        versionId,
      ]);
      return 'ok';
    });
  }

  async listVersions(bucketId: string, query: ListVersionsQuery): Promise<VersionEntry[]> {
    const { prefix, keyMarker, after, limit } = query;
    if (limit <= 0) return [];
    const bound = prefixUpperBound(prefix);
    const range = bound === null ? '' : ' AND key < $4';
    const params = [bucketId, keyBytes(keyMarker), keyBytes(prefix), ...(bound === null ? [] : [keyBytes(bound)])];
    const n = params.length + 1;
    const current = await this.#rows<ObjectRow>(
      `SELECT ${LISTED_OBJECT_COLUMNS} FROM objects WHERE bucket_id = $1 AND key > $2 AND key >= $3${range} ORDER BY key LIMIT $${n}`,
      [...params, limit],
    );
    const history = await this.#rows<VersionRow>(
      `SELECT * FROM object_versions WHERE bucket_id = $1 AND key > $2 AND key >= $3${range}
       ORDER BY key, version_seq DESC, version_id LIMIT $${n}`,
      [...params, limit],
    );
    const rest =
      after === null || !keyMarker.startsWith(prefix)
        ? []
        : await this.#rows<VersionRow>(
            `SELECT * FROM object_versions WHERE bucket_id = $1 AND key = $2
               AND (version_seq < $3 OR (version_seq = $3 AND version_id > $4))
             ORDER BY version_seq DESC, version_id LIMIT $5`,
            [bucketId, keyBytes(keyMarker), after.versionSeq, after.versionId, limit],
          );
    return mergeVersions(
      keyMarker,
      rest.map((r) => listedEntry(versionEntry(r, false))),
      current.map((r) => ({ type: 'object' as const, object: rowToObject(r), isLatest: true })),
      history.map((r) => listedEntry(versionEntry(r, false))),
      limit,
    );
  }

  async setBucketVersioning(bucketId: string, state: VersioningState): Promise<void> {
    await this.#changes('UPDATE buckets SET versioning = $1 WHERE id = $2', [state, bucketId]);
  }

  async setBucketObjectLock(bucketId: string, config: ObjectLockConfig | null): Promise<void> {
    await this.#changes('UPDATE buckets SET object_lock = $1 WHERE id = $2', [config === null ? null : JSON.stringify(config), bucketId]);
  }

  async setBucketLifecycle(bucketId: string, rules: LifecycleRule[] | null): Promise<void> {
    await this.#changes('UPDATE buckets SET lifecycle = $1 WHERE id = $2', [rules === null ? null : JSON.stringify(rules), bucketId]);
  }

  // ---- multipart uploads ----

  createUpload(upload: UploadRecord): Promise<'ok' | 'no-bucket'> {
    return whenBucketExists(
      this.#changes(`INSERT INTO uploads (${UPLOAD_COLUMNS}) VALUES (${placeholders(columnCount(UPLOAD_COLUMNS))})`, uploadParams(upload)),
    );
  }

  async getUpload(uploadId: string): Promise<UploadRecord | null> {
    const row = (await this.#rows<UploadRow>('SELECT * FROM uploads WHERE upload_id = $1', [uploadId]))[0];
    return row === undefined ? null : rowToUpload(row);
  }

  putPart(part: PartRecord): Promise<'ok' | 'no-upload'> {
    return this.#tx(async (c) => {
      // A share lock: parts of one upload go in concurrently, but Complete/Abort (FOR UPDATE)
      // wait for them, and a part arriving after them finds the upload gone.
      if (!(await this.#lockUpload(c, part.uploadId, 'SHARE'))) return 'no-upload';
      const params = partParams(part);
      let replaced: string[] = [];
      for (;;) {
        const old = await c.query<{ chunks: ChunkRef[] }>('SELECT chunks FROM parts WHERE upload_id = $1 AND part_number = $2 FOR UPDATE', [
          part.uploadId,
          part.partNumber,
        ]);
        const row = old.rows[0];
        if (row !== undefined) {
          await c.query(
            `UPDATE parts SET (size, etag, last_modified, checksum, chunks) = (${placeholders(5, 3)})
             WHERE upload_id = $1 AND part_number = $2`,
            params,
          );
          replaced = row.chunks.map((ch) => ch.id);
          break;
        }
        const inserted = await c.query(
          `INSERT INTO parts (${PART_COLUMNS}) VALUES (${placeholders(7)}) ON CONFLICT (upload_id, part_number) DO NOTHING`,
          params,
        );
        if (inserted.rowCount === 1) break;
      }
      await this.#shiftRefs(
        c,
        part.chunks.map((ch) => ch.id),
        replaced,
        new Date(),
      );
      return 'ok';
    });
  }

  async listParts(uploadId: string, afterPartNumber: number, limit: number): Promise<PartRecord[]> {
    if (limit <= 0) return [];
    const rows = await this.#rows<PartRow>('SELECT * FROM parts WHERE upload_id = $1 AND part_number > $2 ORDER BY part_number LIMIT $3', [
      uploadId,
      afterPartNumber,
      limit,
    ]);
    return rows.map(rowToPart);
  }

  async listUploads(bucketId: string, query: ListUploadsQuery): Promise<UploadRecord[]> {
    const { prefix, keyMarker, uploadIdMarker, limit } = query;
    if (limit <= 0) return [];
    const bound = prefixUpperBound(prefix);
    const base = 'SELECT * FROM uploads WHERE bucket_id = $1 AND (key, upload_id) > ($2::bytea, $3::text COLLATE "C") AND key >= $4';
    const rows =
      bound === null
        ? await this.#rows<UploadRow>(`${base} ORDER BY key, upload_id LIMIT $5`, [
            bucketId,
            keyBytes(keyMarker),
            uploadIdMarker,
            keyBytes(prefix),
            limit,
          ])
        : await this.#rows<UploadRow>(`${base} AND key < $5 ORDER BY key, upload_id LIMIT $6`, [
            bucketId,
            keyBytes(keyMarker),
            uploadIdMarker,
            keyBytes(prefix),
            keyBytes(bound),
            limit,
          ]);
    return rows.map(rowToUpload);
  }

  completeUpload(uploadId: string, object: ObjectRecord): Promise<'ok' | 'no-upload'> {
    return this.#tx(async (c) => {
      // The first of concurrent Complete/Abort calls takes the row lock and removes the row;
      // the others wait on the lock, then find no row and report 'no-upload'.
      if (!(await this.#lockUpload(c, uploadId, 'UPDATE'))) return 'no-upload';
      const replaced = await this.#upsertObject(c, object);
      const partChunks = await this.#dropUpload(c, uploadId);
      const now = new Date();
      await c.query('DELETE FROM completed_uploads WHERE completed_at < $1', [new Date(now.getTime() - COMPLETED_UPLOAD_MEMORY_MS)]);
      await c.query(
        `INSERT INTO completed_uploads (upload_id, bucket_id, key, etag, object_modified, completed_at, version_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (upload_id) DO UPDATE
           SET etag = EXCLUDED.etag, object_modified = EXCLUDED.object_modified, version_id = EXCLUDED.version_id`,
        [uploadId, object.bucketId, keyBytes(object.key), object.etag, object.lastModified, now, object.versionId ?? 'null'],
      );
      // Parts the object uses move from part to object references: net zero, never trashed.
      await this.#shiftRefs(
        c,
        object.chunks.map((ch) => ch.id),
        [...replaced, ...partChunks],
        new Date(),
      );
      return 'ok';
    });
  }

  async getCompletedUpload(uploadId: string): Promise<CompletedUpload | null> {
    const rows = await this.#rows<{
      upload_id: string;
      bucket_id: string;
      key: Buffer;
      etag: string;
      object_modified: Date;
      version_id: string | null;
    }>(
      `SELECT upload_id, bucket_id, key, etag, object_modified, version_id FROM completed_uploads
        WHERE upload_id = $1 AND completed_at >= $2`,
      [uploadId, new Date(Date.now() - COMPLETED_UPLOAD_MEMORY_MS)],
    );
    const r = rows[0];
    return r === undefined
      ? null
      : {
          uploadId: r.upload_id,
          bucketId: r.bucket_id,
          key: r.key.toString('utf8'),
          etag: r.etag,
          objectModified: r.object_modified,
          versionId: r.version_id ?? 'null',
        };
  }

  abortUpload(uploadId: string): Promise<'ok' | 'no-upload'> {
    return this.#tx(async (c) => {
      if (!(await this.#lockUpload(c, uploadId, 'UPDATE'))) return 'no-upload';
      const partChunks = await this.#dropUpload(c, uploadId);
      await this.#shiftRefs(c, [], partChunks, new Date());
      return 'ok';
    });
  }

  async listStaleUploads(before: Date, limit: number): Promise<UploadRecord[]> {
    if (limit <= 0) return [];
    const rows = await this.#rows<UploadRow>('SELECT * FROM uploads WHERE initiated < $1 ORDER BY initiated, upload_id LIMIT $2', [
      before,
      limit,
    ]);
    return rows.map(rowToUpload);
  }

  // ---- chunk bookkeeping for GC ----

  async isChunkKnown(id: string): Promise<boolean> {
    const row = (await this.#rows<{ known: boolean }>(IS_CHUNK_KNOWN_SQL, [id]))[0];
    return row?.known === true;
  }

  async listTrash(before: Date, limit: number): Promise<TrashedChunk[]> {
    if (limit <= 0) return [];
    const rows = await this.#rows<{ chunk_id: string; trashed_at: Date }>(
      'SELECT chunk_id, trashed_at FROM chunk_trash WHERE trashed_at < $1 ORDER BY trashed_at, chunk_id LIMIT $2',
      [before, limit],
    );
    return rows.map((r) => ({ id: r.chunk_id, trashedAt: r.trashed_at }));
  }

  async removeFromTrash(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#changes('DELETE FROM chunk_trash WHERE chunk_id = ANY($1::text[])', [ids]);
  }

  // ---- credentials ----

  async putCredential(credential: CredentialRecord): Promise<void> {
    await this.#changes(
      `INSERT INTO credentials (${CREDENTIAL_COLUMNS}) VALUES (${placeholders(9)})
       ON CONFLICT (access_key) DO UPDATE SET
         (sealed_secret, user_name, role, permissions, created_at, last_used_at, revoked_at, expires_at) =
         (excluded.sealed_secret, excluded.user_name, excluded.role, excluded.permissions, excluded.created_at,
          excluded.last_used_at, excluded.revoked_at, excluded.expires_at)`,
      credentialParams(credential),
    );
    this.#touched.delete(credential.accessKey);
    await this.#announceCredentials();
  }

  /** Every node's change feed hears of it (a cache of credentials must be dropped). */
  async #announceCredentials(): Promise<void> {
    await notifyChange(this.#pool, { kind: 'credentials' });
  }

  async getCredential(accessKey: string): Promise<CredentialRecord | null> {
    const row = (await this.#rows<CredentialRow>('SELECT * FROM credentials WHERE access_key = $1', [accessKey]))[0];
    return row === undefined ? null : rowToCredential(row);
  }

  async listCredentials(): Promise<CredentialRecord[]> {
    return (await this.#rows<CredentialRow>('SELECT * FROM credentials ORDER BY created_at, access_key')).map(rowToCredential);
  }

  async replaceSealedSecret(accessKey: string, from: Buffer, to: Buffer): Promise<boolean> {
    return (
      (await this.#changes('UPDATE credentials SET sealed_secret = $1 WHERE access_key = $2 AND sealed_secret = $3', [
        to,
        accessKey,
        from,
      ])) > 0
    );
  }

  async revokeCredential(accessKey: string, at: Date): Promise<boolean> {
    const changed =
      (await this.#changes('UPDATE credentials SET revoked_at = $1 WHERE access_key = $2 AND revoked_at IS NULL', [at, accessKey])) > 0;
    if (changed) await this.#announceCredentials();
    return changed;
  }

  async revokeAllCredentials(at: Date, except: string[]): Promise<number> {
    const n = await this.#changes(
      `UPDATE credentials SET revoked_at = $1
       WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1)
         AND NOT (access_key = ANY($2::text[]))`,
      [at, except],
    );
    if (n > 0) await this.#announceCredentials();
    return n;
  }

  async expireCredential(accessKey: string, at: Date): Promise<boolean> {
    const changed =
      (await this.#changes('UPDATE credentials SET expires_at = $1 WHERE access_key = $2 AND revoked_at IS NULL', [at, accessKey])) > 0;
    if (changed) await this.#announceCredentials();
    return changed;
  }

  async touchCredential(accessKey: string, at: Date): Promise<void> {
    const ms = at.getTime();
    const last = this.#touched.get(accessKey);
    // Every authenticated request calls this; skip the round trip entirely when recent.
    if (last !== undefined && ms - last < TOUCH_INTERVAL_MS && ms >= last) return;
    if (this.#touched.size >= TOUCH_MEMO_LIMIT) this.#touched.clear();
    this.#touched.set(accessKey, ms);
    // The WHERE clause coalesces across nodes too: another node's recent touch wins.
    await this.#changes('UPDATE credentials SET last_used_at = $1 WHERE access_key = $2 AND (last_used_at IS NULL OR last_used_at <= $3)', [
      at,
      accessKey,
      new Date(ms - TOUCH_INTERVAL_MS),
    ]);
  }

  // ---- key registry ----

  async listKeys(): Promise<KeyRecord[]> {
    const keys = await this.#rows<PgKeyRow>('SELECT * FROM kek_keys ORDER BY key_id');
    const versions = await this.#rows<PgVersionRow>('SELECT * FROM kek_versions ORDER BY key_id, version');
    return keys.map((k) =>
      pgRowToKey(
        k,
        versions.filter((v) => v.key_id === k.key_id),
      ),
    );
  }

  async getKey(keyId: string): Promise<KeyRecord | null> {
    const key = (await this.#rows<PgKeyRow>('SELECT * FROM kek_keys WHERE key_id = $1', [keyId]))[0];
    if (key === undefined) return null;
    return pgRowToKey(key, await this.#rows<PgVersionRow>('SELECT * FROM kek_versions WHERE key_id = $1 ORDER BY version', [keyId]));
  }

  createKey(keyId: string, provider: string, at: Date): Promise<'created' | 'exists'> {
    return this.#tx(async (c) => {
      const inserted = await c.query(
        'INSERT INTO kek_keys (key_id, provider, created_at) VALUES ($1, $2, $3) ON CONFLICT (key_id) DO NOTHING',
        [keyId, provider, at],
      );
      if ((inserted.rowCount ?? 0) === 0) return 'exists';
      await c.query("INSERT INTO kek_versions (key_id, version, created_at, state) VALUES ($1, 1, $2, 'active')", [keyId, at]);
      return 'created';
    });
  }

  addKeyVersion(keyId: string, version: number, at: Date): Promise<'ok' | 'no-key' | 'conflict'> {
    return this.#tx(async (c) => {
      // The key row's lock orders concurrent rotations: the second sees the first's version.
      const key = await c.query('SELECT 1 FROM kek_keys WHERE key_id = $1 FOR UPDATE', [keyId]);
      if ((key.rowCount ?? 0) === 0) return 'no-key';
      const max = (await c.query<{ v: number | null }>('SELECT max(version) AS v FROM kek_versions WHERE key_id = $1', [keyId])).rows[0]?.v;
      if ((max ?? 0) + 1 !== version) return 'conflict';
      await c.query("INSERT INTO kek_versions (key_id, version, created_at, state) VALUES ($1, $2, $3, 'active')", [keyId, version, at]);
      return 'ok';
    });
  }

  retireKeyVersion(keyId: string, version: number): Promise<'retired' | 'not-found' | 'in-use' | 'current' | 'already'> {
    return this.#tx(async (c) => {
      await c.query('SELECT 1 FROM kek_keys WHERE key_id = $1 FOR UPDATE', [keyId]);
      const row = (await c.query<PgVersionRow>('SELECT * FROM kek_versions WHERE key_id = $1 AND version = $2', [keyId, version])).rows[0];
      if (row === undefined) return 'not-found';
      if (row.state === 'retired') return 'already';
      const max = (await c.query<{ v: number | null }>('SELECT max(version) AS v FROM kek_versions WHERE key_id = $1', [keyId])).rows[0]?.v;
      if (max === version) return 'current';
      const used = await c.query('SELECT 1 FROM object_keys WHERE key_id = $1 AND version = $2 LIMIT 1', [keyId, version]);
      if ((used.rowCount ?? 0) > 0) return 'in-use';
      for (const table of this.#envelopes) {
        const inEnvelope = await c.query(
          `SELECT 1 FROM ${table} WHERE ${PG_REGISTRY_ENVELOPE} AND ${PG_WK('keyId')} = $1 AND ${PG_WK_VERSION} = $2 LIMIT 1`,
          [keyId, version],
        );
        if ((inEnvelope.rowCount ?? 0) > 0) return 'in-use';
      }
      await c.query("UPDATE kek_versions SET state = 'retired' WHERE key_id = $1 AND version = $2", [keyId, version]);
      return 'retired';
    });
  }

  async putWrappedKey(key: StoredWrappedKey): Promise<void> {
    if (isReservedRef(key.ref)) throw new TypeError(`wrapped key ref ${key.ref} is reserved for object and upload envelopes`);
    await this.#changes(
      `INSERT INTO object_keys (ref, provider, key_id, version, wrapped) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (ref) DO UPDATE SET (provider, key_id, version, wrapped) =
         (excluded.provider, excluded.key_id, excluded.version, excluded.wrapped)`,
      [key.ref, key.provider, key.keyId, key.version, key.wrapped],
    );
  }

  async getWrappedKey(ref: string): Promise<StoredWrappedKey | null> {
    const parsed = parseRef(ref);
    if (parsed.kind === 'stored') {
      const row = (await this.#rows<PgWrappedRow>('SELECT * FROM object_keys WHERE ref = $1', [ref]))[0];
      return row === undefined ? null : pgRowToWrapped(row);
    }
    const table = parsed.kind === 'object' ? 'objects' : 'uploads';
    if (!this.#envelopes.has(table)) return null;
    const rows =
      parsed.kind === 'object'
        ? await this.#rows<{ encryption: unknown }>('SELECT encryption FROM objects WHERE bucket_id = $1 AND key = $2', [
            parsed.bucketId,
            keyBytes(parsed.key),
          ])
        : await this.#rows<{ encryption: unknown }>('SELECT encryption FROM uploads WHERE upload_id = $1', [parsed.uploadId]);
    const w = envelopeKeyOf(rows[0]?.encryption ?? null);
    return w === null || w.provider === SSE_C_PROVIDER ? null : { ref, ...w, wrapped: Buffer.from(w.wrapped, 'base64') };
  }

  async deleteWrappedKey(ref: string): Promise<boolean> {
    return (await this.#changes('DELETE FROM object_keys WHERE ref = $1', [ref])) > 0;
  }

  async listWrappedKeys(keyId: string, belowVersion: number, afterRef: string, limit: number): Promise<StoredWrappedKey[]> {
    if (limit <= 0) return [];
    const after = parseRef(afterRef);
    const out: StoredWrappedKey[] = [];
    if (after.kind === 'stored') {
      const rows = await this.#rows<PgWrappedRow>(
        'SELECT * FROM object_keys WHERE key_id = $1 AND version < $2 AND ref > $3 ORDER BY ref LIMIT $4',
        [keyId, belowVersion, afterRef, limit],
      );
      out.push(...rows.map(pgRowToWrapped));
    }
    const filter = `${PG_REGISTRY_ENVELOPE} AND ${PG_WK('keyId')} = $1 AND ${PG_WK_VERSION} < $2`;
    if (after.kind !== 'upload' && this.#envelopes.has('objects') && out.length < limit) {
      const [b, k] = after.kind === 'object' ? [after.bucketId, keyBytes(after.key)] : ['', Buffer.alloc(0)];
      const rows = await this.#rows<{ bucket_id: string; key: Buffer; encryption: unknown }>(
        `SELECT bucket_id, key, encryption FROM objects WHERE (bucket_id, key) > ($3, $4) AND ${filter}
         ORDER BY bucket_id, key LIMIT $5`,
        [keyId, belowVersion, b, k, limit - out.length],
      );
      for (const r of rows) {
        const w = envelopeKeyOf(r.encryption);
        if (w !== null)
          out.push({ ref: objectRef(r.bucket_id, Buffer.from(r.key).toString('utf8')), ...w, wrapped: Buffer.from(w.wrapped, 'base64') });
      }
    }
    if (this.#envelopes.has('uploads') && out.length < limit) {
      const from = after.kind === 'upload' ? after.uploadId : '';
      const rows = await this.#rows<{ upload_id: string; encryption: unknown }>(
        `SELECT upload_id, encryption FROM uploads WHERE upload_id > $3 AND ${filter} ORDER BY upload_id LIMIT $4`,
        [keyId, belowVersion, from, limit - out.length],
      );
      for (const r of rows) {
        const w = envelopeKeyOf(r.encryption);
        if (w !== null) out.push({ ref: uploadRef(r.upload_id), ...w, wrapped: Buffer.from(w.wrapped, 'base64') });
      }
    }
    return out;
  }

  async replaceWrappedKey(
    ref: string,
    expected: Pick<StoredWrappedKey, 'version' | 'wrapped'>,
    next: Omit<StoredWrappedKey, 'ref' | 'keyId'>,
  ): Promise<boolean> {
    const parsed = parseRef(ref);
    if (parsed.kind === 'stored') {
      const n = await this.#changes(
        'UPDATE object_keys SET provider = $1, version = $2, wrapped = $3 WHERE ref = $4 AND version = $5 AND wrapped = $6',
        [next.provider, next.version, next.wrapped, ref, expected.version, expected.wrapped],
      );
      return n > 0;
    }
    const table = parsed.kind === 'object' ? 'objects' : 'uploads';
    if (!this.#envelopes.has(table)) return false;
    const set = `encryption = jsonb_set(jsonb_set(jsonb_set(encryption,
        '{wrappedKey,provider}', to_jsonb($1::text)), '{wrappedKey,version}', to_jsonb($2::int)), '{wrappedKey,wrapped}', to_jsonb($3::text))`;
    const cas = `${PG_REGISTRY_ENVELOPE} AND ${PG_WK_VERSION} = $4 AND ${PG_WK('wrapped')} = $5`;
    const params = [next.provider, next.version, next.wrapped.toString('base64'), expected.version, expected.wrapped.toString('base64')];
    const n =
      parsed.kind === 'object'
        ? await this.#changes(`UPDATE objects SET ${set} WHERE bucket_id = $6 AND key = $7 AND ${cas}`, [
            ...params,
            parsed.bucketId,
            keyBytes(parsed.key),
          ])
        : await this.#changes(`UPDATE uploads SET ${set} WHERE upload_id = $6 AND ${cas}`, [...params, parsed.uploadId]);
    return n > 0;
  }

  async countWrappedKeys(): Promise<WrappedKeyCount[]> {
    const parts = ['SELECT key_id, version FROM object_keys'];
    for (const table of this.#envelopes)
      parts.push(`SELECT ${PG_WK('keyId')}, ${PG_WK_VERSION} FROM ${table} WHERE ${PG_REGISTRY_ENVELOPE}`);
    const rows = await this.#rows<{ key_id: string; version: number; n: string }>(
      `SELECT key_id, version, count(*) AS n FROM (${parts.join(' UNION ALL ')}) AS w (key_id, version)
       GROUP BY key_id, version ORDER BY key_id COLLATE "C", version`,
    );
    return rows.map((r) => ({ keyId: r.key_id, version: r.version, count: Number(r.n) }));
  }

  // ---- settings ----

  async getSetting(name: string): Promise<string | null> {
    return (await this.#rows<{ value: string }>('SELECT value FROM settings WHERE name = $1', [name]))[0]?.value ?? null;
  }

  async putSetting(name: string, value: string | null): Promise<void> {
    if (value === null) await this.#changes('DELETE FROM settings WHERE name = $1', [name]);
    else {
      await this.#changes('INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value', [
        name,
        value,
      ]);
    }
    // After the write committed, so a node that hears it and re-reads sees the new value.
    await notifyChange(this.#pool, { kind: 'setting', name });
  }
}

/** One field of an envelope's wrapped key (the `encryption` jsonb column). */
const PG_WK = (field: string) => `(encryption->'wrappedKey'->>'${field}')`;
const PG_WK_VERSION = `(encryption->'wrappedKey'->>'version')::integer`;
/** The registry's envelopes only (never SSE-C's, wrapped by the customer's key). */
const PG_REGISTRY_ENVELOPE = `encryption IS NOT NULL AND ${PG_WK('provider')} <> 'sse-c'`;

interface PgKeyRow {
  key_id: string;
  provider: string;
  created_at: Date;
}

interface PgVersionRow {
  key_id: string;
  version: number;
  created_at: Date;
  state: string;
}

interface PgWrappedRow {
  ref: string;
  provider: string;
  key_id: string;
  version: number;
  wrapped: Buffer;
}

function pgRowToKey(row: PgKeyRow, versions: PgVersionRow[]): KeyRecord {
  return {
    keyId: row.key_id,
    provider: row.provider,
    createdAt: new Date(row.created_at),
    versions: versions.map((v) => ({
      version: v.version,
      createdAt: new Date(v.created_at),
      state: v.state === 'retired' ? 'retired' : 'active',
    })),
  };
}

function pgRowToWrapped(row: PgWrappedRow): StoredWrappedKey {
  return { ref: row.ref, provider: row.provider, keyId: row.key_id, version: row.version, wrapped: Buffer.from(row.wrapped) };
}
