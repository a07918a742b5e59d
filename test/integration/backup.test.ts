// `anode admin backup --out DIR` on a running node with the embedded default (SQLite +
// local chunks), then a restore the way docs/operations.md says: a new node started from
// the backup serves the objects and credentials of the moment of the backup.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { REGION, SERVER_MAIN, startNode, type AnodeNode } from '../helpers/anode-node.js';
import { sdkClient, uniqueBucket } from '../helpers/s3-client.js';

let node: AnodeNode;
let restored: AnodeNode;
const work = mkdtempSync(join(tmpdir(), 'anode-backup-'));
const bucket = uniqueBucket('bk');
const big = randomBytes(3 * 1024 * 1024 + 17); // three 1 MiB chunks and a bit

before(async () => {
  node = await startNode({ env: { ANODE_STORAGE_CHUNK_SIZE_MIB: '1' } });
  restored = await startNode({ env: { ANODE_STORAGE_CHUNK_SIZE_MIB: '1' } });
});

after(async () => {
  await node.cleanup();
  await restored.cleanup();
  rmSync(work, { recursive: true, force: true });
});

function backup(out: string, extra: string[] = []) {
  return spawnSync(process.execPath, [SERVER_MAIN, 'admin', 'backup', '--data', node.dataDir, '--out', out, ...extra], {
    encoding: 'utf8',
    // The node's HOME: its master key is [auth] master_key_file's default, ~/.config/anode/master.key.
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dirname(node.dataDir), ANODE_LOGGING_AUDIT_LOG: node.auditLog },
    timeout: 60_000,
  });
}

test('anode admin backup copies a running node; a node started from the copy serves what was there', async () => {
  const s3 = sdkClient(node);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'small.txt', Body: 'before the backup' }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'big.bin', Body: big }));

  const out = join(work, 'backup-1');
  const r = backup(out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /anode: backup of .* written to .*: anode\.db, credentials\.db, master\.key, \d+ chunks/);
  const manifest = JSON.parse(readFileSync(join(out, 'MANIFEST.json'), 'utf8')) as {
    format: string;
    chunks: number;
    metadata_backend: string;
  };
  assert.equal(manifest.format, 'anode-backup-1');
  assert.equal(manifest.metadata_backend, 'sqlite');
  // big.bin's chunks; small.txt is kept inline in anode.db (and comes back from there below).
  assert.ok(manifest.chunks >= 4, `${manifest.chunks} chunks`);
  assert.equal(statSync(out).mode & 0o777, 0o700);
  for (const f of ['metadata/anode.db', 'metadata/credentials.db', 'master.key'])
    assert.equal(statSync(join(out, f)).mode & 0o777, 0o600, f);
  assert.match(readFileSync(node.auditLog, 'utf8'), /"action":"node\.backup"/, 'the backup is in the audit log');

  // Written after the backup: not in the restore.
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'after.txt', Body: 'after the backup' }));

  // Restore (docs/operations.md): stop, replace metadata/ and chunks/ with the backup's, start.
  await restored.stop();
  for (const d of ['metadata', 'chunks']) rmSync(join(restored.dataDir, d), { recursive: true, force: true });
  mkdirSync(restored.dataDir, { recursive: true });
  cpSync(join(out, 'metadata'), join(restored.dataDir, 'metadata'), { recursive: true });
  cpSync(join(out, 'chunks'), join(restored.dataDir, 'chunks'), { recursive: true });
  // The master key goes back to where the node reads it ([auth] master_key_file), never into the data dir.
  cpSync(join(out, 'master.key'), join(dirname(restored.dataDir), '.config', 'anode', 'master.key'));
  await restored.restart();

  // The original node's root key works on the restored node: credentials and the master key came along.
  const asBefore = new S3Client({
    endpoint: restored.s3Url,
    region: REGION,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey },
  });
  const keys = ((await asBefore.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key).sort();
  assert.deepEqual(keys, ['big.bin', 'small.txt']);
  const got = await asBefore.send(new GetObjectCommand({ Bucket: bucket, Key: 'big.bin' }));
  assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(big), 'multi-chunk object intact');
  const small = await asBefore.send(new GetObjectCommand({ Bucket: bucket, Key: 'small.txt' }));
  assert.equal(await small.Body!.transformToString(), 'before the backup');
});

test('anode admin backup refuses a non-empty --out, a missing --out, and the PostgreSQL backend', () => {
  const used = join(work, 'used');
  mkdirSync(used);
  writeFileSync(join(used, 'x'), 'x');
  const full = backup(used);
  assert.equal(full.status, 2, full.stderr);
  assert.match(full.stderr, /is not empty/);
  const none = spawnSync(process.execPath, [SERVER_MAIN, 'admin', 'backup', '--data', node.dataDir], { encoding: 'utf8' });
  assert.equal(none.status, 2);
  assert.match(none.stderr, /needs --out DIR/);
  const pg = backup(join(work, 'pg'), []);
  assert.equal(pg.status, 0, 'sanity: the same call works on sqlite');
  const refused = spawnSync(process.execPath, [SERVER_MAIN, 'admin', 'backup', '--data', node.dataDir, '--out', join(work, 'pg2')], {
    encoding: 'utf8',
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: work,
      ANODE_STORAGE_METADATA_BACKEND: 'postgres',
      ANODE_STORAGE_POSTGRES_URL: 'postgres://x@127.0.0.1:1/x',
    },
  });
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(refused.stderr, /pg_dump/);
  assert.ok(!existsSync(join(work, 'pg2')), 'nothing written');
});
