import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalChunkStore } from '../chunks/local-chunk-store.js';
import { ChunkTamperedError } from '../chunks/encrypting-chunk-store.js';
import { SqliteMetadataStore } from '../metadata/sqlite/sqlite-metadata-store.js';
import type { BucketRecord, ObjectRecord } from '../metadata/types.js';
import { FileKeyProvider } from '../keys/file-key-provider.js';
import { StaticKeyRing } from '../keys/static-key-ring.js';
import { computeChecksum } from '../util/checksums.js';
import { ObjectService, type IncomingBody } from './object-service.js';
import { ObjectCrypto, type CustomerKey, type SseRequest } from './object-crypto.js';
import {
  objectService,
  openObjectTestRig,
  closeObjectTestRig,
  objectAttributes,
  readAll,
  chunkCount,
  type ObjectTestRig,
} from './object-test-rig.js';

let rig: ObjectTestRig;
let dir: string;
let chunks: LocalChunkStore;
let metadata: SqliteMetadataStore;
let bucket: BucketRecord;
const ring = new StaticKeyRing(FileKeyProvider.fromSecret(randomBytes(32)), ['default']);
const INLINE = 16 * 1024;

function service(options: { encrypt?: boolean; inlineMax?: number } = {}): ObjectService {
  return objectService(rig, {
    inlineMax: options.inlineMax ?? INLINE,
    crypto: new ObjectCrypto({ keyRing: ring, encryptByDefault: options.encrypt === true }),
  });
}

beforeEach(async () => {
  rig = await openObjectTestRig('anode-inline-');
  ({ dir, chunks, metadata, bucket } = rig);
});
afterEach(() => closeObjectTestRig(rig));

const attributes = objectAttributes();

function body(bytes: Buffer, declaredLength = bytes.length, checksumAlgorithm: IncomingBody['checksumAlgorithm'] = null): IncomingBody {
  async function* stream(): AsyncGenerator<Uint8Array> {
    // In pieces, as a socket delivers them.
    for (let at = 0; at < bytes.length; at += 1000) yield bytes.subarray(at, at + 1000);
  }
  return {
    payload: {
      stream: stream(),
      declaredLength,
      verify: (d) => {
        if (d.size !== declaredLength) throw new Error(`IncompleteBody ${d.size} != ${declaredLength}`);
      },
    },
    checksumAlgorithm,
    needsSha256: false,
  };
}

const md5 = (b: Buffer) => `"${createHash('md5').update(b).digest('hex')}"`;

function put(objects: ObjectService, key: string, bytes: Buffer, sse: SseRequest | null = null, b = body(bytes)) {
  return objects.putObject({ ...attributes, bucket, key, conditions: {}, sse, openBody: () => b });
}

/** The object's bytes [start, end] as a GET reads them (opened, then inline or chunks). */
async function read(objects: ObjectService, record: ObjectRecord, customer: CustomerKey | null = null, start = 0, end = record.size - 1) {
  const opened = await objects.unlock(record, customer);
  return readAll(await objects.open(opened.record.chunks, start, end, opened));
}

/** Every file under the data directory (the SQLite database and its WAL included). */
async function dataDirHolds(marker: string): Promise<string[]> {
  const found: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile() && (await readFile(join(e.parentPath, e.name))).includes(marker)) found.push(e.name);
  }
  return found;
}

test('a body up to the threshold is kept in the row: no chunk file, read back whole and by range', async () => {
  const objects = service();
  const bytes = randomBytes(INLINE);
  const { record } = await put(objects, 'small', bytes);
  assert.equal(record.etag, md5(bytes));
  assert.deepEqual(record.chunks, []);
  assert.equal(await chunkCount(chunks), 0, 'no chunk file written');
  const stored = (await metadata.getObject(bucket.id, 'small'))!;
  assert.deepEqual(stored.inline, bytes);
  assert.deepEqual(await read(objects, stored), bytes);
  assert.deepEqual(await read(objects, stored, null, 100, 4195), bytes.subarray(100, 4196));
  const opened = await objects.unlock(stored);
  assert.deepEqual(objects.inlineRange(opened, 5, 9), bytes.subarray(5, 10));
  assert.deepEqual(await readAll(objects.read([], 0, bytes.length - 1, opened)), bytes);

  // One byte more is a chunked object, as before.
  const { record: big } = await put(objects, 'big', randomBytes(INLINE + 1));
  assert.equal(big.inline ?? null, null);
  assert.equal(big.chunks.length, 1);
  assert.equal(await chunkCount(chunks), 1);
});

test('inline_max 0 keeps every body in chunks; an empty body is neither', async () => {
  const { record } = await put(service({ inlineMax: 0 }), 'k', Buffer.from('hello'));
  assert.equal(record.inline ?? null, null);
  assert.equal(record.chunks.length, 1);
  const { record: empty } = await put(service(), 'e', Buffer.alloc(0));
  assert.equal(empty.inline ?? null, null);
  assert.deepEqual(empty.chunks, []);
  assert.equal(await chunkCount(chunks), 1);
});

test('the checksum asked for is computed and stored; a body longer than declared is refused and not kept', async () => {
  const objects = service();
  const bytes = Buffer.from('checksummed small body');
  const { record } = await put(objects, 'c', bytes, null, body(bytes, bytes.length, 'CRC32'));
  assert.equal(record.checksum?.algorithm, 'CRC32');
  assert.equal(record.checksum?.value, computeChecksum('CRC32', bytes).toString('base64'));
  await assert.rejects(put(objects, 'liar', randomBytes(INLINE * 4), null, body(randomBytes(INLINE * 4), 10)), /IncompleteBody/);
  assert.equal(await metadata.getObject(bucket.id, 'liar'), null);
});

test('encrypted at rest: the inline body is sealed with the data key (no plaintext in the database), tampering is caught', async () => {
  const objects = service({ encrypt: true });
  const secret = Buffer.from('INLINE-PLAINTEXT-MARKER '.repeat(200));
  const { record } = await put(objects, 'sealed', secret);
  assert.equal(record.encryption?.mode, 'AES256');
  const stored = (await metadata.getObject(bucket.id, 'sealed'))!;
  assert.ok(stored.inline && stored.inline.length > secret.length, 'stored sealed (nonce and tag added)');
  assert.equal(stored.inline.includes('INLINE-PLAINTEXT-MARKER'), false);
  assert.deepEqual(await dataDirHolds('INLINE-PLAINTEXT-MARKER'), [], 'no plaintext anywhere under the data directory');
  assert.deepEqual(await read(objects, stored), secret);
  assert.deepEqual(await read(objects, stored, null, 10, 30), secret.subarray(10, 31));

  const altered = Buffer.from(stored.inline);
  altered[40] = altered[40]! ^ 1;
  const opened = await objects.unlock({ ...stored, inline: altered });
  assert.throws(
    () => objects.inlineRange(opened, 0, 10),
    (e: unknown) => e instanceof ChunkTamperedError,
  );
});

test('SSE-C: an inline body opens only with the customer key', async () => {
  const objects = service();
  const customer: CustomerKey = { key: randomBytes(32), keyMd5: 'x' };
  const secret = Buffer.from('SSE-C-INLINE-MARKER '.repeat(50));
  await put(objects, 'c', secret, { mode: 'SSE-C', customer });
  const stored = (await metadata.getObject(bucket.id, 'c'))!;
  assert.ok(stored.inline);
  assert.deepEqual(await dataDirHolds('SSE-C-INLINE-MARKER'), []);
  assert.deepEqual(await read(objects, stored, customer), secret);
  await assert.rejects(objects.unlock(stored), { code: 'SseCustomerKeyMissing' });
});

test('copies: shared when they can be (same sealed bytes), re-read otherwise, to an inline or a chunked destination', async () => {
  const on = service({ encrypt: true });
  const bytes = randomBytes(5000);
  const { record: source } = await put(on, 'src', bytes);
  const copy = (objects: ObjectService, key: string, src: ObjectRecord, extra: { checksumAlgorithm?: 'CRC32'; sse?: SseRequest } = {}) =>
    objects.copyObject({
      bucket,
      key,
      source: src,
      owner: 'alice',
      acl: attributes.acl,
      storageClass: 'STANDARD',
      replace: null,
      checksumAlgorithm: extra.checksumAlgorithm ?? null,
      conditions: {},
      ...(extra.sse ? { sse: extra.sse } : {}),
    });
  const shared = await copy(on, 'shared', source);
  assert.deepEqual(shared.record.inline, source.inline, 'the sealed bytes are shared');
  assert.deepEqual(shared.record.encryption?.sealedFor, source.encryption?.sealedFor);
  await on.deleteObject(bucket, 'src');
  assert.deepEqual(await read(on, (await metadata.getObject(bucket.id, 'shared'))!), bytes);

  const summed = await copy(on, 'summed', shared.record, { checksumAlgorithm: 'CRC32' });
  assert.ok(summed.record.inline);
  assert.notDeepEqual(summed.record.encryption?.sealedFor, source.encryption?.sealedFor, 're-sealed under its own identity');
  assert.deepEqual(await read(on, summed.record), bytes);

  // Into a node that keeps nothing inline and encrypts nothing: a plaintext chunked copy.
  const chunked = await copy(service({ inlineMax: 0 }), 'chunked', shared.record);
  assert.equal(chunked.record.inline ?? null, null);
  assert.equal(chunked.record.encryption ?? null, null);
  assert.equal(chunked.record.chunks.length, 1);
  assert.deepEqual(await read(on, chunked.record), bytes);

  // A small chunked object (written before inline bodies) copied by a node that inlines.
  const back = await copy(service(), 'back', chunked.record, { checksumAlgorithm: 'CRC32' });
  assert.deepEqual(back.record.inline, bytes);
  assert.deepEqual(back.record.chunks, []);
});

test('UploadPartCopy from an inline source writes a chunked part with its bytes', async () => {
  const objects = service({ encrypt: true });
  const bytes = randomBytes(9000);
  const { record: source } = await put(objects, 'src', bytes);
  const upload = await objects.createUpload({ ...attributes, bucket, key: 'mp', checksumAlgorithm: null, checksumType: null });
  const part = await objects.uploadPartCopy({ upload, partNumber: 1, source, start: 1000, end: 7999 });
  assert.equal(part.size, 7000);
  assert.equal(part.chunks.length, 1);
  const done = await objects.completeUpload({
    bucket,
    upload,
    parts: [{ partNumber: 1, etag: part.etag, checksums: {} }],
    conditions: {},
  });
  assert.equal(done.record.inline ?? null, null, 'multipart objects stay chunked');
  assert.deepEqual(await read(objects, done.record), bytes.subarray(1000, 8000));
});

test('versioning: a non-current version keeps its inline body', async () => {
  const objects = service({ encrypt: true });
  const versioned = { ...bucket, versioning: 'Enabled' as const };
  await metadata.setBucketVersioning(bucket.id, 'Enabled');
  const one = Buffer.from('version one');
  const two = Buffer.from('version two, longer');
  const v1 = await objects.putObject({ ...attributes, bucket: versioned, key: 'k', conditions: {}, openBody: () => body(one) });
  await objects.putObject({ ...attributes, bucket: versioned, key: 'k', conditions: {}, openBody: () => body(two) });
  const old = await objects.getVersion(versioned, 'k', v1.record.versionId);
  assert.ok(old.inline);
  assert.deepEqual(await read(objects, old), one);
  assert.deepEqual(await read(objects, await objects.getObject(versioned, 'k')), two);
  // Deleting the current version makes the old one current again, body and all.
  await objects.deleteVersion(versioned, 'k', (await objects.getObject(versioned, 'k')).versionId!, false);
  assert.deepEqual(await read(objects, await objects.getObject(versioned, 'k')), one);
  assert.equal(await chunkCount(chunks), 0);
});
