import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { LocalChunkStore } from '../chunks/local-chunk-store.js';
import { SqliteMetadataStore } from '../metadata/sqlite/sqlite-metadata-store.js';
import type { BucketRecord } from '../metadata/types.js';
import { privateAcl } from '../policy/acl.js';
import { BucketWrites } from './bucket-writes.js';
import { ModelError, type ModelErrorCode } from './errors.js';
import { MIN_PART_SIZE, ObjectService, type IncomingBody } from './object-service.js';
import { objectService, openObjectTestRig, closeObjectTestRig, objectAttributes, readAll, type ObjectTestRig } from './object-test-rig.js';

let rig: ObjectTestRig;
let chunks: LocalChunkStore;
let metadata: SqliteMetadataStore;
let writes: BucketWrites;
let objects: ObjectService;
let received: number;
let bucket: BucketRecord;

beforeEach(async () => {
  rig = await openObjectTestRig('anode-objects-');
  ({ chunks, metadata, bucket } = rig);
  writes = new BucketWrites();
  received = 0;
  objects = objectService(rig, { bucketWrites: writes, bytesReceived: (n) => (received += n) });
});
afterEach(() => closeObjectTestRig(rig));

const attributes = objectAttributes();

/** A body as s3/body.ts would open it, from bytes (optionally trickled through `gate`). */
function body(bytes: Buffer, gate?: Promise<void>): IncomingBody {
  async function* stream(): AsyncGenerator<Uint8Array> {
    yield bytes.subarray(0, bytes.length >> 1);
    await gate;
    yield bytes.subarray(bytes.length >> 1);
  }
  return {
    payload: { stream: stream(), declaredLength: bytes.length, verify: () => undefined },
    checksumAlgorithm: null,
    needsSha256: false,
  };
}

const md5 = (b: Buffer) => `"${createHash('md5').update(b).digest('hex')}"`;

async function chunkIds(): Promise<string[]> {
  const ids: string[] = [];
  for await (const c of chunks.list()) ids.push(c.id);
  return ids.sort();
}

async function rejectsWith(p: Promise<unknown>, code: ModelErrorCode): Promise<ModelError> {
  const err = await p.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ModelError, `expected a ModelError, got ${String(err)}`);
  assert.equal(err.code, code);
  return err;
}

function put(key: string, bytes: Buffer, conditions = {}) {
  return objects.putObject({ ...attributes, bucket, key, conditions, openBody: () => body(bytes) });
}

test('putObject stores the record with the MD5 ETag and its bytes', async () => {
  const bytes = randomBytes(3000);
  const result = await put('a/b.txt', bytes);
  assert.equal(result.etag, md5(bytes));
  assert.equal(result.checksum, null);
  assert.equal(received, bytes.length);
  const stored = await metadata.getObject(bucket.id, 'a/b.txt');
  assert.ok(stored);
  assert.equal(stored.etag, result.etag);
  assert.equal(stored.size, bytes.length);
  assert.deepEqual(stored.headers, attributes.headers);
  assert.deepEqual(stored.userMetadata, attributes.userMetadata);
  assert.deepEqual(await readAll(objects.read(stored.chunks, 0, stored.size - 1)), bytes);
  assert.deepEqual(await chunkIds(), stored.chunks.map((c) => c.id).sort());
});

test('an empty object references no chunk and leaves none behind', async () => {
  const result = await put('empty', Buffer.alloc(0));
  assert.equal(result.etag, '"d41d8cd98f00b204e9800998ecf8427e"');
  assert.deepEqual(result.record.chunks, []);
  assert.deepEqual(await chunkIds(), []);
});

test('If-None-Match: * on an existing key is PreconditionFailed and writes nothing', async () => {
  await put('k', Buffer.from('first'));
  const before = await chunkIds();
  let opened = false;
  const err = await rejectsWith(
    objects.putObject({
      ...attributes,
      bucket,
      key: 'k',
      conditions: { ifNoneMatch: '*' },
      openBody: () => {
        opened = true;
        return body(Buffer.from('second'));
      },
    }),
    'PreconditionFailed',
  );
  assert.deepEqual(err.details, { condition: 'If-None-Match' });
  assert.equal(opened, false, 'the body is not opened when the condition fails');
  assert.deepEqual(await chunkIds(), before);
});

test('If-Match on a missing key is NoSuchKey; If-None-Match other than * is unsupported', async () => {
  await rejectsWith(put('nope', Buffer.from('x'), { ifMatch: '"abc"' }), 'NoSuchKey');
  await put('k', Buffer.from('x'));
  await rejectsWith(put('k', Buffer.from('y'), { ifNoneMatch: '"abc"' }), 'UnsupportedCondition');
  const { etag } = await put('k', Buffer.from('y'), { ifMatch: md5(Buffer.from('x')) });
  assert.equal(etag, md5(Buffer.from('y')));
});

test('a put whose bucket is deleted while the body streams in is NoSuchBucket and leaves no chunk', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const writing = objects.putObject({ ...attributes, bucket, key: 'late', conditions: {}, openBody: () => body(randomBytes(4096), gate) });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(writes.busy(bucket.id), true, 'the write counts as in flight while it streams');
  // Another node's DeleteBucket cannot see this write: the commit's own check must catch it.
  assert.equal(await metadata.deleteBucket(bucket.id), 'deleted');
  release();
  const err = await rejectsWith(writing, 'NoSuchBucket');
  assert.deepEqual(err.details, { bucket: 'photos' });
  assert.equal(writes.busy(bucket.id), false);
  assert.deepEqual(await chunkIds(), []);
});

test('createUpload into a deleted bucket is NoSuchBucket', async () => {
  assert.equal(await metadata.deleteBucket(bucket.id), 'deleted');
  await rejectsWith(objects.createUpload({ ...attributes, bucket, key: 'k', checksumAlgorithm: null, checksumType: null }), 'NoSuchBucket');
});

test('multipart: parts commit, Complete builds the "-N" ETag, and checks ETags, order and sizes', async () => {
  const upload = await objects.createUpload({ ...attributes, bucket, key: 'big', checksumAlgorithm: null, checksumType: null });
  // Never starting with '-', which aws-cli would read as an option (--upload-id -Abc...).
  assert.match(upload.uploadId, /^[0-9a-f]{48}$/);
  const one = randomBytes(MIN_PART_SIZE);
  const two = randomBytes(1000);
  const p1 = await objects.uploadPart({ upload, partNumber: 1, body: body(one) });
  const p2 = await objects.uploadPart({ upload, partNumber: 2, body: body(two) });
  assert.equal(p1.part.etag, md5(one));

  const wrong = await rejectsWith(
    objects.completeUpload({
      bucket,
      upload,
      parts: [
        { partNumber: 1, etag: p1.part.etag, checksums: {} },
        { partNumber: 2, etag: '"0123456789abcdef0123456789abcdef"', checksums: {} },
      ],
      conditions: {},
    }),
    'InvalidPart',
  );
  assert.deepEqual(wrong.details, { uploadId: upload.uploadId, partNumber: 2, reason: 'etag', etag: '"0123456789abcdef0123456789abcdef"' });
  await rejectsWith(
    objects.completeUpload({
      bucket,
      upload,
      parts: [
        { partNumber: 2, etag: p2.part.etag, checksums: {} },
        { partNumber: 1, etag: p1.part.etag, checksums: {} },
      ],
      conditions: {},
    }),
    'InvalidPartOrder',
  );
  await rejectsWith(
    objects.completeUpload({
      bucket,
      upload,
      parts: [
        { partNumber: 1, etag: p1.part.etag, checksums: {} },
        { partNumber: 3, etag: p2.part.etag, checksums: {} },
      ],
      conditions: {},
    }),
    'InvalidPart',
  );

  const done = await objects.completeUpload({
    bucket,
    upload,
    parts: [
      { partNumber: 1, etag: p1.part.etag, checksums: {} },
      { partNumber: 2, etag: p2.part.etag, checksums: {} },
    ],
    conditions: {},
  });
  const expected = createHash('md5')
    .update(Buffer.concat([Buffer.from(p1.part.etag.slice(1, -1), 'hex'), Buffer.from(p2.part.etag.slice(1, -1), 'hex')]))
    .digest('hex');
  assert.equal(done.etag, `"${expected}-2"`);
  assert.deepEqual(
    done.record.parts?.map((p) => p.partNumber),
    [1, 2],
  );
  assert.deepEqual(await readAll(objects.read(done.record.chunks, 0, done.record.size - 1)), Buffer.concat([one, two]));
  await rejectsWith(objects.getUpload(bucket, 'big', upload.uploadId), 'NoSuchUpload');
});

test('Complete refuses a small part that is not the last', async () => {
  const upload = await objects.createUpload({ ...attributes, bucket, key: 'k', checksumAlgorithm: null, checksumType: null });
  const p1 = await objects.uploadPart({ upload, partNumber: 1, body: body(Buffer.from('small')) });
  const p2 = await objects.uploadPart({ upload, partNumber: 2, body: body(Buffer.from('last')) });
  const err = await rejectsWith(
    objects.completeUpload({
      bucket,
      upload,
      parts: [
        { partNumber: 1, etag: p1.part.etag, checksums: {} },
        { partNumber: 2, etag: p2.part.etag, checksums: {} },
      ],
      conditions: {},
    }),
    'EntityTooSmall',
  );
  assert.deepEqual(err.details, { uploadId: upload.uploadId, partNumber: 1, size: 5, minSize: MIN_PART_SIZE, etag: p1.part.etag });
});

test('a part for an aborted upload is NoSuchUpload and its chunk is removed', async () => {
  const upload = await objects.createUpload({ ...attributes, bucket, key: 'k', checksumAlgorithm: null, checksumType: null });
  await objects.abortUpload(upload);
  await rejectsWith(objects.uploadPart({ upload, partNumber: 1, body: body(randomBytes(100)) }), 'NoSuchUpload');
  await rejectsWith(objects.abortUpload(upload), 'NoSuchUpload');
  assert.deepEqual(await chunkIds(), []);
});

test('copyObject of a single-part object shares its chunks; a new checksum re-reads the bytes', async () => {
  const bytes = randomBytes(2048);
  const { record: source } = await put('src', bytes);
  const before = await chunkIds();
  const copy = await objects.copyObject({
    bucket,
    key: 'dst',
    source,
    owner: 'alice',
    acl: privateAcl('alice'),
    storageClass: 'STANDARD',
    replace: { headers: { contentType: 'image/png' }, userMetadata: {} },
    checksumAlgorithm: null,
    conditions: {},
  });
  assert.equal(copy.etag, source.etag);
  assert.deepEqual(copy.record.chunks, source.chunks);
  assert.deepEqual(copy.record.headers, { contentType: 'image/png' });
  assert.deepEqual(await chunkIds(), before, 'no chunk written');
  assert.equal(received, bytes.length, 'a copy receives no client bytes');

  const rewritten = await objects.copyObject({
    bucket,
    key: 'dst2',
    source,
    owner: 'alice',
    acl: privateAcl('alice'),
    storageClass: 'STANDARD',
    replace: null,
    checksumAlgorithm: 'CRC32',
    conditions: {},
  });
  assert.equal(rewritten.etag, source.etag);
  assert.equal(rewritten.checksum?.algorithm, 'CRC32');
  assert.notDeepEqual(rewritten.record.chunks, source.chunks);
  assert.deepEqual(rewritten.record.userMetadata, source.userMetadata, 'COPY keeps the source metadata');
  assert.deepEqual(await readAll(objects.read(rewritten.record.chunks, 0, rewritten.record.size - 1)), bytes);
});

test('deleteObject removes the record; deleting a missing key succeeds', async () => {
  await put('k', Buffer.from('x'));
  await objects.deleteObject(bucket, 'k');
  await objects.deleteObject(bucket, 'k');
  await rejectsWith(objects.getObject(bucket, 'k'), 'NoSuchKey');
});
