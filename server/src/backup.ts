/**
 * `anode admin backup --out DIR`: a copy of a node's state that a new node can start from,
 * taken while the node runs. For the embedded default (SQLite metadata, local chunks):
 *
 *   DIR/metadata/anode.db, credentials.db   SQLite online backups (consistent snapshots)
 *   DIR/master.key                          the key that seals credential secrets (0600), kept
 *                                           apart from metadata/: restore it to [auth] master_key_file
 *   DIR/chunks/<shard>/<id>                 every chunk file, copied after the snapshot
 *   DIR/MANIFEST.json                       what was copied, from where, when, by which version
 *
 * DIR is laid out like a data directory: restoring is copying it into place (see
 * docs/operations.md). With metadata_backend = "postgres" the metadata is PostgreSQL's to
 * back up (pg_dump); this command refuses rather than copy half a node.
 */
import { copyFile, chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { hostname } from 'node:os';
import type { Config } from './config/schema.js';
import { ConfigError } from './config/load.js';
import { nodePaths } from './config/paths.js';
import { loadOrCreateAuditIdentity } from './obs/audit-key.js';
import { backupSqliteMetadata } from './metadata/sqlite/backup.js';
import { copyLocalChunks } from './chunks/local-chunk-backup.js';
import { AuditLog } from './obs/audit-log.js';
import { VERSION } from './version.js';

export interface BackupManifest {
  format: 'anode-backup-1';
  anode_version: string;
  created_at: string;
  host: string;
  data_dir: string;
  metadata_backend: 'sqlite';
  metadata: { name: string; bytes: number }[];
  master_key: string;
  chunks: number;
  chunk_bytes: number;
}

async function emptyOrMissing(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (entries.length > 0) throw new ConfigError(`--out ${dir} is not empty: give a new directory for each backup`);
}

export async function backupNode(config: Config, out: string): Promise<BackupManifest> {
  if (config.storage.metadata_backend === 'postgres')
    throw new ConfigError(
      'metadata_backend = "postgres": back the metadata up with pg_dump, and the chunks with copy or rsync of <data>/chunks (docs/operations.md)',
    );
  const p = nodePaths(config);
  const dir = resolve(out);
  await emptyOrMissing(dir);
  await mkdir(join(dir, 'metadata'), { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const started = new Date();
  // Metadata first, then chunks: every chunk the snapshot references is still on disk
  // (GC keeps replaced chunks for gc.trash_delay_seconds).
  const metadata = await backupSqliteMetadata(p.data, join(dir, 'metadata'));
  // The master key lives outside the data dir ([auth] master_key_file); the copy goes beside
  // metadata/, not in it, so restoring metadata/ alone never puts it in a data directory.
  await copyFile(p.masterKey, join(dir, 'master.key'));
  await chmod(join(dir, 'master.key'), 0o600);
  const chunks = await copyLocalChunks(p.data, join(dir, 'chunks'));
  const manifest: BackupManifest = {
    format: 'anode-backup-1',
    anode_version: VERSION,
    created_at: started.toISOString(),
    host: hostname(),
    data_dir: p.data,
    metadata_backend: 'sqlite',
    metadata: metadata.files,
    master_key: p.masterKey,
    chunks: chunks.chunks,
    chunk_bytes: chunks.bytes,
  };
  await writeFile(join(dir, 'MANIFEST.json'), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  // The node's chained audit log: this line continues the chain after its last line.
  const log = AuditLog.open(p.auditLog, await loadOrCreateAuditIdentity(p.data));
  log.write('system', 'node.backup', {
    out: dir,
    chunks: chunks.chunks,
    chunk_bytes: chunks.bytes,
    via: 'anode admin backup',
  });
  await log.close();
  return manifest;
}
