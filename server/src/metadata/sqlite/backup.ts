/**
 * Online backup of the embedded SQLite metadata: SQLite's backup API (better-sqlite3
 * `db.backup`) copies each database page by page while the node keeps serving, and the
 * copy is a consistent snapshot of the database as of the end of the copy (pages changed
 * during it are copied again). Plain `cp` of a WAL database can miss committed writes
 * that are still only in the -wal file.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { chmod, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The files the SQLite backend keeps under `<data>/metadata/`. */
export const SQLITE_FILES = ['anode.db', 'credentials.db'] as const;

export interface SqliteBackupResult {
  files: { name: string; bytes: number }[];
}

/** Copies `<dataDir>/metadata/{anode,credentials}.db` into `outDir` (created by the caller), each file 0600. */
export async function backupSqliteMetadata(dataDir: string, outDir: string): Promise<SqliteBackupResult> {
  const files: { name: string; bytes: number }[] = [];
  for (const name of SQLITE_FILES) {
    const source = join(dataDir, 'metadata', name);
    if (!existsSync(source)) throw new Error(`${source} does not exist: is ${dataDir} a node's data directory?`);
    const target = join(outDir, name);
    const db = new Database(source, { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      await db.backup(target);
    } finally {
      db.close();
    }
    await chmod(target, 0o600);
    files.push({ name, bytes: (await stat(target)).size });
  }
  return { files };
}
