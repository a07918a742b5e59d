// The admin API's bucket routes (POST /admin/buckets, DELETE /admin/buckets/{b},
// POST /admin/buckets/{b}/empty) against a real node: validation, conflicts, read-only
// mode, admin role, audit lines.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { HeadBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { AdminApiError, AdminClient } from '../../shared/src/admin-api/index.js';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { sdkClient, uniqueBucket } from '../helpers/s3-client.js';

let node: AnodeNode;
let admin: AdminClient;

before(async () => {
  node = await startNode();
  admin = new AdminClient({ endpoint: node.adminUrl, credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey } });
});

after(async () => {
  await node.cleanup();
});

async function expectAdminError(p: Promise<unknown>, status: number, code: string): Promise<AdminApiError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AdminApiError, `expected AdminApiError, got ${String(err)}`);
    assert.equal(`${err.status} ${err.code}`, `${status} ${code}`, err.message);
    assert.equal(err.format, 'json', 'the admin plane answers errors as JSON');
    return err;
  }
  return assert.fail(`expected ${status} ${code}, but the call succeeded`);
}

async function audit(): Promise<Record<string, unknown>[]> {
  await new Promise((r) => setTimeout(r, 100));
  return (await readFile(node.auditLog, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('create: 201 with the bucket, owner defaults to the caller; name, owner and duplicates are checked', async () => {
  const name = uniqueBucket('adm');
  const b = await admin.createBucket({ name });
  assert.equal(b.name, name);
  assert.equal(b.owner, 'root');
  assert.equal(b.public_acl, false);
  assert.equal(b.object_count, 0);
  await sdkClient(node).send(new HeadBucketCommand({ Bucket: name }));
  await expectAdminError(admin.createBucket({ name }), 409, 'BucketAlreadyExists');
  await expectAdminError(admin.createBucket({ name: 'Not_Valid' }), 400, 'InvalidBucketName');
  await expectAdminError(admin.createBucket({ name: uniqueBucket('x'), owner: 'no spaces allowed' }), 400, 'InvalidRequest');
  await expectAdminError(admin.call('createBucket', { body: {} as never }), 400, 'InvalidRequest');
  const owned = await admin.createBucket({ name: uniqueBucket('owned'), owner: 'alice' });
  assert.equal(owned.owner, 'alice');
  const entry = (await audit()).find((e) => e['action'] === 'buckets.create' && e['bucket'] === name);
  assert.ok(entry, 'one buckets.create audit line');
});

test('delete refuses a bucket with objects; empty removes them in batches of at most limit; then delete works', async () => {
  const name = uniqueBucket('emp');
  await admin.createBucket({ name });
  const s3 = sdkClient(node);
  for (let i = 0; i < 5; i++) await s3.send(new PutObjectCommand({ Bucket: name, Key: `k${i}`, Body: 'x' }));
  await expectAdminError(admin.deleteBucket(name), 409, 'BucketNotEmpty');
  const first = await admin.emptyBucket(name, 3);
  assert.deepEqual(first, { bucket: name, objects_deleted: 3, uploads_aborted: 0, done: false });
  const second = await admin.emptyBucket(name, 3);
  assert.deepEqual(second, { bucket: name, objects_deleted: 2, uploads_aborted: 0, done: true });
  await expectAdminError(admin.emptyBucket(name, 0), 400, 'InvalidRequest');
  await expectAdminError(admin.emptyBucket(name, 1001), 400, 'InvalidRequest');
  assert.deepEqual(await admin.deleteBucket(name), { bucket: name, deleted: true });
  await expectAdminError(admin.deleteBucket(name), 404, 'NoSuchBucket');
  await expectAdminError(admin.emptyBucket(name), 404, 'NoSuchBucket');
  const actions = (await audit()).filter((e) => e['bucket'] === name).map((e) => e['action']);
  assert.deepEqual(actions, ['buckets.create', 'buckets.empty', 'buckets.empty', 'buckets.delete']);
});

test('read-only mode refuses bucket create, empty and delete; a user key is refused', async () => {
  const name = uniqueBucket('ro');
  await admin.createBucket({ name });
  await admin.setReadOnly(true);
  try {
    await expectAdminError(admin.createBucket({ name: uniqueBucket('ro2') }), 409, 'ReadOnlyMode');
    await expectAdminError(admin.emptyBucket(name), 409, 'ReadOnlyMode');
    await expectAdminError(admin.deleteBucket(name), 409, 'ReadOnlyMode');
  } finally {
    await admin.setReadOnly(false);
  }
  const user = await admin.createCredential({ user: 'bob', role: 'user' });
  const asUser = new AdminClient({
    endpoint: node.adminUrl,
    credentials: { accessKeyId: user.access_key, secretAccessKey: user.secret_key },
  });
  await expectAdminError(asUser.createBucket({ name: uniqueBucket('u') }), 403, 'AccessDenied');
  await expectAdminError(asUser.deleteBucket(name), 403, 'AccessDenied');
});
