import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  EMPTY_SHA256,
  canonicalTrailers,
  computeSignature,
  createChunkStringToSign,
  createTrailerStringToSign,
  deriveSigningKey,
} from '@anode/shared/sigv4/index';
import type { S3Error } from '../../s3/errors.js';
import { toS3Error } from '../../s3/error-map.js';
import { isLayerError } from '../../layer-errors.js';
import { SigV4Error } from './errors.js';
import { computeChecksum } from '../../util/checksums.js';
import { AwsChunkedDecoder, type AwsChunkedOptions } from './aws-chunked.js';
import type { ChunkSigningContext } from './types.js';

const V = JSON.parse(
  readFileSync(
    new URL('aws-sig-v4-test-suite/s3-streaming-vectors.json', new URL('../../../../test/fixtures/sigv4/', import.meta.url)),
    'utf8',
  ),
) as {
  credentials: { secretAccessKey: string };
  vectors: {
    name: string;
    seed: { signature: string };
    chunks?: { signature: string }[];
    trailer?: { signature: string };
    wireFormat: unknown;
    encodedContentLength?: { value: number };
  }[];
};
const vector = (name: string) => V.vectors.find((v) => v.name === name)!;
const KEY = deriveSigningKey(V.credentials.secretAccessKey, '20130524', 'us-east-1', 's3');
const ctx = (seed: string): ChunkSigningContext => ({
  signingKey: KEY,
  seedSignature: seed,
  amzDate: '20130524T000000Z',
  scope: '20130524/us-east-1/s3/aws4_request',
});
const PAYLOAD = Buffer.alloc(66560, 'a');
const SPLIT = [PAYLOAD.subarray(0, 65536), PAYLOAD.subarray(65536)];

/** Encodes a signed aws-chunked body as a conforming client would. */
function encodeSigned(chunks: Buffer[], signing: ChunkSigningContext, trailer?: [string, string]): { body: Buffer; signatures: string[] } {
  const parts: Buffer[] = [];
  const signatures: string[] = [];
  let prev = signing.seedSignature;
  for (const data of [...chunks, Buffer.alloc(0)]) {
    const hash = data.length === 0 ? EMPTY_SHA256 : createHash('sha256').update(data).digest('hex');
    prev = computeSignature(signing.signingKey, createChunkStringToSign(signing.amzDate, signing.scope, prev, hash));
    signatures.push(prev);
    parts.push(Buffer.from(`${data.length.toString(16)};chunk-signature=${prev}\r\n`), data);
    if (data.length > 0) parts.push(Buffer.from('\r\n'));
  }
  if (trailer !== undefined) {
    const sig = computeSignature(
      signing.signingKey,
      createTrailerStringToSign(signing.amzDate, signing.scope, prev, canonicalTrailers([trailer])),
    );
    signatures.push(sig);
    parts.push(Buffer.from(`${trailer[0]}:${trailer[1]}\r\nx-amz-trailer-signature:${sig}\r\n\r\n`));
  } else {
    parts.push(Buffer.from('\r\n'));
  }
  return { body: Buffer.concat(parts), signatures };
}

/** Encodes an unsigned aws-chunked body with a trailer (botocore / smithy framing). */
function encodeUnsigned(chunks: Buffer[], trailer?: [string, string]): Buffer {
  const parts: Buffer[] = [];
  for (const data of chunks) parts.push(Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n'));
  parts.push(Buffer.from('0\r\n'));
  if (trailer !== undefined) parts.push(Buffer.from(`${trailer[0]}:${trailer[1]}\r\n`));
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

async function* pieces(body: Buffer, sizes: (i: number) => number): AsyncGenerator<Uint8Array> {
  let i = 0;
  let n = 0;
  while (i < body.length) {
    const size = Math.max(1, sizes(n++));
    yield body.subarray(i, i + size);
    i += size;
  }
}

async function decodeAll(
  options: AwsChunkedOptions,
  source: AsyncIterable<Uint8Array>,
): Promise<{ data: Buffer; decoder: AwsChunkedDecoder }> {
  const decoder = new AwsChunkedDecoder(options);
  const out: Buffer[] = [];
  for await (const b of decoder.decode(source)) out.push(b);
  return { data: Buffer.concat(out), decoder };
}

async function fails(
  options: AwsChunkedOptions,
  body: Buffer | AsyncIterable<Uint8Array>,
  code: string,
  status?: number,
): Promise<S3Error> {
  const source = Buffer.isBuffer(body) ? pieces(body, () => body.length) : body;
  try {
    await decodeAll(options, source);
  } catch (err) {
    // Framing errors are SigV4Errors; a bad trailer value is the checksum layer's.
    assert.ok(isLayerError(err), `expected a layer error ${code}, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    const s3 = toS3Error(err)!;
    if (status !== undefined) assert.equal(s3.status, status);
    return s3;
  }
  assert.fail(`expected ${code}`);
}

const CRC32 = (b: Buffer): string => computeChecksum('CRC32', b).toString('base64');

test('AWS example: signed chunks (published chunk signatures, 66824 encoded bytes)', async () => {
  const v = vector('chunked-put-object');
  const { body, signatures } = encodeSigned(SPLIT, ctx(v.seed.signature));
  assert.deepEqual(
    signatures,
    v.chunks!.map((c) => c.signature),
  );
  assert.equal(body.length, v.encodedContentLength!.value);
  const { data, decoder } = await decodeAll(
    { signing: ctx(v.seed.signature), decodedContentLength: 66560 },
    pieces(body, () => 65536),
  );
  assert.ok(data.equals(PAYLOAD));
  assert.equal(decoder.decodedLength, 66560);
  assert.deepEqual(decoder.trailers, {});
});

test('AWS example: signed chunks with a signed CRC32C trailer (d81f82fc...)', async () => {
  const v = vector('chunked-put-object-signed-trailer');
  const trailer: [string, string] = ['x-amz-checksum-crc32c', 'sOO8/Q=='];
  const { body, signatures } = encodeSigned(SPLIT, ctx(v.seed.signature), trailer);
  assert.deepEqual(signatures, [...v.chunks!.map((c) => c.signature), v.trailer!.signature]);
  assert.equal(body.length, 66946);
  const opts = { signing: ctx(v.seed.signature), trailer: 'x-amz-checksum-crc32c', decodedContentLength: 66560 };
  for (const split of [() => 1, () => 7, () => 1 + Math.floor(Math.random() * 9000)]) {
    const { data, decoder } = await decodeAll(opts, pieces(body, split));
    assert.ok(data.equals(PAYLOAD));
    assert.deepEqual(decoder.trailers, { 'x-amz-checksum-crc32c': 'sOO8/Q==' });
  }
});

test('derived example: unsigned chunks with a CRC32 trailer (66612 encoded bytes)', async () => {
  const body = encodeUnsigned(SPLIT, ['x-amz-checksum-crc32', 'sK4Y7A==']);
  assert.equal(body.length, 66612);
  assert.equal(CRC32(PAYLOAD), 'sK4Y7A==');
  for (const split of [() => 7, () => 1 + Math.floor(Math.random() * 3000)]) {
    const { data, decoder } = await decodeAll({ trailer: 'x-amz-checksum-crc32', decodedContentLength: 66560 }, pieces(body, split));
    assert.ok(data.equals(PAYLOAD));
    assert.equal(decoder.decodedLength, 66560);
    assert.deepEqual(decoder.trailers, { 'x-amz-checksum-crc32': 'sK4Y7A==' });
  }
});

test('every split position (two reads, and a 1-byte read at the boundary) decodes the same', async () => {
  // Letters only, so that CR, LF and ";" in the body are framing, never data.
  const letters = (n: number): Buffer => Buffer.from(randomBytes(n).map((b) => 0x61 + (b % 26)));
  const signedPayload = letters(8192 + 300);
  const signing = ctx('a'.repeat(64));
  const signedBody = encodeSigned([signedPayload.subarray(0, 8192), signedPayload.subarray(8192)], signing, [
    'x-amz-checksum-crc32',
    CRC32(signedPayload),
  ]).body;
  const smallPayload = letters(300);
  const unsignedBody = encodeUnsigned(
    [smallPayload.subarray(0, 100), smallPayload.subarray(100, 290), smallPayload.subarray(290)],
    ['x-amz-checksum-crc32', CRC32(smallPayload)],
  );
  const cases = [
    {
      body: signedBody,
      payload: signedPayload,
      opts: { signing, trailer: 'x-amz-checksum-crc32', decodedContentLength: signedPayload.length },
    },
    { body: unsignedBody, payload: smallPayload, opts: { trailer: 'x-amz-checksum-crc32', decodedContentLength: smallPayload.length } },
  ];
  for (const { body, payload, opts } of cases) {
    // Every byte of framing (chunk header lines, CRLFs, trailers) and its surroundings;
    // the middle of the 8 KiB data run only every 61 bytes, to keep the test fast.
    const framing = [...body.keys()].filter((i) => body[i] === 0x0d || body[i] === 0x0a || body[i] === 0x3b);
    const near = (p: number): boolean => framing.some((f) => Math.abs(f - p) <= 120);
    for (let p = 1; p < body.length; p++) {
      if (!near(p) && p % 61 !== 0) continue;
      async function* split(): AsyncGenerator<Uint8Array> {
        yield body.subarray(0, p);
        yield body.subarray(p, p + 1);
        yield body.subarray(p + 1);
      }
      const { data, decoder } = await decodeAll(opts, split());
      assert.ok(data.equals(payload), `split at ${p}`);
      assert.equal(decoder.trailers['x-amz-checksum-crc32'], CRC32(payload));
    }
  }
});

test('payload bytes are views of the arriving buffers, not copies', async () => {
  const payload = randomBytes(1000);
  const body = encodeUnsigned([payload]);
  const decoder = new AwsChunkedDecoder({});
  for await (const b of decoder.decode(pieces(body, () => body.length))) assert.equal(b.buffer, body.buffer);
});

test('truncated bodies: 400 IncompleteBody at every cut before the final chunk', async () => {
  const payload = randomBytes(9000);
  const signing = ctx('b'.repeat(64));
  const { body } = encodeSigned([payload.subarray(0, 8192), payload.subarray(8192)], signing);
  const finalChunkStart = body.lastIndexOf(Buffer.from('0;chunk-signature='));
  for (let cut = 0; cut < finalChunkStart + 20; cut += cut < 200 || cut > finalChunkStart - 200 ? 1 : 97) {
    const err = await fails(
      { signing },
      body.subarray(0, cut).length === 0 ? pieces(Buffer.alloc(0), () => 1) : body.subarray(0, cut),
      'IncompleteBody',
      400,
    );
    assert.equal(err.message, 'The request body terminated unexpectedly');
  }
  // No final zero chunk at all.
  await fails({}, Buffer.from('5\r\nhello\r\n'), 'IncompleteBody');
});

test('a missing final CRLF and extra blank lines after the trailers are accepted', async () => {
  const ok = async (body: string): Promise<void> => {
    const { data, decoder } = await decodeAll(
      { trailer: 'x-amz-checksum-crc32' },
      pieces(Buffer.from(body), () => 3),
    );
    assert.equal(data.toString(), 'hello');
    assert.deepEqual(decoder.trailers, { 'x-amz-checksum-crc32': CRC32(Buffer.from('hello')) });
  };
  const c = CRC32(Buffer.from('hello'));
  await ok(`5\r\nhello\r\n0\r\nx-amz-checksum-crc32:${c}\r\n`);
  await ok(`5\r\nhello\r\n0\r\nx-amz-checksum-crc32:${c}`);
  await ok(`5\r\nhello\r\n0\r\nx-amz-checksum-crc32:${c}\r\n\r\n\r\n\r\n`);
  await ok(`5\r\nhello\r\n0\r\nX-Amz-Checksum-CRC32: ${c}\r\n\r\n`);
  const plain = await decodeAll(
    {},
    pieces(Buffer.from('5\r\nhello\r\n0\r\n'), () => 2),
  );
  assert.equal(plain.data.toString(), 'hello');
});

test('bad, misplaced, missing or blank chunk signatures', async () => {
  const signing = ctx('c'.repeat(64));
  const payload = randomBytes(100);
  const { body, signatures } = encodeSigned([payload], signing);
  const wrong = Buffer.from(body.toString('latin1').replace(signatures[0]!, 'f'.repeat(64)), 'latin1');
  const err = await fails({ signing, accessKeyId: 'AKID' }, wrong, 'SignatureDoesNotMatch', 403);
  assert.match(String(err.extra.StringToSign), /^AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n/);
  assert.equal(err.extra.SignatureProvided, 'f'.repeat(64));
  assert.equal(err.extra.AWSAccessKeyId, 'AKID');

  const misplaced = Buffer.from(body.toString('latin1').replace('64;chunk-signature=', '64;foo=bar;chunk-signature='), 'latin1');
  await fails({ signing }, misplaced, 'SignatureDoesNotMatch', 403);
  const missing = Buffer.from(body.toString('latin1').replace(`;chunk-signature=${signatures[0]!}`, ''), 'latin1');
  await fails({ signing }, missing, 'IncompleteBody', 400);
  const blank = Buffer.from(body.toString('latin1').replace(`chunk-signature=${signatures[0]!}`, 'chunk-signature='), 'latin1');
  await fails({ signing }, blank, 'IncompleteBody', 400);
  // Chunks re-ordered or replayed break the chain.
  const other = encodeSigned([randomBytes(100)], signing).body;
  await fails(
    { signing },
    Buffer.concat([other.subarray(0, other.indexOf('0;chunk')), body.subarray(body.indexOf('0;chunk'))]),
    'SignatureDoesNotMatch',
  );
});

test('signed chunks under 8 KiB before the last: 403 InvalidChunkSizeError', async () => {
  const signing = ctx('d'.repeat(64));
  const { body } = encodeSigned([randomBytes(8192), randomBytes(100), randomBytes(50)], signing);
  const err = await fails({ signing }, body, 'InvalidChunkSizeError', 403);
  assert.deepEqual(err.extra, { Chunk: 2, BadChunkSize: 100 });
  // The last data chunk may be small, and so may the only one.
  await decodeAll(
    { signing },
    pieces(encodeSigned([randomBytes(8192), randomBytes(1)], signing).body, () => 1000),
  );
  await decodeAll(
    { signing },
    pieces(encodeSigned([randomBytes(3)], signing).body, () => 1000),
  );
  // Unsigned chunks have no minimum.
  await decodeAll(
    {},
    pieces(encodeUnsigned([randomBytes(3), randomBytes(5)]), () => 1000),
  );
});

test('chunk sizes: overflow, negative, non-hex, or beyond the declared length are refused before reading', async () => {
  for (const line of ['ffffffffffffffffffff', '-1', 'zz', '', '0x10', ' 5', '20000000000000']) {
    await fails({}, Buffer.from(`${line}\r\nhello\r\n0\r\n\r\n`), 'InvalidArgument', 400);
  }
  async function* headerThenStop(): AsyncGenerator<Uint8Array> {
    yield Buffer.from('fffffffffffff\r\n');
    throw new Error('read past a refused chunk header');
  }
  const err = await fails({ decodedContentLength: 10 }, headerThenStop(), 'IncompleteBody', 400);
  assert.deepEqual(err.extra, { NumberBytesExpected: 10, NumberBytesProvided: 0xfffffffffffff });
});

test('decoded length: more than declared, fewer than declared, or a zero chunk in the middle', async () => {
  const body = encodeUnsigned([Buffer.from('hello'), Buffer.from('world')]);
  let err = await fails({ decodedContentLength: 7 }, body, 'IncompleteBody', 400);
  assert.deepEqual(err.extra, { NumberBytesExpected: 7, NumberBytesProvided: 10 });
  err = await fails({ decodedContentLength: 12 }, body, 'IncompleteBody', 400);
  assert.deepEqual(err.extra, { NumberBytesExpected: 12, NumberBytesProvided: 10 });
  err = await fails({ decodedContentLength: 10 }, Buffer.from('5\r\nhello\r\n0\r\n\r\n5\r\nworld\r\n0\r\n\r\n'), 'IncompleteBody');
  assert.deepEqual(err.extra, { NumberBytesExpected: 10, NumberBytesProvided: 5 });
  // Without a declared length a zero chunk in the middle leaves trailing data: refused too.
  await fails({}, Buffer.from('5\r\nhello\r\n0\r\n\r\n5\r\nworld\r\n0\r\n\r\n'), 'MalformedTrailerError');
});

test('framing garbage: data longer than its size, bare LF, over-long lines', async () => {
  await fails({}, Buffer.from('5\r\nhello!\r\n0\r\n\r\n'), 'IncompleteBody');
  await fails({}, Buffer.from('5\nhello\r\n0\r\n\r\n'), 'InvalidArgument');
  await fails({}, Buffer.from(`${'1'.repeat(5000)}\r\n`), 'InvalidArgument');
  await fails(
    { trailer: 'x-amz-checksum-crc32' },
    Buffer.from(`0\r\nx-amz-checksum-crc32:${'A'.repeat(5000)}\r\n\r\n`),
    'MalformedTrailerError',
  );
});

test('trailers: missing, different, blank line before, undeclared extras, bad base64', async () => {
  const c = CRC32(Buffer.from('hello'));
  const t = { trailer: 'x-amz-checksum-crc32' };
  await fails(t, Buffer.from('5\r\nhello\r\n0\r\n\r\n'), 'MalformedTrailerError', 400);
  await fails(t, Buffer.from(`5\r\nhello\r\n0\r\nx-amz-checksum-crc32c:${c}\r\n\r\n`), 'MalformedTrailerError');
  await fails(t, Buffer.from(`5\r\nhello\r\n0\r\n\r\nx-amz-checksum-crc32:${c}\r\n\r\n`), 'MalformedTrailerError');
  await fails(t, Buffer.from(`5\r\nhello\r\n0\r\nx-amz-checksum-crc32:${c}\r\nx-amz-meta-a:1\r\n\r\n`), 'MalformedTrailerError');
  await fails(t, Buffer.from(`5\r\nhello\r\n0\r\nx-amz-checksum-crc32:${c}\r\nx-amz-checksum-crc32:${c}\r\n\r\n`), 'MalformedTrailerError');
  await fails({}, Buffer.from(`5\r\nhello\r\n0\r\nx-amz-checksum-crc32:${c}\r\n\r\n`), 'MalformedTrailerError');
  await fails(t, Buffer.from(`5\r\nhello\r\n0\r\nx-amz-checksum-crc32:${c}\r\ngarbage`), 'MalformedTrailerError');
  await fails(t, Buffer.from('5\r\nhello\r\n0\r\nx-amz-checksum-crc32\r\n\r\n'), 'MalformedTrailerError');
  const err = await fails(t, Buffer.from('5\r\nhello\r\n0\r\nx-amz-checksum-crc32:not*base64\r\n\r\n'), 'InvalidRequest', 400);
  assert.equal(err.message, 'Value for x-amz-checksum-crc32 trailing header is invalid.');
  assert.ok(!err.message.includes('not*base64'));
  assert.throws(
    () => new AwsChunkedDecoder({ trailer: 'x-amz-meta-foo' }),
    (e: unknown) => e instanceof SigV4Error && e.code === 'InvalidRequest',
  );
});

test('signed trailers: missing signature 400 IncompleteBody, wrong 403 SignatureDoesNotMatch', async () => {
  const signing = ctx('e'.repeat(64));
  const payload = randomBytes(10);
  const trailer: [string, string] = ['x-amz-checksum-crc32', CRC32(payload)];
  const { body, signatures } = encodeSigned([payload], signing, trailer);
  const opts = { signing, trailer: 'x-amz-checksum-crc32' };
  const text = body.toString('latin1');
  const trailerSig = signatures[signatures.length - 1]!;
  await fails(opts, Buffer.from(text.replace(`x-amz-trailer-signature:${trailerSig}\r\n`, ''), 'latin1'), 'IncompleteBody', 400);
  const err = await fails(opts, Buffer.from(text.replace(trailerSig, '0'.repeat(64)), 'latin1'), 'SignatureDoesNotMatch', 403);
  assert.match(String(err.extra.StringToSign), /^AWS4-HMAC-SHA256-TRAILER\n/);
  // A changed trailer value fails the trailer signature.
  const other = CRC32(Buffer.from('other'));
  await fails(opts, Buffer.from(text.replace(trailer[1], other), 'latin1'), 'SignatureDoesNotMatch', 403);
  // A trailer signature where none is expected.
  await fails({ signing }, Buffer.from(text.replace(`${trailer[0]}:${trailer[1]}\r\n`, ''), 'latin1'), 'MalformedTrailerError');
  const ok = await decodeAll(
    opts,
    pieces(body, () => 5),
  );
  assert.deepEqual(ok.decoder.trailers, { 'x-amz-checksum-crc32': trailer[1] });
});

test('a consumer that stops early closes the source', async () => {
  let closed = false;
  async function* source(): AsyncGenerator<Uint8Array> {
    try {
      yield Buffer.from('5\r\nhel');
      yield Buffer.from('lo\r\n');
      yield Buffer.from('0\r\n\r\n');
    } finally {
      closed = true;
    }
  }
  const decoder = new AwsChunkedDecoder({});
  for await (const b of decoder.decode(source())) {
    assert.equal(b.toString(), 'hel');
    break;
  }
  assert.equal(closed, true);
});

test('fuzz: mutated signed bodies either fail with a client error or decode to the exact payload', async () => {
  const signing = ctx('f'.repeat(64));
  const payload = randomBytes(8192 + 50);
  const trailer: [string, string] = ['x-amz-checksum-crc32', CRC32(payload)];
  const { body } = encodeSigned([payload.subarray(0, 8192), payload.subarray(8192)], signing, trailer);
  const opts = { signing, trailer: 'x-amz-checksum-crc32', decodedContentLength: payload.length };
  const rnd = (n: number): number => Math.floor(Math.random() * n);
  for (let i = 0; i < 400; i++) {
    const b = Buffer.from(body);
    let mutated: Buffer;
    switch (i % 4) {
      case 0:
        {
          const at = rnd(b.length);
          b[at] = b[at]! ^ (1 << rnd(8));
        }
        mutated = b;
        break;
      case 1: {
        const at = rnd(b.length);
        mutated = Buffer.concat([b.subarray(0, at), randomBytes(1 + rnd(4)), b.subarray(at)]);
        break;
      }
      case 2: {
        const at = rnd(b.length);
        mutated = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + rnd(4))]);
        break;
      }
      default:
        mutated = b.subarray(0, rnd(b.length));
    }
    try {
      const { data } = await decodeAll(
        opts,
        pieces(mutated, () => 1 + rnd(3000)),
      );
      // Only framing slack AWS tolerates (final CRLF, blank lines, hex digit case) may pass.
      assert.ok(data.equals(payload), `mutation ${i} produced different data`);
    } catch (err) {
      assert.ok(isLayerError(err), `mutation ${i}: ${String(err)}`);
      const status = toS3Error(err)!.status;
      assert.ok(status >= 400 && status < 500);
    }
  }
});
