/**
 * logrotate support: after the access and audit logs are moved away, SIGHUP makes the
 * node write to fresh files at the configured paths; the moved files keep what they had.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rename } from 'node:fs/promises';
import { CreateBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { sdkClient } from '../helpers/s3-client.js';
import { AdminClient } from '../../shared/src/admin-api/client.js';

let node: AnodeNode;

before(async () => {
  node = await startNode();
});
after(async () => node.cleanup());

/** The server's pid, found by its --data argument (the helper does not expose it). */
async function serverPid(dataDir: string): Promise<number> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (args.some((a) => a.endsWith('main.js')) && args.includes('server') && args.includes(dataDir)) return Number(entry);
  }
  throw new Error(`no anode process for ${dataDir}`);
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const read = (path: string) => readFile(path, 'utf8').catch(() => '');

test('SIGHUP reopens the access and audit logs', async () => {
  const s3 = sdkClient(node);
  const admin = new AdminClient({ endpoint: node.adminUrl, credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey } });
  await s3.send(new CreateBucketCommand({ Bucket: 'rotate-before' }));
  await admin.setReadOnly(true);
  await admin.setReadOnly(false);
  await waitFor(async () => (await read(node.accessLog)).includes('rotate-before'), 'the access line');
  await rename(node.accessLog, `${node.accessLog}.1`);
  await rename(node.auditLog, `${node.auditLog}.1`);

  process.kill(await serverPid(node.dataDir), 'SIGHUP');
  await waitFor(async () => node.output().includes('logs reopened'), 'the reopen');
  await s3.send(new ListBucketsCommand({}));
  await s3.send(new CreateBucketCommand({ Bucket: 'rotate-after' }));
  await admin.setReadOnly(true);
  await admin.setReadOnly(false);

  await waitFor(async () => (await read(node.accessLog)).includes('rotate-after'), 'the new access log');
  const fresh = await read(node.accessLog);
  assert.ok(!fresh.includes('rotate-before'), 'the new access log starts empty');
  assert.ok((await read(`${node.accessLog}.1`)).includes('rotate-before'));
  await waitFor(async () => (await read(node.auditLog)).includes('readonly'), 'the new audit log');
  assert.ok((await read(`${node.auditLog}.1`)).includes('readonly'));
});
