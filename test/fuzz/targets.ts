/**
 * Fuzz targets: every parser of untrusted input, each with a fast-check generator that mixes
 * well-formed inputs (so runs get past the first check) with mutations and noise. The one
 * property every target shares: the parser returns, or throws one of our typed errors (an
 * Error with a string `code`), never a built-in TypeError/RangeError/SyntaxError... and never
 * takes long. Some targets add a stronger property (a correctly signed request verifies).
 *
 * Used by test/fuzz/fuzz.test.ts (a short fixed-seed pass in CI) and scripts/fuzz.mjs
 * (`npm run fuzz -- --seconds N`, long runs).
 */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import {
  presignUrl,
  signRequest,
  deriveSigningKey,
  computeSignature,
  createChunkStringToSign,
  EMPTY_SHA256,
} from '@anode/shared/sigv4/index';
import { parseAuthorizationHeader } from '../../server/src/auth/sigv4/authorization-header.js';
import { verifyRequest } from '../../server/src/auth/sigv4/verify.js';
import { AwsChunkedDecoder } from '../../server/src/auth/sigv4/aws-chunked.js';
import { parseTarget } from '../../server/src/http/target.js';
import { parseRange } from '../../server/src/util/range.js';
import { readRequestIntegrity } from '../../server/src/util/request-checksum.js';
import { parseBucketPolicy } from '../../server/src/policy/policy-parse.js';
import { parseAclXml, parseGrantHeaders } from '../../server/src/policy/acl.js';
import { parseXmlBody, listOf, textOf } from '../../server/src/util/xml-parse.js';
import { checkPreconditions } from '../../server/src/model/preconditions.js';
import type { ObjectRecord } from '../../server/src/metadata/types.js';

export interface FuzzTarget<T = unknown> {
  name: string;
  input: fc.Arbitrary<T>;
  /** Throws only for a finding (an unexpected error is rethrown by the harness check). */
  run(input: T): void | Promise<void>;
}

/** A run longer than this is reported as a hang. */
export const HANG_MS = 2000;

const BUILTIN_ERRORS = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'EvalError', 'URIError', 'AggregateError']);

/** Our errors carry a stable string code and are not a built-in class; anything else is a bug. */
export function isExpectedError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (BUILTIN_ERRORS.has(err.constructor.name)) return false;
  return typeof (err as { code?: unknown }).code === 'string';
}

async function expectTyped(fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (isExpectedError(err)) return;
    throw err;
  }
}

// ---- generators shared by several targets ----

const noise = fc.string({ unit: 'binary', maxLength: 200 });
const asciiNoise = fc.string({ unit: fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c)), maxLength: 200 });
/** Replaces a random slice of `s` with `insert`: small, structure-aware mutations. */
const mutate = (base: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc
    .tuple(
      base,
      fc.nat(),
      fc.nat({ max: 8 }),
      fc.oneof(asciiNoise, noise, fc.constantFrom('', '=', ',', ';', ' ', '%', '%zz', '\r\n', '\0', '"', '/')),
    )
    .map(([s, at, len, insert]) => {
      const i = s.length === 0 ? 0 : at % (s.length + 1);
      return s.slice(0, i) + insert + s.slice(Math.min(s.length, i + len));
    });

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const NOW = new Date('2026-12-01T12:00:00Z');
const lookup = async (ak: string) => (ak === ACCESS_KEY ? SECRET : undefined);
const verifyOpts = { region: 'us-east-1', service: 's3', now: NOW, lookup };

const pathSegment = fc.oneof(fc.stringMatching(/^[a-z0-9.-]{1,20}$/), fc.constantFrom('..', '.', '%2e%2e', 'a%2Fb', '%ff', '~', 'ünï'));
const rawPath = fc.array(pathSegment, { maxLength: 4 }).map((parts) => `/${parts.map((p) => encodeURI(p)).join('/')}`);
const queryPair = fc.tuple(fc.stringMatching(/^[a-zA-Z-]{1,12}$/), fc.oneof(fc.stringMatching(/^[a-zA-Z0-9-]{0,12}$/), asciiNoise));
const rawQuery = fc.array(queryPair, { maxLength: 4 }).map((ps) => ps.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&'));

interface SignedRequest {
  method: string;
  path: string;
  query: string;
  rawHeaders: string[];
}

/** A header-signed request exactly as a client would send it. */
const signedHeaderRequest: fc.Arbitrary<SignedRequest> = fc
  .record({
    method: fc.constantFrom('GET', 'PUT', 'HEAD', 'DELETE', 'POST'),
    path: rawPath,
    query: rawQuery,
    extra: fc.array(fc.tuple(fc.constantFrom('x-amz-meta-a', 'content-type', 'x-amz-acl', 'range'), fc.stringMatching(/^[ -~]{0,20}$/)), {
      maxLength: 3,
    }),
    payload: fc.constantFrom('UNSIGNED-PAYLOAD', EMPTY_SHA256, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD'),
  })
  .map(({ method, path, query, extra, payload }) => {
    const headers: Array<[string, string]> = [['host', 'example.test:8080'], ...extra];
    const url = `http://example.test:8080${path}${query === '' ? '' : `?${query}`}`;
    const added = signRequest({
      method,
      url,
      headers,
      bodySha256: payload,
      contentSha256Header: true,
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET },
      region: 'us-east-1',
      service: 's3',
      now: NOW,
    });
    const own = new Set(Object.keys(added));
    const all = [...headers.filter(([k]) => !own.has(k)), ...Object.entries(added)];
    return { method, path, query, rawHeaders: all.flatMap(([k, v]) => [k, v]) };
  });

/** A presigned URL's request. */
const presignedRequest: fc.Arbitrary<SignedRequest> = fc
  .record({ path: rawPath, query: rawQuery, expires: fc.integer({ min: 1, max: 604800 }) })
  .map(({ path, query, expires }) => {
    const url = presignUrl({
      method: 'GET',
      url: `http://example.test:8080${path}${query === '' ? '' : `?${query}`}`,
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET },
      region: 'us-east-1',
      service: 's3',
      now: NOW,
      expiresIn: expires,
    });
    const u = new URL(url);
    return { method: 'GET', path, query: u.search.slice(1), rawHeaders: ['host', 'example.test:8080'] };
  });

/** Mutates one header value, one header name, the query or the path of a signed request. */
const mutatedRequest = (base: fc.Arbitrary<SignedRequest>): fc.Arbitrary<SignedRequest> =>
  fc.tuple(base, fc.nat(), fc.constantFrom('value', 'name', 'query', 'path', 'dup'), mutate(fc.constant(''))).chain(([req, at, where]) => {
    const i = (at % Math.max(1, req.rawHeaders.length / 2)) * 2;
    const pick =
      where === 'name'
        ? (req.rawHeaders[i] ?? '')
        : where === 'value'
          ? (req.rawHeaders[i + 1] ?? '')
          : where === 'query'
            ? req.query
            : req.path;
    return mutate(fc.constant(pick)).map((changed) => {
      const rawHeaders = [...req.rawHeaders];
      if (where === 'name') rawHeaders[i] = changed;
      if (where === 'value') rawHeaders[i + 1] = changed;
      if (where === 'dup') rawHeaders.push(req.rawHeaders[i] ?? 'x', changed);
      return {
        ...req,
        rawHeaders,
        query: where === 'query' ? changed : req.query,
        path: where === 'path' ? changed : req.path,
      };
    });
  });

// ---- aws-chunked bodies ----

const CHUNK_KEY = deriveSigningKey(SECRET, '20261201', 'us-east-1', 's3');
const CHUNK_SCOPE = '20261201/us-east-1/s3/aws4_request';
const CHUNK_DATE = '20261201T120000Z';
const SEED = 'a'.repeat(64);

/** A correctly framed and signed aws-chunked body for `data` cut into chunks of `size`, as byte pieces. */
function signedChunkedBody(data: Buffer, size: number): Buffer {
  const pieces: Buffer[] = [];
  let previous = SEED;
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, i + size));
  chunks.push(Buffer.alloc(0));
  for (const c of chunks) {
    const hash = createHash('sha256').update(c).digest('hex');
    const sig = computeSignature(CHUNK_KEY, createChunkStringToSign(CHUNK_DATE, CHUNK_SCOPE, previous, hash));
    previous = sig;
    pieces.push(Buffer.from(`${c.length.toString(16)};chunk-signature=${sig}\r\n`), c, Buffer.from('\r\n'));
  }
  return Buffer.concat(pieces);
}

const chunkedInput = fc.record({
  body: fc.oneof(
    // Valid bodies (small chunks: the signing check of chunk sizes applies only past the first).
    fc.tuple(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 64 })).map(([d, n]) => signedChunkedBody(Buffer.from(d), n)),
    // Mutated valid bodies.
    fc
      .tuple(fc.uint8Array({ maxLength: 100 }), fc.integer({ min: 1, max: 40 }), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 6 }))
      .map(([d, n, at, ins]) => {
        const b = signedChunkedBody(Buffer.from(d), n);
        const i = at % (b.length + 1);
        return Buffer.concat([b.subarray(0, i), Buffer.from(ins), b.subarray(i + ins.length)]);
      }),
    // Unsigned framing with trailers.
    fc
      .tuple(
        fc.uint8Array({ maxLength: 60 }),
        fc.constantFrom('x-amz-checksum-crc32:AAAAAA==\r\n', 'x-amz-checksum-crc32:\r\n', 'junk\r\n', ''),
        fc.constantFrom('\r\n', '', '\n'),
      )
      .map(([d, trailer, end]) =>
        Buffer.from(`${d.length.toString(16)}\r\n${Buffer.from(d).toString('latin1')}\r\n0\r\n${trailer}${end}`, 'latin1'),
      ),
    fc.uint8Array({ maxLength: 300 }).map((d) => Buffer.from(d)),
  ),
  signed: fc.boolean(),
  trailer: fc.constantFrom(undefined, 'x-amz-checksum-crc32'),
  declared: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }),
  cuts: fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 10 }),
});

async function* pieces(body: Buffer, cuts: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const c of cuts) {
    if (at >= body.length) return;
    yield body.subarray(at, at + c);
    at += c;
  }
  if (at < body.length) yield body.subarray(at);
}

// ---- XML bodies ----

const xmlElementName = fc.constantFrom(
  'Delete',
  'Object',
  'Key',
  'Quiet',
  'CompleteMultipartUpload',
  'Part',
  'PartNumber',
  'ETag',
  'CreateBucketConfiguration',
  'LocationConstraint',
);
const xmlNode: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.stringMatching(/^[ -~]{0,10}$/).map((t) => t.replace(/[<&]/g, '')),
    fc.constantFrom(
      '&amp;',
      '&lt;',
      '&#0;',
      '&#x1F600;',
      '&bogus;',
      '<![CDATA[x]]>',
      '<!-- c -->',
      '<?pi x?>',
      '<!DOCTYPE a [<!ENTITY x "y">]>',
    ),
    fc.tuple(xmlElementName, fc.array(tie('node'), { maxLength: 4 })).map(([n, kids]) => `<${n}>${kids.join('')}</${n}>`),
  ),
})).node;
const xmlDocument = fc.oneof(
  fc.tuple(fc.constantFrom('', '<?xml version="1.0" encoding="UTF-8"?>'), xmlNode).map(([p, n]) => p + n),
  mutate(xmlNode),
  noise,
);

// ---- policies ----

const jsonValue = fc.jsonValue({ maxDepth: 4 });
const policyDocument = fc.oneof(
  fc
    .record({
      Version: fc.constantFrom('2012-10-17', '2008-10-17', 'x'),
      Statement: fc.array(
        fc.record(
          {
            Sid: fc.string(),
            Effect: fc.constantFrom('Allow', 'Deny', 'allow', 'Maybe'),
            Principal: fc.oneof(
              fc.constant('*'),
              fc.record({ AWS: fc.oneof(fc.constant('*'), fc.array(fc.string(), { maxLength: 2 })) }),
              jsonValue,
            ),
            Action: fc.oneof(fc.constantFrom('s3:GetObject', 's3:*', '*', 's3:Bogus'), fc.array(fc.string(), { maxLength: 2 })),
            Resource: fc.oneof(fc.constantFrom('arn:aws:s3:::b/*', 'arn:aws:s3:::b', 'arn:aws:s3:::other/*', '*'), jsonValue),
            Condition: fc.oneof(
              fc.record({
                StringEquals: fc.dictionary(fc.constantFrom('aws:username', 's3:prefix', 'aws:SourceIp'), fc.oneof(fc.string(), jsonValue)),
              }),
              fc.record({
                IpAddress: fc.record({ 'aws:SourceIp': fc.oneof(fc.constantFrom('10.0.0.0/8', '::1/128', '300.1.1.1/33'), fc.string()) }),
              }),
              fc.dictionary(fc.string(), jsonValue),
            ),
          },
          { requiredKeys: ['Effect'] },
        ),
        { maxLength: 3 },
      ),
    })
    .map((p) => JSON.stringify(p)),
  jsonValue.map((v) => JSON.stringify(v)),
  mutate(
    fc.constant(
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}',
    ),
  ),
  noise,
);

const aclDocument = fc.oneof(
  fc
    .array(
      fc.tuple(
        fc.constantFrom('CanonicalUser', 'Group', 'AmazonCustomerByEmail', 'Bogus'),
        fc.oneof(fc.constantFrom('alice', 'http://acs.amazonaws.com/groups/global/AllUsers', ''), fc.string({ maxLength: 20 })),
        fc.constantFrom('READ', 'WRITE', 'FULL_CONTROL', 'READ_ACP', 'WRITE_ACP', 'NOPE'),
      ),
      { maxLength: 4 },
    )
    .map(
      (grants) =>
        `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>alice</ID></Owner><AccessControlList>${grants
          .map(
            ([type, id, perm]) =>
              `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="${type}">${type === 'Group' ? `<URI>${id}</URI>` : `<ID>${id}</ID>`}</Grantee><Permission>${perm}</Permission></Grant>`,
          )
          .join('')}</AccessControlList></AccessControlPolicy>`,
    ),
  xmlDocument,
);

const grantHeaderValue = fc.oneof(
  fc.constantFrom(
    'id="alice"',
    'uri="http://acs.amazonaws.com/groups/global/AllUsers"',
    'emailAddress="a@b.c"',
    'id=alice',
    'id="a", id="b"',
    '',
  ),
  mutate(fc.constant('id="alice", uri="http://acs.amazonaws.com/groups/global/AuthenticatedUsers"')),
  asciiNoise,
);

const anObject: ObjectRecord = {
  bucketId: 'b',
  key: 'k',
  size: 1,
  etag: '"9e107d9d372bb6826bd81d3542a419d6"',
  lastModified: new Date('2026-01-01T00:00:00Z'),
  owner: 'alice',
  headers: {},
  userMetadata: {},
  checksum: null,
  acl: { owner: 'alice', grants: [] },
  storageClass: 'STANDARD',
  chunks: [],
  parts: null,
};
const conditionalValue = fc.option(
  fc.oneof(
    fc.constantFrom('*', '"9e107d9d372bb6826bd81d3542a419d6"', 'W/"x"', 'Thu, 01 Jan 2026 00:00:00 GMT', 'yesterday', '"a", "b"'),
    asciiNoise,
  ),
  { nil: undefined },
);

// ---- the targets ----

/** Keeps each target's input type checked against its run(). */
function target<T>(t: FuzzTarget<T>): FuzzTarget {
  return t as FuzzTarget;
}

export const TARGETS: FuzzTarget[] = [
  target({
    name: 'sigv4-authorization-header',
    input: fc.oneof(
      signedHeaderRequest.map((r) => r.rawHeaders[r.rawHeaders.indexOf('authorization') + 1] ?? ''),
      mutate(signedHeaderRequest.map((r) => r.rawHeaders[r.rawHeaders.indexOf('authorization') + 1] ?? '')),
      asciiNoise,
    ),
    run: (v) => expectTyped(() => parseAuthorizationHeader(v)),
  }),
  target({
    name: 'sigv4-verify-header',
    input: fc.oneof(
      signedHeaderRequest.map((r) => ({ r, pristine: true })),
      mutatedRequest(signedHeaderRequest).map((r) => ({ r, pristine: false })),
    ),
    async run(v) {
      const { r, pristine } = v;
      const req = { method: r.method, rawPath: r.path, rawQuery: r.query, rawHeaders: r.rawHeaders };
      if (pristine) {
        // Differential: what the shared signer signed, the verifier accepts.
        const auth = await verifyRequest(req, verifyOpts);
        if (auth.kind !== 'header') throw new Error(`a correctly signed request verified as ${auth.kind}`);
        return;
      }
      await expectTyped(() => verifyRequest(req, verifyOpts));
    },
  }),
  target({
    name: 'sigv4-verify-presigned',
    input: fc.oneof(
      presignedRequest.map((r) => ({ r, pristine: true })),
      mutatedRequest(presignedRequest).map((r) => ({ r, pristine: false })),
    ),
    async run(v) {
      const { r, pristine } = v;
      const req = { method: r.method, rawPath: r.path, rawQuery: r.query, rawHeaders: r.rawHeaders };
      if (pristine) {
        const auth = await verifyRequest(req, verifyOpts);
        if (auth.kind !== 'presigned') throw new Error(`a correctly presigned request verified as ${auth.kind}`);
        return;
      }
      await expectTyped(() => verifyRequest(req, verifyOpts));
    },
  }),
  target({
    name: 'aws-chunked-decoder',
    input: chunkedInput,
    async run(v) {
      const { body, signed, trailer, declared, cuts } = v;
      await expectTyped(async () => {
        const decoder = new AwsChunkedDecoder({
          ...(signed ? { signing: { signingKey: CHUNK_KEY, seedSignature: SEED, amzDate: CHUNK_DATE, scope: CHUNK_SCOPE } } : {}),
          ...(trailer !== undefined ? { trailer } : {}),
          ...(declared !== undefined ? { decodedContentLength: declared } : {}),
        });
        let out = 0;
        for await (const b of decoder.decode(pieces(body, cuts))) out += b.length;
        if (declared !== undefined && out !== declared) throw new Error(`decoded ${out} bytes but ${declared} were declared`);
      });
    },
  }),
  target({
    name: 'xml-request-bodies',
    input: fc.tuple(xmlDocument, fc.constantFrom('Delete', 'CompleteMultipartUpload', 'CreateBucketConfiguration')),
    run: (v) =>
      expectTyped(() => {
        const [text, root] = v;
        const doc = parseXmlBody(text, root);
        for (const o of listOf(doc, 'Object')) textOf(o, 'Key');
        for (const p of listOf(doc, 'Part')) textOf(p, 'ETag');
      }),
  }),
  target({
    name: 'bucket-policy',
    input: policyDocument,
    run: (v) => expectTyped(() => parseBucketPolicy(v, 'b')),
  }),
  target({
    name: 'acl-xml-and-grant-headers',
    input: fc.tuple(
      aclDocument,
      grantHeaderValue,
      fc.constantFrom('x-amz-grant-read', 'x-amz-grant-full-control', 'x-amz-grant-write-acp'),
    ),
    run: async (v) => {
      const [xml, grant, header] = v;
      await expectTyped(() => parseAclXml(xml, { owner: 'alice' }));
      await expectTyped(() => parseGrantHeaders({ [header]: grant }));
    },
  }),
  target({
    name: 'range-and-conditional-headers',
    input: fc.record({
      range: fc.oneof(
        fc.constantFrom('bytes=0-0', 'bytes=-5', 'bytes=5-', 'bytes=0-1,3-4', 'bytes=9999999999999999999-', 'items=0-1'),
        mutate(fc.constant('bytes=10-20')),
        asciiNoise,
      ),
      size: fc.oneof(fc.constant(0), fc.nat({ max: 1_000_000 }), fc.constant(Number.MAX_SAFE_INTEGER)),
      ifMatch: conditionalValue,
      ifNoneMatch: conditionalValue,
      ifModifiedSince: conditionalValue,
      ifUnmodifiedSince: conditionalValue,
      read: fc.boolean(),
    }),
    run: async (v) => {
      const i = v;
      const r = parseRange(i.range, i.size);
      if (r !== null && r !== 'unsatisfiable' && !(r.start >= 0 && r.start <= r.end && r.end < i.size)) {
        throw new Error(`range ${JSON.stringify(i.range)} on ${i.size} bytes gave [${r.start}, ${r.end}]`);
      }
      await expectTyped(() =>
        checkPreconditions(
          { ifMatch: i.ifMatch, ifNoneMatch: i.ifNoneMatch, ifModifiedSince: i.ifModifiedSince, ifUnmodifiedSince: i.ifUnmodifiedSince },
          anObject,
          i.read,
        ),
      );
    },
  }),
  target({
    name: 'request-target',
    input: fc.record({
      url: fc.oneof(
        fc.tuple(rawPath, rawQuery).map(([p, q]) => (q === '' ? p : `${p}?${q}`)),
        mutate(fc.constant('/bucket/key%20with%2Fslash?uploads&prefix=a%2Fb&list-type=2')),
        fc.constantFrom('*', 'http://evil/', '//double', '/%', '/a?%', '/b/\u0000', '/b/%c0%ae%c0%ae/'),
        asciiNoise,
      ),
      host: fc.option(
        fc.oneof(
          fc.constantFrom('s3.example.test', 'b.s3.example.test', 'B.S3.EXAMPLE.TEST:443', '127.0.0.1:8080', '[::1]:8080', ''),
          asciiNoise,
        ),
        { nil: undefined },
      ),
      domain: fc.constantFrom('', 's3.example.test'),
    }),
    run: (v) =>
      expectTyped(() => {
        const { url, host, domain } = v;
        parseTarget(url, host, domain);
      }),
  }),
  target({
    name: 'request-integrity-headers',
    input: fc.dictionary(
      fc.constantFrom(
        'content-md5',
        'x-amz-checksum-crc32',
        'x-amz-checksum-sha256',
        'x-amz-sdk-checksum-algorithm',
        'x-amz-trailer',
        'x-amz-checksum-algorithm',
      ),
      fc.oneof(fc.constantFrom('AAAAAA==', '1B2M2Y8AsgTpgAmY7PhCfg==', 'CRC32', 'x-amz-checksum-crc32', 'sha256', ''), asciiNoise),
      { maxKeys: 4 },
    ),
    run: (v) => expectTyped(() => readRequestIntegrity(v)),
  }),
];
