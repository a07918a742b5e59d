/**
 * Browser POST uploads with server-side encryption (SSE-S3, SSE-KMS, SSE-C) and object lock
 * form fields, signed by the SDK's createPresignedPost (every field is a policy condition):
 * stored exactly as the same PUT would be, refused as PUT refuses, and a field the policy
 * does not name is refused.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import {
  CreateBucketCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { encryptionKeyFile, startNode, type AnodeNode } from '../helpers/anode-node.js';
import { expectS3Error, sdkClient, uniqueBucket } from '../helpers/s3-client.js';

let keyDir: string;
let enc: AnodeNode;
let plain: AnodeNode;
let s3: S3Client;
let s3plain: S3Client;

before(async () => {
  const { dir, keyFile } = await encryptionKeyFile('anode-post-key-');
  keyDir = dir;
  enc = await startNode({
    env: { ANODE_STORAGE_ENCRYPTION: 'true', ANODE_STORAGE_ENCRYPTION_KEY: keyFile, ANODE_STORAGE_SSE_C_REQUIRE_TLS: 'false' },
  });
  plain = await startNode();
  s3 = sdkClient(enc);
  s3plain = sdkClient(plain);
});
after(async () => {
  await enc?.cleanup();
  await plain?.cleanup();
  await rm(keyDir, { recursive: true, force: true });
});

async function post(url: string, fields: Record<string, string>, body: string): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([body]), 'f.txt');
  return fetch(url, { method: 'POST', body: form, redirect: 'manual' });
}

const code = (body: string): string | undefined => /<Code>([^<]*)<\/Code>/.exec(body)?.[1];

async function bucketOn(client: S3Client, prefix: string, lock = false): Promise<string> {
  const b = uniqueBucket(prefix);
  await client.send(new CreateBucketCommand({ Bucket: b, ...(lock ? { ObjectLockEnabledForBucket: true } : {}) }));
  return b;
}

describe('POST object: encryption and object lock fields', { timeout: 180_000 }, () => {
  it('x-amz-server-side-encryption AES256 and aws:kms are stored encrypted and answered in the headers', async () => {
    const b = await bucketOn(s3, 'post-sse');
    for (const mode of ['AES256', 'aws:kms'] as const) {
      const key = `sse-${mode}.txt`;
      const { url, fields } = await createPresignedPost(s3, { Bucket: b, Key: key, Fields: { 'x-amz-server-side-encryption': mode } });
      const r = await post(url, fields, `secret ${mode}`);
      assert.equal(r.status, 204, await r.text());
      assert.equal(r.headers.get('x-amz-server-side-encryption'), mode);
      const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: key }));
      assert.equal(head.ServerSideEncryption, mode);
      const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: key }));
      assert.equal(await got.Body!.transformToString(), `secret ${mode}`);
    }
    // A key id that names no key is refused as on PUT.
    const bad = await createPresignedPost(s3, {
      Bucket: b,
      Key: 'kms-bad.txt',
      Fields: { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': 'no-such-key' },
    });
    const r = await post(bad.url, bad.fields, 'x');
    assert.equal(r.status, 400);
    assert.equal(code(await r.text()), 'KMS.NotFoundException');
    const unknown = await createPresignedPost(s3, { Bucket: b, Key: 'odd.txt', Fields: { 'x-amz-server-side-encryption': 'rot13' } });
    const r2 = await post(unknown.url, unknown.fields, 'x');
    assert.equal(r2.status, 400);
    assert.equal(code(await r2.text()), 'InvalidArgument');
  });

  it('SSE-C fields: stored under the customer key, readable only with it', async () => {
    const b = await bucketOn(s3, 'post-ssec');
    const customerKey = randomBytes(32);
    const md5 = createHash('md5').update(customerKey).digest('base64');
    const sseC = {
      'x-amz-server-side-encryption-customer-algorithm': 'AES256',
      'x-amz-server-side-encryption-customer-key': customerKey.toString('base64'),
      'x-amz-server-side-encryption-customer-key-MD5': md5,
    };
    const { url, fields } = await createPresignedPost(s3, { Bucket: b, Key: 'c.txt', Fields: sseC });
    const r = await post(url, fields, 'customer secret');
    assert.equal(r.status, 204, await r.text());
    assert.equal(r.headers.get('x-amz-server-side-encryption-customer-algorithm'), 'AES256');
    assert.equal(r.headers.get('x-amz-server-side-encryption-customer-key-md5'), md5);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: b, Key: 'c.txt' })), 'InvalidRequest', 400);
    const got = await s3.send(
      new GetObjectCommand({
        Bucket: b,
        Key: 'c.txt',
        SSECustomerAlgorithm: 'AES256',
        SSECustomerKey: customerKey.toString('base64'),
        SSECustomerKeyMD5: md5,
      }),
    );
    assert.equal(await got.Body!.transformToString(), 'customer secret');
    const wrongMd5 = await createPresignedPost(s3, {
      Bucket: b,
      Key: 'c2.txt',
      Fields: { ...sseC, 'x-amz-server-side-encryption-customer-key-MD5': createHash('md5').update('x').digest('base64') },
    });
    const r2 = await post(wrongMd5.url, wrongMd5.fields, 'x');
    assert.equal(r2.status, 400);
    assert.equal(code(await r2.text()), 'InvalidArgument');
  });

  it('the signed policy must name the encryption field: one added to the form afterwards is refused', async () => {
    const b = await bucketOn(s3, 'post-extra');
    const { url, fields } = await createPresignedPost(s3, { Bucket: b, Key: 'x.txt' });
    const r = await post(url, { ...fields, 'x-amz-server-side-encryption': 'AES256' }, 'x');
    assert.equal(r.status, 403);
    assert.equal(code(await r.text()), 'AccessDenied');
    const lock = await post(url, { ...fields, 'x-amz-object-lock-legal-hold': 'ON' }, 'x');
    assert.equal(lock.status, 403);
    await lock.text();
  });

  it('object lock fields: mode, retain-until-date and legal hold on the new version; errors as PUT', async () => {
    const b = await bucketOn(s3, 'post-lock', true);
    const until = new Date(Date.now() + 3_600_000);
    const { url, fields } = await createPresignedPost(s3, {
      Bucket: b,
      Key: 'l.txt',
      Fields: {
        'x-amz-object-lock-mode': 'GOVERNANCE',
        'x-amz-object-lock-retain-until-date': until.toISOString(),
        'x-amz-object-lock-legal-hold': 'ON',
      },
    });
    const r = await post(url, fields, 'locked');
    assert.equal(r.status, 204, await r.text());
    const versionId = r.headers.get('x-amz-version-id') ?? undefined;
    assert.ok(versionId);
    const ret = await s3.send(new GetObjectRetentionCommand({ Bucket: b, Key: 'l.txt', VersionId: versionId }));
    assert.equal(ret.Retention?.Mode, 'GOVERNANCE');
    assert.ok(Math.abs((ret.Retention?.RetainUntilDate?.getTime() ?? 0) - until.getTime()) < 1000);
    const hold = await s3.send(new GetObjectLegalHoldCommand({ Bucket: b, Key: 'l.txt', VersionId: versionId }));
    assert.equal(hold.LegalHold?.Status, 'ON');

    const half = await createPresignedPost(s3, { Bucket: b, Key: 'h.txt', Fields: { 'x-amz-object-lock-mode': 'GOVERNANCE' } });
    const r2 = await post(half.url, half.fields, 'x');
    assert.equal(r2.status, 400);
    assert.equal(code(await r2.text()), 'InvalidArgument');
    // Without object lock on the bucket, as PUT answers.
    const nolock = await bucketOn(s3, 'post-nolock');
    const n = await createPresignedPost(s3, { Bucket: nolock, Key: 'n.txt', Fields: { 'x-amz-object-lock-legal-hold': 'ON' } });
    const r3 = await post(n.url, n.fields, 'x');
    assert.equal(r3.status, 400);
    assert.equal(code(await r3.text()), 'InvalidRequest');
  });

  it('a node without encryption at rest answers what PUT answers; SSE-C over plain HTTP is refused', async () => {
    const b = await bucketOn(s3plain, 'post-noenc');
    const { url, fields } = await createPresignedPost(s3plain, {
      Bucket: b,
      Key: 'a.txt',
      Fields: { 'x-amz-server-side-encryption': 'AES256' },
    });
    const r = await post(url, fields, 'x');
    const body = await r.text();
    await expectS3Error(
      s3plain.send(new PutObjectCommand({ Bucket: b, Key: 'p.txt', Body: 'x', ServerSideEncryption: 'AES256' })),
      code(body)!,
      r.status,
    );
    assert.equal(r.status, 501);
    const k = randomBytes(32);
    const c = await createPresignedPost(s3plain, {
      Bucket: b,
      Key: 'c.txt',
      Fields: {
        'x-amz-server-side-encryption-customer-algorithm': 'AES256',
        'x-amz-server-side-encryption-customer-key': k.toString('base64'),
        'x-amz-server-side-encryption-customer-key-MD5': createHash('md5').update(k).digest('base64'),
      },
    });
    const r2 = await post(c.url, c.fields, 'x');
    assert.equal(r2.status, 400);
    assert.match(await r2.text(), /secure connection/);
  });
});
