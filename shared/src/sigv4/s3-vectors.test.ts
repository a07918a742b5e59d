/** S3's own published examples (service "s3"): single-request, presigned, chunk and trailer signatures. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { presignUrlDetailed, signRequestDetailed } from './signer.js';
import { computeSignature, deriveSigningKey } from './signing-key.js';
import { canonicalTrailers, createChunkStringToSign, createTrailerStringToSign } from './string-to-sign.js';

interface Vector {
  name: string;
  request: { method: string; path?: string; url?: string; headers?: Record<string, string>; body?: string };
  canonicalRequest?: string;
  stringToSign?: string;
  signature?: string;
  authorization?: string;
  seed?: { canonicalRequest: string; stringToSign: string; signature: string; authorization: string };
  chunks?: { dataBytes: number; dataSha256: string; stringToSign: string; signature: string }[];
  trailer?: { lines: string[]; canonicalForSigning: string; stringToSign: string; signature: string };
}

const FILE = JSON.parse(
  readFileSync(
    new URL('aws-sig-v4-test-suite/s3-streaming-vectors.json', new URL('../../../test/fixtures/sigv4/', import.meta.url)),
    'utf8',
  ),
) as {
  credentials: { accessKeyId: string; secretAccessKey: string };
  signingKeyHex: { value: string };
  vectors: Vector[];
};

const credentials = FILE.credentials;
const now = new Date('2013-05-24T00:00:00Z');
const common = { credentials, region: 'us-east-1', service: 's3', now };
const vector = (name: string): Vector => FILE.vectors.find((v) => v.name === name)!;

test('signing key matches the vectors file', () => {
  assert.equal(deriveSigningKey(credentials.secretAccessKey, '20130524', 'us-east-1', 's3').toString('hex'), FILE.signingKeyHex.value);
});

for (const name of ['get-object-with-range', 'put-object', 'get-bucket-lifecycle', 'list-objects']) {
  test(`S3 example ${name}`, () => {
    const v = vector(name);
    const headers = { ...v.request.headers! };
    const contentSha = headers['x-amz-content-sha256']!;
    delete headers['x-amz-content-sha256'];
    if (v.request.body !== undefined) {
      assert.equal(createHash('sha256').update(v.request.body).digest('hex'), contentSha);
    }
    const s = signRequestDetailed({
      ...common,
      method: v.request.method,
      url: `https://${headers.Host!}${v.request.path!}`,
      headers,
      bodySha256: contentSha,
    });
    assert.equal(s.canonicalRequest, v.canonicalRequest);
    assert.equal(s.stringToSign, v.stringToSign);
    assert.equal(s.signature, v.signature);
    assert.equal(s.headers.authorization!.replace(/, /g, ','), v.authorization);
  });
}

test('S3 presigned GET example', () => {
  const v = vector('presigned-get-object');
  const p = presignUrlDetailed({ ...common, method: 'GET', url: 'https://examplebucket.s3.amazonaws.com/test.txt', expiresIn: 86400 });
  assert.equal(p.canonicalRequest, v.canonicalRequest);
  assert.equal(p.stringToSign, v.stringToSign);
  assert.equal(p.signature, v.signature);
  assert.equal(p.url, v.request.url);
});

for (const name of ['chunked-put-object', 'chunked-put-object-signed-trailer', 'chunked-put-object-unsigned-trailer']) {
  test(`S3 streaming example ${name}: seed, chunk and trailer signatures`, () => {
    const v = vector(name);
    const headers = { ...v.request.headers! };
    const mode = headers['x-amz-content-sha256']!;
    delete headers['x-amz-content-sha256'];
    delete headers['Transfer-Encoding']; // not signed
    const s = signRequestDetailed({
      ...common,
      method: 'PUT',
      url: `https://s3.amazonaws.com${v.request.path!}`,
      headers,
      bodySha256: mode,
    });
    assert.equal(s.canonicalRequest, v.seed!.canonicalRequest);
    assert.equal(s.stringToSign, v.seed!.stringToSign);
    assert.equal(s.signature, v.seed!.signature);

    let previous = s.signature;
    for (const chunk of v.chunks ?? []) {
      const data = Buffer.alloc(chunk.dataBytes, 'a');
      const hash = createHash('sha256').update(data).digest('hex');
      assert.equal(hash, chunk.dataSha256);
      const sts = createChunkStringToSign(s.amzDate, s.scope, previous, hash);
      assert.equal(sts, chunk.stringToSign);
      previous = computeSignature(s.signingKey, sts);
      assert.equal(previous, chunk.signature);
    }
    if (v.trailer !== undefined) {
      const lines = v.trailer.lines.map((l) => l.split(':') as [string, string]);
      const block = canonicalTrailers(lines);
      assert.equal(block, v.trailer.canonicalForSigning);
      const sts = createTrailerStringToSign(s.amzDate, s.scope, previous, block);
      assert.equal(sts, v.trailer.stringToSign);
      assert.equal(computeSignature(s.signingKey, sts), v.trailer.signature);
    }
  });
}
