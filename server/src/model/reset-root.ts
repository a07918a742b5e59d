import type { Config } from '../config/schema.js';
import { nodePaths } from '../config/paths.js';
import { openMetadataStore } from '../metadata/open.js';
import { openKeyProvider } from '../keys/open-provider.js';
import { KeyRegistry } from '../keys/key-registry.js';
import { openCredentialMasterKey } from './credential-master-key.js';
import { CredentialService } from './credentials.js';
import { ROOT_USER, rootCredentialsPath, writeRootCredentialsFile } from './root-credential.js';
import { JsonLinesLog } from '../obs/json-lines-log.js';
import { AuditLog } from '../obs/audit-log.js';
import { userInfo, hostname } from 'node:os';

/**
 * Break-glass after `revoke-all` or a lost root key: run on the host, against the data
 * directory (so it needs the filesystem access only the node's operator has). Creates a
 * new admin credential for root, writes it to the 0600 root-credentials file, and records
 * the event in the audit log. Works whether the node is running or not (SQLite WAL).
 */
export async function resetRoot(options: { config: Config; auditLogPath: string | null }): Promise<void> {
  const dataDir = options.config.server.data_dir;
  const metadata = await openMetadataStore(options.config);
  const log = new JsonLinesLog(options.auditLogPath);
  const audit = new AuditLog(log);
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
      audit: (action, details) => audit.write('system', action, details),
    });
    const masterKey = master.key;
    const credentials = new CredentialService(metadata, masterKey);
    const created = await credentials.create({ user: ROOT_USER, role: 'admin' });
    const path = rootCredentialsPath(dataDir);
    await writeRootCredentialsFile(path, created.accessKey, created.secretKey);
    audit.write('system', 'root.reset', {
      access_key: created.accessKey,
      os_user: userInfo().username,
      host: hostname(),
      via: 'anode admin reset-root',
    });
    process.stdout.write(`anode: new root credential ${created.accessKey} written to ${path} (mode 0600)\n`);
  } finally {
    await log.close();
    await provider?.close();
    await metadata.close();
  }
}
