/**
 * Object handlers without a socket: a request context around a real IncomingMessage, the
 * real SQLite metadata store and chunk store in a temp dir, and the result value checked
 * (what s3/respond.ts would write), or the S3Error toS3Error would send.
 */
import { ChunksInFlight } from '../../model/chunks-in-flight.js';
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalChunkStore } from '../../chunks/local-chunk-store.js';
import { SqliteMetadataStore } from '../../metadata/sqlite/sqlite-metadata-store.js';
import { bucketRecord } from '../../metadata/conformance-fixtures.js';
import type { BucketRecord } from '../../metadata/types.js';
import { parseTarget } from '../../http/target.js';
import { BucketWrites } from '../../model/bucket-writes.js';
import { ObjectService } from '../../model/object-service.js';
import type { RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { S3Error } from '../errors.js';
import { modelErrorToS3 } from '../model-errors.js';
import type { S3Result } from '../result.js';
import { toXml } from '../xml.js';
import { handlePutObject } from './put-object.js';
import { handleCopyObject } from './copy-object.js';
import { handleCompleteMultipartUpload, handleCreateMultipartUpload, handleUploadPart } from './multipart.js';
import { handleDeleteObject, handleGetObject, handleHeadObject } from './get-object.js';

let dir: string;
let metadata: SqliteMetadataStore;
let chunks: LocalChunkStore;
let deps: S3Deps;
let bucket: BucketRecord;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'anode-handlers-'));
  metadata = await SqliteMetadataStore.open(dir);
  chunks = await LocalChunkStore.open(dir);
  const bucketWrites = new BucketWrites();
  const objects = new ObjectService({
    metadata,
    chunks,
    bucketWrites,
    bytesReceived: () => undefined,
    chunkSize: 1 << 20,
    inFlight: new ChunksInFlight(),
  });
  // The object handlers reach only these; the rest of S3Deps is the listener's business.
  const used: Pick<S3Deps, 'metadata' | 'chunks' | 'bucketWrites' | 'objects'> = { metadata, chunks, bucketWrites, objects };
  deps = used as S3Deps;
  bucket = bucketRecord('photos', { id: randomBytes(16).toString('hex') });
  await metadata.createBucket(bucket);
});
afterEach(async () => {
  await metadata.close();
  await rm(dir, { recursive: true, force: true });
});

/** A request as handle.ts leaves it for the handler: target parsed, caller known, bucket resolved. */
function request(method: string, url: string, headers: Record<string, string> = {}, body?: Buffer): RequestContext {
  const req = new IncomingMessage(new Socket());
  req.method = method;
  req.url = url;
  const all: Record<string, string> = { host: 'localhost', ...headers };
  if (body !== undefined) all['content-length'] = String(body.length);
  req.headers = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), v]));
  req.rawHeaders = Object.entries(all).flat();
  if (body !== undefined) req.push(body);
  req.push(null);
  return {
    requestId: 'TESTREQUEST00001',
    startedAt: process.hrtime.bigint(),
    req,
    res: new ServerResponse(req),
    remoteAddr: '127.0.0.1',
    secure: false,
    principal: { kind: 'user', user: 'alice', accessKey: 'AKIATESTTESTTESTTEST', role: 'user' },
    target: parseTarget(url, 'localhost', ''),
    bucket,
    bytesSent: 0,
  };
}

/** What the client would see for a failure: the S3Error handle.ts's toS3Error makes of it. */
async function s3Failure(p: Promise<unknown>): Promise<S3Error> {
  const err = await p.then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );
  const s3 = err instanceof S3Error ? err : modelErrorToS3(err);
  assert.ok(s3, `not a client-visible failure: ${String(err)}`);
  return s3;
}

const md5 = (b: Buffer) => `"${createHash('md5').update(b).digest('hex')}"`;

function xmlOf(result: S3Result): string {
  assert.equal(result.body.kind, 'xml');
  return result.body.kind === 'xml' ? toXml(result.body.xml) : '';
}

async function chunkCount(): Promise<number> {
  let n = 0;
  for await (const _ of chunks.list()) n++;
  return n;
}

test('PutObject answers 200 with the ETag and stores the record', async () => {
  const bytes = randomBytes(1500);
  const result = await handlePutObject(
    deps,
    request('PUT', '/photos/cat.jpg', { 'content-type': 'image/jpeg', 'x-amz-meta-who': 'tom' }, bytes),
  );
  assert.deepEqual(result, { status: 200, headers: { etag: md5(bytes) }, body: { kind: 'empty' } });
  const stored = await metadata.getObject(bucket.id, 'cat.jpg');
  assert.equal(stored?.etag, md5(bytes));
  assert.deepEqual(stored?.headers, { contentType: 'image/jpeg' });
  assert.deepEqual(stored?.userMetadata, { who: 'tom' });
});

test('PutObject with If-None-Match: * on an existing key is 412 PreconditionFailed', async () => {
  await handlePutObject(deps, request('PUT', '/photos/k', {}, Buffer.from('one')));
  const err = await s3Failure(handlePutObject(deps, request('PUT', '/photos/k', { 'if-none-match': '*' }, Buffer.from('two'))));
  assert.equal(err.code, 'PreconditionFailed');
  assert.equal(err.status, 412);
  assert.deepEqual(err.extra, { Condition: 'If-None-Match' });
  assert.equal((await metadata.getObject(bucket.id, 'k'))?.etag, md5(Buffer.from('one')));
});

test('PutObject into a bucket deleted meanwhile is 404 NoSuchBucket and leaves no chunk', async () => {
  // The bucket was resolved by handle.ts, then deleted (by another node) before the commit.
  assert.equal(await metadata.deleteBucket(bucket.id), 'deleted');
  const err = await s3Failure(handlePutObject(deps, request('PUT', '/photos/k', {}, randomBytes(4096))));
  assert.equal(err.code, 'NoSuchBucket');
  assert.equal(err.status, 404);
  assert.deepEqual(err.extra, { BucketName: 'photos' });
  assert.equal(await chunkCount(), 0);
});

test('CompleteMultipartUpload with a wrong part ETag is 400 InvalidPart naming the part', async () => {
  const created = await handleCreateMultipartUpload(deps, request('POST', '/photos/big?uploads'));
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(xmlOf(created))![1]!;
  const part = await handleUploadPart(deps, request('PUT', `/photos/big?partNumber=1&uploadId=${uploadId}`, {}, Buffer.from('part one')));
  assert.equal(part.headers.etag, md5(Buffer.from('part one')));
  const wrong = '"00000000000000000000000000000000"';
  const xml = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${wrong}</ETag></Part></CompleteMultipartUpload>`;
  const err = await s3Failure(
    handleCompleteMultipartUpload(deps, request('POST', `/photos/big?uploadId=${uploadId}`, {}, Buffer.from(xml))),
  );
  assert.equal(err.code, 'InvalidPart');
  assert.equal(err.status, 400);
  assert.deepEqual(err.extra, { UploadId: uploadId, PartNumber: 1, ETag: wrong });

  const right = xml.replace(wrong, String(part.headers.etag));
  const done = await handleCompleteMultipartUpload(deps, request('POST', `/photos/big?uploadId=${uploadId}`, {}, Buffer.from(right)));
  assert.match(
    xmlOf(done),
    /<Location>http:\/\/localhost\/photos\/big<\/Location><Bucket>photos<\/Bucket><Key>big<\/Key><ETag>&quot;[0-9a-f]{32}-1&quot;<\/ETag>/,
  );
});

test('CopyObject shares the source chunks and answers the source ETag', async () => {
  const bytes = randomBytes(2000);
  await handlePutObject(deps, request('PUT', '/photos/src', {}, bytes));
  const before = await chunkCount();
  const result = await handleCopyObject(deps, request('PUT', '/photos/dst', { 'x-amz-copy-source': '/photos/src' }));
  assert.match(
    xmlOf(result),
    new RegExp(`<CopyObjectResult xmlns="[^"]+"><ETag>${md5(bytes).replaceAll('"', '&quot;')}</ETag><LastModified>`),
  );
  const src = await metadata.getObject(bucket.id, 'src');
  const dst = await metadata.getObject(bucket.id, 'dst');
  assert.ok(src && dst);
  assert.deepEqual(dst.chunks, src.chunks);
  assert.equal(await chunkCount(), before);
});

test('GetObject streams the bytes with their length; HeadObject announces it; DeleteObject is a bare 204', async () => {
  const bytes = randomBytes(5000);
  await handlePutObject(deps, request('PUT', '/photos/k', {}, bytes));
  const got = await handleGetObject(deps, request('GET', '/photos/k', { range: 'bytes=10-19' }));
  assert.equal(got.status, 206);
  assert.equal(got.headers['content-range'], 'bytes 10-19/5000');
  assert.equal(got.body.kind, 'stream');
  if (got.body.kind === 'stream') {
    assert.equal(got.body.length, 10);
    const parts: Buffer[] = [];
    for await (const b of got.body.stream) parts.push(Buffer.from(b));
    assert.deepEqual(Buffer.concat(parts), bytes.subarray(10, 20));
  }
  const head = await handleHeadObject(deps, request('HEAD', '/photos/k'));
  assert.deepEqual(head.body, { kind: 'head', length: 5000 });
  assert.equal(head.headers.etag, md5(bytes));
  assert.deepEqual(await handleDeleteObject(deps, request('DELETE', '/photos/k')), { status: 204, headers: {}, body: { kind: 'bare' } });
  const err = await s3Failure(handleGetObject(deps, request('GET', '/photos/k')));
  assert.equal(err.code, 'NoSuchKey');
  assert.deepEqual(err.extra, { Key: 'k' });
});
