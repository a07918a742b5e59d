import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Config } from '../config/schema.js';
import { openMetadataStore } from '../metadata/open.js';
import { loadOrCreateMasterKey } from '../auth/secret-box.js';
import { CredentialService } from './credentials.js';
import { ROOT_USER, rootCredentialsPath, writeRootCredentialsFile } from './root-credential.js';
import { loadOrCreateAuditIdentity } from '../obs/audit-key.js';
import { AuditLog } from '../obs/audit-log.js';
import { userInfo, hostname } from 'node:os';

/**
 * Break-glass after `revoke-all` or a lost root key: run on the host, against the data
 * directory (so it needs the filesystem access only the node's operator has). Creates a
 * new admin credential for root, writes it to the 0600 root-credentials file, and records
 * the event in the audit log. Works whether the node is running or not (SQLite WAL).
 */
export async function resetRoot(options: { config: Config; masterKeyPath: string; auditLogPath: string | null }): Promise<void> {
  const dataDir = options.config.server.data_dir;
  await mkdir(dirname(options.masterKeyPath), { recursive: true, mode: 0o700 });
  const masterKey = await loadOrCreateMasterKey(options.masterKeyPath);
  const metadata = await openMetadataStore(options.config);
  try {
    const credentials = new CredentialService(metadata, masterKey);
    const created = await credentials.create({ user: ROOT_USER, role: 'admin' });
    const path = rootCredentialsPath(dataDir);
    await writeRootCredentialsFile(path, created.accessKey, created.secretKey);
    // The chained log continues after the running node's last line (AuditLog.open reads it).
    const log = AuditLog.open(options.auditLogPath, await loadOrCreateAuditIdentity(dataDir));
    log.write('system', 'root.reset', {
      access_key: created.accessKey,
      os_user: userInfo().username,
      host: hostname(),
      via: 'anode admin reset-root',
    });
    await log.close();
    process.stdout.write(`anode: new root credential ${created.accessKey} written to ${path} (mode 0600)\n`);
  } finally {
    await metadata.close();
  }
}
