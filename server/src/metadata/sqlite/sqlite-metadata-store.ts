import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type {
  Acl,
  BucketEncryption,
  BucketRecord,
  CompletedUpload,
  BucketSettings,
  Tag,
  CredentialRecord,
  KeyRecord,
  ListObjectsQuery,
  ListUploadsQuery,
  MetadataStore,
  ObjectRecord,
  PartRecord,
  StoredWrappedKey,
  TrashedChunk,
  UploadRecord,
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
import {
  envelopeSource,
  prepareKeyStatements,
  rowToCount,
  rowToKey,
  rowToWrapped,
  wrappedToRow,
  type EnvelopeSource,
  type KeyStatements,
} from './key-statements.js';
import { envelopeKeyOf, isReservedRef, objectRef, parseRef, SSE_C_PROVIDER, uploadRef, type ParsedRef } from '../wrapped-key-refs.js';
import { COMPLETED_UPLOAD_MEMORY_MS } from '../types.js';
import { CREDENTIAL_MIGRATIONS, MAIN_MIGRATIONS, migrate } from './schema.js';
import {
  bucketToRow,
  chunkIdsOf,
  credentialToRow,
  objectToRow,
  partToRow,
  rowToBucket,
  rowToCredential,
  rowToObject,
  rowToPart,
  rowToUpload,
  uploadToRow,
  lockRetention,
} from './rows.js';
import { RowCache, watchWrites } from './row-cache.js';
import type { BucketRow, CredentialRow, ObjectRow, PartRow, UploadRow, VersionRow } from './rows.js';
import { decodeRecord, encodeRecord } from '../record-codec.js';
import { listedEntry, mergeVersions, patchedRecord, sameLock } from '../versions.js';
import { WriteBatcher } from './write-batcher.js';
import { prefixUpperBound } from '../key-range.js';

/** last_used_at is written at most this often per key, to keep auth off the write path. */
const TOUCH_INTERVAL_MS = 60_000;
const TOUCH_MEMO_LIMIT = 10_000;

/** A file or directory found open to group or others, and tightened (someone changed it). */
export interface LoosePermissions {
  path: string;
  /** The mode found (permission bits only). */
  was: number;
  now: number;
}

/** chmod `path` to `mode`; reports it when it had been open to group or others. */
function tighten(path: string, mode: number, found: LoosePermissions[]): void {
  const was = statSync(path).mode & 0o777;
  if ((was & 0o077) !== 0) found.push({ path, was, now: mode });
  chmodSync(path, mode);
}

/** Creates `path` 0600 if missing and tightens it (and its WAL files) if it exists. */
function secureFile(path: string, found: LoosePermissions[]): void {
  closeSync(openSync(path, 'a', 0o600));
  for (const p of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(p)) tighten(p, 0o600, found);
  }
}

export interface SqliteStoreOptions {
  /**
   * Called for each metadata file or directory found readable or writable by group or
   * others before it was tightened: not silent, since someone (or something) changed it.
   */
  onLoosePermissions?: (found: LoosePermissions) => void;
}

/** Two primary-key probes, never a scan (exported so a test can check the query plan). */
export const IS_CHUNK_KNOWN_SQL = `SELECT 1 AS one FROM chunk_refs WHERE chunk_id = ?
  UNION ALL SELECT 1 FROM chunk_trash WHERE chunk_id = ? LIMIT 1`;

/**
 * An objects row as listings read it: every column but the inline body (up to
 * inline_max_kib per row, which a listing never sends), so a list reads no overflow pages.
 */
const LISTED_OBJECT_COLUMNS =
  'bucket_id, key, size, etag, last_modified, owner, headers, user_metadata, checksum, acl, storage_class, chunks, parts, ' +
  'tags, encryption, version_id, version_seq, lock_mode, lock_until, legal_hold, NULL AS inline_body';

function prepareStatements(db: Database.Database) {
  return {
    // buckets
    insertBucket: db.prepare<[BucketRow], void>(
      `INSERT INTO buckets (id, name, owner, region, created_at, acl, policy, permissions, settings, encryption,
                            versioning, object_lock, lifecycle)
       VALUES (@id, @name, @owner, @region, @created_at, @acl, @policy, @permissions, @settings, @encryption,
               @versioning, @object_lock, @lifecycle)
       ON CONFLICT (name) DO NOTHING`,
    ),
    getBucket: db.prepare<[string], BucketRow>('SELECT * FROM buckets WHERE name = ?'),
    listBuckets: db.prepare<[], BucketRow>('SELECT * FROM buckets ORDER BY name'),
    bucketExists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM buckets WHERE id = ?'),
    deleteBucket: db.prepare<[string], void>('DELETE FROM buckets WHERE id = ?'),
    bucketHasObjects: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM objects WHERE bucket_id = ? LIMIT 1'),
    bucketHasVersions: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM object_versions WHERE bucket_id = ? LIMIT 1'),
    setBucketVersioning: db.prepare<[string, string], void>('UPDATE buckets SET versioning = ? WHERE id = ?'),
    setBucketObjectLock: db.prepare<[string | null, string], void>('UPDATE buckets SET object_lock = ? WHERE id = ?'),
    setBucketLifecycle: db.prepare<[string | null, string], void>('UPDATE buckets SET lifecycle = ? WHERE id = ?'),
    bucketHasUploads: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM uploads WHERE bucket_id = ? LIMIT 1'),
    setBucketAcl: db.prepare<[string, string], void>('UPDATE buckets SET acl = ? WHERE id = ?'),
    setBucketPolicy: db.prepare<[string | null, string], void>('UPDATE buckets SET policy = ? WHERE id = ?'),
    setBucketPermissions: db.prepare<[string, string], void>('UPDATE buckets SET permissions = ? WHERE id = ?'),
    // One member of the settings object, set or removed in place (no read-modify-write race).
    setBucketSetting: db.prepare<[string, string, string], void>(
      "UPDATE buckets SET settings = json_set(settings, '$.' || ?, json(?)) WHERE id = ?",
    ),
    removeBucketSetting: db.prepare<[string, string], void>("UPDATE buckets SET settings = json_remove(settings, '$.' || ?) WHERE id = ?"),
    setBucketEncryption: db.prepare<[string | null, string], void>('UPDATE buckets SET encryption = ? WHERE id = ?'),
    // objects
    getObject: db.prepare<[string, string], ObjectRow>('SELECT * FROM objects WHERE bucket_id = ? AND key = ?'),
    getObjectChunks: db.prepare<[string, string], { chunks: string }>('SELECT chunks FROM objects WHERE bucket_id = ? AND key = ?'),
    upsertObject: db.prepare<[ObjectRow], void>(
      `INSERT INTO objects (bucket_id, key, size, etag, last_modified, owner, headers, user_metadata,
                            checksum, acl, storage_class, chunks, parts, tags, encryption, version_id, version_seq,
                            lock_mode, lock_until, legal_hold, inline_body)
       VALUES (@bucket_id, @key, @size, @etag, @last_modified, @owner, @headers, @user_metadata,
               @checksum, @acl, @storage_class, @chunks, @parts, @tags, @encryption, @version_id, @version_seq,
               @lock_mode, @lock_until, @legal_hold, @inline_body)
       ON CONFLICT (bucket_id, key) DO UPDATE SET
         size = excluded.size, etag = excluded.etag, last_modified = excluded.last_modified,
         owner = excluded.owner, headers = excluded.headers, user_metadata = excluded.user_metadata,
         checksum = excluded.checksum, acl = excluded.acl, storage_class = excluded.storage_class,
         chunks = excluded.chunks, parts = excluded.parts, tags = excluded.tags, encryption = excluded.encryption,
         version_id = excluded.version_id,
         version_seq = excluded.version_seq, lock_mode = excluded.lock_mode,
         lock_until = excluded.lock_until, legal_hold = excluded.legal_hold, inline_body = excluded.inline_body`,
    ),
    // version history
    newestSeq: db.prepare<[string, string, string, string], { seq: number | null }>(
      `SELECT max(s) AS seq FROM (SELECT max(version_seq) AS s FROM objects WHERE bucket_id = ? AND key = ?
                                  UNION ALL SELECT max(version_seq) FROM object_versions WHERE bucket_id = ? AND key = ?)`,
    ),
    insertVersion: db.prepare<[VersionRow], void>(
      `INSERT INTO object_versions (bucket_id, key, version_id, version_seq, is_marker, last_modified, owner,
                                    lock_mode, lock_until, legal_hold, record)
       VALUES (@bucket_id, @key, @version_id, @version_seq, @is_marker, @last_modified, @owner,
               @lock_mode, @lock_until, @legal_hold, @record)`,
    ),
    getVersion: db.prepare<[string, string, string], VersionRow>(
      'SELECT * FROM object_versions WHERE bucket_id = ? AND key = ? AND version_id = ?',
    ),
    deleteVersion: db.prepare<[string, string, string], void>(
      'DELETE FROM object_versions WHERE bucket_id = ? AND key = ? AND version_id = ?',
    ),
    newestVersion: db.prepare<[string, string], VersionRow>(
      'SELECT * FROM object_versions WHERE bucket_id = ? AND key = ? ORDER BY version_seq DESC, version_id LIMIT 1',
    ),
    // bucket, keyMarker, prefix, limit (+ bound)
    listVersions: db.prepare<[string, string, string, number], VersionRow>(
      `SELECT * FROM object_versions WHERE bucket_id = ? AND key > ? AND key >= ?
       ORDER BY key, version_seq DESC, version_id LIMIT ?`,
    ),
    listVersionsBounded: db.prepare<[string, string, string, string, number], VersionRow>(
      `SELECT * FROM object_versions WHERE bucket_id = ? AND key > ? AND key >= ? AND key < ?
       ORDER BY key, version_seq DESC, version_id LIMIT ?`,
    ),
    // the rest of one key's history after a version: bucket, key, seq, seq, versionId, limit
    listKeyVersionsAfter: db.prepare<[string, string, number, number, string, number], VersionRow>(
      `SELECT * FROM object_versions WHERE bucket_id = ? AND key = ?
         AND (version_seq < ? OR (version_seq = ? AND version_id > ?))
       ORDER BY version_seq DESC, version_id LIMIT ?`,
    ),
    setCurrentRetention: db.prepare<[string | null, number | null, string, string, string, string | null, number | null, number], void>(
      `UPDATE objects SET lock_mode = ?, lock_until = ?
       WHERE bucket_id = ? AND key = ? AND version_id = ? AND lock_mode IS ? AND lock_until IS ? AND legal_hold = ?`,
    ),
    setVersionRetention: db.prepare<[string | null, number | null, string, string, string, string | null, number | null, number], void>(
      `UPDATE object_versions SET lock_mode = ?, lock_until = ?
       WHERE bucket_id = ? AND key = ? AND version_id = ? AND is_marker = 0
         AND lock_mode IS ? AND lock_until IS ? AND legal_hold = ?`,
    ),
    setCurrentLegalHold: db.prepare<[number, string, string, string], void>(
      'UPDATE objects SET legal_hold = ? WHERE bucket_id = ? AND key = ? AND version_id = ?',
    ),
    setVersionRecord: db.prepare<[string, string, string, string], void>(
      'UPDATE object_versions SET record = ? WHERE bucket_id = ? AND key = ? AND version_id = ? AND is_marker = 0',
    ),
    setCurrentTags: db.prepare<[string, string, string, string], void>(
      'UPDATE objects SET tags = ? WHERE bucket_id = ? AND key = ? AND version_id = ?',
    ),
    setCurrentAcl: db.prepare<[string, string, string, string], void>(
      'UPDATE objects SET acl = ? WHERE bucket_id = ? AND key = ? AND version_id = ?',
    ),
    setVersionLegalHold: db.prepare<[number, string, string, string], void>(
      'UPDATE object_versions SET legal_hold = ? WHERE bucket_id = ? AND key = ? AND version_id = ? AND is_marker = 0',
    ),
    deleteObject: db.prepare<[string, string], void>('DELETE FROM objects WHERE bucket_id = ? AND key = ?'),
    setObjectAcl: db.prepare<[string, string, string], void>('UPDATE objects SET acl = ? WHERE bucket_id = ? AND key = ?'),
    setObjectTags: db.prepare<[string, string, string], void>('UPDATE objects SET tags = ? WHERE bucket_id = ? AND key = ?'),
    // Only the sealedTags member of the envelope changes (a key rewrap may touch wrappedKey meanwhile).
    setCurrentSealedTags: db.prepare<[string | null, string | null, string, string, string], void>(
      `UPDATE objects SET tags = '[]', encryption = CASE WHEN ? IS NULL THEN json_remove(encryption, '$.sealedTags')
         ELSE json_set(encryption, '$.sealedTags', ?) END
       WHERE bucket_id = ? AND key = ? AND version_id = ? AND encryption IS NOT NULL`,
    ),
    // bucket, startAfter, prefix, [prefix upper bound], limit: one index range scan.
    listObjects: db.prepare<[string, string, string, number], ObjectRow>(
      `SELECT ${LISTED_OBJECT_COLUMNS} FROM objects WHERE bucket_id = ? AND key > ? AND key >= ? ORDER BY key LIMIT ?`,
    ),
    listObjectsBounded: db.prepare<[string, string, string, string, number], ObjectRow>(
      `SELECT ${LISTED_OBJECT_COLUMNS} FROM objects WHERE bucket_id = ? AND key > ? AND key >= ? AND key < ? ORDER BY key LIMIT ?`,
    ),
    // uploads and parts
    insertUpload: db.prepare<[UploadRow], void>(
      `INSERT INTO uploads (upload_id, bucket_id, key, initiated, owner, headers, user_metadata, acl,
                            storage_class, checksum_algorithm, checksum_type, tags, encryption,
                            lock_mode, lock_until, legal_hold)
       VALUES (@upload_id, @bucket_id, @key, @initiated, @owner, @headers, @user_metadata, @acl,
               @storage_class, @checksum_algorithm, @checksum_type, @tags, @encryption,
               @lock_mode, @lock_until, @legal_hold)`,
    ),
    getUpload: db.prepare<[string], UploadRow>('SELECT * FROM uploads WHERE upload_id = ?'),
    rememberCompletedUpload: db.prepare<[string, string, string, string, number, number, string], void>(
      `INSERT OR REPLACE INTO completed_uploads (upload_id, bucket_id, key, etag, object_modified, completed_at, version_id)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    forgetCompletedUploads: db.prepare<[number], void>('DELETE FROM completed_uploads WHERE completed_at < ?'),
    getCompletedUpload: db.prepare<
      [string, number],
      { upload_id: string; bucket_id: string; key: string; etag: string; object_modified: number; version_id: string | null }
    >(
      `SELECT upload_id, bucket_id, key, etag, object_modified, version_id FROM completed_uploads
       WHERE upload_id = ? AND completed_at >= ?`,
    ),
    deleteUpload: db.prepare<[string], void>('DELETE FROM uploads WHERE upload_id = ?'),
    listUploads: db.prepare<[string, string, string, string, number], UploadRow>(
      `SELECT * FROM uploads WHERE bucket_id = ? AND (key, upload_id) > (?, ?) AND key >= ?
       ORDER BY key, upload_id LIMIT ?`,
    ),
    listUploadsBounded: db.prepare<[string, string, string, string, string, number], UploadRow>(
      `SELECT * FROM uploads WHERE bucket_id = ? AND (key, upload_id) > (?, ?) AND key >= ? AND key < ?
       ORDER BY key, upload_id LIMIT ?`,
    ),
    listStaleUploads: db.prepare<[number, number], UploadRow>(
      'SELECT * FROM uploads WHERE initiated < ? ORDER BY initiated, upload_id LIMIT ?',
    ),
    getPartChunks: db.prepare<[string, number], { chunks: string }>('SELECT chunks FROM parts WHERE upload_id = ? AND part_number = ?'),
    upsertPart: db.prepare<[PartRow], void>(
      `INSERT INTO parts (upload_id, part_number, size, etag, last_modified, checksum, chunks)
       VALUES (@upload_id, @part_number, @size, @etag, @last_modified, @checksum, @chunks)
       ON CONFLICT (upload_id, part_number) DO UPDATE SET
         size = excluded.size, etag = excluded.etag, last_modified = excluded.last_modified,
         checksum = excluded.checksum, chunks = excluded.chunks`,
    ),
    listParts: db.prepare<[string, number, number], PartRow>(
      'SELECT * FROM parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?',
    ),
    deleteParts: db.prepare<[string], { chunks: string }>('DELETE FROM parts WHERE upload_id = ? RETURNING chunks'),
    // chunk bookkeeping
    refChunk: db.prepare<[string], void>(
      `INSERT INTO chunk_refs (chunk_id, refs) VALUES (?, 1)
       ON CONFLICT (chunk_id) DO UPDATE SET refs = refs + 1`,
    ),
    untrashChunk: db.prepare<[string], void>('DELETE FROM chunk_trash WHERE chunk_id = ?'),
    unrefChunk: db.prepare<[string], { refs: number }>('UPDATE chunk_refs SET refs = refs - 1 WHERE chunk_id = ? RETURNING refs'),
    dropChunkRef: db.prepare<[string], void>('DELETE FROM chunk_refs WHERE chunk_id = ?'),
    trashChunk: db.prepare<[string, number], void>(
      'INSERT INTO chunk_trash (chunk_id, trashed_at) VALUES (?, ?) ON CONFLICT (chunk_id) DO NOTHING',
    ),
    isChunkKnown: db.prepare<[string, string], { one: number }>(IS_CHUNK_KNOWN_SQL),
    listTrash: db.prepare<[number, number], { chunk_id: string; trashed_at: number }>(
      'SELECT chunk_id, trashed_at FROM chunk_trash WHERE trashed_at < ? ORDER BY trashed_at, chunk_id LIMIT ?',
    ),
    // credentials (separate file, attached as `cred`)
    putCredential: db.prepare<[CredentialRow], void>(
      `INSERT INTO cred.credentials (access_key, sealed_secret, user, role, permissions, created_at,
                                     last_used_at, revoked_at, expires_at)
       VALUES (@access_key, @sealed_secret, @user, @role, @permissions, @created_at,
               @last_used_at, @revoked_at, @expires_at)
       ON CONFLICT (access_key) DO UPDATE SET
         sealed_secret = excluded.sealed_secret, user = excluded.user, role = excluded.role,
         permissions = excluded.permissions, created_at = excluded.created_at,
         last_used_at = excluded.last_used_at, revoked_at = excluded.revoked_at,
         expires_at = excluded.expires_at`,
    ),
    getCredential: db.prepare<[string], CredentialRow>('SELECT * FROM cred.credentials WHERE access_key = ?'),
    listCredentials: db.prepare<[], CredentialRow>('SELECT * FROM cred.credentials ORDER BY created_at, access_key'),
    revokeCredential: db.prepare<[number, string], void>(
      'UPDATE cred.credentials SET revoked_at = ? WHERE access_key = ? AND revoked_at IS NULL',
    ),
    revokeAllCredentials: db.prepare<[number, number, string], void>(
      `UPDATE cred.credentials SET revoked_at = ?
       WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)
         AND access_key NOT IN (SELECT value FROM json_each(?))`,
    ),
    replaceSealedSecret: db.prepare<[Buffer, string, Buffer], void>(
      'UPDATE cred.credentials SET sealed_secret = ? WHERE access_key = ? AND sealed_secret = ?',
    ),
    expireCredential: db.prepare<[number, string], void>(
      'UPDATE cred.credentials SET expires_at = ? WHERE access_key = ? AND revoked_at IS NULL',
    ),
    touchCredential: db.prepare<[number, string, number], void>(
      `UPDATE cred.credentials SET last_used_at = ?
       WHERE access_key = ? AND (last_used_at IS NULL OR last_used_at <= ?)`,
    ),
    // settings
    getSetting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE name = ?'),
    putSetting: db.prepare<[string, string], void>(
      'INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
    ),
    deleteSetting: db.prepare<[string], void>('DELETE FROM settings WHERE name = ?'),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

function objectVersionRow(object: ObjectRecord): VersionRow {
  return {
    bucket_id: object.bucketId,
    key: object.key,
    version_id: object.versionId ?? 'null',
    version_seq: object.versionSeq ?? object.lastModified.getTime() * 1000,
    is_marker: 0,
    last_modified: object.lastModified.getTime(),
    owner: object.owner,
    lock_mode: object.retention?.mode ?? null,
    lock_until: object.retention?.retainUntil.getTime() ?? null,
    legal_hold: object.legalHold === true ? 1 : 0,
    record: encodeRecord(object),
  };
}

/** The history row's own columns (version, lock state) override what its record says. */
function versionRowToObject(row: VersionRow): ObjectRecord {
  return {
    ...decodeRecord(row.record ?? '{}'),
    versionId: row.version_id,
    versionSeq: row.version_seq,
    retention: lockRetention(row.lock_mode, row.lock_until),
    legalHold: row.legal_hold === 1,
  };
}

function versionEntry(row: VersionRow, isLatest: boolean): VersionEntry {
  if (row.record === null) {
    return {
      type: 'marker',
      isLatest,
      marker: {
        bucketId: row.bucket_id,
        key: row.key,
        versionId: row.version_id,
        versionSeq: row.version_seq,
        lastModified: new Date(row.last_modified),
        owner: row.owner,
      },
    };
  }
  return { type: 'object', object: versionRowToObject(row), isLatest };
}

/**
 * The embedded metadata backend: `<data>/metadata/anode.db`, with credentials in
 * `<data>/metadata/credentials.db` (kept apart so the secrets file can be guarded, backed up
 * and wiped on its own). better-sqlite3 is synchronous: reads run inline, writes go through
 * a group-commit batcher, and every multi-row change is one transaction.
 */
export class SqliteMetadataStore implements MetadataStore {
  readonly #db: Database.Database;
  readonly #s: Statements;
  readonly #k: KeyStatements;
  /** Envelopes in the objects' and uploads' `encryption` column (null before that column exists). */
  readonly #objectEnvelopes: EnvelopeSource | null;
  readonly #uploadEnvelopes: EnvelopeSource | null;
  readonly #envelopes: EnvelopeSource[];
  readonly #writes: WriteBatcher;
  /** accessKey -> ms of the last last_used_at write we queued (coalescing touchCredential). */
  readonly #touched = new Map<string, number>();
  /** Decoded rows for the request path, dropped on any write to their table (row-cache.ts). */
  readonly #bucketRows: RowCache<BucketRecord>;
  readonly #credentialRows: RowCache<CredentialRecord>;
  #closed = false;

  private constructor(db: Database.Database) {
    this.#db = db;
    this.#s = prepareStatements(db);
    this.#k = prepareKeyStatements(db);
    this.#bucketRows = new RowCache(db, 'main');
    this.#credentialRows = new RowCache(db, 'cred');
    watchWrites(this.#s, { buckets: this.#bucketRows, credentials: this.#credentialRows });
    watchWrites(this.#k, { buckets: this.#bucketRows, credentials: this.#credentialRows });
    this.#objectEnvelopes = envelopeSource(db, 'objects');
    this.#uploadEnvelopes = envelopeSource(db, 'uploads');
    this.#envelopes = [this.#objectEnvelopes, this.#uploadEnvelopes].filter((e): e is EnvelopeSource => e !== null);
    this.#writes = new WriteBatcher(db);
  }

  /** Opens (creating and migrating as needed) the store under `<dataDir>/metadata/`. */
  static async open(dataDir: string, options: SqliteStoreOptions = {}): Promise<SqliteMetadataStore> {
    const dir = join(dataDir, 'metadata');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const found: LoosePermissions[] = [];
    tighten(dir, 0o700, found); // metadata and secrets: owner only, even if created looser
    const mainPath = join(dir, 'anode.db');
    const credPath = join(dir, 'credentials.db');
    // SQLite gives -wal/-shm files the mode of the database file, so 0600 here covers them.
    secureFile(mainPath, found);
    secureFile(credPath, found);
    for (const f of found) options.onLoosePermissions?.(f);
    const db = new Database(mainPath);
    try {
      db.pragma('journal_mode = WAL');
      // FULL: a COMMIT is fsync'd, so an object acknowledged with 200 OK survives power loss.
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      // Objects and uploads reference their bucket's id: a bug that skipped the check in
      // putObject/createUpload fails loudly instead of leaving rows a bucket never owned.
      db.pragma('foreign_keys = ON');
      db.prepare('ATTACH DATABASE ? AS cred').run(credPath);
      db.pragma('cred.journal_mode = WAL');
      db.pragma('cred.synchronous = FULL');
      migrate(db, 'main', MAIN_MIGRATIONS);
      migrate(db, 'cred', CREDENTIAL_MIGRATIONS);
      return new SqliteMetadataStore(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#writes.flush();
    this.#db.close();
  }

  // ---- chunk bookkeeping (inside write transactions) ----

  #ref(ids: readonly string[]): void {
    for (const id of ids) {
      this.#s.refChunk.run(id);
      this.#s.untrashChunk.run(id); // referenced again: GC must not delete it
    }
  }

  /** Drops one reference per id; chunks nobody references any more go to the trash. */
  #unref(ids: readonly string[], now: number): void {
    for (const id of ids) {
      const row = this.#s.unrefChunk.get(id);
      if (row !== undefined && row.refs > 0) continue;
      if (row !== undefined) this.#s.dropChunkRef.run(id);
      this.#s.trashChunk.run(id, now);
    }
  }

  #putObjectNow(object: ObjectRecord, now: number): void {
    // After making room: a replaced null version no longer counts as newer.
    const released = this.#makeRoom(object.bucketId, object.key, object.versionId ?? 'null');
    const seq = this.#seqAbove(object.bucketId, object.key, object.versionSeq ?? object.lastModified.getTime() * 1000);
    this.#s.upsertObject.run(objectToRow({ ...object, versionSeq: seq }));
    // Reference the new chunks before releasing the old ones, so a chunk in both never
    // passes through the trash.
    this.#ref(object.chunks.map((c) => c.id));
    this.#unref(released, now);
  }

  /**
   * Before a new latest version `versionId` of the key: the current version moves into the
   * history, except that a new 'null' version replaces the key's null version wherever it
   * is. Returns the chunk ids of a replaced null version (to release).
   */
  #makeRoom(bucketId: string, key: string, versionId: string): string[] {
    const cur = this.#s.getObject.get(bucketId, key);
    if (cur !== undefined && versionId === 'null' && cur.version_id === 'null') {
      this.#s.deleteObject.run(bucketId, key);
      return chunkIdsOf(cur.chunks);
    }
    if (cur !== undefined) {
      this.#s.insertVersion.run(objectVersionRow(rowToObject(cur)));
      this.#s.deleteObject.run(bucketId, key);
    }
    if (versionId !== 'null') return [];
    const old = this.#s.getVersion.get(bucketId, key, 'null');
    if (old === undefined) return [];
    this.#s.deleteVersion.run(bucketId, key, 'null');
    return old.record === null ? [] : decodeRecord(old.record).chunks.map((c) => c.id);
  }

  /** The proposed sequence for a new latest version, or just above the key's newest if that is not older. */
  #seqAbove(bucketId: string, key: string, proposed: number): number {
    const newest = this.#s.newestSeq.get(bucketId, key, bucketId, key)?.seq ?? null;
    return newest === null || newest < proposed ? proposed : newest + 1;
  }

  /** Makes the newest version in the history current if the key has no current version and it is not a marker. */
  #settle(bucketId: string, key: string): void {
    if (this.#s.getObject.get(bucketId, key) !== undefined) return;
    const newest = this.#s.newestVersion.get(bucketId, key);
    if (newest === undefined || newest.record === null) return;
    this.#s.deleteVersion.run(bucketId, key, newest.version_id);
    this.#s.upsertObject.run(objectToRow(versionRowToObject(newest)));
  }

  #dropUploadNow(uploadId: string, now: number): void {
    const parts = this.#s.deleteParts.all(uploadId);
    this.#s.deleteUpload.run(uploadId);
    this.#unref(
      parts.flatMap((p) => chunkIdsOf(p.chunks)),
      now,
    );
  }

  // ---- buckets ----

  createBucket(bucket: BucketRecord): Promise<'created' | 'exists'> {
    return this.#writes.run(() => (this.#s.insertBucket.run(bucketToRow(bucket)).changes > 0 ? 'created' : 'exists'));
  }

  async getBucket(name: string): Promise<BucketRecord | null> {
    const hit = this.#bucketRows.get(name);
    if (hit !== undefined) return hit;
    const row = this.#s.getBucket.get(name);
    if (row === undefined) return null;
    const bucket = rowToBucket(row);
    this.#bucketRows.set(name, bucket);
    return bucket;
  }

  async listBuckets(): Promise<BucketRecord[]> {
    return this.#s.listBuckets.all().map(rowToBucket);
  }

  deleteBucket(bucketId: string): Promise<'deleted' | 'not-found' | 'not-empty'> {
    return this.#writes.run(() => {
      if (this.#s.bucketExists.get(bucketId) === undefined) return 'not-found';
      if (
        this.#s.bucketHasObjects.get(bucketId) !== undefined ||
        this.#s.bucketHasVersions.get(bucketId) !== undefined ||
        this.#s.bucketHasUploads.get(bucketId) !== undefined
      ) {
        return 'not-empty';
      }
      this.#s.deleteBucket.run(bucketId);
      return 'deleted';
    });
  }

  async setBucketAcl(bucketId: string, acl: Acl): Promise<void> {
    await this.#writes.run(() => this.#s.setBucketAcl.run(JSON.stringify(acl), bucketId));
  }

  async setBucketPolicy(bucketId: string, policy: string | null): Promise<void> {
    await this.#writes.run(() => this.#s.setBucketPolicy.run(policy, bucketId));
  }

  async setBucketPermissions(bucketId: string, permissions: Record<string, string[]>): Promise<void> {
    await this.#writes.run(() => this.#s.setBucketPermissions.run(JSON.stringify(permissions), bucketId));
  }

  async setBucketSetting<K extends keyof BucketSettings>(bucketId: string, name: K, value: BucketSettings[K] | null): Promise<void> {
    await this.#writes.run(() =>
      value === null || value === undefined
        ? this.#s.removeBucketSetting.run(name, bucketId)
        : this.#s.setBucketSetting.run(name, JSON.stringify(value), bucketId),
    );
  }

  async setBucketEncryption(bucketId: string, encryption: BucketEncryption | null): Promise<void> {
    await this.#writes.run(() => this.#s.setBucketEncryption.run(encryption === null ? null : JSON.stringify(encryption), bucketId));
  }

  // ---- objects ----

  async getObject(bucketId: string, key: string): Promise<ObjectRecord | null> {
    const row = this.#s.getObject.get(bucketId, key);
    return row === undefined ? null : rowToObject(row);
  }

  putObject(object: ObjectRecord): Promise<'ok' | 'no-bucket'> {
    return this.#writes.run(() => {
      // In the writing transaction of the single writer: a DeleteBucket either ran before
      // (the bucket is gone) or runs after (and finds this object).
      if (this.#s.bucketExists.get(object.bucketId) === undefined) return 'no-bucket';
      this.#putObjectNow(object, Date.now());
      return 'ok';
    });
  }

  deleteObject(bucketId: string, key: string): Promise<ObjectRecord | null> {
    return this.#writes.run(() => {
      const row = this.#s.getObject.get(bucketId, key);
      if (row === undefined) return null;
      this.#s.deleteObject.run(bucketId, key);
      const record = rowToObject(row);
      this.#unref(
        record.chunks.map((c) => c.id),
        Date.now(),
      );
      return record;
    });
  }

  setObjectAcl(bucketId: string, key: string, acl: Acl): Promise<boolean> {
    return this.#writes.run(() => this.#s.setObjectAcl.run(JSON.stringify(acl), bucketId, key).changes > 0);
  }

  setObjectTags(bucketId: string, key: string, tags: Tag[]): Promise<boolean> {
    return this.#writes.run(() => this.#s.setObjectTags.run(JSON.stringify(tags), bucketId, key).changes > 0);
  }

  async listObjects(bucketId: string, query: ListObjectsQuery): Promise<ObjectRecord[]> {
    const { prefix, startAfter, limit } = query;
    if (limit <= 0) return [];
    const bound = prefixUpperBound(prefix);
    const rows =
      bound === null
        ? this.#s.listObjects.all(bucketId, startAfter, prefix, limit)
        : this.#s.listObjectsBounded.all(bucketId, startAfter, prefix, bound, limit);
    return rows.map(rowToObject);
  }

  // ---- versions ----

  async getObjectVersion(bucketId: string, key: string, versionId: string | null): Promise<VersionEntry | null> {
    const cur = this.#s.getObject.get(bucketId, key);
    if (cur !== undefined && (versionId === null || cur.version_id === versionId)) {
      return { type: 'object', object: rowToObject(cur), isLatest: true };
    }
    const row = versionId === null ? this.#s.newestVersion.get(bucketId, key) : this.#s.getVersion.get(bucketId, key, versionId);
    if (row === undefined) return null;
    const newest = cur === undefined && (versionId === null || this.#s.newestVersion.get(bucketId, key)?.version_id === versionId);
    return versionEntry(row, newest);
  }

  putDeleteMarker(marker: DeleteMarkerRecord): Promise<'ok' | 'no-bucket'> {
    return this.#writes.run(() => {
      if (this.#s.bucketExists.get(marker.bucketId) === undefined) return 'no-bucket';
      const released = this.#makeRoom(marker.bucketId, marker.key, marker.versionId);
      const seq = this.#seqAbove(marker.bucketId, marker.key, marker.versionSeq);
      this.#s.insertVersion.run({
        bucket_id: marker.bucketId,
        key: marker.key,
        version_id: marker.versionId,
        version_seq: seq,
        is_marker: 1,
        last_modified: marker.lastModified.getTime(),
        owner: marker.owner,
        lock_mode: null,
        lock_until: null,
        legal_hold: 0,
        record: null,
      });
      this.#unref(released, Date.now());
      return 'ok';
    });
  }

  deleteVersion(bucketId: string, key: string, versionId: string, expect: LockState): Promise<VersionEntry | 'not-found' | 'changed'> {
    return this.#writes.run(() => {
      const cur = this.#s.getObject.get(bucketId, key);
      let entry: VersionEntry;
      if (cur !== undefined && cur.version_id === versionId) {
        const object = rowToObject(cur);
        if (!sameLock(object, expect)) return 'changed';
        this.#s.deleteObject.run(bucketId, key);
        this.#unref(
          object.chunks.map((c) => c.id),
          Date.now(),
        );
        entry = { type: 'object', object, isLatest: true };
      } else {
        const row = this.#s.getVersion.get(bucketId, key, versionId);
        if (row === undefined) return 'not-found';
        entry = versionEntry(row, false);
        if (entry.type === 'object') {
          if (!sameLock(entry.object, expect)) return 'changed';
          this.#unref(
            entry.object.chunks.map((c) => c.id),
            Date.now(),
          );
        }
        this.#s.deleteVersion.run(bucketId, key, versionId);
      }
      this.#settle(bucketId, key);
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
    return this.#writes.run(() => {
      const args = [
        retention?.mode ?? null,
        retention?.retainUntil.getTime() ?? null,
        bucketId,
        key,
        versionId,
        expect.retention?.mode ?? null,
        expect.retention?.retainUntil.getTime() ?? null,
        expect.legalHold ? 1 : 0,
      ] as const;
      if (this.#s.setCurrentRetention.run(...args).changes > 0) return 'ok';
      if (this.#s.setVersionRetention.run(...args).changes > 0) return 'ok';
      const cur = this.#s.getObject.get(bucketId, key);
      const exists = cur?.version_id === versionId || this.#s.getVersion.get(bucketId, key, versionId)?.is_marker === 0;
      return exists ? 'changed' : 'not-found';
    });
  }

  setLegalHold(bucketId: string, key: string, versionId: string, on: boolean): Promise<'ok' | 'not-found'> {
    return this.#writes.run(() => {
      const flag = on ? 1 : 0;
      if (this.#s.setCurrentLegalHold.run(flag, bucketId, key, versionId).changes > 0) return 'ok';
      return this.#s.setVersionLegalHold.run(flag, bucketId, key, versionId).changes > 0 ? 'ok' : 'not-found';
    });
  }

  patchVersion(bucketId: string, key: string, versionId: string, patch: VersionPatch): Promise<'ok' | 'not-found' | 'marker'> {
    return this.#writes.run(() => {
      const cur = this.#s.getObject.get(bucketId, key);
      if (cur !== undefined && cur.version_id === versionId) {
        if (patch.tags !== undefined) this.#s.setCurrentTags.run(JSON.stringify(patch.tags), bucketId, key, versionId);
        if (patch.acl !== undefined) this.#s.setCurrentAcl.run(JSON.stringify(patch.acl), bucketId, key, versionId);
        if (patch.sealedTags !== undefined) this.#s.setCurrentSealedTags.run(patch.sealedTags, patch.sealedTags, bucketId, key, versionId);
        return 'ok';
      }
      const row = this.#s.getVersion.get(bucketId, key, versionId);
      if (row === undefined) return 'not-found';
      if (row.record === null) return 'marker';
      // The row's own columns (lock state, ids) stay as they are; only the record changes.
      const record = patchedRecord(decodeRecord(row.record), patch);
      this.#s.setVersionRecord.run(encodeRecord(record), bucketId, key, versionId);
      return 'ok';
    });
  }

  async listVersions(bucketId: string, query: ListVersionsQuery): Promise<VersionEntry[]> {
    const { prefix, keyMarker, after, limit } = query;
    if (limit <= 0) return [];
    const bound = prefixUpperBound(prefix);
    const current =
      bound === null
        ? this.#s.listObjects.all(bucketId, keyMarker, prefix, limit)
        : this.#s.listObjectsBounded.all(bucketId, keyMarker, prefix, bound, limit);
    const history =
      bound === null
        ? this.#s.listVersions.all(bucketId, keyMarker, prefix, limit)
        : this.#s.listVersionsBounded.all(bucketId, keyMarker, prefix, bound, limit);
    const rest =
      after === null || !keyMarker.startsWith(prefix)
        ? []
        : this.#s.listKeyVersionsAfter.all(bucketId, keyMarker, after.versionSeq, after.versionSeq, after.versionId, limit);
    return mergeVersions(
      keyMarker,
      rest.map((r) => listedEntry(versionEntry(r, false))),
      current.map((r) => ({ type: 'object' as const, object: rowToObject(r), isLatest: true })),
      history.map((r) => listedEntry(versionEntry(r, false))),
      limit,
    );
  }

  async setBucketVersioning(bucketId: string, state: VersioningState): Promise<void> {
    await this.#writes.run(() => this.#s.setBucketVersioning.run(state, bucketId));
  }

  async setBucketObjectLock(bucketId: string, config: ObjectLockConfig | null): Promise<void> {
    await this.#writes.run(() => this.#s.setBucketObjectLock.run(config === null ? null : JSON.stringify(config), bucketId));
  }

  async setBucketLifecycle(bucketId: string, rules: LifecycleRule[] | null): Promise<void> {
    await this.#writes.run(() => this.#s.setBucketLifecycle.run(rules === null ? null : JSON.stringify(rules), bucketId));
  }

  // ---- multipart uploads ----

  createUpload(upload: UploadRecord): Promise<'ok' | 'no-bucket'> {
    return this.#writes.run(() => {
      if (this.#s.bucketExists.get(upload.bucketId) === undefined) return 'no-bucket';
      this.#s.insertUpload.run(uploadToRow(upload));
      return 'ok';
    });
  }

  async getUpload(uploadId: string): Promise<UploadRecord | null> {
    const row = this.#s.getUpload.get(uploadId);
    return row === undefined ? null : rowToUpload(row);
  }

  putPart(part: PartRecord): Promise<'ok' | 'no-upload'> {
    return this.#writes.run(() => {
      if (this.#s.getUpload.get(part.uploadId) === undefined) return 'no-upload';
      const old = this.#s.getPartChunks.get(part.uploadId, part.partNumber);
      this.#s.upsertPart.run(partToRow(part));
      // New chunks first: a chunk in both lists (a retried part reusing one) never passes through the trash.
      this.#ref(part.chunks.map((c) => c.id));
      if (old !== undefined) this.#unref(chunkIdsOf(old.chunks), Date.now());
      return 'ok';
    });
  }

  async listParts(uploadId: string, afterPartNumber: number, limit: number): Promise<PartRecord[]> {
    if (limit <= 0) return [];
    return this.#s.listParts.all(uploadId, afterPartNumber, limit).map(rowToPart);
  }

  async listUploads(bucketId: string, query: ListUploadsQuery): Promise<UploadRecord[]> {
    const { prefix, keyMarker, uploadIdMarker, limit } = query;
    if (limit <= 0) return [];
    const bound = prefixUpperBound(prefix);
    const rows =
      bound === null
        ? this.#s.listUploads.all(bucketId, keyMarker, uploadIdMarker, prefix, limit)
        : this.#s.listUploadsBounded.all(bucketId, keyMarker, uploadIdMarker, prefix, bound, limit);
    return rows.map(rowToUpload);
  }

  completeUpload(uploadId: string, object: ObjectRecord): Promise<'ok' | 'no-upload'> {
    return this.#writes.run(() => {
      // Inside one transaction of a single writer: the first of Complete/Abort to run
      // removes the upload, and the other finds it gone.
      if (this.#s.getUpload.get(uploadId) === undefined) return 'no-upload';
      const now = Date.now();
      this.#putObjectNow(object, now); // references the parts' chunks the object uses
      this.#dropUploadNow(uploadId, now); // so only unused parts reach the trash
      this.#s.forgetCompletedUploads.run(now - COMPLETED_UPLOAD_MEMORY_MS);
      const versionId = object.versionId ?? 'null';
      this.#s.rememberCompletedUpload.run(
        uploadId,
        object.bucketId,
        object.key,
        object.etag,
        object.lastModified.getTime(),
        now,
        versionId,
      );
      return 'ok';
    });
  }

  async getCompletedUpload(uploadId: string): Promise<CompletedUpload | null> {
    const r = this.#s.getCompletedUpload.get(uploadId, Date.now() - COMPLETED_UPLOAD_MEMORY_MS);
    return r === undefined
      ? null
      : {
          uploadId: r.upload_id,
          bucketId: r.bucket_id,
          key: r.key,
          etag: r.etag,
          objectModified: new Date(r.object_modified),
          versionId: r.version_id ?? 'null',
        };
  }

  abortUpload(uploadId: string): Promise<'ok' | 'no-upload'> {
    return this.#writes.run(() => {
      if (this.#s.getUpload.get(uploadId) === undefined) return 'no-upload';
      this.#dropUploadNow(uploadId, Date.now());
      return 'ok';
    });
  }

  async listStaleUploads(before: Date, limit: number): Promise<UploadRecord[]> {
    if (limit <= 0) return [];
    return this.#s.listStaleUploads.all(before.getTime(), limit).map(rowToUpload);
  }

  // ---- chunk bookkeeping for GC ----

  async isChunkKnown(id: string): Promise<boolean> {
    return this.#s.isChunkKnown.get(id, id) !== undefined;
  }

  async listTrash(before: Date, limit: number): Promise<TrashedChunk[]> {
    if (limit <= 0) return [];
    return this.#s.listTrash.all(before.getTime(), limit).map((r) => ({ id: r.chunk_id, trashedAt: new Date(r.trashed_at) }));
  }

  async removeFromTrash(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#writes.run(() => {
      for (const id of ids) this.#s.untrashChunk.run(id);
    });
  }

  // ---- credentials ----

  async putCredential(credential: CredentialRecord): Promise<void> {
    await this.#writes.run(() => this.#s.putCredential.run(credentialToRow(credential)));
    this.#touched.delete(credential.accessKey);
  }

  async getCredential(accessKey: string): Promise<CredentialRecord | null> {
    const hit = this.#credentialRows.get(accessKey);
    if (hit !== undefined) return hit;
    const row = this.#s.getCredential.get(accessKey);
    if (row === undefined) return null;
    const credential = rowToCredential(row);
    this.#credentialRows.set(accessKey, credential);
    return credential;
  }

  async listCredentials(): Promise<CredentialRecord[]> {
    return this.#s.listCredentials.all().map(rowToCredential);
  }

  revokeCredential(accessKey: string, at: Date): Promise<boolean> {
    return this.#writes.run(() => this.#s.revokeCredential.run(at.getTime(), accessKey).changes > 0);
  }

  revokeAllCredentials(at: Date, except: string[]): Promise<number> {
    return this.#writes.run(() => this.#s.revokeAllCredentials.run(at.getTime(), at.getTime(), JSON.stringify(except)).changes);
  }

  replaceSealedSecret(accessKey: string, from: Buffer, to: Buffer): Promise<boolean> {
    return this.#writes.run(() => this.#s.replaceSealedSecret.run(to, accessKey, from).changes > 0);
  }

  expireCredential(accessKey: string, at: Date): Promise<boolean> {
    return this.#writes.run(() => this.#s.expireCredential.run(at.getTime(), accessKey).changes > 0);
  }

  async touchCredential(accessKey: string, at: Date): Promise<void> {
    const ms = at.getTime();
    const last = this.#touched.get(accessKey);
    // Every authenticated request calls this; skip the write entirely when recent.
    if (last !== undefined && ms - last < TOUCH_INTERVAL_MS && ms >= last) return;
    if (this.#touched.size >= TOUCH_MEMO_LIMIT) this.#touched.clear();
    this.#touched.set(accessKey, ms);
    await this.#writes.run(() => this.#s.touchCredential.run(ms, accessKey, ms - TOUCH_INTERVAL_MS));
  }

  // ---- key registry ----

  async listKeys(): Promise<KeyRecord[]> {
    const versions = this.#k.allVersions.all();
    return this.#k.listKeys.all().map((row) =>
      rowToKey(
        row,
        versions.filter((v) => v.key_id === row.key_id),
      ),
    );
  }

  async getKey(keyId: string): Promise<KeyRecord | null> {
    const row = this.#k.getKey.get(keyId);
    return row === undefined ? null : rowToKey(row, this.#k.versionsOf.all(keyId));
  }

  createKey(keyId: string, provider: string, at: Date): Promise<'created' | 'exists'> {
    return this.#writes.run(() => {
      if (this.#k.insertKey.run(keyId, provider, at.getTime()).changes === 0) return 'exists';
      this.#k.insertVersion.run(keyId, 1, at.getTime());
      return 'created';
    });
  }

  addKeyVersion(keyId: string, version: number, at: Date): Promise<'ok' | 'no-key' | 'conflict'> {
    return this.#writes.run(() => {
      if (this.#k.getKey.get(keyId) === undefined) return 'no-key';
      if ((this.#k.maxVersion.get(keyId)?.v ?? 0) + 1 !== version) return 'conflict';
      this.#k.insertVersion.run(keyId, version, at.getTime());
      return 'ok';
    });
  }

  retireKeyVersion(keyId: string, version: number): Promise<'retired' | 'not-found' | 'in-use' | 'current' | 'already'> {
    return this.#writes.run(() => {
      const row = this.#k.getVersion.get(keyId, version);
      if (row === undefined) return 'not-found';
      if (row.state === 'retired') return 'already';
      if ((this.#k.maxVersion.get(keyId)?.v ?? 0) === version) return 'current';
      if (this.#k.versionInUse.get(keyId, version) !== undefined) return 'in-use';
      if (this.#envelopes.some((e) => e.inUse(keyId, version))) return 'in-use';
      this.#k.retireVersion.run(keyId, version);
      return 'retired';
    });
  }

  async putWrappedKey(key: StoredWrappedKey): Promise<void> {
    if (isReservedRef(key.ref)) throw new TypeError(`wrapped key ref ${key.ref} is reserved for object and upload envelopes`);
    await this.#writes.run(() => this.#k.putWrapped.run(wrappedToRow(key)));
  }

  async getWrappedKey(ref: string): Promise<StoredWrappedKey | null> {
    const parsed = parseRef(ref);
    if (parsed.kind === 'stored') {
      const row = this.#k.getWrapped.get(ref);
      return row === undefined ? null : rowToWrapped(row);
    }
    const [source, at] = this.#envelopeAt(parsed);
    const w = source === null ? null : envelopeKeyOf(source.get(at) ?? null);
    return w === null || w.provider === SSE_C_PROVIDER ? null : { ref, ...w, wrapped: Buffer.from(w.wrapped, 'base64') };
  }

  deleteWrappedKey(ref: string): Promise<boolean> {
    return this.#writes.run(() => this.#k.deleteWrapped.run(ref).changes > 0);
  }

  async listWrappedKeys(keyId: string, belowVersion: number, afterRef: string, limit: number): Promise<StoredWrappedKey[]> {
    if (limit <= 0) return [];
    const after = parseRef(afterRef);
    const out: StoredWrappedKey[] = [];
    if (after.kind === 'stored') out.push(...this.#k.listWrapped.all(keyId, belowVersion, afterRef, limit).map(rowToWrapped));
    const phases: ['object' | 'upload', string[]][] = [];
    if (after.kind === 'stored') phases.push(['object', []], ['upload', []]);
    else if (after.kind === 'object') phases.push(['object', [after.bucketId, after.key]], ['upload', []]);
    else phases.push(['upload', [after.uploadId]]);
    for (const [kind, from] of phases) {
      const source = kind === 'object' ? this.#objectEnvelopes : this.#uploadEnvelopes;
      if (source === null || out.length >= limit) continue;
      for (const row of source.list(from, keyId, belowVersion, limit - out.length)) {
        const w = envelopeKeyOf(row.encryption);
        if (w === null) continue;
        const ref = kind === 'object' ? objectRef(row.at[0]!, row.at[1]!) : uploadRef(row.at[0]!);
        out.push({ ref, ...w, wrapped: Buffer.from(w.wrapped, 'base64') });
      }
    }
    return out;
  }

  replaceWrappedKey(
    ref: string,
    expected: Pick<StoredWrappedKey, 'version' | 'wrapped'>,
    next: Omit<StoredWrappedKey, 'ref' | 'keyId'>,
  ): Promise<boolean> {
    return this.#writes.run(() => {
      const parsed = parseRef(ref);
      if (parsed.kind === 'stored') {
        return this.#k.replaceWrapped.run(next.provider, next.version, next.wrapped, ref, expected.version, expected.wrapped).changes > 0;
      }
      const [source, at] = this.#envelopeAt(parsed);
      if (source === null) return false;
      return source.replace(
        at,
        { version: expected.version, wrapped: expected.wrapped.toString('base64') },
        { provider: next.provider, version: next.version, wrapped: next.wrapped.toString('base64') },
      );
    });
  }

  async countWrappedKeys(): Promise<WrappedKeyCount[]> {
    const total = new Map<string, WrappedKeyCount>();
    const add = (keyId: string, version: number, n: number) => {
      const k = JSON.stringify([keyId, version]);
      const c = total.get(k);
      if (c === undefined) total.set(k, { keyId, version, count: n });
      else c.count += n;
    };
    for (const c of this.#k.countWrapped.all().map(rowToCount)) add(c.keyId, c.version, c.count);
    for (const e of this.#envelopes) for (const r of e.count()) add(r.key_id, r.version, r.n);
    return [...total.values()].sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : a.version - b.version));
  }

  #envelopeAt(parsed: Exclude<ParsedRef, { kind: 'stored' }>): [EnvelopeSource | null, string[]] {
    return parsed.kind === 'object' ? [this.#objectEnvelopes, [parsed.bucketId, parsed.key]] : [this.#uploadEnvelopes, [parsed.uploadId]];
  }

  // ---- settings ----

  async getSetting(name: string): Promise<string | null> {
    return this.#s.getSetting.get(name)?.value ?? null;
  }

  async putSetting(name: string, value: string | null): Promise<void> {
    await this.#writes.run(() => (value === null ? this.#s.deleteSetting.run(name) : this.#s.putSetting.run(name, value)));
  }
}
