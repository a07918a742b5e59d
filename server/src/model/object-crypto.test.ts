import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalChunkStore } from '../chunks/local-chunk-store.js';
import { SqliteMetadataStore } from '../metadata/sqlite/sqlite-metadata-store.js';
import type { BucketRecord } from '../metadata/types.js';
import { FileKeyProvider } from '../keys/file-key-provider.js';
import { StaticKeyRing } from '../keys/static-key-ring.js';
import { ModelError } from './errors.js';
import { ObjectService, type IncomingBody, type ObjectAttributes } from './object-service.js';
import { ObjectCrypto, chunkPositions, type CustomerKey, type SseRequest } from './object-crypto.js';
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
const ring = new StaticKeyRing(FileKeyProvider.fromSecret(randomBytes(32)), ['default', 'tenant']);

function service(encrypt: boolean): ObjectService {
  return objectService(rig, { crypto: new ObjectCrypto({ keyRing: encrypt ? ring : null, encryptByDefault: encrypt }) });
}

beforeEach(async () => {
  rig = await openObjectTestRig('anode-crypto-');
  ({ dir, chunks, metadata, bucket } = rig);
});
afterEach(() => closeObjectTestRig(rig));

const attributes = objectAttributes({ colour: 'blue-secret-value' });

function body(bytes: Buffer): IncomingBody {
  async function* stream(): AsyncGenerator<Uint8Array> {
    yield bytes;
  }
  return {
    payload: { stream: stream(), declaredLength: bytes.length, verify: () => undefined },
    checksumAlgorithm: null,
    needsSha256: false,
  };
}

async function read(
  objects: ObjectService,
  key: string,
  customer: CustomerKey | null = null,
): Promise<{ bytes: Buffer; meta: Record<string, string> }> {
  const opened = await objects.unlock(await objects.getObject(bucket, key), customer);
  return { bytes: await readAll(objects.read(opened.record.chunks, 0, opened.record.size - 1, opened)), meta: opened.record.userMetadata };
}

test('objects written before encryption was turned on stay readable; new ones are sealed, metadata included', async () => {
  const plainBytes = randomBytes(3 * 65536 + 9);
  await service(false).putObject({ ...attributes, bucket, key: 'old', conditions: {}, openBody: () => body(plainBytes) });
  const on = service(true);
  assert.deepEqual(await read(on, 'old'), { bytes: plainBytes, meta: attributes.userMetadata });
  const secret = Buffer.from('SECRET-PLAINTEXT-RUN '.repeat(10000));
  const { record } = await on.putObject({ ...attributes, bucket, key: 'new', conditions: {}, openBody: () => body(secret) });
  assert.equal(record.encryption?.mode, 'AES256');
  const stored = (await metadata.getObject(bucket.id, 'new'))!;
  assert.deepEqual(stored.userMetadata, {}, 'user metadata is not stored in the clear');
  assert.ok(stored.encryption?.sealedMetadata);
  assert.equal(JSON.stringify(stored).includes('blue-secret-value'), false);
  assert.deepEqual(await read(on, 'new'), { bytes: secret, meta: attributes.userMetadata });
  for (const e of await readdir(join(dir), { recursive: true, withFileTypes: true })) {
    if (e.isFile()) assert.equal((await readFile(join(e.parentPath, e.name))).includes('SECRET-PLAINTEXT-RUN'), false, e.name);
  }
  // The same record read by a node without the key ring cannot be opened (never garbage).
  await assert.rejects(service(false).unlock(stored), (e: unknown) => e instanceof ModelError && e.code === 'EncryptionUnavailable');
});

test('a copy shares the encrypted chunks (same data key and sealing identity), survives the source, and can change encryption', async () => {
  const on = service(true);
  const bytes = randomBytes(2 * 65536 + 1);
  await on.putObject({ ...attributes, bucket, key: 'src', conditions: {}, openBody: () => body(bytes) });
  const files = await chunkCount(chunks);
  const source = await on.getObject(bucket, 'src');
  const copyOf = (
    key: string,
    sse: SseRequest | null,
    replace: ObjectAttributes['userMetadata'] | null = null,
    sourceCustomer: CustomerKey | null = null,
  ) =>
    on.getObject(bucket, key === 'c3' ? 'c2' : 'src').then((src) =>
      on.copyObject({
        bucket,
        key,
        source: src,
        owner: 'alice',
        acl: attributes.acl,
        storageClass: 'STANDARD',
        replace: replace ? { headers: {}, userMetadata: replace } : null,
        checksumAlgorithm: null,
        conditions: {},
        sse,
        sourceCustomer,
      }),
    );
  const c1 = await copyOf('c1', null, { replaced: 'yes' });
  assert.deepEqual(c1.record.chunks, source.chunks, 'no bytes re-read or re-written');
  assert.deepEqual(c1.record.encryption?.sealedFor, source.encryption?.sealedFor);
  assert.equal(await chunkCount(chunks), files);
  const customer: CustomerKey = { key: randomBytes(32), keyMd5: 'x' };
  const c2 = await copyOf('c2', { mode: 'SSE-C', customer });
  assert.equal(c2.record.encryption?.mode, 'SSE-C');
  assert.deepEqual(c2.record.chunks, source.chunks);
  await on.deleteObject(bucket, 'src');
  assert.deepEqual(await read(on, 'c1'), { bytes, meta: { replaced: 'yes' } });
  assert.deepEqual(await read(on, 'c2', customer), { bytes, meta: attributes.userMetadata });
  await assert.rejects(
    on.unlock(await on.getObject(bucket, 'c2')),
    (e: unknown) => e instanceof ModelError && e.code === 'SseCustomerKeyMissing',
  );
  await assert.rejects(
    on.unlock(await on.getObject(bucket, 'c2'), { key: randomBytes(32), keyMd5: 'y' }),
    (e: unknown) => e instanceof ModelError && e.code === 'SseCustomerKeyMismatch',
  );
  // SSE-C back to SSE-KMS under a named key, from the SSE-C copy (source key given).
  const c3 = await copyOf('c3', { mode: 'aws:kms', keyId: 'tenant' }, null, customer);
  assert.equal(c3.record.encryption?.wrappedKey.keyId, 'tenant');
  assert.deepEqual(await read(on, 'c3'), { bytes, meta: attributes.userMetadata });
  // A copy into plaintext (a node default off) cannot share: re-read into new chunks.
  const off = service(false);
  const c4 = await off.copyObject({
    bucket,
    key: 'c4',
    source: await on.getObject(bucket, 'c2'),
    owner: 'alice',
    acl: attributes.acl,
    storageClass: 'STANDARD',
    replace: null,
    checksumAlgorithm: null,
    conditions: {},
    sourceCustomer: customer,
  });
  assert.equal(c4.record.encryption ?? null, null);
  assert.notDeepEqual(c4.record.chunks, source.chunks);
  assert.deepEqual(await readAll(off.read(c4.record.chunks, 0, bytes.length - 1)), bytes);
});

test('an unknown SSE-KMS key id is refused before the body is opened', async () => {
  const on = service(true);
  let opened = false;
  await assert.rejects(
    on.putObject({
      ...attributes,
      bucket,
      key: 'k',
      conditions: {},
      sse: { mode: 'aws:kms', keyId: 'nope' },
      openBody: () => {
        opened = true;
        return body(Buffer.from('x'));
      },
    }),
    { name: 'KeyError', code: 'KeyNotFound' },
  );
  assert.equal(opened, false);
});

test('chunk positions: part 0 for a single-part object; per part, from 0, for a multipart one', () => {
  const c = (size: number) => ({ id: randomBytes(16).toString('hex'), size });
  const single = [c(10), c(10), c(3)];
  assert.deepEqual(chunkPositions(single, null), [
    { part: 0, index: 0 },
    { part: 0, index: 1 },
    { part: 0, index: 2 },
  ]);
  const parts = [
    { partNumber: 2, size: 20, etag: '' },
    { partNumber: 5, size: 0, etag: '' },
    { partNumber: 7, size: 3, etag: '' },
  ];
  assert.deepEqual(chunkPositions(single, parts), [
    { part: 2, index: 0 },
    { part: 2, index: 1 },
    { part: 7, index: 0 },
  ]);
});
