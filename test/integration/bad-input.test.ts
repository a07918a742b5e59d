/**
 * Hostile and broken requests from the team's bad-input reference list (Part B), sent as
 * raw bytes over a socket (SDKs refuse to build them). Each case asserts the status and
 * S3 <Code>, and that the node still answers afterwards. Golden rules checked throughout:
 * never 500 for client garbage, never a partial object, never a file outside the data dir.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { CreateBucketCommand, CreateMultipartUploadCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { buildHead, errorCode, rawRequest, xmlElement, type RawResponse } from '../helpers/raw-http.js';
import { sdkClient, uniqueBucket } from '../helpers/s3-client.js';
import { EMPTY_SHA256, presign, signHeaders } from '../helpers/sigv4.js';

let node: AnodeNode;
let s3: S3Client;
let bucket: string;
const OBJECT = 'abcdefghijk'; // 11 bytes
const MARKER = `anode-escape-${randomBytes(6).toString('hex')}`;

before(async () => {
  node = await startNode();
  s3 = sdkClient(node);
  bucket = uniqueBucket('badinput');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'obj', Body: OBJECT }));
});
after(async () => {
  s3?.destroy();
  await node?.cleanup();
});

interface RawOpts {
  query?: string;
  headers?: Array<[string, string]>;
  body?: Buffer | string;
  /** Default true. */
  sign?: boolean;
  /** Default: sha256 of the body. */
  payloadHash?: string;
  unsigned?: string[];
  region?: string;
  now?: Date;
  /** Announced Content-Length; null sends none. Default: the body's length when there is a body. */
  contentLength?: number | null;
  /** Headers added after signing (never signed). */
  afterSign?: Array<[string, string]>;
  endAfterWrite?: boolean;
  omitContentSha256?: boolean;
  head?: boolean;
}

async function send(method: string, path: string, opts: RawOpts = {}): Promise<RawResponse> {
  const host = `127.0.0.1:${node.s3Port}`;
  const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
  let headers: Array<[string, string]> = [['host', host], ...(opts.headers ?? [])];
  const cl = opts.contentLength === undefined ? body?.length : opts.contentLength;
  if (cl !== undefined && cl !== null) headers.push(['content-length', String(cl)]);
  headers.push(['connection', 'close']);
  if (opts.sign ?? true) {
    headers = signHeaders({
      method,
      path,
      query: opts.query ?? '',
      headers,
      payloadHash:
        opts.payloadHash ??
        createHash('sha256')
          .update(body ?? '')
          .digest('hex'),
      creds: node,
      ...(opts.unsigned ? { unsigned: opts.unsigned } : {}),
      ...(opts.region ? { region: opts.region } : {}),
      ...(opts.now ? { now: opts.now } : {}),
      ...(opts.omitContentSha256 ? { omitContentSha256: true } : {}),
    });
  }
  headers.push(...(opts.afterSign ?? []));
  const target = opts.query ? `${path}?${opts.query}` : path;
  return rawRequest(node.s3Port, buildHead(`${method} ${target} HTTP/1.1`, headers), {
    ...(body !== undefined ? { body } : {}),
    ...(opts.endAfterWrite ? { endAfterWrite: true } : {}),
    head: opts.head ?? method === 'HEAD',
  });
}

/** Status and <Code> together, so a failure shows both (and the body). */
function expectError(res: RawResponse, status: number, code: string): void {
  assert.equal(
    `${res.status} ${errorCode(res.body) ?? '(no code)'}`,
    `${status} ${code}`,
    `expected ${status} ${code}; body: ${res.body.toString().slice(0, 600)}`,
  );
  assert.match(res.headers['content-type'] ?? '', /application\/xml/, 'S3 errors are XML');
}

function assertNot500(res: RawResponse, what: string): void {
  assert.ok(res.status < 500 || res.status === 503, `${what}: server error ${res.status}: ${res.body.toString().slice(0, 400)}`);
}

async function objectStatus(key: string): Promise<number> {
  return (await send('HEAD', `/${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`)).status;
}

// Every case ends with the node alive: admin health and a signed S3 request both answer.
afterEach(async () => {
  assert.ok(node.running(), `the server process died:\n${node.output().slice(-3000)}`);
  const health = await fetch(`${node.adminUrl}/health`);
  await health.arrayBuffer();
  assert.equal(health.status, 200);
  const list = await send('GET', '/');
  assert.equal(list.status, 200, `signed ListBuckets after a bad input: ${list.body.toString().slice(0, 300)}`);
});

describe('paths and keys', { timeout: 60_000 }, () => {
  it('keys with ../ segments stay inside the data dir (stored literally or refused with 400)', async () => {
    const paths = [
      `/${bucket}/../../../../../../../../tmp/${MARKER}`,
      `/${bucket}/a/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/tmp/${MARKER}-enc`,
      `/${bucket}/..%2f..%2f..%2f${MARKER}-slash`,
      `/${bucket}/../${MARKER}-up`,
      `/${bucket}/a\\..\\..\\${MARKER}-bs`,
    ];
    for (const path of paths) {
      const res = await send('PUT', path, { body: 'escape attempt' });
      assertNot500(res, path);
      assert.ok(res.status === 200 || res.status === 400, `${path}: ${res.status} ${res.body.toString().slice(0, 200)}`);
      if (res.status === 200) {
        // Stored literally: the same raw path reads it back.
        const back = await send('GET', path);
        assert.equal(back.status, 200, `${path} stored but not readable back`);
        assert.equal(back.body.toString(), 'escape attempt');
      }
    }
    const base = dirname(node.dataDir);
    for (const p of [
      `/tmp/${MARKER}`,
      `/tmp/${MARKER}-enc`,
      join(base, `${MARKER}-up`),
      join(base, `${MARKER}-slash`),
      join(dirname(base), `${MARKER}-up`),
    ]) {
      assert.equal(existsSync(p), false, `a request created ${p} outside the data dir`);
    }
    for (const name of await readdir(base)) assert.ok(!name.includes(MARKER), `${name} appeared beside the data dir`);
  });

  it('a 1024-byte key works; 1025 bytes is 400 KeyTooLongError with Size and MaxSizeAllowed', async () => {
    const ok = await send('PUT', `/${bucket}/${'a'.repeat(1024)}`, { body: 'k' });
    assert.equal(ok.status, 200, ok.body.toString());
    const long = await send('PUT', `/${bucket}/${'a'.repeat(1025)}`, { body: 'k' });
    expectError(long, 400, 'KeyTooLongError');
    assert.equal(xmlElement(long.body, 'MaxSizeAllowed'), '1024');
    assert.equal(xmlElement(long.body, 'Size'), '1025');
    // 342 × '€' is 1026 UTF-8 bytes but only 342 characters: the limit is in bytes.
    const euros = await send('PUT', `/${bucket}/${encodeURIComponent('€'.repeat(342))}`, { body: 'k' });
    expectError(euros, 400, 'KeyTooLongError');
  });

  for (const bad of ['%C3%28', '%FF', '%C0%AF', 'ok%E2%82']) {
    it(`invalid UTF-8 in the key (${bad}) is 400 InvalidURI`, async () => {
      expectError(await send('PUT', `/${bucket}/${bad}`, { body: 'x' }), 400, 'InvalidURI');
      expectError(await send('GET', `/${bucket}/${bad}`), 400, 'InvalidURI');
    });
  }

  it('a NUL byte in a key is stored exactly or refused with 400, never truncated', async () => {
    const res = await send('PUT', `/${bucket}/nul%00tail`, { body: 'nul' });
    assertNot500(res, 'NUL key');
    if (res.status === 200) {
      assert.equal((await send('GET', `/${bucket}/nul%00tail`)).body.toString(), 'nul');
      assert.equal(await objectStatus('nul'), 404, 'key was truncated at the NUL');
      const list = await send('GET', `/${bucket}`, { query: 'list-type=2&encoding-type=url&prefix=nul' });
      assert.equal(list.status, 200);
      assert.match(list.body.toString(), /<Key>nul%00tail<\/Key>/);
    } else {
      assert.equal(res.status, 400);
      assert.ok(['InvalidArgument', 'InvalidURI'].includes(errorCode(res.body) ?? ''), res.body.toString());
    }
  });

  const badBuckets = [
    'a',
    'ab',
    'x'.repeat(64),
    'UPPER',
    'doc_example',
    'foo..bar',
    '-start',
    'end-',
    '192.168.5.123',
    'xn--abc',
    'name-s3alias',
    'name--ol-s3',
    'a.-b',
  ];
  for (const name of badBuckets) {
    it(`bucket name ${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}…(${name.length})` : name)} is 400 InvalidBucketName`, async () => {
      expectError(await send('PUT', `/${name}`), 400, 'InvalidBucketName');
    });
  }

  it('an absolute-form request target is refused with 400', async () => {
    const res = await send('GET', `http://evil.example/${bucket}/obj`, { sign: false });
    assert.equal(res.status, 400, res.body.toString());
  });
});

describe('HTTP framing', { timeout: 60_000 }, () => {
  it('PUT without Content-Length (and no Transfer-Encoding) is 411 MissingContentLength', async () => {
    expectError(await send('PUT', `/${bucket}/no-length`, { contentLength: null }), 411, 'MissingContentLength');
    assert.equal(await objectStatus('no-length'), 404);
  });

  it('a body shorter than Content-Length stores nothing', async () => {
    const res = await send('PUT', `/${bucket}/short`, {
      body: 'x'.repeat(100),
      contentLength: 1000,
      payloadHash: 'UNSIGNED-PAYLOAD',
      endAfterWrite: true,
    });
    assertNot500(res, 'short body');
    // We half-closed, so the server may just close, or Node's parser may answer a bare 400
    // before our code sees the request; if the server itself answers, it is IncompleteBody.
    if (!res.closedWithoutResponse) {
      assert.equal(res.status, 400);
      if (res.body.length > 0) expectError(res, 400, 'IncompleteBody');
    }
    assert.equal(await objectStatus('short'), 404, 'a truncated object was committed');
  });

  it('a body whose SHA-256 does not match x-amz-content-sha256 is 400 XAmzContentSHA256Mismatch', async () => {
    const res = await send('PUT', `/${bucket}/sha-mismatch`, {
      body: 'real body',
      payloadHash: createHash('sha256').update('other').digest('hex'),
    });
    expectError(res, 400, 'XAmzContentSHA256Mismatch');
    assert.equal(await objectStatus('sha-mismatch'), 404);
  });

  it('Content-MD5 that does not match is 400 BadDigest and stores nothing', async () => {
    const res = await send('PUT', `/${bucket}/md5-mismatch`, {
      body: 'real body',
      headers: [['content-md5', createHash('md5').update('other').digest('base64')]],
    });
    expectError(res, 400, 'BadDigest');
    assert.equal(await objectStatus('md5-mismatch'), 404);
  });

  it('negative, duplicate or conflicting Content-Length is 400 from the HTTP parser', async () => {
    const host = `127.0.0.1:${node.s3Port}`;
    const heads = [
      buildHead(`PUT /${bucket}/cl HTTP/1.1`, [
        ['host', host],
        ['content-length', '-1'],
        ['connection', 'close'],
      ]),
      buildHead(`PUT /${bucket}/cl HTTP/1.1`, [
        ['host', host],
        ['content-length', '1'],
        ['content-length', '2'],
        ['connection', 'close'],
      ]),
      buildHead(`PUT /${bucket}/cl HTTP/1.1`, [
        ['host', host],
        ['content-length', '1'],
        ['transfer-encoding', 'chunked'],
        ['connection', 'close'],
      ]),
    ];
    for (const head of heads) {
      const res = await rawRequest(node.s3Port, head);
      assert.equal(res.status, 400, head.toString());
    }
  });

  it('a header block over 16 KiB is 431', async () => {
    const res = await send('GET', `/${bucket}/obj`, { sign: false, headers: [['x-filler', 'f'.repeat(20_000)]] });
    assert.equal(res.status, 431);
  });

  it('user metadata over 2 KB is 400 MetadataTooLarge', async () => {
    const res = await send('PUT', `/${bucket}/big-meta`, { body: 'm', headers: [['x-amz-meta-big', 'v'.repeat(2100)]] });
    expectError(res, 400, 'MetadataTooLarge');
    assert.equal(await objectStatus('big-meta'), 404);
  });
});

describe('signature and authentication', { timeout: 60_000 }, () => {
  it('an unsigned x-amz-acl header is 403 AccessDenied with HeadersNotSigned, and nothing is stored', async () => {
    const res = await send('PUT', `/${bucket}/acl-smuggle`, {
      body: 'x',
      headers: [['x-amz-acl', 'public-read']],
      unsigned: ['x-amz-acl'],
    });
    expectError(res, 403, 'AccessDenied');
    assert.equal(xmlElement(res.body, 'HeadersNotSigned'), 'x-amz-acl');
    assert.equal(await objectStatus('acl-smuggle'), 404);
  });

  for (const minutes of [-16, 16]) {
    it(`X-Amz-Date ${minutes} minutes off is 403 RequestTimeTooSkewed`, async () => {
      const res = await send('GET', `/${bucket}/obj`, { now: new Date(Date.now() + minutes * 60_000) });
      expectError(res, 403, 'RequestTimeTooSkewed');
      assert.equal(xmlElement(res.body, 'MaxAllowedSkewMilliseconds'), '900000');
    });
  }

  it('a signature scoped to another region is 400 AuthorizationHeaderMalformed naming the right one', async () => {
    const res = await send('GET', `/${bucket}/obj`, { region: 'us-west-2' });
    expectError(res, 400, 'AuthorizationHeaderMalformed');
    assert.equal(xmlElement(res.body, 'Region'), 'us-east-1');
  });

  it('an unknown access key is 403 InvalidAccessKeyId', async () => {
    const host = `127.0.0.1:${node.s3Port}`;
    const headers = signHeaders({
      method: 'GET',
      path: `/${bucket}/obj`,
      headers: [
        ['host', host],
        ['connection', 'close'],
      ],
      payloadHash: EMPTY_SHA256,
      creds: { accessKey: 'AKIAUNKNOWNUNKNOWN00', secretKey: node.secretKey },
    });
    const unknown = await rawRequest(node.s3Port, buildHead(`GET /${bucket}/obj HTTP/1.1`, headers));
    expectError(unknown, 403, 'InvalidAccessKeyId');
  });

  it('malformed Authorization headers are 400 AuthorizationHeaderMalformed; SigV2 is 400 InvalidRequest', async () => {
    const host = `127.0.0.1:${node.s3Port}`;
    const malformed = [
      'AWS4-HMAC-SHA256',
      `AWS4-HMAC-SHA256 Credential=${node.accessKey}/20250101/us-east-1/s3/aws4_request, Signature=abc`,
      `AWS4-HMAC-SHA256 Credential=${node.accessKey}, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
    ];
    for (const auth of malformed) {
      const res = await rawRequest(
        node.s3Port,
        buildHead(`GET /${bucket}/obj HTTP/1.1`, [
          ['host', host],
          ['x-amz-date', '20250101T000000Z'],
          ['x-amz-content-sha256', EMPTY_SHA256],
          ['authorization', auth],
          ['connection', 'close'],
        ]),
      );
      assertNot500(res, auth);
      expectError(res, 400, 'AuthorizationHeaderMalformed');
    }
    const v2 = await rawRequest(
      node.s3Port,
      buildHead(`GET /${bucket}/obj HTTP/1.1`, [
        ['host', host],
        ['date', new Date().toUTCString()],
        ['authorization', `AWS ${node.accessKey}:c2lnbmF0dXJl`],
        ['connection', 'close'],
      ]),
    );
    expectError(v2, 400, 'InvalidRequest');
  });

  it('a missing x-amz-content-sha256 on PUT is 400 InvalidRequest; a garbage one is 400 InvalidArgument', async () => {
    expectError(await send('PUT', `/${bucket}/no-sha`, { body: 'x', omitContentSha256: true }), 400, 'InvalidRequest');
    expectError(await send('PUT', `/${bucket}/bad-sha`, { body: 'x', payloadHash: 'unsigned-payload' }), 400, 'InvalidArgument');
    assert.equal(await objectStatus('no-sha'), 404);
    assert.equal(await objectStatus('bad-sha'), 404);
  });

  it('header auth and query auth in one request is 400 InvalidArgument', async () => {
    const host = `127.0.0.1:${node.s3Port}`;
    const url = presign({ method: 'GET', path: `/${bucket}/obj`, headers: [['host', host]], creds: node, expiresIn: 300 });
    const q = url.indexOf('?');
    const res = await send('GET', url.slice(0, q), { query: url.slice(q + 1) });
    expectError(res, 400, 'InvalidArgument');
  });

  it('duplicated X-Amz-* presign parameters are 400 AuthorizationQueryParametersError', async () => {
    const host = `127.0.0.1:${node.s3Port}`;
    const url = presign({ method: 'GET', path: `/${bucket}/obj`, headers: [['host', host]], creds: node, expiresIn: 300 });
    const plain = await send('GET', url.split('?')[0] ?? '', { sign: false, query: url.split('?')[1] ?? '' });
    assert.equal(plain.status, 200, `the untouched presigned URL must work: ${plain.body.toString()}`);
    const sig = /X-Amz-Signature=([0-9a-f]+)/.exec(url)?.[1] ?? '';
    const cred = /X-Amz-Credential=([^&]+)/.exec(url)?.[1] ?? '';
    for (const extra of [
      `X-Amz-Signature=${sig}`,
      `X-Amz-Credential=${cred}`,
      `X-Amz-Credential=AKIAOTHEROTHEROTHER0%2F20250101%2Fus-east-1%2Fs3%2Faws4_request`,
    ]) {
      const res = await send('GET', url.split('?')[0] ?? '', { sign: false, query: `${url.split('?')[1] ?? ''}&${extra}` });
      expectError(res, 400, 'AuthorizationQueryParametersError');
    }
  });

  it('X-Amz-Expires above 604800 is 400 AuthorizationQueryParametersError', async () => {
    const host = `127.0.0.1:${node.s3Port}`;
    const url = presign({ method: 'GET', path: `/${bucket}/obj`, headers: [['host', host]], creds: node, expiresIn: 604800 });
    const tampered = url.replace('X-Amz-Expires=604800', 'X-Amz-Expires=604801');
    const res = await send('GET', tampered.split('?')[0] ?? '', { sign: false, query: tampered.split('?')[1] ?? '' });
    expectError(res, 400, 'AuthorizationQueryParametersError');
  });
});

describe('XML bodies', { timeout: 60_000 }, () => {
  function deleteRequest(xml: string): Promise<RawResponse> {
    return send('POST', `/${bucket}`, {
      query: 'delete',
      body: xml,
      headers: [['content-md5', createHash('md5').update(xml).digest('base64')]],
    });
  }

  it('a billion-laughs DOCTYPE in DeleteObjects is 400 MalformedXML', async () => {
    let entities = '<!ENTITY lol0 "lol">';
    for (let i = 1; i < 10; i++) entities += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
    const xml = `<?xml version="1.0"?><!DOCTYPE Delete [${entities}]><Delete><Object><Key>&lol9;</Key></Object></Delete>`;
    expectError(await deleteRequest(xml), 400, 'MalformedXML');
  });

  it('an external entity (XXE) in DeleteObjects is 400 MalformedXML and leaks nothing', async () => {
    const xml =
      '<?xml version="1.0"?><!DOCTYPE Delete [<!ENTITY x SYSTEM "file:///etc/passwd">]><Delete><Object><Key>&x;</Key></Object></Delete>';
    const res = await deleteRequest(xml);
    expectError(res, 400, 'MalformedXML');
    assert.doesNotMatch(res.body.toString(), /root:/);
  });

  it('DeleteObjects with 1001 keys or with none is 400 MalformedXML, and deletes nothing', async () => {
    const keys = Array.from({ length: 1001 }, (_, i) => `<Object><Key>k${i}</Key></Object>`).join('');
    expectError(await deleteRequest(`<Delete>${keys}<Object><Key>obj</Key></Object></Delete>`), 400, 'MalformedXML');
    expectError(await deleteRequest('<Delete></Delete>'), 400, 'MalformedXML');
    expectError(await deleteRequest('<Delete><Object><Key>unclosed'), 400, 'MalformedXML');
    assert.equal(await objectStatus('obj'), 200, 'a rejected DeleteObjects deleted obj');
  });

  it('CompleteMultipartUpload with a DOCTYPE or with no parts is 400 MalformedXML', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mpu-xml' }));
    assert.ok(UploadId);
    for (const xml of [
      '<!DOCTYPE x [<!ENTITY a "b">]><CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&a;</ETag></Part></CompleteMultipartUpload>',
      '<CompleteMultipartUpload></CompleteMultipartUpload>',
    ]) {
      const res = await send('POST', `/${bucket}/mpu-xml`, { query: `uploadId=${encodeURIComponent(UploadId)}`, body: xml });
      expectError(res, 400, 'MalformedXML');
    }
  });
});

describe('multipart part numbers', { timeout: 60_000 }, () => {
  for (const n of ['0', '10001', '-1', 'abc', '1.5', '']) {
    it(`partNumber=${JSON.stringify(n)} is 400 InvalidArgument`, async () => {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'parts' }));
      assert.ok(UploadId);
      const res = await send('PUT', `/${bucket}/parts`, {
        query: `partNumber=${n}&uploadId=${encodeURIComponent(UploadId)}`,
        body: 'part',
      });
      expectError(res, 400, 'InvalidArgument');
    });
  }
});

describe('ranges', { timeout: 60_000 }, () => {
  for (const range of ['bytes=5-2', 'bytes=abc', 'bytes=-', 'bytes=0-1,3-4', 'items=0-3', 'bytes=--1']) {
    it(`invalid Range ${JSON.stringify(range)} is ignored: 200 with the whole object`, async () => {
      const res = await send('GET', `/${bucket}/obj`, { headers: [['range', range]] });
      assert.equal(res.status, 200, res.body.toString());
      assert.equal(res.body.toString(), OBJECT);
      assert.equal(res.headers['content-range'], undefined);
    });
  }

  it('a last-byte-pos beyond 2^53 is clamped or ignored, never an error', async () => {
    const res = await send('GET', `/${bucket}/obj`, { headers: [['range', 'bytes=0-99999999999999999999']] });
    assert.ok(res.status === 200 || res.status === 206, `${res.status} ${res.body.toString()}`);
    assert.equal(res.body.toString(), OBJECT);
  });

  it('a range starting past the end is 416 InvalidRange', async () => {
    const res = await send('GET', `/${bucket}/obj`, { headers: [['range', 'bytes=40-50']] });
    expectError(res, 416, 'InvalidRange');
  });
});
