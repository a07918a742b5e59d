import type { ChunkRef, ChunkStore } from '../chunks/chunk-store.js';
import type { ChecksumAlgorithm } from '../metadata/types.js';
import { BodyDigester, type BodyDigests } from '../util/checksums.js';

/** Decoded request payload: plain body or de-framed aws-chunked body. */
export interface Payload {
  stream: AsyncIterable<Uint8Array>;
  /** Bytes the client declared (Content-Length or x-amz-decoded-content-length). */
  declaredLength: number;
  /** Called once the stream has ended: checks everything only known at the end (sizes, signed hash, trailers). */
  verify(digests: BodyDigests): void;
}

export interface WrittenBody {
  chunk: ChunkRef;
  digests: BodyDigests;
}

/**
 * Streams a payload into one new chunk while hashing every byte once (MD5 for the ETag,
 * SHA-256 when the payload hash was signed, the requested S3 checksum). The chunk is
 * durable before this returns, but nothing references it yet: if verification fails the
 * chunk is removed here, and if the process dies GC removes it later.
 */
export async function writeBody(
  chunks: ChunkStore,
  payload: Payload,
  options: { sha256: boolean; checksum: ChecksumAlgorithm | null },
): Promise<WrittenBody> {
  const digester = new BodyDigester({ sha256: options.sha256, ...(options.checksum ? { checksum: options.checksum } : {}) });
  async function* tap(): AsyncGenerator<Uint8Array> {
    for await (const buf of payload.stream) {
      digester.update(buf);
      yield buf;
    }
  }
  const chunk = await chunks.write(tap());
  try {
    const digests = digester.finish();
    payload.verify(digests);
    return { chunk, digests };
  } catch (err) {
    await chunks.delete(chunk.id);
    throw err;
  }
}
