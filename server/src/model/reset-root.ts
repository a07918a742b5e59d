import { readFile } from 'node:fs/promises';
import type { Config } from '../config/schema.js';
import { nodePaths, parseRecordedPaths, recordedPathsFile } from '../config/paths.js';
import { openMetadataStore } from '../metadata/open.js';
import type { MetadataStore } from '../metadata/types.js';
import { openKeyProvider } from '../keys/open-provider.js';
import { KeyRegistry } from '../keys/key-registry.js';
import { openCredentialMasterKey } from './credential-master-key.js';
import { CredentialService } from './credentials.js';
import { ROOT_USER, rootCredentialsPath, writeRootCredentialsFile } from './root-credential.js';
import { loadOrCreateAuditIdentity } from '../obs/audit-key.js';
import { AuditLog } from '../obs/audit-log.js';
import { userInfo, hostname } from 'node:os';

/** The access keys made by earlier resets: each reset revokes them (a break-glass key is single-use). */
export const BREAK_GLASS_SETTING = 'break_glass_keys';

async function earlierBreakGlassKeys(metadata: MetadataStore): Promise<string[]> {
  const text = await metadata.getSetting(BREAK_GLASS_SETTING);
  if (text === null) return [];
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v.filter((k): k is string => typeof k === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * The audit log the node on this data directory writes (recorded at its start), so there
 * is one audit log whatever config reset-root itself was given; `fallback` (from its own
 * config) when no node has recorded one.
 */
export async function nodeAuditLogPath(dataDir: string, fallback: string | null): Promise<string | null> {
  const text = await readFile(recordedPathsFile(dataDir), 'utf8').catch(() => null);
  const recorded = text === null ? null : parseRecordedPaths(text);
  return recorded === null ? fallback : recorded.audit_log;
}

/**
 * Break-glass after `revoke-all` or a lost root key: run on the host, against the data
 * directory (so it needs the filesystem access only the node's operator has). Creates a
 * new admin credential for root, revokes the keys earlier resets made, writes the new one
 * to the 0600 root-credentials file, and records the event in the node's audit log. Works
 * whether the node is running or not (SQLite WAL).
 */
export async function resetRoot(options: {
  config: Config;
  auditLogPath: string | null;
}): Promise<{ accessKey: string; revoked: string[]; auditLog: string | null }> {
  const dataDir = options.config.server.data_dir;
  const metadata = await openMetadataStore(options.config);
  // The running node's audit log (recorded in node-paths.json), one audit log whatever
  // config this command runs with; the chained log continues after its last line.
  const auditLog = await nodeAuditLogPath(dataDir, options.auditLogPath);
  const log = AuditLog.open(auditLog, await loadOrCreateAuditIdentity(dataDir));
  const provider = await openKeyProvider(options.config).catch(async (err: unknown) => {
    await metadata.close();
    throw err;
  });
  try {
    // The same master key the server uses (and the same one-time migration, if it has not run yet).
    const keys = provider === null ? null : await KeyRegistry.open(metadata, provider);
    const master = await openCredentialMasterKey({
      paths: nodePaths(options.config),
      metadata,
      keys,
      audit: (action, details) => log.write('system', action, details),
    });
    const masterKey = master.key;
    const credentials = new CredentialService(metadata, masterKey);
    const created = await credentials.create({ user: ROOT_USER, role: 'admin' });
    const at = new Date();
    const revoked: string[] = [];
    for (const key of await earlierBreakGlassKeys(metadata)) {
      if (key !== created.accessKey && (await metadata.revokeCredential(key, at))) revoked.push(key);
    }
    await metadata.putSetting(BREAK_GLASS_SETTING, JSON.stringify([created.accessKey]));
    const path = rootCredentialsPath(dataDir);
    await writeRootCredentialsFile(path, created.accessKey, created.secretKey);
    log.write('system', 'root.reset', {
      access_key: created.accessKey,
      revoked_break_glass: revoked,
      os_user: userInfo().username,
      host: hostname(),
      via: 'anode admin reset-root',
    });
    process.stdout.write(`anode: new root credential ${created.accessKey} written to ${path} (mode 0600)\n`);
    if (revoked.length > 0) process.stdout.write(`anode: earlier break-glass key(s) revoked: ${revoked.join(', ')}\n`);
    return { accessKey: created.accessKey, revoked, auditLog };
  } finally {
    await log.close();
    await provider?.close();
    await metadata.close();
  }
}
