/**
 * Streaming decoder for `Content-Encoding: aws-chunked` bodies: signed chunks
 * (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]) and unsigned chunks with a trailer
 * (STREAMING-UNSIGNED-PAYLOAD-TRAILER).
 *
 * Payload bytes are passed through as views of the arriving buffers; only one header or
 * trailer line (capped) is ever buffered. Chunk data reaches the caller before its chunk
 * signature can be checked (the signature covers the whole chunk), so callers must treat
 * the body as unverified until the generator has finished without throwing.
 */
import { createHash, type Hash } from 'node:crypto';
import {
  EMPTY_SHA256,
  canonicalTrailers,
  computeSignature,
  constantTimeEqual,
  createChunkStringToSign,
  createTrailerStringToSign,
} from '@anode/shared/sigv4/index';
import { SigV4Error } from './errors.js';
import { algorithmOfChecksumHeader, parseChecksumTrailerValue } from '../../util/request-checksum.js';
import { signatureDoesNotMatch } from './signature-mismatch.js';
import type { ChunkSigningContext } from './types.js';

export interface AwsChunkedOptions {
  /** Chunk signing state from verifyRequest; absent for STREAMING-UNSIGNED-PAYLOAD-TRAILER. */
  signing?: ChunkSigningContext;
  /** Echoed in SignatureDoesNotMatch errors. */
  accessKeyId?: string;
  /** The x-amz-checksum-* name declared in x-amz-trailer, if any. */
  trailer?: string;
  /** x-amz-decoded-content-length, if sent. */
  decodedContentLength?: number;
  /** Longest chunk header or trailer line accepted, CRLF excluded (default 4096). */
  maxLineBytes?: number;
}

/** Signed chunks other than the last data chunk must be at least this big. */
export const MIN_SIGNED_CHUNK_SIZE = 8192;
const TRAILER_SIGNATURE = 'x-amz-trailer-signature';
const MAX_TRAILER_LINES = 8;
const MAX_TRAILING_BLANK_BYTES = 1024;
const CHUNK_SIGNATURE_PREFIX = 'chunk-signature=';
const EMPTY = Buffer.alloc(0);

function truncated(): SigV4Error {
  return new SigV4Error('IncompleteBody', { message: 'The request body terminated unexpectedly' });
}

function lengthMismatch(expected: number, provided: number): SigV4Error {
  return new SigV4Error('IncompleteBody', { extra: { NumberBytesExpected: expected, NumberBytesProvided: provided } });
}

function malformedTrailer(): SigV4Error {
  return new SigV4Error('MalformedTrailerError');
}

function badChunkSize(): SigV4Error {
  return new SigV4Error('InvalidArgument', {
    message: 'The chunk size in the aws-chunked body is not a valid hexadecimal number.',
    extra: { ArgumentName: 'chunk-size' },
  });
}

function toBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** Reads CRLF-terminated lines and raw byte ranges from an async byte source. */
class ByteReader {
  private buf: Buffer = EMPTY;
  private pos = 0;
  private done = false;
  private readonly it: AsyncIterator<Uint8Array>;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Ensures some unread bytes are buffered; false at end of input. */
  async fill(): Promise<boolean> {
    while (this.pos >= this.buf.length) {
      if (this.done) return false;
      const r = await this.it.next();
      if (r.done === true) {
        this.done = true;
        return false;
      }
      this.buf = toBuffer(r.value);
      this.pos = 0;
    }
    return true;
  }

  /** Up to `max` bytes, as a view of the arriving buffer (no copy). Call fill() first. */
  take(max: number): Buffer {
    const n = Math.min(max, this.buf.length - this.pos);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /**
   * The next line without its CRLF, or undefined at end of input before any byte. A line
   * cut off by the end of input is returned with `complete: false`. Bare LF is refused.
   */
  async line(maxBytes: number, tooLong: () => SigV4Error): Promise<{ text: string; complete: boolean } | undefined> {
    const parts: Buffer[] = [];
    let length = 0;
    for (;;) {
      if (!(await this.fill())) {
        if (length === 0) return undefined;
        return { text: Buffer.concat(parts, length).toString('utf8'), complete: false };
      }
      const lf = this.buf.indexOf(0x0a, this.pos);
      const end = lf < 0 ? this.buf.length : lf;
      // Checked before copying, so an endless line costs nothing beyond the cap.
      length += end - this.pos;
      if (length > maxBytes + 1) throw tooLong();
      // Copy: a line may span reads, and it is small and bounded.
      parts.push(Buffer.from(this.buf.subarray(this.pos, end)));
      this.pos = lf < 0 ? this.buf.length : lf + 1;
      if (lf >= 0) {
        const line = Buffer.concat(parts, length);
        if (line[line.length - 1] !== 0x0d) throw tooLong();
        return { text: line.subarray(0, line.length - 1).toString('utf8'), complete: true };
      }
    }
  }

  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.it.return?.();
    }
  }
}

export class AwsChunkedDecoder {
  /** Trailer headers by lowercased name (x-amz-trailer-signature excluded); filled when decode() finishes. */
  readonly trailers: Record<string, string> = {};
  /** Payload bytes produced so far. */
  decodedLength = 0;

  private readonly signing: ChunkSigningContext | undefined;
  private readonly accessKeyId: string;
  private readonly trailerName: string | undefined;
  private readonly expectedLength: number | undefined;
  private readonly maxLine: number;
  private used = false;

  constructor(options: AwsChunkedOptions = {}) {
    this.signing = options.signing;
    this.accessKeyId = options.accessKeyId ?? '';
    if (options.trailer !== undefined) {
      const name = options.trailer.toLowerCase();
      if (algorithmOfChecksumHeader(name) === undefined) {
        throw new SigV4Error('InvalidRequest', { message: 'The value specified in the x-amz-trailer header is not supported' });
      }
      this.trailerName = name;
    }
    if (options.decodedContentLength !== undefined) {
      const n = options.decodedContentLength;
      if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('decodedContentLength must be a non-negative integer');
      this.expectedLength = n;
    }
    this.maxLine = options.maxLineBytes ?? 4096;
  }

  /** Yields the decoded payload; throws SigV4Error on any framing, size or signature problem. */
  async *decode(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer, void, undefined> {
    if (this.used) throw new Error('AwsChunkedDecoder.decode may be called once');
    this.used = true;
    const reader = new ByteReader(source);
    let previousSignature = this.signing?.seedSignature ?? '';
    let chunkIndex = 0;
    let previousDataChunkSize = -1;
    try {
      for (;;) {
        const header = await reader.line(this.maxLine, badChunkSize);
        if (header === undefined || !header.complete) throw truncated();
        const { size, signature, misplaced } = this.parseChunkHeader(header.text);
        chunkIndex++;

        // Only the last data chunk may be small; we learn a chunk was not last when the next one starts.
        if (this.signing !== undefined && size > 0 && previousDataChunkSize >= 0 && previousDataChunkSize < MIN_SIGNED_CHUNK_SIZE) {
          throw new SigV4Error('InvalidChunkSizeError', { extra: { Chunk: chunkIndex - 1, BadChunkSize: previousDataChunkSize } });
        }
        // Checked before reading a byte: never accept more than was declared.
        if (this.expectedLength !== undefined) {
          if (this.decodedLength + size > this.expectedLength) {
            throw lengthMismatch(this.expectedLength, this.decodedLength + size);
          }
          if (size === 0 && this.decodedLength !== this.expectedLength) {
            throw lengthMismatch(this.expectedLength, this.decodedLength);
          }
        }

        const hash: Hash | undefined = this.signing !== undefined && size > 0 ? createHash('sha256') : undefined;
        let remaining = size;
        while (remaining > 0) {
          if (!(await reader.fill())) throw truncated();
          const data = reader.take(remaining);
          remaining -= data.length;
          this.decodedLength += data.length;
          hash?.update(data);
          yield data;
        }
        if (this.signing !== undefined) {
          previousSignature = this.checkChunkSignature(previousSignature, signature!, hash?.digest('hex') ?? EMPTY_SHA256, misplaced);
        }
        if (size === 0) break;
        previousDataChunkSize = size;

        const crlf = await reader.line(0, truncated);
        if (crlf === undefined || !crlf.complete) throw truncated();
        if (crlf.text !== '') throw truncated();
      }
      await this.readTrailers(reader, previousSignature);
    } finally {
      await reader.close();
    }
  }

  /** "hex-size" or "hex-size;chunk-signature=<64 hex>" (signed). */
  private parseChunkHeader(line: string): { size: number; signature: string | undefined; misplaced: boolean } {
    const semi = line.indexOf(';');
    const sizeText = semi < 0 ? line : line.slice(0, semi);
    // At most 16 hex digits, then a safe-integer check: no overflow, no negative sizes.
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) throw badChunkSize();
    const size = Number.parseInt(sizeText, 16);
    if (!Number.isSafeInteger(size)) throw badChunkSize();
    if (this.signing === undefined) return { size, signature: undefined, misplaced: false };

    const extensions = semi < 0 ? [] : line.slice(semi + 1).split(';');
    const index = extensions.findIndex((e) => e.startsWith(CHUNK_SIGNATURE_PREFIX));
    // No chunk signature, or a blank one, is what AWS calls a cut-off body.
    if (index < 0) throw truncated();
    const signature = extensions[index]!.slice(CHUNK_SIGNATURE_PREFIX.length);
    if (signature === '') throw truncated();
    // Another extension before chunk-signature: AWS answers SignatureDoesNotMatch.
    return { size, signature, misplaced: index !== 0 };
  }

  private checkChunkSignature(previous: string, provided: string, dataSha256: string, misplaced: boolean): string {
    const s = this.signing!;
    const stringToSign = createChunkStringToSign(s.amzDate, s.scope, previous, dataSha256);
    const expected = computeSignature(s.signingKey, stringToSign);
    if (!constantTimeEqual(expected, provided) || misplaced) throw signatureDoesNotMatch(this.accessKeyId, stringToSign, provided);
    return expected;
  }

  private async readTrailers(reader: ByteReader, lastChunkSignature: string): Promise<void> {
    const lines: [string, string][] = [];
    let trailerSignature: string | undefined;
    for (;;) {
      const line = await reader.line(this.maxLine, malformedTrailer);
      // AWS accepts a missing final CRLF: end of input ends the trailer block too.
      if (line === undefined || line.text === '') break;
      const colon = line.text.indexOf(':');
      if (colon <= 0) throw malformedTrailer();
      const name = line.text.slice(0, colon).trim().toLowerCase();
      const value = line.text.slice(colon + 1).trim();
      if (name === TRAILER_SIGNATURE && this.signing !== undefined && trailerSignature === undefined) {
        trailerSignature = value;
      } else {
        if (lines.length >= MAX_TRAILER_LINES || lines.some(([n]) => n === name)) throw malformedTrailer();
        lines.push([name, value]);
      }
      if (!line.complete) break;
    }
    // Nothing may follow but a few blank lines.
    let tail = 0;
    while (await reader.fill()) {
      const rest = reader.take(MAX_TRAILING_BLANK_BYTES);
      tail += rest.length;
      if (tail > MAX_TRAILING_BLANK_BYTES || rest.some((b) => b !== 0x0d && b !== 0x0a)) throw malformedTrailer();
    }

    // Exactly the declared trailer, nothing else, and it was not preceded by a blank line.
    if (this.trailerName === undefined) {
      if (lines.length > 0) throw malformedTrailer();
    } else {
      if (lines.length !== 1 || lines[0]![0] !== this.trailerName) throw malformedTrailer();
      parseChecksumTrailerValue(algorithmOfChecksumHeader(this.trailerName)!, lines[0]![1]);
    }

    if (this.signing !== undefined && this.trailerName !== undefined) {
      if (trailerSignature === undefined || trailerSignature === '') throw truncated();
      const s = this.signing;
      const stringToSign = createTrailerStringToSign(s.amzDate, s.scope, lastChunkSignature, canonicalTrailers(lines));
      const expected = computeSignature(s.signingKey, stringToSign);
      if (!constantTimeEqual(expected, trailerSignature)) throw signatureDoesNotMatch(this.accessKeyId, stringToSign, trailerSignature);
    } else if (trailerSignature !== undefined) {
      throw malformedTrailer();
    }
    for (const [name, value] of lines) this.trailers[name] = value;
  }
}
