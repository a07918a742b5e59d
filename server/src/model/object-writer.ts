import type { ChunkRef, ChunkStore } from '../chunks/chunk-store.js';
import type { ChecksumAlgorithm } from '../metadata/types.js';
import type { Config } from '../config/schema.js';
import type { BodyDigests } from '../util/checksums.js';
import { openBodyDigest } from '../workers/body-digest.js';
import { ChunkCutter } from './chunk-cutter.js';
import { abortable } from '../chunks/abortable.js';

/** storage.chunk_size_mib's default, for callers (tests) that do not pass one. */
export const DEFAULT_CHUNK_SIZE = 8 << 20;

/** The configured chunk size in bytes (storage.chunk_size_mib, validated by loadConfig). */
export function chunkSizeOf(config: Pick<Config, 'storage'>): number {
  return config.storage.chunk_size_mib * 1024 * 1024;
}

/** Decoded request payload: plain body or de-framed aws-chunked body. */
export interface Payload {
  stream: AsyncIterable<Uint8Array>;
  /** Bytes the client declared (Content-Length or x-amz-decoded-content-length). */
  declaredLength: number;
  /** Called once the stream has ended: checks everything only known at the end (sizes, signed hash, trailers). */
  verify(digests: BodyDigests): void;
}

export interface WriteBodyOptions {
  sha256: boolean;
  checksum: ChecksumAlgorithm | null;
  /** Bytes per chunk (storage.chunk_size_mib); DEFAULT_CHUNK_SIZE when absent. */
  chunkSize?: number;
  signal?: AbortSignal;
  /** Told each chunk's id before its bytes are stored (ChunkWriteOptions.onId). */
  onChunkId?: (id: string) => void;
}

export interface WrittenBody {
  /** In body order; empty for an empty body. */
  chunks: ChunkRef[];
  digests: BodyDigests;
}

/**
 * Streams a payload into consecutive chunks of `chunkSize` bytes while hashing every byte
 * once (MD5 for the ETag, SHA-256 when the payload hash was signed, the requested S3
 * checksum). Every chunk is durable before this returns, but nothing references them yet:
 * on any failure (verification, a source error, an abort, a store error) every chunk
 * written for this body is removed here, and if the process dies GC removes them later.
 */
export async function writeBody(chunks: ChunkStore, payload: Payload, options: WriteBodyOptions): Promise<WrittenBody> {
  // Large bodies hash in the crypto pool (when there is one) while their bytes go to disk.
  const digester = openBodyDigest({ sha256: options.sha256, checksum: options.checksum }, payload.declaredLength);
  async function* tap(): AsyncGenerator<Uint8Array> {
    for await (const buf of payload.stream) {
      const more = digester.update(buf);
      if (more !== undefined) await more;
      yield buf;
    }
  }
  // The signal also guards the waits between chunks, when no store write is pulling the source.
  const cutter = new ChunkCutter(abortable(tap(), options.signal), options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const writeOptions = {
    deferSync: true,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onChunkId ? { onId: options.onChunkId } : {}),
  };
  // Every write started, in body order; settled ones are cleaned up on failure.
  const pending: Promise<ChunkRef>[] = [];
  try {
    while (await cutter.hasMore()) {
      // At most one chunk is being finished (fsync, rename) while the next streams in: the
      // final fsync of one overlaps the network and hashing of the next, and open files and
      // buffers stay bounded at two chunks' worth of write batches, not two chunks.
      if (pending.length >= 2) await pending[pending.length - 2];
      const piece = cutter.next();
      const writing = chunks.write(piece.bytes, writeOptions);
      writing.catch(() => {}); // observed below or by the cleanup; never unhandled
      pending.push(writing);
      await Promise.race([piece.drained, writing]);
      // A store that resolved without taking every byte would silently drop data.
      if (!piece.isDrained()) throw new Error('chunk store finished a chunk before reading all of it');
    }
    const refs = await Promise.all(pending);
    const digests = await digester.finish();
    payload.verify(digests);
    // The chunks' names become durable here, once per body rather than once per chunk
    // (a 64 MiB body is 8 chunks): the local store fsyncs each shard directory touched,
    // all at once, before any metadata can reference these chunks.
    await chunks.sync(refs.map((r) => r.id));
    return { chunks: refs, digests };
  } catch (err) {
    digester.drop();
    cutter.close();
    const settled = await Promise.allSettled(pending);
    // Best effort: a chunk whose delete fails is an orphan that GC removes after its grace.
    await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? chunks.delete(s.value.id).catch(() => 0) : 0)));
    throw err;
  }
}
