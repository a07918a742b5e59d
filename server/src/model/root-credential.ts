import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { MetadataStore } from '../metadata/types.js';
import type { CredentialService } from './credentials.js';

export const ROOT_USER = 'root';

/** Where the first start (and `anode admin reset-root`) writes the root credential, 0600. */
export function rootCredentialsPath(dataDir: string): string {
  return join(dataDir, 'root-credentials');
}

/**
 * Writes the credential in the AWS shared-credentials format, so that
 * `AWS_SHARED_CREDENTIALS_FILE=<path> aws --endpoint-url ... s3 ls` works as is.
 * Written to a temp name with O_EXCL and mode 0600, then renamed: never world-readable.
 */
export async function writeRootCredentialsFile(path: string, accessKey: string, secretKey: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(
      `# Anode root credential (admin). Shown once; keep this file 0600 or delete it.\n[default]\naws_access_key_id = ${accessKey}\naws_secret_access_key = ${secretKey}\n`,
    );
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

const ACCESS_KEY_RE = /^[A-Z0-9]{16,128}$/;

/**
 * Makes sure an admin credential exists. With ANODE_ROOT_ACCESS_KEY/SECRET_KEY it is that
 * one (created if missing; a revoked one stays revoked — the way back is reset-root);
 * otherwise the very first start creates one and writes it to a 0600 file.
 */
export async function ensureRootCredential(options: {
  metadata: MetadataStore;
  credentials: CredentialService;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
}): Promise<void> {
  const { metadata, credentials, env, logger } = options;
  const ak = env['ANODE_ROOT_ACCESS_KEY'];
  const sk = env['ANODE_ROOT_SECRET_KEY'];
  if ((ak === undefined) !== (sk === undefined)) {
    throw new Error('ANODE_ROOT_ACCESS_KEY and ANODE_ROOT_SECRET_KEY must be set together');
  }
  if (ak !== undefined && sk !== undefined) {
    if (!ACCESS_KEY_RE.test(ak)) throw new Error('ANODE_ROOT_ACCESS_KEY must be 16-128 uppercase letters and digits');
    if (sk.length < 16 || sk.length > 128) throw new Error('ANODE_ROOT_SECRET_KEY must be 16-128 characters');
    const existing = await metadata.getCredential(ak);
    if (!existing) {
      await credentials.create({ user: ROOT_USER, role: 'admin', accessKey: ak, secretKey: sk });
      logger.info({ accessKey: ak }, 'root credential from ANODE_ROOT_ACCESS_KEY created');
    } else if (existing.revokedAt !== null) {
      logger.warn(
        { accessKey: ak },
        'the root credential from ANODE_ROOT_ACCESS_KEY is revoked; use `anode admin reset-root` to get back in',
      );
    } else if (!(await credentials.matches(ak, sk))) {
      throw new Error('ANODE_ROOT_SECRET_KEY does not match the stored secret for ANODE_ROOT_ACCESS_KEY');
    }
    return;
  }
  if ((await metadata.listCredentials()).length > 0) return;
  const created = await credentials.create({ user: ROOT_USER, role: 'admin' });
  const path = rootCredentialsPath(options.dataDir);
  await writeRootCredentialsFile(path, created.accessKey, created.secretKey);
  logger.info({ accessKey: created.accessKey, path }, 'first start: root credential created; the secret is in the file (mode 0600)');
  process.stdout.write(`anode: first start: root credential written to ${path} (mode 0600)\n`);
}
