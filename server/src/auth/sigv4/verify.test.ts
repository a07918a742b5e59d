import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EMPTY_SHA256, presignUrl, signRequestDetailed, splitUrl } from '@anode/shared/sigv4/index';
import type { S3Error } from '../../s3/errors.js';
import { toS3Error } from '../../s3/error-map.js';
import { SigV4Error } from './errors.js';
import type { AuthRequest, VerifyOptions } from './types.js';
import { verifyRequest } from './verify.js';

const AKID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const T0 = new Date('2013-05-24T00:00:00Z');
const creds = { accessKeyId: AKID, secretAccessKey: SECRET };
const opts = (now = T0, region = 'us-east-1'): VerifyOptions => ({
  region,
  service: 's3',
  now,
  lookup: async (id) => (id === AKID ? SECRET : undefined),
});

/** Signs a request with the shared signer and returns it as the server would see it. */
function signed(
  method: string,
  url: string,
  headers: [string, string][] = [],
  bodySha256 = EMPTY_SHA256,
  extra: { region?: string; service?: string; now?: Date } = {},
): AuthRequest {
  const s = signRequestDetailed({
    method,
    url,
    headers,
    bodySha256,
    credentials: creds,
    region: extra.region ?? 'us-east-1',
    service: extra.service ?? 's3',
    now: extra.now ?? T0,
  });
  const { host, rawPath, rawQuery } = splitUrl(url);
  const rawHeaders = [['Host', host], ...headers, ...Object.entries(s.headers)].flat();
  return { method, rawPath, rawQuery, rawHeaders };
}

function fromUrl(method: string, url: string, headers: [string, string][] = []): AuthRequest {
  const { host, rawPath, rawQuery } = splitUrl(url);
  return { method, rawPath, rawQuery, rawHeaders: [['Host', host], ...headers].flat() };
}

function withHeader(req: AuthRequest, name: string, value: string | null): AuthRequest {
  const raw: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() !== name.toLowerCase()) raw.push(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  }
  if (value !== null) raw.push(name, value);
  return { ...req, rawHeaders: raw };
}

function header(req: AuthRequest, name: string): string {
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === name) return req.rawHeaders[i + 1]!;
  }
  throw new Error(`no ${name}`);
}

async function rejects(p: Promise<unknown>, code: string, status: number, extra?: Record<string, string | number>): Promise<S3Error> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof SigV4Error, `expected SigV4Error, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (extra !== undefined) for (const [k, v] of Object.entries(extra)) assert.equal(err.extra[k], v, k);
    // What the S3 plane answers for it: same code, the status AWS gives it.
    const s3 = toS3Error(err)!;
    assert.equal(s3.code, code);
    assert.equal(s3.status, status);
    return s3;
  }
  assert.fail(`expected ${code}`);
}

const VECTORS = JSON.parse(
  readFileSync(
    new URL('aws-sig-v4-test-suite/s3-streaming-vectors.json', new URL('../../../../test/fixtures/sigv4/', import.meta.url)),
    'utf8',
  ),
) as {
  vectors: {
    name: string;
    request: { method: string; path?: string; url?: string; headers?: Record<string, string> };
    authorization?: string;
    seed?: { signature: string; authorization: string };
  }[];
};

test('no Authorization and no query auth is anonymous', async () => {
  assert.deepEqual(await verifyRequest(fromUrl('GET', 'http://h/b/k?list-type=2&x-amz-foo=1'), opts()), { kind: 'anonymous' });
});

test('AWS published S3 requests verify as sent (raw header pairs, no signer involved)', async () => {
  for (const v of VECTORS.vectors) {
    if (v.request.headers === undefined) continue;
    const path = v.request.path!;
    const q = path.indexOf('?');
    const rawHeaders = Object.entries(v.request.headers).flat();
    rawHeaders.push('Authorization', v.seed?.authorization ?? v.authorization!);
    const req: AuthRequest = {
      method: v.request.method,
      rawPath: q < 0 ? path : path.slice(0, q),
      rawQuery: q < 0 ? '' : path.slice(q + 1),
      rawHeaders,
    };
    const auth = await verifyRequest(req, opts());
    if (auth.kind !== 'header') assert.fail(v.name);
    assert.equal(auth.accessKeyId, AKID);
    assert.equal(auth.requestTime.toISOString(), T0.toISOString());
    const mode = v.request.headers['x-amz-content-sha256']!;
    if (mode === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' || mode === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER') {
      assert.deepEqual(auth.payload, { type: 'streaming-signed', trailer: mode.endsWith('TRAILER') });
      assert.equal(auth.chunkSigning?.seedSignature, v.seed!.signature);
      assert.equal(auth.chunkSigning?.scope, '20130524/us-east-1/s3/aws4_request');
      assert.equal(auth.chunkSigning?.amzDate, '20130524T000000Z');
      assert.equal(auth.chunkSigning?.signingKey.toString('hex'), 'dbb893acc010964918f1fd433add87c70e8b0db6be30c1fbeafefa5ec6ba8378');
    } else if (mode === 'STREAMING-UNSIGNED-PAYLOAD-TRAILER') {
      assert.deepEqual(auth.payload, { type: 'streaming-unsigned-trailer' });
      assert.equal(auth.chunkSigning, undefined);
    } else {
      assert.deepEqual(auth.payload, { type: 'sha256', hex: mode });
    }
  }
});

test('AWS published presigned GET verifies before expiry and is refused after', async () => {
  const v = VECTORS.vectors.find((x) => x.name === 'presigned-get-object')!;
  const req = fromUrl('GET', v.request.url!);
  const auth = await verifyRequest(req, opts(new Date('2013-05-24T12:00:00Z')));
  assert.equal(auth.kind, 'presigned');
  if (auth.kind === 'presigned') {
    assert.deepEqual(auth.payload, { type: 'unsigned' });
    assert.deepEqual(auth.signedHeaders, ['host']);
  }
  await rejects(verifyRequest(req, opts(new Date('2013-05-25T00:00:01Z'))), 'AccessDenied', 403, {
    'X-Amz-Expires': '86400',
    Expires: '2013-05-25T00:00:00Z',
    ServerTime: '2013-05-25T00:00:01Z',
  });
});

test('signer and verifier agree on awkward keys, repeated headers and query values', async () => {
  const urls = [
    'http://127.0.0.1:8080/b/a%20b%2Bc%25d~e!(x)',
    'http://127.0.0.1:8080/b/../../etc/passwd',
    'http://127.0.0.1:8080/b//x/./y',
    'http://127.0.0.1:8080/b/%E2%82%AC?prefix=a%20b&list-type=2&acl',
    'http://127.0.0.1:8080/b/k?x=1&x=0',
  ];
  for (const url of urls) {
    const req = signed(
      'PUT',
      url,
      [
        ['X-Amz-Meta-A', ' one  two '],
        ['x-amz-meta-a', 'three'],
      ],
      EMPTY_SHA256,
    );
    const auth = await verifyRequest(req, opts());
    assert.equal(auth.kind, 'header', url);
  }
  // The same bytes spelled with different escapes sign the same.
  const req = signed('GET', 'http://h/b/%61bc');
  assert.equal((await verifyRequest({ ...req, rawPath: '/b/abc' }, opts())).kind, 'header');
  // Dot segments are not resolved: /b/x/../k is not /b/k.
  await rejects(verifyRequest({ ...signed('GET', 'http://h/b/x/../k'), rawPath: '/b/k' }, opts()), 'SignatureDoesNotMatch', 403);
});

test('header and query auth together: 400 InvalidArgument', async () => {
  const req = signed('GET', 'http://h/b/k?X-Amz-Credential=x');
  await rejects(verifyRequest(req, opts()), 'InvalidArgument', 400, { ArgumentName: 'Authorization' });
});

test('SigV2 and other algorithms: 400 InvalidRequest', async () => {
  await rejects(verifyRequest(fromUrl('GET', 'http://h/b/k', [['Authorization', 'AWS AKIA:c2lnbmF0dXJl']]), opts()), 'InvalidRequest', 400);
  await rejects(
    verifyRequest(fromUrl('GET', 'http://h/b/k', [['Authorization', 'AWS4-ECDSA-P256-SHA256 Credential=x']]), opts()),
    'InvalidRequest',
    400,
  );
  await rejects(verifyRequest(fromUrl('GET', 'http://h/b/k?AWSAccessKeyId=A&Signature=x&Expires=1'), opts()), 'InvalidRequest', 400);
});

test('malformed Authorization headers: 400 AuthorizationHeaderMalformed; empty: 403', async () => {
  const good = header(signed('GET', 'http://h/b/k'), 'authorization');
  const bad = [
    'AWS4-HMAC-SHA256',
    'AWS4-HMAC-SHA256 ',
    good.replace(/SignedHeaders=[^,]+, /, ''),
    good.replace(/Signature=[0-9a-f]+/, 'Signature=XYZ'),
    good.replace(/Signature=([0-9a-f]+)/, 'Signature=$1, Signature=$1'),
    good.replace(`${AKID}/20130524`, `${AKID}/2013-05-24`),
    good.replace(`${AKID}/`, ''),
    good.replace('SignedHeaders=host', 'SignedHeaders=Host'),
    `${good}, Foo=bar`,
  ];
  for (const value of bad) {
    const req = withHeader(signed('GET', 'http://h/b/k'), 'Authorization', value);
    await rejects(verifyRequest(req, opts()), 'AuthorizationHeaderMalformed', 400);
  }
  await rejects(verifyRequest(withHeader(signed('GET', 'http://h/b/k'), 'Authorization', ''), opts()), 'AccessDenied', 403);
  const twice = signed('GET', 'http://h/b/k');
  await rejects(
    verifyRequest({ ...twice, rawHeaders: [...twice.rawHeaders, 'authorization', good] }, opts()),
    'AuthorizationHeaderMalformed',
    400,
  );
});

test('spaces after commas in Authorization are optional', async () => {
  const req = signed('GET', 'http://h/b/k');
  const compact = withHeader(req, 'Authorization', header(req, 'authorization').replace(/, /g, ','));
  assert.equal((await verifyRequest(compact, opts())).kind, 'header');
});

test('wrong region, service or scope date', async () => {
  await rejects(
    verifyRequest(signed('GET', 'http://h/b/k', [], EMPTY_SHA256, { region: 'us-west-2' }), opts()),
    'AuthorizationHeaderMalformed',
    400,
    {
      Region: 'us-east-1',
    },
  );
  const err = await rejects(
    verifyRequest(signed('GET', 'http://h/b/k', [], EMPTY_SHA256, { service: 'ec2' }), opts()),
    'AuthorizationHeaderMalformed',
    400,
  );
  assert.match(err.message, /incorrect service "ec2"/);
  const req = signed('GET', 'http://h/b/k');
  const otherDay = withHeader(req, 'Authorization', header(req, 'authorization').replace('/20130524/', '/20130523/'));
  const e2 = await rejects(verifyRequest(otherDay, opts()), 'AuthorizationHeaderMalformed', 400);
  assert.match(e2.message, /Date is not the same as X-Amz-Date/);

  const presigned = presignUrl({
    method: 'GET',
    url: 'http://h/b/k',
    credentials: creds,
    region: 'eu-west-1',
    service: 's3',
    now: T0,
    expiresIn: 60,
  });
  await rejects(verifyRequest(fromUrl('GET', presigned), opts()), 'AuthorizationQueryParametersError', 400, { Region: 'us-east-1' });
});

test('missing or bad x-amz-date: 403 AccessDenied', async () => {
  await rejects(verifyRequest(withHeader(signed('GET', 'http://h/b/k'), 'x-amz-date', null), opts()), 'AccessDenied', 403);
  await rejects(verifyRequest(withHeader(signed('GET', 'http://h/b/k'), 'x-amz-date', '2013-05-24'), opts()), 'AccessDenied', 403);
});

test('clock skew over 15 minutes: 403 RequestTimeTooSkewed', async () => {
  const req = signed('GET', 'http://h/b/k');
  assert.equal((await verifyRequest(req, opts(new Date(T0.getTime() + 15 * 60_000)))).kind, 'header');
  for (const delta of [16 * 60_000, -16 * 60_000]) {
    const now = new Date(T0.getTime() + delta);
    await rejects(verifyRequest(req, opts(now)), 'RequestTimeTooSkewed', 403, {
      RequestTime: '20130524T000000Z',
      ServerTime: now.toISOString().replace('.000Z', 'Z'),
      MaxAllowedSkewMilliseconds: 900000,
    });
  }
});

test('x-amz-content-sha256: missing 400 InvalidRequest, invalid 400 InvalidArgument, tolerated on GET/HEAD', async () => {
  const noHeader = withHeader(signed('PUT', 'http://h/b/k'), 'x-amz-content-sha256', null);
  const e = await rejects(verifyRequest(noHeader, opts()), 'InvalidRequest', 400);
  assert.equal(e.message, 'Missing required header for this request: x-amz-content-sha256');
  await rejects(verifyRequest(signed('PUT', 'http://h/b/k', [], 'unsigned-payload'), opts()), 'InvalidArgument', 400, {
    ArgumentName: 'x-amz-content-sha256',
    ArgumentValue: 'unsigned-payload',
  });
  await rejects(verifyRequest(signed('PUT', 'http://h/b/k', [], EMPTY_SHA256.toUpperCase()), opts()), 'InvalidArgument', 400);
  for (const method of ['GET', 'HEAD']) {
    const auth = await verifyRequest(signed(method, 'http://h/b/k', [], 'garbage'), opts());
    assert.equal(auth.kind, 'header');
    if (auth.kind === 'header') assert.deepEqual(auth.payload, { type: 'unsigned' });
  }
  const unsigned = await verifyRequest(signed('PUT', 'http://h/b/k', [], 'UNSIGNED-PAYLOAD'), opts());
  if (unsigned.kind !== 'header') assert.fail();
  assert.deepEqual(unsigned.payload, { type: 'unsigned' });
  await rejects(
    verifyRequest(signed('PUT', 'http://h/b/k', [], 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD'), opts()),
    'NotImplemented',
    501,
  );
});

test('unsigned x-amz-* headers and unsigned host: 403 AccessDenied with HeadersNotSigned', async () => {
  const req = signed('PUT', 'http://h/b/k');
  const added = { ...req, rawHeaders: [...req.rawHeaders, 'x-amz-acl', 'public-read'] };
  await rejects(verifyRequest(added, opts()), 'AccessDenied', 403, { HeadersNotSigned: 'x-amz-acl' });

  const noHost = withHeader(req, 'Authorization', header(req, 'authorization').replace('SignedHeaders=host;', 'SignedHeaders='));
  await rejects(verifyRequest(noHost, opts()), 'AccessDenied', 403, { HeadersNotSigned: 'host' });

  const url = presignUrl({
    method: 'PUT',
    url: 'http://h/b/k',
    credentials: creds,
    region: 'us-east-1',
    service: 's3',
    now: T0,
    expiresIn: 60,
  });
  await rejects(verifyRequest(fromUrl('PUT', url, [['x-amz-meta-a', '1']]), opts()), 'AccessDenied', 403, {
    HeadersNotSigned: 'x-amz-meta-a',
  });
  const signedMeta = presignUrl({
    method: 'PUT',
    url: 'http://h/b/k',
    headers: [['x-amz-meta-a', '1']],
    credentials: creds,
    region: 'us-east-1',
    service: 's3',
    now: T0,
    expiresIn: 60,
  });
  assert.equal((await verifyRequest(fromUrl('PUT', signedMeta, [['x-amz-meta-a', '1']]), opts())).kind, 'presigned');
});

test('unknown access key: 403 InvalidAccessKeyId', async () => {
  const req = signed('GET', 'http://h/b/k');
  const other = withHeader(req, 'Authorization', header(req, 'authorization').replace(AKID, 'AKIAUNKNOWN000000000'));
  await rejects(verifyRequest(other, opts()), 'InvalidAccessKeyId', 403, { AWSAccessKeyId: 'AKIAUNKNOWN000000000' });
});

test('signature mismatch: 403 SignatureDoesNotMatch with the debugging elements', async () => {
  const req = signed('GET', 'http://h/b/k');
  const tampered = { ...req, rawPath: '/b/other' };
  const err = await rejects(verifyRequest(tampered, opts()), 'SignatureDoesNotMatch', 403, { AWSAccessKeyId: AKID });
  assert.deepEqual(Object.keys(err.extra), [
    'AWSAccessKeyId',
    'StringToSign',
    'SignatureProvided',
    'StringToSignBytes',
    'CanonicalRequest',
    'CanonicalRequestBytes',
  ]);
  assert.match(String(err.extra.StringToSign), /^AWS4-HMAC-SHA256\n20130524T000000Z\n/);
  assert.match(String(err.extra.CanonicalRequest), /^GET\n\/b\/other\n/);
  assert.match(String(err.extra.StringToSignBytes), /^41 57 53 34 2d/);
  assert.equal(err.extra.SignatureProvided, /Signature=([0-9a-f]+)/.exec(header(req, 'authorization'))![1]);
  assert.ok(!JSON.stringify(err.extra).includes(SECRET));

  // A changed signed header value also fails.
  const changed = withHeader(signed('GET', 'http://h/b/k', [['Range', 'bytes=0-1']]), 'Range', 'bytes=0-100');
  await rejects(verifyRequest(changed, opts()), 'SignatureDoesNotMatch', 403);
});

test('presigned URLs: valid, session token, X-Amz-Content-Sha256', async () => {
  const base = { method: 'GET', url: 'http://h/b/k?versionId=1', credentials: creds, region: 'us-east-1', service: 's3', now: T0 };
  const auth = await verifyRequest(fromUrl('GET', presignUrl({ ...base, expiresIn: 3600 })), opts(new Date(T0.getTime() + 3599_000)));
  assert.equal(auth.kind, 'presigned');
  const withToken = presignUrl({ ...base, credentials: { ...creds, sessionToken: 'tok/en+=' }, expiresIn: 60 });
  assert.equal((await verifyRequest(fromUrl('GET', withToken), opts())).kind, 'presigned');
  const hash = 'a'.repeat(64);
  const withHash = presignUrl({ ...base, url: `http://h/b/k?X-Amz-Content-Sha256=${hash}`, payloadHash: hash, expiresIn: 60 });
  const a2 = await verifyRequest(fromUrl('PUT', withHash.replace('http', 'http')), opts()).catch((e: unknown) => e);
  // Signed as GET, sent as PUT: method is part of the signature.
  assert.ok(a2 instanceof SigV4Error && a2.code === 'SignatureDoesNotMatch');
  const a3 = await verifyRequest(fromUrl('GET', withHash), opts());
  if (a3.kind !== 'presigned') assert.fail();
  assert.deepEqual(a3.payload, { type: 'sha256', hex: hash });
});

test('presigned X-Amz-Expires limits and time window', async () => {
  const base = { method: 'GET', url: 'http://h/b/k', credentials: creds, region: 'us-east-1', service: 's3', now: T0, expiresIn: 60 };
  const url = presignUrl(base);
  const setExpires = (v: string): string => url.replace('X-Amz-Expires=60', `X-Amz-Expires=${v}`);
  await rejects(verifyRequest(fromUrl('GET', setExpires('604801')), opts()), 'AuthorizationQueryParametersError', 400);
  await rejects(verifyRequest(fromUrl('GET', setExpires('abc')), opts()), 'AuthorizationQueryParametersError', 400);
  await rejects(verifyRequest(fromUrl('GET', setExpires('')), opts()), 'AuthorizationQueryParametersError', 400);
  await rejects(verifyRequest(fromUrl('GET', setExpires('0')), opts()), 'AccessDenied', 403, { 'X-Amz-Expires': '0' });
  await rejects(verifyRequest(fromUrl('GET', setExpires('-1000')), opts()), 'AccessDenied', 403);
  await rejects(verifyRequest(fromUrl('GET', url), opts(new Date(T0.getTime() + 61_000))), 'AccessDenied', 403, {
    'X-Amz-Expires': '60',
    Expires: '2013-05-24T00:01:00Z',
  });
  const e = await rejects(verifyRequest(fromUrl('GET', url), opts(new Date(T0.getTime() - 16 * 60_000))), 'AccessDenied', 403);
  assert.equal(e.message, 'Request is not valid yet');
  // The 7-day maximum itself is fine.
  assert.equal((await verifyRequest(fromUrl('GET', presignUrl({ ...base, expiresIn: 604800 })), opts())).kind, 'presigned');
});

test('presigned: duplicate or missing auth parameters, bad algorithm or date: 400 AuthorizationQueryParametersError', async () => {
  const url = presignUrl({
    method: 'GET',
    url: 'http://h/b/k',
    credentials: creds,
    region: 'us-east-1',
    service: 's3',
    now: T0,
    expiresIn: 60,
  });
  const variants = [
    `${url}&X-Amz-Credential=${encodeURIComponent(`${AKID}/20130524/us-east-1/s3/aws4_request`)}`,
    `${url}&X-Amz-Signature=${'0'.repeat(64)}`,
    `${url}&x-amz-signature=${'0'.repeat(64)}`,
    url.replace(/&X-Amz-Signature=[0-9a-f]+/, ''),
    url.replace(/X-Amz-Date=[^&]+&/, ''),
    url.replace('X-Amz-Algorithm=AWS4-HMAC-SHA256', 'X-Amz-Algorithm=AWS4-HMAC-SHA1'),
    url.replace('X-Amz-Date=20130524T000000Z', 'X-Amz-Date=2013-05-24'),
    url.replace('X-Amz-Credential=', 'X-Amz-Credential=a%2F'),
    url.replace(/X-Amz-Credential=[^&]+/, 'X-Amz-Credential=AKIA%2F20130524%2Fus-east-1%2Fs3'),
  ];
  for (const v of variants) await rejects(verifyRequest(fromUrl('GET', v), opts()), 'AuthorizationQueryParametersError', 400);
});

test('presigned signature tampering: 403 SignatureDoesNotMatch', async () => {
  const url = presignUrl({
    method: 'GET',
    url: 'http://h/b/k',
    credentials: creds,
    region: 'us-east-1',
    service: 's3',
    now: T0,
    expiresIn: 60,
  });
  await rejects(verifyRequest(fromUrl('GET', url.replace('/b/k', '/b/j')), opts()), 'SignatureDoesNotMatch', 403);
  await rejects(verifyRequest(fromUrl('GET', `${url}&extra=1`), opts()), 'SignatureDoesNotMatch', 403);
  await rejects(verifyRequest(fromUrl('GET', url.replace('X-Amz-Expires=60', 'X-Amz-Expires=61')), opts()), 'SignatureDoesNotMatch', 403);
});

test('property: random keys and query strings sign and verify; any change to them fails', async () => {
  const alphabet = [
    'a',
    'Z',
    '0',
    '-',
    '_',
    '.',
    '~',
    '/',
    '%2F',
    '%20',
    ' ',
    '+',
    '*',
    '!',
    "'",
    '(',
    ')',
    '=',
    '&',
    '%',
    '%zz',
    '€',
    '%E2%82%AC',
    '..',
    './',
    '//',
    ':',
    '@',
    ',',
    ';',
    '$',
    '[',
    ']',
  ];
  const pick = (): string => alphabet[Math.floor(Math.random() * alphabet.length)]!;
  const word = (n: number): string => Array.from({ length: 1 + Math.floor(Math.random() * n) }, pick).join('');
  for (let i = 0; i < 200; i++) {
    const key = word(12).replace(/[?#&= ]/g, 'x');
    const query = Array.from(
      { length: Math.floor(Math.random() * 4) },
      () => `${encodeURIComponent(word(4))}=${encodeURIComponent(word(4))}`,
    ).join('&');
    const url = `http://127.0.0.1:9000/bucket/${key}${query === '' ? '' : `?${query}`}`;
    const req = signed('GET', url);
    assert.equal((await verifyRequest(req, opts())).kind, 'header', url);
    const presigned = presignUrl({ method: 'GET', url, credentials: creds, region: 'us-east-1', service: 's3', now: T0, expiresIn: 60 });
    assert.equal((await verifyRequest(fromUrl('GET', presigned), opts())).kind, 'presigned', presigned);
    const changed = { ...req, rawPath: `${req.rawPath}x` };
    await rejects(verifyRequest(changed, opts()), 'SignatureDoesNotMatch', 403);
  }
});
