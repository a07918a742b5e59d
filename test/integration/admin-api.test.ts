// The admin API against real nodes: SigV4 admin auth, the credential lifecycle driven
// with the real aws-cli (/usr/bin/aws), bucket permission grants, bucket policy Deny,
// read-only mode, GC, audit lines, lockdown, the blocklist and metrics.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile, mkdir, utimes, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { AdminApiError, AdminClient, sendRaw, sendSignedRequest } from '../../shared/src/admin-api/index.js';
import { SERVER_MAIN, startNode, type AnodeNode } from '../helpers/anode-node.js';
import { isolatedClientEnv, requireTool, runCommand } from '../helpers/run-command.js';
import { expectS3Error, sdkClient, uniqueBucket } from '../helpers/s3-client.js';

const AWS = '/usr/bin/aws';
const run = promisify(execFile);

function adminFor(node: AnodeNode, creds?: { accessKey: string; secretKey: string }, localAddress?: string): AdminClient {
  const c = creds ?? node;
  return new AdminClient({
    endpoint: node.adminUrl,
    credentials: { accessKeyId: c.accessKey, secretAccessKey: c.secretKey },
    ...(localAddress !== undefined ? { localAddress } : {}),
  });
}

async function expectAdminError(p: Promise<unknown>, status: number, code: string): Promise<AdminApiError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AdminApiError, `expected AdminApiError, got ${String(err)}`);
    assert.equal(`${err.status} ${err.code}`, `${status} ${code}`, err.message);
    return err;
  }
  return assert.fail(`expected ${status} ${code}, but the call succeeded`);
}

async function aws(node: AnodeNode, creds: { accessKey: string; secretKey: string }, args: string[]) {
  return runCommand(AWS, ['--endpoint-url', node.s3Url, ...args], { env: await isolatedClientEnv(creds), timeoutMs: 60_000 });
}

/** Audit entries as written, parsed (the stream is flushed within a few ms of the answer). */
async function auditEntries(node: AnodeNode): Promise<Record<string, unknown>[]> {
  await new Promise((r) => setTimeout(r, 100));
  const text = await readFile(node.auditLog, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function readRootCredentials(dataDir: string): Promise<{ accessKey: string; secretKey: string }> {
  const text = await readFile(join(dataDir, 'root-credentials'), 'utf8');
  const ak = /aws_access_key_id = (\S+)/.exec(text)?.[1];
  const sk = /aws_secret_access_key = (\S+)/.exec(text)?.[1];
  assert.ok(ak !== undefined && sk !== undefined, 'root-credentials has both keys');
  return { accessKey: ak, secretKey: sk };
}

describe('admin API auth and plumbing', () => {
  let node: AnodeNode;
  before(async () => {
    node = await startNode();
  });
  after(async () => {
    await node.cleanup();
  });

  test('/health and /metrics are open; /admin/* refuses unsigned, badly signed, presigned and non-admin callers', async () => {
    const health = await sendRaw({ method: 'GET', url: `${node.adminUrl}/health` });
    assert.equal(health.status, 200);
    assert.equal((JSON.parse(health.body.toString()) as { status: string }).status, 'ok');

    const unsigned = await sendRaw({ method: 'GET', url: `${node.adminUrl}/admin/status` });
    assert.equal(unsigned.status, 403);
    const body = JSON.parse(unsigned.body.toString()) as { error: { code: string; request_id: string } };
    assert.equal(body.error.code, 'AccessDenied');
    assert.match(body.error.request_id, /^[0-9A-F]{16}$/);

    await expectAdminError(
      adminFor(node, { accessKey: node.accessKey, secretKey: 'x'.repeat(40) }).getStatus(),
      403,
      'SignatureDoesNotMatch',
    );
    await expectAdminError(
      adminFor(node, { accessKey: 'AKIAUNKNOWNUNKNOWN00', secretKey: 'x'.repeat(40) }).getStatus(),
      403,
      'InvalidAccessKeyId',
    );

    const { presignUrl } = await import('../../shared/src/sigv4/index.js');
    const presigned = presignUrl({
      method: 'GET',
      url: `${node.adminUrl}/admin/status`,
      credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey },
      region: 'us-east-1',
      service: 's3',
      now: new Date(),
      expiresIn: 300,
    });
    const viaLink = await sendRaw({ method: 'GET', url: presigned });
    assert.equal(viaLink.status, 403, 'an admin request cannot be a shareable link');

    const user = await adminFor(node).createCredential({ user: 'plain' });
    await expectAdminError(adminFor(node, { accessKey: user.access_key, secretKey: user.secret_key }).getStatus(), 403, 'AccessDenied');
    const denied = (await auditEntries(node)).filter((e) => e['action'] === 'admin.denied');
    assert.equal(denied.length, 1);
    assert.equal(denied[0]!['access_key'], user.access_key);

    const metrics = await sendRaw({ method: 'GET', url: `${node.adminUrl}/metrics` });
    assert.match(metrics.body.toString(), /anode_requests_total\{api="admin",method="GET",status="200"\} \d+/);
    assert.match(metrics.body.toString(), /anode_requests_total\{api="admin",method="GET",status="403"\} \d+/);
  });

  test('the signed body hash is checked: a body swapped after signing is refused', async () => {
    // Sign one body, send another of the same length.
    const signedBody = JSON.stringify({ user: 'alice' });
    const sentBody = JSON.stringify({ user: 'mallo' });
    const { signRequest } = await import('../../shared/src/sigv4/index.js');
    const { sha256Hex } = await import('../../shared/src/admin-api/index.js');
    const url = `${node.adminUrl}/admin/credentials`;
    const headers = { host: new URL(url).host, 'content-type': 'application/json', 'content-length': String(signedBody.length) };
    const auth = signRequest({
      method: 'POST',
      url,
      headers,
      bodySha256: sha256Hex(signedBody),
      credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey },
      region: 'us-east-1',
      service: 's3',
      now: new Date(),
    });
    const res = await sendRaw({ method: 'POST', url, headers: { ...headers, ...auth }, body: sentBody });
    assert.equal(res.status, 400);
    assert.match(res.body.toString(), /XAmzContentSHA256Mismatch/);
    const list = await adminFor(node).listCredentials();
    assert.ok(!list.credentials.some((c) => c.user === 'mallo'), 'nothing was created');
  });

  test('unknown routes are 404, wrong methods 405 with Allow, bad bodies 400 naming the field', async () => {
    const c = adminFor(node);
    const res = await sendSignedRequest({
      method: 'GET',
      url: `${node.adminUrl}/admin/nope`,
      credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey },
      region: 'us-east-1',
    });
    assert.equal(res.status, 404);
    const put = await sendSignedRequest({
      method: 'PUT',
      url: `${node.adminUrl}/admin/status`,
      credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey },
      region: 'us-east-1',
    });
    assert.equal(put.status, 405);
    assert.equal(put.headers['allow'], 'GET');
    const e1 = await expectAdminError(c.call('createCredential', { body: { user: 'bad user!' } }), 400, 'InvalidRequest');
    assert.match(e1.message, /"user"/);
    const e2 = await expectAdminError(c.call('createCredential', { body: { user: 'ok', role: 'root' as 'admin' } }), 400, 'InvalidRequest');
    assert.match(e2.message, /role/);
    const e3 = await expectAdminError(c.call('createCredential', { body: { user: 'ok', permissions: ['fly'] } }), 400, 'InvalidRequest');
    assert.match(e3.message, /fly/);
    await expectAdminError(
      c.call('createCredential', { body: { user: 'ok', extra: 1 } as unknown as { user: string } }),
      400,
      'InvalidRequest',
    );
    await expectAdminError(c.revokeCredential('AKIANOSUCHKEY0000000'), 404, 'NoSuchCredential');
    await expectAdminError(c.getBucketPermissions('no-such-bucket'), 404, 'NoSuchBucket');
    await expectAdminError(c.addBlock('not-an-ip'), 400, 'InvalidRequest');
    await expectAdminError(c.getAudit({ since: 'yesterday' }), 400, 'InvalidRequest');
  });

  test('status reports version, listeners, read-only, counts and GC', async () => {
    const s = await adminFor(node).getStatus();
    assert.equal(s.version, '0.1.0');
    assert.equal(s.read_only, false);
    assert.equal(s.tls, false);
    assert.equal(s.admin_listen, `127.0.0.1:${node.adminPort}`);
    assert.equal(s.s3_listen, `127.0.0.1:${node.s3Port}`);
    assert.ok(s.credentials.admin >= 1);
    assert.equal(typeof s.gc.running, 'boolean');
  });
});

describe('credential lifecycle with aws-cli, revoke-all and break-glass', () => {
  let node: AnodeNode;
  before(async () => {
    requireTool(AWS, 'awscli');
    node = await startNode();
  });
  after(async () => {
    await node.cleanup();
  });

  test('create → use → rotate → old refused with InvalidAccessKeyId → revoke-all → reset-root → back in', async () => {
    const admin = adminFor(node);
    const created = await admin.createCredential({ user: 'alice', role: 'admin' });
    assert.match(created.access_key, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(created.secret_key.length, 40);
    const alice = { accessKey: created.access_key, secretKey: created.secret_key };
    const list = await admin.listCredentials();
    assert.ok(
      list.credentials.every((c) => !('secret_key' in c)),
      'list never carries a secret',
    );
    assert.ok(!JSON.stringify(list).includes(created.secret_key));

    const mb = await aws(node, alice, ['s3', 'mb', 's3://life-bucket']);
    assert.equal(mb.code, 0, mb.stderr);
    const ls1 = await aws(node, alice, ['s3', 'ls']);
    assert.equal(ls1.code, 0, ls1.stderr);
    assert.match(ls1.stdout, /life-bucket/);

    const rotated = await admin.rotateCredential(alice.accessKey);
    assert.equal(rotated.previous.status, 'revoked');
    assert.equal(rotated.credential.user, 'alice');
    assert.equal(rotated.credential.role, 'admin');
    const alice2 = { accessKey: rotated.credential.access_key, secretKey: rotated.credential.secret_key };
    const ls2 = await aws(node, alice2, ['s3', 'ls']);
    assert.equal(ls2.code, 0, ls2.stderr);
    const old = await aws(node, alice, ['s3api', 'list-buckets']);
    assert.notEqual(old.code, 0);
    assert.match(old.stderr, /InvalidAccessKeyId/);

    const all = await admin.revokeAllCredentials();
    assert.ok(all.revoked >= 2);
    for (const who of [alice2, { accessKey: node.accessKey, secretKey: node.secretKey }]) {
      const r = await aws(node, who, ['s3api', 'list-buckets']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /InvalidAccessKeyId/);
    }
    await expectAdminError(admin.getStatus(), 403, 'InvalidAccessKeyId');

    // Break-glass on the host, while the node runs.
    await run(process.execPath, [SERVER_MAIN, 'admin', 'reset-root', '--data', node.dataDir], {
      // The operator's own account (its HOME holds the credential master key, as the node's does).
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dirname(node.dataDir), ANODE_LOGGING_AUDIT_LOG: node.auditLog },
    });
    const root = await readRootCredentials(node.dataDir);
    const mode = (await stat(join(node.dataDir, 'root-credentials'))).mode & 0o777;
    assert.equal(mode, 0o600);
    const back = await adminFor(node, root).getStatus();
    assert.equal(back.credentials.active, 1);
    const ls3 = await aws(node, root, ['s3', 'ls']);
    assert.equal(ls3.code, 0, ls3.stderr);
    assert.match(ls3.stdout, /life-bucket/);
  });

  test('rotation with grace keeps the old key working until it expires', async () => {
    const root = await readRootCredentials(node.dataDir);
    const admin = adminFor(node, root);
    const created = await admin.createCredential({ user: 'bob', role: 'admin' });
    const rotated = await admin.rotateCredential(created.access_key, { grace_seconds: 3600 });
    assert.equal(rotated.previous.status, 'expiring');
    assert.ok(rotated.previous.expires !== null && Date.parse(rotated.previous.expires) > Date.now() + 3500_000);
    const r = await aws(node, { accessKey: created.access_key, secretKey: created.secret_key }, ['s3api', 'list-buckets']);
    assert.equal(r.code, 0, r.stderr);
    await expectAdminError(admin.rotateCredential(created.access_key, { grace_seconds: -1 }), 400, 'InvalidRequest');
  });
});

describe('authorization through the admin API: grants, policy Deny, read-only', () => {
  let node: AnodeNode;
  let admin: AdminClient;
  const bucket = uniqueBucket('perm');
  let reader: { accessKey: string; secretKey: string };
  let writer: { accessKey: string; secretKey: string };
  before(async () => {
    node = await startNode();
    admin = adminFor(node);
    await sdkClient(node).send(new CreateBucketCommand({ Bucket: bucket }));
    await sdkClient(node).send(new PutObjectCommand({ Bucket: bucket, Key: 'hello.txt', Body: 'hello' }));
    const r = await admin.createCredential({ user: 'reader' });
    const w = await admin.createCredential({ user: 'writer' });
    reader = { accessKey: r.access_key, secretKey: r.secret_key };
    writer = { accessKey: w.access_key, secretKey: w.secret_key };
  });
  after(async () => {
    await node.cleanup();
  });

  const as = (creds: { accessKey: string; secretKey: string }) =>
    sdkClient(node, { credentials: { accessKeyId: creds.accessKey, secretAccessKey: creds.secretKey } });

  test('no grant: a user key is refused; read allows GET and list, not PUT; write allows PUT', async () => {
    await expectS3Error(as(reader).send(new GetObjectCommand({ Bucket: bucket, Key: 'hello.txt' })), 'AccessDenied', 403);
    const set = await admin.putBucketPermissions(bucket, {
      'user:reader': ['read'],
      'user:writer': ['read', 'write'],
      'user:nobody-yet': ['read'],
    });
    assert.deepEqual(set.permissions['user:reader'], ['read']);
    assert.deepEqual(set.unknown_users, ['nobody-yet']);
    assert.deepEqual((await admin.getBucketPermissions(bucket)).permissions, set.permissions);

    const got = await as(reader).send(new GetObjectCommand({ Bucket: bucket, Key: 'hello.txt' }));
    assert.equal(await got.Body?.transformToString(), 'hello');
    const listed = await as(reader).send(new ListObjectsV2Command({ Bucket: bucket }));
    assert.deepEqual(
      listed.Contents?.map((o) => o.Key),
      ['hello.txt'],
    );
    await expectS3Error(as(reader).send(new PutObjectCommand({ Bucket: bucket, Key: 'r.txt', Body: 'no' })), 'AccessDenied', 403);
    await as(writer).send(new PutObjectCommand({ Bucket: bucket, Key: 'w.txt', Body: 'yes' }));

    await expectAdminError(admin.putBucketPermissions(bucket, { alice: ['read'] }), 400, 'InvalidRequest');
    await expectAdminError(admin.putBucketPermissions(bucket, { 'user:alice': ['admin'] }), 400, 'InvalidRequest');
  });

  test('a bucket policy Deny beats an admin-API grant', async () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Principal: { AWS: 'arn:aws:iam::000000000000:user/reader' },
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${bucket}/*`,
        },
      ],
    };
    await sdkClient(node).send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
    await expectS3Error(as(reader).send(new GetObjectCommand({ Bucket: bucket, Key: 'hello.txt' })), 'AccessDenied', 403);
    const listed = await as(reader).send(new ListObjectsV2Command({ Bucket: bucket }));
    assert.ok((listed.Contents?.length ?? 0) >= 1, 'actions the Deny does not name still follow the grant');
    const buckets = await admin.listBuckets();
    const info = buckets.buckets.find((b) => b.name === bucket);
    assert.ok(info);
    assert.equal(info.has_policy, true);
    assert.equal(info.grants, 3);
    assert.equal(info.object_count, 2);
  });

  test('read-only refuses every S3 and admin mutation with a clear error, serves reads, and lets containment through', async () => {
    const on = await admin.setReadOnly(true);
    assert.equal(on.read_only, true);
    const err = await expectS3Error(
      sdkClient(node).send(new PutObjectCommand({ Bucket: bucket, Key: 'ro.txt', Body: 'x' })),
      'AccessDenied',
      403,
    );
    assert.match(err.message, /read-only/);
    await expectS3Error(sdkClient(node).send(new CreateBucketCommand({ Bucket: uniqueBucket('ro') })), 'AccessDenied', 403);
    const got = await sdkClient(node).send(new GetObjectCommand({ Bucket: bucket, Key: 'hello.txt' }));
    assert.equal(await got.Body?.transformToString(), 'hello');

    const refused = await expectAdminError(admin.createCredential({ user: 'late' }), 409, 'ReadOnlyMode');
    assert.match(refused.message, /read-only mode/);
    // Widening is refused; only-tightening changes (fewer grants, rotation with grace 0) pass: test/cli/incident.test.ts.
    await expectAdminError(admin.putBucketPermissions(bucket, { 'user:late': ['read'] }), 409, 'ReadOnlyMode');
    await expectAdminError(admin.runGc(), 409, 'ReadOnlyMode');
    await expectAdminError(admin.rotateCredential(reader.accessKey, { grace_seconds: 3600 }), 409, 'ReadOnlyMode');
    // Taking access away still works while read-only.
    const blocked = await admin.addBlock('198.51.100.0/24');
    assert.equal(blocked.changed, true);
    await expectAdminError(admin.removeBlock('198.51.100.0/24'), 409, 'ReadOnlyMode');
    const revoked = await admin.revokeCredential(writer.accessKey);
    assert.equal(revoked.already_revoked, false);
    assert.deepEqual(await admin.listCredentials().then((l) => l.credentials.length), 3);

    const off = await admin.setReadOnly(false);
    assert.equal(off.read_only, false);
    await sdkClient(node).send(new PutObjectCommand({ Bucket: bucket, Key: 'ro.txt', Body: 'x' }));
    await admin.removeBlock('198.51.100.0/24');
    const metrics = (await sendRaw({ method: 'GET', url: `${node.adminUrl}/metrics` })).body.toString();
    assert.match(metrics, /anode_read_only 0/);
  });
});

describe('GC, audit lines and secrets in logs', () => {
  let node: AnodeNode;
  before(async () => {
    // A zero grace makes every unreferenced chunk collectable at once: the test then
    // proves the upload in flight is kept because metadata references it, not by luck.
    node = await startNode({ env: { ANODE_GC_ORPHAN_GRACE_SECONDS: '0', ANODE_GC_INTERVAL_SECONDS: '0' } });
  });
  after(async () => {
    await node.cleanup();
  });

  test('GC removes an orphaned chunk and never a chunk of an upload in flight', async () => {
    const s3 = sdkClient(node);
    const bucket = uniqueBucket('gc');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const mpu = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'big' }));
    const part = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'big', UploadId: mpu.UploadId, PartNumber: 1, Body: Buffer.alloc(1024, 7) }),
    );

    const orphanId = 'ab'.repeat(16);
    const shard = join(node.dataDir, 'chunks', orphanId.slice(0, 2));
    await mkdir(shard, { recursive: true });
    await writeFile(join(shard, orphanId), Buffer.alloc(4096, 1));
    const old = new Date(Date.now() - 7 * 24 * 3600 * 1000);
    await utimes(join(shard, orphanId), old, old);
    // Age the part's chunk too, so only its metadata reference protects it.
    const chunkFiles: string[] = [];
    for (const d of await readdir(join(node.dataDir, 'chunks'))) {
      if (!/^[0-9a-f]{2}$/.test(d)) continue;
      for (const f of await readdir(join(node.dataDir, 'chunks', d)))
        if (f !== orphanId) chunkFiles.push(join(node.dataDir, 'chunks', d, f));
    }
    assert.ok(chunkFiles.length >= 1, 'the part has a chunk file');
    for (const f of chunkFiles) await utimes(f, old, old);

    const admin = adminFor(node);
    const r = await admin.runGc(true);
    assert.equal(r.started, true);
    assert.ok(r.stats !== null && r.stats.orphans_removed >= 1, JSON.stringify(r));
    await assert.rejects(stat(join(shard, orphanId)), /ENOENT/);
    for (const f of chunkFiles) await stat(f);

    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'big',
        UploadId: mpu.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'big' }));
    assert.equal((await got.Body!.transformToByteArray()).length, 1024);
    const status = await admin.getGcStatus();
    assert.equal(status.running, false);
    assert.ok(status.last !== null && status.last.orphans_removed >= 1);
  });

  test('each admin action leaves exactly one audit line, and no secret reaches any log', async () => {
    const admin = adminFor(node);
    const secrets: string[] = [node.secretKey];
    const before = (await auditEntries(node)).length;
    const created = await admin.createCredential({ user: 'carol', permissions: ['read'] });
    secrets.push(created.secret_key);
    const rotated = await admin.rotateCredential(created.access_key, { grace_seconds: 60 });
    secrets.push(rotated.credential.secret_key);
    await admin.setReadOnly(true);
    await admin.setReadOnly(false);
    await admin.addBlock('192.0.2.1');
    await admin.removeBlock('192.0.2.1');
    await admin.revokeCredential(rotated.credential.access_key);
    await admin.revokeAllCredentials({ except: [node.accessKey] });
    // Reads are not audited.
    await admin.listCredentials();
    await admin.getStatus();
    await admin.getAudit({ limit: 5 });
    // Use the secrets on the S3 plane so the access log has their requests too.
    await sdkClient(node)
      .send(new ListObjectsV2Command({ Bucket: uniqueBucket('nope') }))
      .catch(() => undefined);

    const entries = (await auditEntries(node)).slice(before);
    const actions = entries.map((e) => e['action']);
    assert.deepEqual(actions, [
      'credentials.create',
      'credentials.rotate',
      'readonly.set',
      'readonly.set',
      'blocklist.add',
      'blocklist.remove',
      'credentials.revoke',
      'credentials.revoke_all',
    ]);
    const ids = entries.map((e) => e['request_id']);
    assert.equal(new Set(ids).size, ids.length, 'one line per request');
    for (const e of entries) {
      assert.equal(e['user'], 'root');
      assert.equal(e['access_key'], node.accessKey);
      assert.equal(e['remote_addr'], '127.0.0.1');
    }
    assert.equal(entries[0]!['credential'], created.access_key);

    const api = await admin.getAudit({ since: String(entries[0]!['timestamp']) });
    assert.deepEqual(api.entries.map((e) => e.action).slice(0, 8), actions);

    const logs = [node.auditLog, node.accessLog];
    const texts = await Promise.all(logs.map((p) => readFile(p, 'utf8')));
    texts.push(node.output());
    for (const secret of secrets) {
      for (const [i, text] of texts.entries()) assert.ok(!text.includes(secret), `a secret appears in ${logs[i] ?? 'the server output'}`);
    }
  });
});

describe('incident lockdown and the blocklist', () => {
  let node: AnodeNode;
  before(async () => {
    node = await startNode();
  });
  after(async () => {
    await node.cleanup();
  });

  test('blocklist: a blocked client is refused on both planes; 127.0.0.1 keeps the admin plane', async () => {
    const admin = adminFor(node);
    const s3Get = (localAddress?: string) =>
      sendSignedRequest({
        method: 'GET',
        url: `${node.s3Url}/`,
        credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey },
        region: 'us-east-1',
        ...(localAddress !== undefined ? { localAddress } : {}),
      });
    assert.equal((await s3Get('127.0.0.2')).status, 200, 'reachable from 127.0.0.2 before the block');
    const added = await admin.addBlock('127.0.0.2/32');
    assert.deepEqual(added.cidrs, ['127.0.0.2/32']);
    const refused = await s3Get('127.0.0.2');
    assert.equal(refused.status, 403);
    assert.match(refused.body.toString(), /AccessDenied/);
    assert.equal((await s3Get()).status, 200, 'other clients are unaffected');
    await expectAdminError(adminFor(node, undefined, '127.0.0.2').getStatus(), 403, 'AccessDenied');
    assert.deepEqual((await admin.listBlocklist()).cidrs, ['127.0.0.2/32']);

    // Even a block that covers the host's own address leaves the operator on 127.0.0.1 in.
    await admin.addBlock('127.0.0.0/8');
    assert.equal((await s3Get()).status, 403);
    const status = await admin.getStatus();
    assert.equal(status.blocklist, 2);
    await admin.removeBlock('127.0.0.0/8');
    await admin.removeBlock('127.0.0.2/32');
    assert.equal((await s3Get('127.0.0.2')).status, 200);
  });

  test('lockdown leaves only the caller working, switches read-only, writes one audit line with the reason', async () => {
    const admin = adminFor(node);
    const other = await admin.createCredential({ user: 'ops', role: 'admin' });
    const user = await admin.createCredential({ user: 'app' });
    const before = (await auditEntries(node)).length;
    const r = await admin.lockdown({ reason: 'leaked key in CI logs' });
    assert.equal(r.read_only, true);
    assert.deepEqual(r.kept, [node.accessKey]);
    assert.equal(r.revoked, 2);

    const entries = (await auditEntries(node)).slice(before);
    assert.deepEqual(
      entries.map((e) => e['action']),
      ['incident.lockdown'],
    );
    assert.equal(entries[0]!['reason'], 'leaked key in CI logs');

    await expectAdminError(
      adminFor(node, { accessKey: other.access_key, secretKey: other.secret_key }).getStatus(),
      403,
      'InvalidAccessKeyId',
    );
    await expectS3Error(
      sdkClient(node, { credentials: { accessKeyId: user.access_key, secretAccessKey: user.secret_key } }).send(
        new ListObjectsV2Command({ Bucket: 'any-bucket' }),
      ),
      'InvalidAccessKeyId',
      403,
    );
    await expectS3Error(sdkClient(node).send(new CreateBucketCommand({ Bucket: uniqueBucket('locked') })), 'AccessDenied', 403);
    const st = await admin.getIncidentStatus();
    assert.equal(st.read_only, true);
    assert.equal(st.active_credentials, 1);
    assert.equal(st.last_lockdown?.reason, 'leaked key in CI logs');
    assert.equal(st.last_lockdown?.access_key, node.accessKey);
    await expectAdminError(admin.lockdown({ reason: '' }), 400, 'InvalidRequest');
  });
});
