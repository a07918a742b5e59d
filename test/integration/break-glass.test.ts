/**
 * Break-glass and metadata permissions on a real node (hardening issue 12):
 * - `anode admin reset-root`, run with nothing but --data (none of the node's config or
 *   environment), writes its audit line to the running node's audit log — one audit log —
 *   and each reset revokes the key an earlier reset made;
 * - a credentials.db found world-readable at start is tightened back to 0600, and that is
 *   not silent: a warning on the node's log and an audit line.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { AdminApiError, AdminClient } from '../../shared/src/admin-api/index.js';
import { SERVER_MAIN, startNode, type AnodeNode } from '../helpers/anode-node.js';

const run = promisify(execFile);

interface Creds {
  accessKey: string;
  secretKey: string;
}

async function readRootCredentials(dataDir: string): Promise<Creds> {
  const text = await readFile(join(dataDir, 'root-credentials'), 'utf8');
  const ak = /aws_access_key_id = (\S+)/.exec(text)?.[1];
  const sk = /aws_secret_access_key = (\S+)/.exec(text)?.[1];
  assert.ok(ak !== undefined && sk !== undefined, 'root-credentials has both keys');
  return { accessKey: ak, secretKey: sk };
}

async function auditEntries(path: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const adminAs = (node: AnodeNode, c: Creds) =>
  new AdminClient({ endpoint: node.adminUrl, credentials: { accessKeyId: c.accessKey, secretAccessKey: c.secretKey } });

/** reset-root with only --data: no ANODE_LOGGING_AUDIT_LOG, no config file. */
async function resetRoot(node: AnodeNode): Promise<string> {
  const { stdout } = await run(process.execPath, [SERVER_MAIN, 'admin', 'reset-root', '--data', node.dataDir], {
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: dirname(node.dataDir),
    } /* the node's HOME: its master key is under ~/.config/anode */,
  });
  return stdout;
}

describe('anode admin reset-root', () => {
  let node: AnodeNode;
  before(async () => {
    node = await startNode();
  });
  after(async () => {
    await node?.cleanup();
  });

  it("writes to the running node's audit log, not the one its own (default) config names", async () => {
    const out = await resetRoot(node);
    assert.match(out, /new root credential AKIA/);
    const first = await readRootCredentials(node.dataDir);
    const lines = (await auditEntries(node.auditLog)).filter((e) => e['action'] === 'root.reset');
    assert.equal(lines.length, 1, 'one root.reset line in the node audit log');
    assert.equal(lines[0]?.['access_key'], first.accessKey);
    // What reset-root's own config would have named: <data>/logs/audit.log. Nothing there.
    assert.deepEqual(await auditEntries(join(node.dataDir, 'logs', 'audit.log')), []);
    assert.equal((await adminAs(node, first).getStatus()).read_only, false);
  });

  it('a second reset revokes the key the first one made; the new key works', async () => {
    const first = await readRootCredentials(node.dataDir);
    const out = await resetRoot(node);
    const second = await readRootCredentials(node.dataDir);
    assert.notEqual(second.accessKey, first.accessKey);
    assert.match(out, new RegExp(`earlier break-glass key\\(s\\) revoked: ${first.accessKey}`));
    await assert.rejects(adminAs(node, first).getStatus(), (e: unknown) => e instanceof AdminApiError && e.code === 'InvalidAccessKeyId');
    assert.equal((await adminAs(node, second).getStatus()).read_only, false);
    const lines = (await auditEntries(node.auditLog)).filter((e) => e['action'] === 'root.reset');
    assert.equal(lines.length, 2);
    assert.deepEqual(lines[1]?.['revoked_break_glass'], [first.accessKey]);
    // The node's own root key (ANODE_ROOT_ACCESS_KEY) is not a break-glass key: untouched.
    assert.equal((await adminAs(node, { accessKey: node.accessKey, secretKey: node.secretKey }).getStatus()).read_only, false);
  });
});

describe('a world-readable credentials.db', () => {
  let node: AnodeNode;
  before(async () => {
    node = await startNode();
  });
  after(async () => {
    await node?.cleanup();
  });

  it('is chmod-ed back to 0600 at start, with a warning and an audit line', async () => {
    await node.stop();
    const cred = join(node.dataDir, 'metadata', 'credentials.db');
    await chmod(cred, 0o644);
    await node.restart();
    assert.equal((await stat(cred)).mode & 0o777, 0o600);
    const warning = node
      .output()
      .split('\n')
      .filter((l) => l.includes('credentials.db') && l.includes('open to group or others'));
    assert.equal(warning.length, 1, node.output());
    assert.equal((JSON.parse(warning[0]!) as { level: number }).level, 40, 'logged at warn');
    const lines = (await auditEntries(node.auditLog)).filter((e) => e['action'] === 'metadata.permissions_restored');
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.['path'], cred);
    assert.equal(lines[0]?.['was'], '644');
    assert.equal(lines[0]?.['now'], '600');
    // Nothing loose the next time: no new line.
    await node.restart();
    assert.equal((await auditEntries(node.auditLog)).filter((e) => e['action'] === 'metadata.permissions_restored').length, 1);
  });
});
