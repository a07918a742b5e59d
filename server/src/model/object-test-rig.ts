import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalChunkStore } from '../chunks/local-chunk-store.js';
import { SqliteMetadataStore } from '../metadata/sqlite/sqlite-metadata-store.js';
import { bucketRecord } from '../metadata/conformance-fixtures.js';
import type { BucketRecord } from '../metadata/types.js';
import { privateAcl } from '../policy/acl.js';
import { BucketWrites } from './bucket-writes.js';
import { ChunksInFlight } from './chunks-in-flight.js';
import { ObjectService, type ObjectAttributes, type ObjectServiceDeps } from './object-service.js';

/**
 * What the model's object tests run on: a real chunk store and SQLite metadata in a fresh
 * directory, holding one bucket ("photos", with a random id so a reused name is a new bucket).
 */
export interface ObjectTestRig {
  dir: string;
  chunks: LocalChunkStore;
  metadata: SqliteMetadataStore;
  bucket: BucketRecord;
}

export async function openObjectTestRig(prefix: string): Promise<ObjectTestRig> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const chunks = await LocalChunkStore.open(dir);
  const metadata = await SqliteMetadataStore.open(dir);
  const bucket = bucketRecord('photos', { id: randomBytes(16).toString('hex') });
  if ((await metadata.createBucket(bucket)) !== 'created') throw new Error('the rig bucket already exists');
  return { dir, chunks, metadata, bucket };
}

export async function closeObjectTestRig(rig: ObjectTestRig): Promise<void> {
  await rig.metadata.close();
  await rm(rig.dir, { recursive: true, force: true });
}

/** An object service on the rig, with 1 MiB chunks so multi-chunk bodies are cheap to make. */
export function objectService(rig: ObjectTestRig, deps: Partial<ObjectServiceDeps> = {}): ObjectService {
  return new ObjectService({
    metadata: rig.metadata,
    chunks: rig.chunks,
    bucketWrites: new BucketWrites(),
    bytesReceived: () => {},
    chunkSize: 1 << 20,
    inFlight: new ChunksInFlight(),
    ...deps,
  });
}

/** Alice's private text object with one user-metadata entry. */
export function objectAttributes(userMetadata: Record<string, string> = { colour: 'blue' }): ObjectAttributes {
  return {
    owner: 'alice',
    headers: { contentType: 'text/plain' },
    userMetadata,
    acl: privateAcl('alice'),
    storageClass: 'STANDARD',
  };
}

/** A read stream's bytes, copied (a reader may reuse its buffers). */
export async function readAll(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of it) parts.push(Buffer.from(b));
  return Buffer.concat(parts);
}

/** How many chunks the store holds. */
export async function chunkCount(chunks: LocalChunkStore): Promise<number> {
  let n = 0;
  for await (const _ of chunks.list()) n++;
  return n;
}
