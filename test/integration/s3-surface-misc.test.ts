/**
 * Issue 10 features 3, 5, 6, 7 against a real node with the AWS SDK v3 and real fetch:
 * tagging (and its policy condition keys), CORS (configuration, preflights, headers on
 * actual requests), browser POST uploads (createPresignedPost + a real multipart form),
 * PublicAccessBlock, Object Ownership, GetObjectAttributes, bucket logging configuration,
 * x-amz-expected-bucket-owner, and the access log naming the new operations.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCorsCommand,
  DeleteBucketOwnershipControlsCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectTaggingCommand,
  DeletePublicAccessBlockCommand,
  GetBucketCorsCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketTaggingCommand,
  GetObjectAclCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutBucketCorsCommand,
  PutBucketLoggingCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  PutPublicAccessBlockCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { AdminClient } from '../../shared/src/admin-api/index.js';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { expectS3Error, sdkClient, uniqueBucket } from '../helpers/s3-client.js';
import { presign } from '../helpers/sigv4.js';

let node: AnodeNode;
let s3: S3Client;
let bob: S3Client;

before(async () => {
  node = await startNode();
  s3 = sdkClient(node);
  const admin = new AdminClient({ endpoint: node.adminUrl, credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey } });
  const made = await admin.createCredential({ user: 'bob' });
  bob = sdkClient(node, { credentials: { accessKeyId: made.access_key, secretAccessKey: made.secret_key } });
});
after(async () => {
  await node?.cleanup();
});

async function newBucket(prefix: string, extra: Partial<ConstructorParameters<typeof CreateBucketCommand>[0]> = {}): Promise<string> {
  const name = uniqueBucket(prefix);
  await s3.send(new CreateBucketCommand({ Bucket: name, ...extra }));
  return name;
}

function policy(bucket: string, statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

const code = (body: string): string | undefined => /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
const message = (body: string): string | undefined =>
  /<Message>([^<]*)<\/Message>/
    .exec(body)?.[1]
    ?.replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

describe('object and bucket tagging', { timeout: 120_000 }, () => {
  let bucket: string;
  before(async () => {
    bucket = await newBucket('tags');
  });

  it('x-amz-tagging on PUT is stored: GetObjectTagging, and x-amz-tagging-count on GET and HEAD', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x', Tagging: 'team=blue&note=two%20words&empty=' }));
    const got = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'k' }));
    assert.deepEqual(got.TagSet, [
      { Key: 'team', Value: 'blue' },
      { Key: 'note', Value: 'two words' },
      { Key: 'empty', Value: '' },
    ]);
    const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }));
    assert.equal(obj.TagCount, 3);
    await obj.Body?.transformToString();
    const host = new URL(node.s3Url).host;
    const path = `/${bucket}/k`;
    const url = presign({ method: 'HEAD', path, headers: [['host', host]], creds: node, expiresIn: 60 });
    const head = await fetch(`${node.s3Url}${url}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('x-amz-tagging-count'), '3');
  });

  it('PutObjectTagging replaces, DeleteObjectTagging empties; a missing key is NoSuchKey', async () => {
    await s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'k', Tagging: { TagSet: [{ Key: 'ünï', Value: 'ノード' }] } }));
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'k' }))).TagSet, [{ Key: 'ünï', Value: 'ノード' }]);
    await s3.send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: 'k' }));
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'k' }))).TagSet ?? [], []);
    const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }));
    assert.equal(obj.TagCount, undefined);
    await obj.Body?.transformToString();
    await expectS3Error(
      s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'missing', Tagging: { TagSet: [{ Key: 'a', Value: 'b' }] } })),
      'NoSuchKey',
      404,
    );
  });

  it("limits and errors: 10 object tags, 128/256 characters, no duplicates, no aws: prefix — AWS's codes", async () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'k', Tagging: { TagSet: tags(10) } }));
    const put = (TagSet: { Key: string; Value: string }[]) =>
      s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'k', Tagging: { TagSet } }));
    await expectS3Error(put(tags(11)), 'BadRequest', 400);
    await expectS3Error(
      put([
        { Key: 'a', Value: '1' },
        { Key: 'a', Value: '2' },
      ]),
      'InvalidTag',
      400,
    );
    // Limits count Unicode characters, not bytes.
    await put([{ Key: 'é'.repeat(128), Value: 'ü'.repeat(256) }]);
    await expectS3Error(put([{ Key: 'é'.repeat(129), Value: 'v' }]), 'InvalidTag', 400);
    await expectS3Error(put([{ Key: 'k', Value: 'ü'.repeat(257) }]), 'InvalidTag', 400);
    await expectS3Error(put([{ Key: 'aws:cloudformation', Value: 'v' }]), 'InvalidTag', 400);
    await expectS3Error(put([{ Key: 'bad<char>', Value: 'v' }]), 'InvalidTag', 400);
    await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'dup', Body: 'x', Tagging: 'a=1&a=2' })),
      'InvalidArgument',
      400,
    );
    const many = Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&');
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'many', Body: 'x', Tagging: many })), 'BadRequest', 400);
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'many' })), 'NotFound', 404);
  });

  it('CopyObject keeps the source tags (COPY) or takes x-amz-tagging (REPLACE); multipart uploads carry theirs', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'src', Body: 'x', Tagging: 'a=1' }));
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy1', CopySource: `${bucket}/src`, Tagging: 'ignored=1' }));
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'copy1' }))).TagSet, [{ Key: 'a', Value: '1' }]);
    await s3.send(
      new CopyObjectCommand({ Bucket: bucket, Key: 'copy2', CopySource: `${bucket}/src`, TaggingDirective: 'REPLACE', Tagging: 'b=2' }),
    );
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'copy2' }))).TagSet, [{ Key: 'b', Value: '2' }]);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mp', Tagging: 'mp=yes' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'mp', UploadId, PartNumber: 1, Body: 'part' }));
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mp',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag! }] },
      }),
    );
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'mp' }))).TagSet, [{ Key: 'mp', Value: 'yes' }]);
  });

  it('bucket tagging: NoSuchTagSet until set, 50 tags at most, deleted again', async () => {
    await expectS3Error(s3.send(new GetBucketTaggingCommand({ Bucket: bucket })), 'NoSuchTagSet', 404);
    const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
    await s3.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: tags(50) } }));
    assert.deepEqual((await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet, tags(50));
    await expectS3Error(s3.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: tags(51) } })), 'BadRequest', 400);
    await s3.send(new DeleteBucketTaggingCommand({ Bucket: bucket }));
    await expectS3Error(s3.send(new GetBucketTaggingCommand({ Bucket: bucket })), 'NoSuchTagSet', 404);
  });

  it('policy condition keys: s3:ExistingObjectTag/<k>, s3:RequestObjectTag/<k>, s3:RequestObjectTagKeys', async () => {
    const b = await newBucket('tagpolicy');
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'open', Body: 'o', Tagging: 'public=yes' }));
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'closed', Body: 'c', Tagging: 'public=no' }));
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: b,
        Policy: policy(b, [
          {
            Effect: 'Allow',
            Principal: { AWS: ['arn:aws:iam::000000000000:user/bob'] },
            Action: ['s3:GetObject', 's3:GetObjectTagging'],
            Resource: `arn:aws:s3:::${b}/*`,
            Condition: { StringEquals: { 's3:ExistingObjectTag/public': 'yes' } },
          },
          {
            Effect: 'Allow',
            Principal: { AWS: ['arn:aws:iam::000000000000:user/bob'] },
            Action: ['s3:PutObject', 's3:PutObjectTagging'],
            Resource: `arn:aws:s3:::${b}/*`,
            Condition: {
              StringEquals: { 's3:RequestObjectTag/team': 'blue' },
              'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': ['team', 'public'] },
            },
          },
        ]),
      }),
    );
    const open = await bob.send(new GetObjectCommand({ Bucket: b, Key: 'open' }));
    assert.equal(await open.Body?.transformToString(), 'o');
    await expectS3Error(bob.send(new GetObjectCommand({ Bucket: b, Key: 'closed' })), 'AccessDenied', 403);
    await bob.send(new PutObjectCommand({ Bucket: b, Key: 'new', Body: 'n', Tagging: 'team=blue&public=yes' }));
    await expectS3Error(bob.send(new PutObjectCommand({ Bucket: b, Key: 'new2', Body: 'n', Tagging: 'team=red' })), 'AccessDenied', 403);
    await expectS3Error(
      bob.send(new PutObjectCommand({ Bucket: b, Key: 'new3', Body: 'n', Tagging: 'team=blue&extra=1' })),
      'AccessDenied',
      403,
    );
    await expectS3Error(bob.send(new PutObjectCommand({ Bucket: b, Key: 'new4', Body: 'n' })), 'AccessDenied', 403);
    // PutObjectTagging: the tags in the body are what the policy tests.
    await bob.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'new', Tagging: { TagSet: [{ Key: 'team', Value: 'blue' }] } }));
    await expectS3Error(
      bob.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'new', Tagging: { TagSet: [{ Key: 'team', Value: 'green' }] } })),
      'AccessDenied',
      403,
    );
    // The decision reads the object's tags as they are now: retagged public, "closed" opens to bob.
    await s3.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'closed', Tagging: { TagSet: [{ Key: 'public', Value: 'yes' }] } }));
    const reopened = await bob.send(new GetObjectCommand({ Bucket: b, Key: 'closed' }));
    assert.equal(await reopened.Body?.transformToString(), 'c');
  });
});

describe('CORS', { timeout: 120_000 }, () => {
  let bucket: string;
  before(async () => {
    bucket = await newBucket('cors');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'public.txt', Body: 'hello', ACL: 'public-read' }));
  });

  it('GetBucketCors is NoSuchCORSConfiguration until set; a preflight then is refused', async () => {
    await expectS3Error(s3.send(new GetBucketCorsCommand({ Bucket: bucket })), 'NoSuchCORSConfiguration', 404);
    const r = await fetch(`${node.s3Url}/${bucket}/public.txt`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' },
    });
    assert.equal(r.status, 403);
    const body = await r.text();
    assert.equal(code(body), 'AccessForbidden');
    assert.equal(message(body), 'CORSResponse: CORS is not enabled for this bucket.');
  });

  it('PutBucketCors round-trips; invalid methods and two wildcards are refused', async () => {
    const rules = [
      {
        ID: 'apps',
        AllowedOrigins: ['https://*.example.com'],
        AllowedMethods: ['GET', 'PUT'],
        AllowedHeaders: ['Content-Type', 'x-amz-*'],
        ExposeHeaders: ['ETag', 'x-amz-request-id'],
        MaxAgeSeconds: 600,
      },
      { AllowedOrigins: ['*'], AllowedMethods: ['GET'] },
    ];
    await s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: rules } }));
    const got = await s3.send(new GetBucketCorsCommand({ Bucket: bucket }));
    assert.deepEqual(got.CORSRules, rules);
    await expectS3Error(
      s3.send(
        new PutBucketCorsCommand({
          Bucket: bucket,
          CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['*'], AllowedMethods: ['PATCH'] }] },
        }),
      ),
      'InvalidRequest',
      400,
    );
    await expectS3Error(
      s3.send(
        new PutBucketCorsCommand({
          Bucket: bucket,
          CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['https://*.*.com'], AllowedMethods: ['GET'] }] },
        }),
      ),
      'InvalidRequest',
      400,
    );
    assert.equal((await s3.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules?.length, 2, 'refused puts changed nothing');
  });

  it('a preflight matching a rule gets its headers (origin wildcard, case-insensitive header match)', async () => {
    const r = await fetch(`${node.s3Url}/${bucket}/uploads/a.txt`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type, X-Amz-Date, x-amz-content-sha256',
      },
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.equal(r.headers.get('access-control-allow-methods'), 'GET, PUT');
    assert.equal(r.headers.get('access-control-allow-headers'), 'content-type, x-amz-date, x-amz-content-sha256');
    assert.equal(r.headers.get('access-control-expose-headers'), 'ETag, x-amz-request-id');
    assert.equal(r.headers.get('access-control-max-age'), '600');
    assert.equal(r.headers.get('access-control-allow-credentials'), 'true');
    assert.match(r.headers.get('vary') ?? '', /Origin/);
  });

  it('no matching rule: 403 AccessForbidden "CORSResponse: This CORS request is not allowed…", as AWS', async () => {
    for (const headers of [
      { origin: 'https://evil.test', 'access-control-request-method': 'PUT' },
      { origin: 'https://app.example.com', 'access-control-request-method': 'DELETE' },
      { origin: 'https://app.example.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-custom' },
      // The origin wildcard needs at least the characters around it.
      { origin: 'https://.example.org', 'access-control-request-method': 'PUT' },
    ]) {
      const r = await fetch(`${node.s3Url}/${bucket}/k`, { method: 'OPTIONS', headers });
      assert.equal(r.status, 403, JSON.stringify(headers));
      const body = await r.text();
      assert.equal(code(body), 'AccessForbidden');
      assert.match(message(body) ?? '', /^CORSResponse: This CORS request is not allowed\./);
      assert.equal(/<Method>([^<]*)<\/Method>/.exec(body)?.[1], headers['access-control-request-method']);
      assert.equal(/<ResourceType>([^<]*)<\/ResourceType>/.exec(body)?.[1], 'OBJECT');
      assert.equal(r.headers.get('access-control-allow-origin'), null);
    }
    const noOrigin = await fetch(`${node.s3Url}/${bucket}/k`, { method: 'OPTIONS', headers: { 'access-control-request-method': 'GET' } });
    assert.equal(noOrigin.status, 400);
  });

  it('the second rule (origin *) answers with Allow-Origin * and no credentials', async () => {
    const r = await fetch(`${node.s3Url}/${bucket}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://anyone.test', 'access-control-request-method': 'GET' },
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.equal(r.headers.get('access-control-allow-credentials'), null);
  });

  it('actual requests with an Origin get the matching rule headers, on success and on error', async () => {
    const ok = await fetch(`${node.s3Url}/${bucket}/public.txt`, { headers: { origin: 'https://app.example.com' } });
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), 'hello');
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.equal(ok.headers.get('access-control-expose-headers'), 'ETag, x-amz-request-id');
    assert.match(ok.headers.get('vary') ?? '', /Origin/);
    const denied = await fetch(`${node.s3Url}/${bucket}/private.txt`, { headers: { origin: 'https://other.test' } });
    assert.equal(denied.status, 403);
    await denied.text();
    assert.equal(denied.headers.get('access-control-allow-origin'), '*');
    const noOrigin = await fetch(`${node.s3Url}/${bucket}/public.txt`);
    await noOrigin.text();
    assert.equal(noOrigin.headers.get('access-control-allow-origin'), null);
  });

  it('DeleteBucketCors removes the configuration', async () => {
    await s3.send(new DeleteBucketCorsCommand({ Bucket: bucket }));
    await expectS3Error(s3.send(new GetBucketCorsCommand({ Bucket: bucket })), 'NoSuchCORSConfiguration', 404);
  });
});

describe('browser POST uploads', { timeout: 180_000 }, () => {
  let bucket: string;
  before(async () => {
    bucket = await newBucket('post');
  });

  async function post(url: string, fields: Record<string, string>, file: Blob, filename = 'hello.txt'): Promise<Response> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', file, filename);
    return fetch(url, { method: 'POST', body: form, redirect: 'manual' });
  }

  it('createPresignedPost: ${filename}, conditions, metadata, tagging, 201 with PostResponse', async () => {
    const tagging = '<Tagging><TagSet><Tag><Key>via</Key><Value>form</Value></Tag></TagSet></Tagging>';
    const { url, fields } = await createPresignedPost(s3, {
      Bucket: bucket,
      Key: 'uploads/${filename}',
      Conditions: [
        ['content-length-range', 1, 1000],
        ['starts-with', '$Content-Type', 'text/'],
        { 'x-amz-meta-who': 'browser' },
        { tagging },
      ],
      Fields: { 'Content-Type': 'text/plain', success_action_status: '201', 'x-amz-meta-who': 'browser', tagging },
      Expires: 600,
    });
    const r = await post(url, fields, new Blob(['hello from a form']));
    const body = await r.text();
    assert.equal(r.status, 201, body);
    assert.equal(/<Key>([^<]*)<\/Key>/.exec(body)?.[1], 'uploads/hello.txt');
    assert.equal(/<Bucket>([^<]*)<\/Bucket>/.exec(body)?.[1], bucket);
    const etag = `"${createHash('md5').update('hello from a form').digest('hex')}"`;
    assert.equal(r.headers.get('etag'), etag);
    const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'uploads/hello.txt' }));
    assert.equal(await obj.Body?.transformToString(), 'hello from a form');
    assert.equal(obj.ContentType, 'text/plain');
    assert.deepEqual(obj.Metadata, { who: 'browser' });
    assert.equal(obj.TagCount, 1);
    const owner = await s3.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'uploads/hello.txt' }));
    assert.equal(owner.Owner?.DisplayName, 'root');
  });

  it('in a versioning-enabled bucket a POST upload answers with the version it made', async () => {
    const versioned = await newBucket('post-ver');
    await s3.send(new PutBucketVersioningCommand({ Bucket: versioned, VersioningConfiguration: { Status: 'Enabled' } }));
    const { url, fields } = await createPresignedPost(s3, { Bucket: versioned, Key: 'v.txt', Expires: 600 });
    const first = await post(url, fields, new Blob(['one']));
    assert.equal(first.status, 204, await first.text());
    const second = await post(url, fields, new Blob(['two']));
    assert.equal(second.status, 204, await second.text());
    const v1 = first.headers.get('x-amz-version-id');
    const v2 = second.headers.get('x-amz-version-id');
    assert.match(v1 ?? '', /^[0-9A-Za-z]{32}$/);
    assert.notEqual(v1, v2);
    const head = await s3.send(new HeadObjectCommand({ Bucket: versioned, Key: 'v.txt' }));
    assert.equal(head.VersionId, v2);
    const old = await s3.send(new GetObjectCommand({ Bucket: versioned, Key: 'v.txt', VersionId: v1! }));
    assert.equal(await old.Body?.transformToString(), 'one');
    // An unversioned bucket's POST answers without one, as AWS.
    const plain = await createPresignedPost(s3, { Bucket: bucket, Key: 'unversioned.txt', Expires: 600 });
    const r = await post(plain.url, plain.fields, new Blob(['x']));
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('x-amz-version-id'), null);
  });

  it('refusals: too large, too small, a field outside the policy, a changed field, a bad signature, expired', async () => {
    const { url, fields } = await createPresignedPost(s3, {
      Bucket: bucket,
      Key: 'limited.bin',
      Conditions: [['content-length-range', 10, 100]],
      Expires: 600,
    });
    let r = await post(url, fields, new Blob([randomBytes(101)]));
    assert.equal(r.status, 400);
    assert.equal(code(await r.text()), 'EntityTooLarge');
    r = await post(url, fields, new Blob(['short']));
    assert.equal(r.status, 400);
    assert.equal(code(await r.text()), 'EntityTooSmall');
    r = await post(url, { ...fields, 'x-amz-meta-extra': 'sneaky' }, new Blob([randomBytes(20)]));
    assert.equal(r.status, 403);
    assert.equal(message(await r.text()), 'Invalid according to Policy: Extra input fields: x-amz-meta-extra');
    r = await post(url, { ...fields, key: 'elsewhere.bin' }, new Blob([randomBytes(20)]));
    assert.equal(r.status, 403);
    assert.match(message(await r.text()) ?? '', /Policy Condition failed: \["eq", "\$key", "limited.bin"\]/);
    const sig = fields['X-Amz-Signature']!;
    r = await post(url, { ...fields, 'X-Amz-Signature': (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1) }, new Blob([randomBytes(20)]));
    assert.equal(r.status, 403);
    assert.equal(code(await r.text()), 'SignatureDoesNotMatch');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'limited' }));
    assert.equal(listed.KeyCount, 0, 'no refused upload left an object');
    const short = await createPresignedPost(s3, { Bucket: bucket, Key: 'late.bin', Expires: 1 });
    await new Promise((res) => setTimeout(res, 2100));
    r = await post(short.url, short.fields, new Blob(['x']));
    assert.equal(r.status, 403);
    assert.equal(message(await r.text()), 'Invalid according to Policy: Policy expired.');
  });

  it('success_action_redirect answers 303 to the URL with bucket, key and etag; default status is 204', async () => {
    const { url, fields } = await createPresignedPost(s3, {
      Bucket: bucket,
      Key: 'redirected.txt',
      Conditions: [['starts-with', '$success_action_redirect', 'https://app.example.com/']],
      Fields: { success_action_redirect: 'https://app.example.com/done?x=1' },
    });
    const r = await post(url, fields, new Blob(['r']));
    assert.equal(r.status, 303);
    const location = new URL(r.headers.get('location') ?? '');
    assert.equal(location.origin + location.pathname, 'https://app.example.com/done');
    assert.equal(location.searchParams.get('x'), '1');
    assert.equal(location.searchParams.get('bucket'), bucket);
    assert.equal(location.searchParams.get('key'), 'redirected.txt');
    assert.equal(location.searchParams.get('etag'), `"${createHash('md5').update('r').digest('hex')}"`);
    const plain = await createPresignedPost(s3, { Bucket: bucket, Key: 'plain.txt' });
    const p = await post(plain.url, plain.fields, new Blob(['p']));
    assert.equal(p.status, 204);
  });

  it('an unsigned form is anonymous: refused on a private bucket, stored in a public-write one; malformed forms are 400', async () => {
    let r = await post(`${node.s3Url}/${bucket}`, { key: 'anon.txt' }, new Blob(['a']));
    assert.equal(r.status, 403);
    assert.equal(code(await r.text()), 'AccessDenied');
    const open = await newBucket('post-open', { ACL: 'public-read-write' });
    r = await post(`${node.s3Url}/${open}`, { key: 'anon.txt', 'Content-Type': 'text/plain' }, new Blob(['anonymous']));
    assert.equal(r.status, 204, await r.text());
    const obj = await s3.send(new GetObjectCommand({ Bucket: open, Key: 'anon.txt' }));
    assert.equal(await obj.Body?.transformToString(), 'anonymous');
    assert.equal(obj.ContentType, 'text/plain');
    r = await post(`${node.s3Url}/${open}`, { 'Content-Type': 'text/plain' }, new Blob(['no key']));
    assert.equal(r.status, 400);
    assert.equal(code(await r.text()), 'InvalidArgument');
    r = await post(`${node.s3Url}/${open}`, { key: 'sse.txt', 'x-amz-server-side-encryption': 'AES256' }, new Blob(['s']));
    assert.equal(r.status, 501, 'SSE-S3 on a node without encryption at rest answers what PUT answers');
    await r.text();
    const noFile = new FormData();
    noFile.append('key', 'x');
    r = await fetch(`${node.s3Url}/${open}`, { method: 'POST', body: noFile });
    assert.equal(r.status, 400);
    assert.equal(code(await r.text()), 'InvalidArgument');
    r = await fetch(`${node.s3Url}/${open}`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=zzz' },
      body: '--zzz\r\nContent-Disposition: form-data; name="key"\r\n\r\nk\r\n--zzz\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\ntruncated',
    });
    assert.equal(r.status, 400);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: open }));
    assert.deepEqual(
      listed.Contents?.map((c) => c.Key),
      ['anon.txt'],
      'nothing stored from the refused forms',
    );
  });

  it('a client that goes away in the middle of the fields leaves no request hanging', async () => {
    const { port } = new URL(node.s3Url);
    const startedAt = new Date().toISOString();
    const req = request({
      host: '127.0.0.1',
      port: Number(port),
      method: 'POST',
      path: `/${bucket}`,
      headers: { 'content-type': 'multipart/form-data; boundary=xyz', 'content-length': '100000' },
    });
    req.on('error', () => undefined);
    req.write('--xyz\r\nContent-Disposition: form-data; name="key"\r\n\r\nhalf');
    await new Promise((res) => setTimeout(res, 200));
    req.destroy();
    type Entry = { timestamp: string; operation?: string; bucket?: string; status?: number };
    let entry: Entry | undefined;
    for (let i = 0; i < 50 && entry === undefined; i++) {
      await new Promise((res) => setTimeout(res, 100));
      entry = (await readFile(node.accessLog, 'utf8'))
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Entry)
        .find((e) => e.operation === 'PostObject' && e.bucket === bucket && e.timestamp >= startedAt);
    }
    assert.ok(entry, 'the abandoned POST finished and was logged');
    assert.ok(entry.status === 400 || entry.status === 499, `status ${entry.status}`);
    const ok = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'half' }));
    assert.equal(ok.KeyCount, 0);
  });

  it('a 24 MiB file streams through (bytes identical) and a signed-by-bob form is authorized as bob', async () => {
    const data = randomBytes(24 * 1024 * 1024);
    const { url, fields } = await createPresignedPost(s3, { Bucket: bucket, Key: 'big.bin', Fields: { success_action_status: '200' } });
    const r = await post(url, fields, new Blob([data]));
    assert.equal(r.status, 200, await r.text());
    const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'big.bin' }));
    const got = Buffer.from(await obj.Body!.transformToByteArray());
    assert.equal(createHash('sha256').update(got).digest('hex'), createHash('sha256').update(data).digest('hex'));
    const asBob = await createPresignedPost(bob, { Bucket: bucket, Key: 'bob.txt' });
    const denied = await post(asBob.url, asBob.fields, new Blob(['b']));
    assert.equal(denied.status, 403);
    assert.equal(code(await denied.text()), 'AccessDenied');
  });
});

/** The anode process serving `dataDir`, found by its command line. */
async function serverPid(dataDir: string): Promise<number> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (args.includes('server') && args[args.indexOf('--data') + 1] === dataDir) return Number(entry);
  }
  throw new Error(`no anode process for ${dataDir}`);
}

async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

describe('browser POST uploads stream (bounded memory)', { timeout: 300_000 }, () => {
  let own: AnodeNode;
  after(async () => {
    await own?.cleanup();
  });

  it('a 160 MiB form upload raises the server peak RSS by far less than the file', async () => {
    own = await startNode();
    const client = sdkClient(own);
    const b = uniqueBucket('post-big');
    await client.send(new CreateBucketCommand({ Bucket: b }));
    const pid = await serverPid(own.dataDir);
    const before = await peakRssMiB(pid);
    const size = 160 * 1024 * 1024;
    const data = randomBytes(size);
    const { url, fields } = await createPresignedPost(client, {
      Bucket: b,
      Key: 'big.bin',
      Conditions: [['content-length-range', size, size]],
    });
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([data]), 'big.bin');
    const r = await fetch(url, { method: 'POST', body: form });
    assert.equal(r.status, 204, await r.text());
    const grew = (await peakRssMiB(pid)) - before;
    assert.ok(grew < 80, `peak RSS grew by ${grew.toFixed(1)} MiB for a 160 MiB file`);
    const head = await client.send(new HeadObjectCommand({ Bucket: b, Key: 'big.bin' }));
    assert.equal(head.ContentLength, size);
    assert.equal(head.ETag, `"${createHash('md5').update(data).digest('hex')}"`);
  });
});

describe('PublicAccessBlock', { timeout: 120_000 }, () => {
  it('Get is NoSuchPublicAccessBlockConfiguration until set; the four flags round-trip; Delete removes them', async () => {
    const b = await newBucket('pab');
    await expectS3Error(s3.send(new GetPublicAccessBlockCommand({ Bucket: b })), 'NoSuchPublicAccessBlockConfiguration', 404);
    const config = { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: true, RestrictPublicBuckets: false };
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: config }));
    assert.deepEqual((await s3.send(new GetPublicAccessBlockCommand({ Bucket: b }))).PublicAccessBlockConfiguration, config);
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: b }));
    await expectS3Error(s3.send(new GetPublicAccessBlockCommand({ Bucket: b })), 'NoSuchPublicAccessBlockConfiguration', 404);
  });

  it('BlockPublicAcls refuses public ACLs on PUT and PutBucketAcl; BlockPublicPolicy refuses a public policy', async () => {
    const b = await newBucket('pab-block');
    await s3.send(
      new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true } }),
    );
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'x', ACL: 'public-read' })), 'AccessDenied', 403);
    await expectS3Error(s3.send(new PutBucketAclCommand({ Bucket: b, ACL: 'public-read' })), 'AccessDenied', 403);
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'x', ACL: 'private' }));
    const current = await s3.send(new GetObjectAclCommand({ Bucket: b, Key: 'k' }));
    await expectS3Error(
      s3.send(
        new PutObjectAclCommand({
          Bucket: b,
          Key: 'k',
          AccessControlPolicy: {
            Owner: current.Owner,
            Grants: [
              ...(current.Grants ?? []),
              { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' },
            ],
          },
        }),
      ),
      'AccessDenied',
      403,
    );
    await s3.send(new PutObjectAclCommand({ Bucket: b, Key: 'k', AccessControlPolicy: { Owner: current.Owner, Grants: current.Grants } }));
    const publicPolicy = policy(b, [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${b}/*` }]);
    await expectS3Error(s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: publicPolicy })), 'AccessDenied', 403);
    const bobOnly = policy(b, [
      {
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::000000000000:user/bob'] },
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${b}/*`,
      },
    ]);
    await s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: bobOnly }));
  });

  it('IgnorePublicAcls stops honouring public ACLs; RestrictPublicBuckets keeps a public policy from anonymous callers', async () => {
    const b = await newBucket('pab-ignore');
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'acl.txt', Body: 'acl', ACL: 'public-read' }));
    assert.equal((await fetch(`${node.s3Url}/${b}/acl.txt`)).status, 200);
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: { IgnorePublicAcls: true } }));
    assert.equal((await fetch(`${node.s3Url}/${b}/acl.txt`)).status, 403);
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: b,
        Policy: policy(b, [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${b}/*` }]),
      }),
    );
    assert.equal((await fetch(`${node.s3Url}/${b}/acl.txt`)).status, 200, 'the public policy allows');
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: b,
        PublicAccessBlockConfiguration: { IgnorePublicAcls: true, RestrictPublicBuckets: true },
      }),
    );
    assert.equal((await fetch(`${node.s3Url}/${b}/acl.txt`)).status, 403, 'RestrictPublicBuckets: no anonymous access');
    const asBob = await bob.send(new GetObjectCommand({ Bucket: b, Key: 'acl.txt' }));
    assert.equal(await asBob.Body?.transformToString(), 'acl', 'a signed-in user is still allowed by the policy');
  });
});

describe('Object Ownership', { timeout: 120_000 }, () => {
  it('x-amz-object-ownership on CreateBucket; BucketOwnerEnforced refuses ACLs but bucket-owner-full-control', async () => {
    const b = await newBucket('own-enforced', { ObjectOwnership: 'BucketOwnerEnforced' });
    const got = await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: b }));
    assert.deepEqual(got.OwnershipControls?.Rules, [{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'x', ACL: 'public-read' })),
      'AccessControlListNotSupported',
      400,
    );
    await expectS3Error(s3.send(new PutBucketAclCommand({ Bucket: b, ACL: 'public-read' })), 'AccessControlListNotSupported', 400);
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'x', ACL: 'bucket-owner-full-control' }));
    // Bob writes through a policy: the object is the bucket owner's all the same.
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: b,
        Policy: policy(b, [
          {
            Effect: 'Allow',
            Principal: { AWS: ['arn:aws:iam::000000000000:user/bob'] },
            Action: 's3:PutObject',
            Resource: `arn:aws:s3:::${b}/*`,
          },
        ]),
      }),
    );
    await bob.send(new PutObjectCommand({ Bucket: b, Key: 'by-bob', Body: 'b' }));
    const acl = await s3.send(new GetObjectAclCommand({ Bucket: b, Key: 'by-bob' }));
    assert.equal(acl.Owner?.DisplayName, 'root');
    assert.deepEqual(
      acl.Grants?.map((g) => [g.Grantee?.DisplayName, g.Permission]),
      [['root', 'FULL_CONTROL']],
    );
    await expectS3Error(
      s3.send(new CreateBucketCommand({ Bucket: uniqueBucket('own-bad'), ObjectOwnership: 'BucketOwnerEnforced', ACL: 'public-read' })),
      'InvalidBucketAclWithObjectOwnership',
      400,
    );
  });

  it('BucketOwnerPreferred: bucket-owner-full-control uploads become the bucket owner’s; Put/Delete controls', async () => {
    const b = await newBucket('own-preferred');
    await expectS3Error(s3.send(new GetBucketOwnershipControlsCommand({ Bucket: b })), 'OwnershipControlsNotFoundError', 404);
    await s3.send(
      new PutBucketOwnershipControlsCommand({ Bucket: b, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] } }),
    );
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: b,
        Policy: policy(b, [
          {
            Effect: 'Allow',
            Principal: { AWS: ['arn:aws:iam::000000000000:user/bob'] },
            Action: 's3:PutObject',
            Resource: `arn:aws:s3:::${b}/*`,
          },
        ]),
      }),
    );
    await bob.send(new PutObjectCommand({ Bucket: b, Key: 'preferred', Body: 'p', ACL: 'bucket-owner-full-control' }));
    await bob.send(new PutObjectCommand({ Bucket: b, Key: 'kept', Body: 'k' }));
    assert.equal((await s3.send(new GetObjectAclCommand({ Bucket: b, Key: 'preferred' }))).Owner?.DisplayName, 'root');
    assert.equal((await s3.send(new GetObjectAclCommand({ Bucket: b, Key: 'kept' }))).Owner?.DisplayName, 'bob');
    await s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket: b }));
    await expectS3Error(s3.send(new GetBucketOwnershipControlsCommand({ Bucket: b })), 'OwnershipControlsNotFoundError', 404);
  });
});

describe('GetObjectAttributes, bucket logging, x-amz-expected-bucket-owner', { timeout: 120_000 }, () => {
  let bucket: string;
  before(async () => {
    bucket = await newBucket('attrs');
  });

  it('GetObjectAttributes: ETag (unquoted), Checksum, ObjectParts, StorageClass, ObjectSize', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'single', Body: 'hello', ChecksumAlgorithm: 'CRC32' }));
    const single = await s3.send(
      new GetObjectAttributesCommand({
        Bucket: bucket,
        Key: 'single',
        ObjectAttributes: ['ETag', 'Checksum', 'StorageClass', 'ObjectSize'],
      }),
    );
    assert.equal(single.ETag, createHash('md5').update('hello').digest('hex'));
    assert.equal(single.ObjectSize, 5);
    assert.equal(single.StorageClass, 'STANDARD');
    assert.ok(single.Checksum?.ChecksumCRC32);
    assert.ok(single.LastModified instanceof Date);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'multi' }));
    const p1 = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'multi', UploadId, PartNumber: 1, Body: randomBytes(5 * 1024 * 1024) }),
    );
    const p2 = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'multi', UploadId, PartNumber: 2, Body: 'tail' }));
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'multi',
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: p1.ETag! },
            { PartNumber: 2, ETag: p2.ETag! },
          ],
        },
      }),
    );
    const multi = await s3.send(
      new GetObjectAttributesCommand({ Bucket: bucket, Key: 'multi', ObjectAttributes: ['ObjectParts', 'ObjectSize'] }),
    );
    assert.equal(multi.ObjectSize, 5 * 1024 * 1024 + 4);
    assert.equal(multi.ObjectParts?.TotalPartsCount, 2);
    assert.deepEqual(
      multi.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size]),
      [
        [1, 5 * 1024 * 1024],
        [2, 4],
      ],
    );
    const paged = await s3.send(
      new GetObjectAttributesCommand({ Bucket: bucket, Key: 'multi', ObjectAttributes: ['ObjectParts'], MaxParts: 1 }),
    );
    assert.equal(paged.ObjectParts?.IsTruncated, true);
    assert.equal(paged.ObjectParts?.NextPartNumberMarker, '1');
    await expectS3Error(
      s3.send(new GetObjectAttributesCommand({ Bucket: bucket, Key: 'missing', ObjectAttributes: ['ETag'] })),
      'NoSuchKey',
      404,
    );
  });

  it('Get/PutBucketLogging: stored and returned; a missing target bucket is refused; an empty status disables', async () => {
    assert.equal((await s3.send(new GetBucketLoggingCommand({ Bucket: bucket }))).LoggingEnabled, undefined);
    const target = await newBucket('logs');
    await s3.send(
      new PutBucketLoggingCommand({
        Bucket: bucket,
        BucketLoggingStatus: { LoggingEnabled: { TargetBucket: target, TargetPrefix: 'attrs/' } },
      }),
    );
    const got = await s3.send(new GetBucketLoggingCommand({ Bucket: bucket }));
    assert.deepEqual(got.LoggingEnabled, { TargetBucket: target, TargetPrefix: 'attrs/' });
    await expectS3Error(
      s3.send(
        new PutBucketLoggingCommand({
          Bucket: bucket,
          BucketLoggingStatus: { LoggingEnabled: { TargetBucket: uniqueBucket('nope'), TargetPrefix: '' } },
        }),
      ),
      'InvalidTargetBucketForLogging',
      400,
    );
    await s3.send(new PutBucketLoggingCommand({ Bucket: bucket, BucketLoggingStatus: {} }));
    assert.equal((await s3.send(new GetBucketLoggingCommand({ Bucket: bucket }))).LoggingEnabled, undefined);
  });

  it('x-amz-expected-bucket-owner: the account id passes, another account is AccessDenied on bucket and object operations', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'owned', Body: 'o', ExpectedBucketOwner: '000000000000' }));
    await s3.send(new ListObjectsV2Command({ Bucket: bucket, ExpectedBucketOwner: '000000000000' }));
    await expectS3Error(s3.send(new ListObjectsV2Command({ Bucket: bucket, ExpectedBucketOwner: '111111111111' })), 'AccessDenied', 403);
    await expectS3Error(
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'owned', ExpectedBucketOwner: '111111111111' })),
      'AccessDenied',
      403,
    );
    await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'owned2', Body: 'x', ExpectedBucketOwner: '111111111111' })),
      'AccessDenied',
      403,
    );
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'owned2' })), 'NotFound', 404);
    await expectS3Error(
      s3.send(
        new CopyObjectCommand({ Bucket: bucket, Key: 'copied', CopySource: `${bucket}/owned`, ExpectedSourceBucketOwner: '111111111111' }),
      ),
      'AccessDenied',
      403,
    );
    await s3.send(
      new CopyObjectCommand({ Bucket: bucket, Key: 'copied', CopySource: `${bucket}/owned`, ExpectedSourceBucketOwner: '000000000000' }),
    );
  });

  it('the access log names the new operations', async () => {
    await new Promise((res) => setTimeout(res, 300));
    const ops = new Set(
      (await readFile(node.accessLog, 'utf8'))
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => (JSON.parse(l) as { operation?: string }).operation),
    );
    for (const op of [
      'PutObjectTagging',
      'GetObjectTagging',
      'DeleteObjectTagging',
      'PutBucketTagging',
      'GetBucketTagging',
      'DeleteBucketTagging',
      'PutBucketCors',
      'GetBucketCors',
      'DeleteBucketCors',
      'OptionsObject',
      'PostObject',
      'PutPublicAccessBlock',
      'GetPublicAccessBlock',
      'DeletePublicAccessBlock',
      'PutBucketOwnershipControls',
      'GetBucketOwnershipControls',
      'DeleteBucketOwnershipControls',
      'GetObjectAttributes',
      'PutBucketLogging',
      'GetBucketLogging',
    ]) {
      assert.ok(ops.has(op), `access log has ${op}`);
    }
  });
});
