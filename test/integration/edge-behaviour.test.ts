/**
 * Edge behaviours an S3 conformance run found wrong (S3 surface II issue, "Edge behaviour
 * found wrong"), each checked on a real node against what S3 answers.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { AdminClient } from '../../shared/src/admin-api/index.js';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { expectS3Error, sdkClient, uniqueBucket } from '../helpers/s3-client.js';
import { signHeaders, signedFetch } from '../helpers/sigv4.js';
import { rawRequest } from '../helpers/raw-http.js';

let node: AnodeNode;
let s3: S3Client;
const bucket = uniqueBucket('edge');

before(async () => {
  node = await startNode();
  s3 = sdkClient(node);
  assert.equal((await signedFetch(node.s3Url, { method: 'PUT', path: `/${bucket}`, creds: node })).status, 200);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'one', Body: 'hello world' }));
});
after(async () => {
  s3?.destroy();
  await node?.cleanup();
});

describe('edge behaviour, as S3 answers it', () => {
  it('GET and HEAD with a partNumber the object lacks: 400 InvalidPartNumber', async () => {
    const r = await signedFetch(node.s3Url, { method: 'GET', path: `/${bucket}/one`, query: 'partNumber=2', creds: node });
    const text = await r.text();
    assert.equal(r.status, 400, text);
    assert.match(text, /<Code>InvalidPartNumber<\/Code>/);
    await expectS3Error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'one', PartNumber: 3 })), 'BadRequest', 400).catch(
      async () => {
        // The SDK names a bodiless HEAD error by status; the status is what matters.
        const h = await signedFetch(node.s3Url, { method: 'HEAD', path: `/${bucket}/one`, query: 'partNumber=3', creds: node });
        assert.equal(h.status, 400);
      },
    );
    const ok = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'one', PartNumber: 1 }));
    assert.equal(await ok.Body?.transformToString(), 'hello world');
  });

  it('UploadPartCopy with a range outside the source: InvalidRange', async () => {
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mp-copy' }));
    await expectS3Error(
      s3.send(
        new UploadPartCopyCommand({
          Bucket: bucket,
          Key: 'mp-copy',
          UploadId: up.UploadId!,
          PartNumber: 1,
          CopySource: `${bucket}/one`,
          CopySourceRange: 'bytes=0-100',
        }),
      ),
      'InvalidRange',
      416,
    );
    // A malformed range is still InvalidArgument.
    await expectS3Error(
      s3.send(
        new UploadPartCopyCommand({
          Bucket: bucket,
          Key: 'mp-copy',
          UploadId: up.UploadId!,
          PartNumber: 1,
          CopySource: `${bucket}/one`,
          CopySourceRange: 'bytes=5-',
        }),
      ),
      'InvalidArgument',
      400,
    );
  });

  it('ListObjectsV2 with an empty continuation-token lists from the start and echoes it', async () => {
    const r = await signedFetch(node.s3Url, { method: 'GET', path: `/${bucket}`, query: 'continuation-token=&list-type=2', creds: node });
    const text = await r.text();
    assert.equal(r.status, 200, text);
    assert.match(text, /<ContinuationToken><\/ContinuationToken>|<ContinuationToken\/>/);
    assert.match(text, /<Key>one<\/Key>/);
    const sdk = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: '' }));
    assert.ok(sdk.Contents?.some((c) => c.Key === 'one'));
  });

  it('a Prefix holding a control character comes back as a numeric reference, not URL-encoded', async () => {
    const r = await signedFetch(node.s3Url, { method: 'GET', path: `/${bucket}`, query: 'list-type=2&prefix=a%0Ab', creds: node });
    const text = await r.text();
    assert.equal(r.status, 200, text);
    assert.match(text, /<Prefix>a&#xa;b<\/Prefix>/i);
  });

  it('a bucket policy naming another bucket is accepted and grants nothing there', async () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: ['arn:aws:s3:::some-other-bucket/*'] }],
    };
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
    const anon = await fetch(`${node.s3Url}/${bucket}/one`);
    assert.equal(anon.status, 403);
  });

  it('HEAD/GET of a missing key: 404 to a caller allowed to list that prefix, 403 to one who is not', async () => {
    const admin = new AdminClient({
      endpoint: node.adminUrl,
      credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey },
    });
    const made = await admin.createCredential({ user: 'lister' });
    const lister = sdkClient(node, { credentials: { accessKeyId: made.access_key, secretAccessKey: made.secret_key } });
    const b2 = uniqueBucket('edgelist');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'seed', Body: 'x' })); // keep the first bucket busy
    assert.equal((await signedFetch(node.s3Url, { method: 'PUT', path: `/${b2}`, creds: node })).status, 200);
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'user:lister' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${b2}/*` },
        {
          Effect: 'Allow',
          Principal: { AWS: 'user:lister' },
          Action: 's3:ListBucket',
          Resource: `arn:aws:s3:::${b2}`,
          Condition: { StringLike: { 's3:prefix': 'docs/*' } },
        },
      ],
    };
    await s3.send(new PutBucketPolicyCommand({ Bucket: b2, Policy: JSON.stringify(policy) }));
    await expectS3Error(lister.send(new GetObjectCommand({ Bucket: b2, Key: 'docs/missing' })), 'NoSuchKey', 404);
    await assert.rejects(
      lister.send(new HeadObjectCommand({ Bucket: b2, Key: 'docs/missing' })),
      (e: { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(e.$metadata?.httpStatusCode, 404);
        return true;
      },
    );
    // Outside the listable prefix S3 hides existence: 403.
    await expectS3Error(lister.send(new GetObjectCommand({ Bucket: b2, Key: 'private/missing' })), 'AccessDenied', 403);
    lister.destroy();
  });

  it('CompleteMultipartUpload retried after it succeeded answers 200 with the same object', async () => {
    const key = 'mp-retry';
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const part = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: up.UploadId!, PartNumber: 1, Body: 'part one' }),
    );
    const input = {
      Bucket: bucket,
      Key: key,
      UploadId: up.UploadId!,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag! }] },
    };
    const first = await s3.send(new CompleteMultipartUploadCommand(input));
    const again = await s3.send(new CompleteMultipartUploadCommand(input));
    assert.equal(again.ETag, first.ETag);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    assert.equal(await got.Body?.transformToString(), 'part one');
    // Once the key is overwritten, the upload id is gone for good.
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'other' }));
    await expectS3Error(s3.send(new CompleteMultipartUploadCommand(input)), 'NoSuchUpload', 404);
  });

  it('PUT with non-ASCII (UTF-8) user metadata verifies over the bytes the client signed, and reads back', async () => {
    // What curl, aws-cli and boto3 do: the value's UTF-8 bytes on the wire, signed as UTF-8.
    const value = 'café ünïcode ✓';
    const port = Number(new URL(node.s3Url).port);
    const host = `127.0.0.1:${port}`;
    const headers = signHeaders({
      method: 'PUT',
      path: `/${bucket}/meta`,
      headers: [
        ['host', host],
        ['x-amz-meta-note', value],
        ['content-length', '1'],
      ],
      payloadHash: createHash('sha256').update('m').digest('hex'),
      creds: node,
    });
    const head = Buffer.from(
      [`PUT /${bucket}/meta HTTP/1.1`, ...headers.map(([k, v]) => `${k}: ${v}`), 'connection: close', '', ''].join('\r\n'),
      'utf8',
    );
    const r = await rawRequest(port, head, { body: 'm' });
    assert.equal(r.status, 200, r.body.toString());
    const h = await signedFetch(node.s3Url, { method: 'HEAD', path: `/${bucket}/meta`, creds: node });
    assert.equal(h.status, 200);
    // fetch decodes header bytes as latin1; the bytes are the UTF-8 the client sent.
    assert.equal(Buffer.from(h.headers.get('x-amz-meta-note') ?? '', 'latin1').toString('utf8'), value);
  });
});
