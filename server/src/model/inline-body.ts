import type { ChecksumAlgorithm } from '../metadata/types.js';
import { BodyDigester, type BodyDigests } from '../util/checksums.js';
import type { Payload } from './object-writer.js';

/** A small body read whole into memory, to be kept in its metadata row ([storage] inline_max_kib). */
export interface InlineBody {
  bytes: Buffer;
  digests: BodyDigests;
}

/**
 * Reads a payload that declared at most `limit` bytes into one buffer, hashing as writeBody
 * does (MD5, signed SHA-256, the requested checksum), and runs its verification. Nothing
 * touches storage: the bytes become durable with the metadata commit that holds them. A
 * payload that brings more than `limit` bytes (it lied about its length) is hashed to its
 * end but not kept, so memory stays bounded and its own verification reports the mismatch.
 */
export async function readInlineBody(
  payload: Payload,
  options: { sha256: boolean; checksum: ChecksumAlgorithm | null; limit: number },
): Promise<InlineBody> {
  const digester = new BodyDigester({ sha256: options.sha256, ...(options.checksum ? { checksum: options.checksum } : {}) });
  const pieces: Buffer[] = [];
  let size = 0;
  for await (const piece of payload.stream) {
    size += piece.byteLength;
    digester.update(piece);
    if (size <= options.limit) pieces.push(Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength));
  }
  const digests = digester.finish();
  payload.verify(digests);
  if (size > options.limit) throw new Error(`body longer than the ${options.limit} bytes it declared`);
  // Copied into a buffer of its own: a piece may be a view into a larger pooled socket read.
  const bytes = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const p of pieces) {
    p.copy(bytes, at);
    at += p.length;
  }
  return { bytes, digests };
}
