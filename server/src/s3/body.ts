import { S3Error } from './errors.js';
import { header, type RequestContext } from './context.js';
import type { Payload } from '../model/object-writer.js';
import type { ChecksumAlgorithm } from '../metadata/types.js';
import { BodyDigester, CHECKSUM_ALGORITHMS, type BodyDigests } from '../util/checksums.js';
import { parseChecksumTrailerValue, readRequestIntegrity, verifyDigests } from '../util/request-checksum.js';
import { AwsChunkedDecoder } from '../auth/sigv4/aws-chunked.js';
import { sendContinue } from '../http/expect-continue.js';

export const MAX_OBJECT_SIZE = 5 * 1024 ** 3;
export const MAX_PART_SIZE = 5 * 1024 ** 3;
export const ChecksumAlgorithms: ReadonlySet<string> = new Set(CHECKSUM_ALGORITHMS);

export interface OpenedPayload {
  payload: Payload;
  /** The S3 checksum the client asked for (header, trailer or x-amz-sdk-checksum-algorithm). */
  checksumAlgorithm: ChecksumAlgorithm | null;
  /** The signed payload hash must be checked (x-amz-content-sha256 was a hex digest). */
  needsSha256: boolean;
}

/**
 * The request body as a stream of payload bytes, with every integrity check the request
 * asked for (Content-Length, signed SHA-256, Content-MD5, x-amz-checksum-* in a header or
 * a trailer, aws-chunked signatures) run as bytes arrive or when the stream ends.
 */
export function openPayload(ctx: RequestContext, maxSize: number): OpenedPayload {
  const auth = ctx.auth;
  const mode = auth && auth.kind !== 'anonymous' ? auth.payload : ({ type: 'unsigned' } as const);
  const integrity = readRequestIntegrity(ctx.req.headers);
  const algorithm = integrity.checksumAlgorithm;
  const signedSha256 = mode.type === 'sha256' ? mode.hex : null;
  const expected = (digests: BodyDigests, trailerChecksum: Buffer | null) => {
    const value = trailerChecksum ?? integrity.checksumValue;
    verifyDigests(
      { contentMd5: integrity.contentMd5, sha256Hex: signedSha256, checksum: algorithm && value ? { algorithm, value } : null },
      digests,
    );
  };

  if (mode.type === 'streaming-signed' || mode.type === 'streaming-unsigned-trailer') {
    const decodedHeader = header(ctx, 'x-amz-decoded-content-length');
    if (decodedHeader === undefined || !/^\d{1,15}$/.test(decodedHeader)) throw new S3Error('MissingContentLength');
    const length = Number(decodedHeader);
    if (length > maxSize) throw tooLarge(length, maxSize);
    const decoder = new AwsChunkedDecoder({
      ...(auth?.kind !== 'anonymous' && auth?.chunkSigning ? { signing: auth.chunkSigning } : {}),
      ...(auth?.kind !== 'anonymous' && auth ? { accessKeyId: auth.accessKeyId } : {}),
      ...(integrity.trailer !== null ? { trailer: integrity.trailer } : {}),
      decodedContentLength: length,
    });
    return {
      checksumAlgorithm: algorithm,
      needsSha256: false,
      payload: {
        stream: decoder.decode(rawStream(ctx)),
        declaredLength: length,
        verify: (digests) => {
          const trailerValue = integrity.trailer !== null ? decoder.trailers[integrity.trailer] : undefined;
          if (integrity.trailer !== null && trailerValue === undefined) throw new S3Error('MalformedTrailerError');
          expected(digests, trailerValue !== undefined && algorithm ? parseChecksumTrailerValue(algorithm, trailerValue) : null);
        },
      },
    };
  }

  const lengthHeader = header(ctx, 'content-length');
  if (lengthHeader === undefined) throw new S3Error('MissingContentLength');
  const length = Number(lengthHeader);
  if (length > maxSize) throw tooLarge(length, maxSize);
  if (integrity.trailer !== null) {
    throw new S3Error('InvalidRequest', {
      message: 'The x-amz-trailer header requires an aws-chunked body (a STREAMING-*-TRAILER payload).',
    });
  }
  return {
    checksumAlgorithm: algorithm,
    needsSha256: signedSha256 !== null,
    payload: {
      stream: countedStream(ctx, length),
      declaredLength: length,
      verify: (digests) => {
        if (digests.size !== length) throw incomplete(length, digests.size);
        expected(digests, null);
      },
    },
  };
}

/**
 * The raw body; a connection closed mid-body becomes IncompleteBody. A client waiting on
 * `Expect: 100-continue` is told to send only when the body is first read, so every check
 * before that point answers it instead.
 */
async function* rawStream(ctx: RequestContext): AsyncGenerator<Buffer> {
  sendContinue(ctx.req, ctx.res);
  try {
    for await (const buf of ctx.req.iterator({ destroyOnReturn: false })) yield buf as Buffer;
  } catch {
    throw new S3Error('IncompleteBody', { message: 'The request body terminated unexpectedly' });
  }
}

export function tooLarge(size: number, max: number): S3Error {
  return new S3Error('EntityTooLarge', { extra: { ProposedSize: size, MaxSizeAllowed: max } });
}

export function incomplete(expected: number, provided: number): S3Error {
  return new S3Error('IncompleteBody', { extra: { NumberBytesExpected: expected, NumberBytesProvided: provided } });
}

/** The raw request stream; a connection that closes early becomes IncompleteBody with the counts. */
async function* countedStream(ctx: RequestContext, length: number): AsyncGenerator<Buffer> {
  let received = 0;
  sendContinue(ctx.req, ctx.res); // see rawStream
  try {
    for await (const buf of ctx.req.iterator({ destroyOnReturn: false })) {
      received += (buf as Buffer).length;
      yield buf as Buffer;
    }
  } catch {
    throw incomplete(length, received);
  }
  if (received < length) throw incomplete(length, received);
}

/**
 * A small body (XML or JSON documents), fully verified, at most `cap` bytes; larger bodies
 * are refused before they are read whole.
 */
export async function readSmallBody(
  ctx: RequestContext,
  cap: number,
  tooBig: () => S3Error = () => new S3Error('MaxMessageLengthExceeded'),
): Promise<Buffer> {
  const cl = header(ctx, 'content-length');
  if (cl === undefined && header(ctx, 'transfer-encoding') === undefined) return Buffer.alloc(0);
  if (Number(header(ctx, 'x-amz-decoded-content-length') ?? cl ?? 0) > cap) throw tooBig();
  const opened = openPayload(ctx, cap);
  const digester = new BodyDigester({
    sha256: opened.needsSha256,
    ...(opened.checksumAlgorithm ? { checksum: opened.checksumAlgorithm } : {}),
  });
  const parts: Buffer[] = [];
  let size = 0;
  for await (const buf of opened.payload.stream) {
    size += buf.length;
    if (size > cap) throw tooBig();
    digester.update(buf);
    parts.push(Buffer.from(buf));
  }
  opened.payload.verify(digester.finish());
  return Buffer.concat(parts);
}
