import type Database from 'better-sqlite3';
import type { KeyRecord, KeyVersionRecord, StoredWrappedKey, WrappedKeyCount } from '../types.js';

/** The key registry's statements (kek_keys, kek_versions, object_keys), kept apart from the object statements. */
export function prepareKeyStatements(db: Database.Database): KeyStatements {
  return {
    listKeys: db.prepare<[], KeyRow>('SELECT * FROM kek_keys ORDER BY key_id'),
    getKey: db.prepare<[string], KeyRow>('SELECT * FROM kek_keys WHERE key_id = ?'),
    versionsOf: db.prepare<[string], VersionRow>('SELECT * FROM kek_versions WHERE key_id = ? ORDER BY version'),
    allVersions: db.prepare<[], VersionRow>('SELECT * FROM kek_versions ORDER BY key_id, version'),
    insertKey: db.prepare<[string, string, number], void>(
      'INSERT INTO kek_keys (key_id, provider, created_at) VALUES (?, ?, ?) ON CONFLICT (key_id) DO NOTHING',
    ),
    maxVersion: db.prepare<[string], { v: number | null }>('SELECT max(version) AS v FROM kek_versions WHERE key_id = ?'),
    insertVersion: db.prepare<[string, number, number], void>(
      "INSERT INTO kek_versions (key_id, version, created_at, state) VALUES (?, ?, ?, 'active')",
    ),
    getVersion: db.prepare<[string, number], VersionRow>('SELECT * FROM kek_versions WHERE key_id = ? AND version = ?'),
    versionInUse: db.prepare<[string, number], { one: number }>(
      'SELECT 1 AS one FROM object_keys WHERE key_id = ? AND version = ? LIMIT 1',
    ),
    retireVersion: db.prepare<[string, number], void>("UPDATE kek_versions SET state = 'retired' WHERE key_id = ? AND version = ?"),
    putWrapped: db.prepare<[WrappedRow], void>(
      `INSERT INTO object_keys (ref, provider, key_id, version, wrapped) VALUES (@ref, @provider, @key_id, @version, @wrapped)
       ON CONFLICT (ref) DO UPDATE SET provider = excluded.provider, key_id = excluded.key_id,
         version = excluded.version, wrapped = excluded.wrapped`,
    ),
    getWrapped: db.prepare<[string], WrappedRow>('SELECT * FROM object_keys WHERE ref = ?'),
    deleteWrapped: db.prepare<[string], void>('DELETE FROM object_keys WHERE ref = ?'),
    listWrapped: db.prepare<[string, number, string, number], WrappedRow>(
      'SELECT * FROM object_keys WHERE key_id = ? AND version < ? AND ref > ? ORDER BY ref LIMIT ?',
    ),
    replaceWrapped: db.prepare<[string, number, Buffer, string, number, Buffer], void>(
      'UPDATE object_keys SET provider = ?, version = ?, wrapped = ? WHERE ref = ? AND version = ? AND wrapped = ?',
    ),
    countWrapped: db.prepare<[], { key_id: string; version: number; n: number }>(
      'SELECT key_id, version, count(*) AS n FROM object_keys GROUP BY key_id, version ORDER BY key_id, version',
    ),
  };
}

export interface KeyStatements {
  listKeys: Database.Statement<[], KeyRow>;
  getKey: Database.Statement<[string], KeyRow>;
  versionsOf: Database.Statement<[string], VersionRow>;
  allVersions: Database.Statement<[], VersionRow>;
  insertKey: Database.Statement<[string, string, number], void>;
  maxVersion: Database.Statement<[string], { v: number | null }>;
  insertVersion: Database.Statement<[string, number, number], void>;
  getVersion: Database.Statement<[string, number], VersionRow>;
  versionInUse: Database.Statement<[string, number], { one: number }>;
  retireVersion: Database.Statement<[string, number], void>;
  putWrapped: Database.Statement<[WrappedRow], void>;
  getWrapped: Database.Statement<[string], WrappedRow>;
  deleteWrapped: Database.Statement<[string], void>;
  listWrapped: Database.Statement<[string, number, string, number], WrappedRow>;
  replaceWrapped: Database.Statement<[string, number, Buffer, string, number, Buffer], void>;
  countWrapped: Database.Statement<[], { key_id: string; version: number; n: number }>;
}

export interface KeyRow {
  key_id: string;
  provider: string;
  created_at: number;
}

export interface VersionRow {
  key_id: string;
  version: number;
  created_at: number;
  state: string;
}

export interface WrappedRow {
  ref: string;
  provider: string;
  key_id: string;
  version: number;
  wrapped: Buffer;
}

export function rowToVersion(row: VersionRow): KeyVersionRecord {
  return { version: row.version, createdAt: new Date(row.created_at), state: row.state === 'retired' ? 'retired' : 'active' };
}

export function rowToKey(row: KeyRow, versions: VersionRow[]): KeyRecord {
  return { keyId: row.key_id, provider: row.provider, createdAt: new Date(row.created_at), versions: versions.map(rowToVersion) };
}

export function wrappedToRow(key: StoredWrappedKey): WrappedRow {
  return { ref: key.ref, provider: key.provider, key_id: key.keyId, version: key.version, wrapped: key.wrapped };
}

export function rowToWrapped(row: WrappedRow): StoredWrappedKey {
  return { ref: row.ref, provider: row.provider, keyId: row.key_id, version: row.version, wrapped: Buffer.from(row.wrapped) };
}

export function rowToCount(row: { key_id: string; version: number; n: number }): WrappedKeyCount {
  return { keyId: row.key_id, version: row.version, count: row.n };
}

/** One table holding envelopes in an `encryption` JSON column (objects, uploads), by its row address. */
export interface EnvelopeSource {
  /** Rows after `after` (objects: [bucketId, key]; uploads: [uploadId]), in address order. */
  list(after: readonly string[], keyId: string, belowVersion: number, limit: number): EnvelopeRow[];
  get(at: readonly string[]): string | null | undefined;
  /** CAS on version and wrapped bytes; true when the row changed. */
  replace(
    at: readonly string[],
    expected: { version: number; wrapped: string },
    next: { provider: string; version: number; wrapped: string },
  ): boolean;
  count(): { key_id: string; version: number; n: number }[];
  inUse(keyId: string, version: number): boolean;
}

export interface EnvelopeRow {
  /** The row address: [bucketId, key] or [uploadId]. */
  at: string[];
  encryption: string;
}

/** json_extract of one field of the envelope's wrapped key. */
const WK = (field: string) => `json_extract(encryption, '$.wrappedKey.${field}')`;
/** The registry's envelopes only (never SSE-C's, wrapped by the customer's key). */
const REGISTRY_ENVELOPE = `encryption IS NOT NULL AND ${WK('provider')} <> 'sse-c'`;

/**
 * The objects' or uploads' envelopes, or null for a table without the `encryption` column
 * (a schema from before encryption at rest).
 */
export function envelopeSource(db: Database.Database, table: 'objects' | 'uploads'): EnvelopeSource | null {
  const has = db.prepare<[string], { one: number }>("SELECT 1 AS one FROM pragma_table_info(?) WHERE name = 'encryption'").get(table);
  if (has === undefined) return null;
  const cols = table === 'objects' ? ['bucket_id', 'key'] : ['upload_id'];
  const tuple = `(${cols.join(', ')})`;
  const marks = `(${cols.map(() => '?').join(', ')})`;
  const at = cols.map((c) => `${c} = ?`).join(' AND ');
  const list = db.prepare<unknown[], Record<string, string>>(
    `SELECT ${cols.join(', ')}, encryption FROM ${table}
     WHERE ${tuple} > ${marks} AND ${REGISTRY_ENVELOPE} AND ${WK('keyId')} = ? AND ${WK('version')} < ?
     ORDER BY ${cols.join(', ')} LIMIT ?`,
  );
  const get = db.prepare<unknown[], { encryption: string | null }>(`SELECT encryption FROM ${table} WHERE ${at}`);
  const replace = db.prepare<unknown[], void>(
    `UPDATE ${table}
     SET encryption = json_set(encryption, '$.wrappedKey.provider', ?, '$.wrappedKey.version', ?, '$.wrappedKey.wrapped', ?)
     WHERE ${at} AND ${REGISTRY_ENVELOPE} AND ${WK('version')} = ? AND ${WK('wrapped')} = ?`,
  );
  const count = db.prepare<[], { key_id: string; version: number; n: number }>(
    `SELECT ${WK('keyId')} AS key_id, ${WK('version')} AS version, count(*) AS n FROM ${table}
     WHERE ${REGISTRY_ENVELOPE} GROUP BY 1, 2`,
  );
  const inUse = db.prepare<[string, number], { one: number }>(
    `SELECT 1 AS one FROM ${table} WHERE ${REGISTRY_ENVELOPE} AND ${WK('keyId')} = ? AND ${WK('version')} = ? LIMIT 1`,
  );
  const start = cols.map(() => '');
  return {
    list: (after, keyId, belowVersion, limit) =>
      list.all(...(after.length === cols.length ? after : start), keyId, belowVersion, limit).map((r) => ({
        at: cols.map((c) => String(r[c])),
        encryption: String(r['encryption']),
      })),
    get: (a) => get.get(...a)?.encryption,
    replace: (a, expected, next) =>
      replace.run(next.provider, next.version, next.wrapped, ...a, expected.version, expected.wrapped).changes > 0,
    count: () => count.all(),
    inUse: (keyId, version) => inUse.get(keyId, version) !== undefined,
  };
}
