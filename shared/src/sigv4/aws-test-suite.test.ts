import { fileURLToPath } from 'node:url';
/**
 * The AWS SigV4 test suites as data-driven tests. Every case is run twice: through the
 * primitives the server's verifier uses (raw path, raw query, raw header pairs) and
 * through the client signer.
 *
 * normalize-path: the 2017 suite's normalize-path/* cases and aws-c-auth's *-normalized
 * cases describe non-S3 services, so they run with `normalize: true`; S3 itself never
 * normalizes (covered by aws-c-auth's *-unnormalized cases, run with normalize: false).
 *
 * get-header-value-multiline uses obsolete line folding, which Node's HTTP parser refuses
 * outright. The 2017 suite reads each folded line as a repeat of the header (joined with
 * ","); aws-c-auth reads it per RFC 9112 (folds become a space). We parse each suite's
 * files the way that suite means them; both canonicalize correctly from there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalHeaders, collectHeaders } from './canonical-headers.js';
import { canonicalQuery, parseQuery } from './canonical-query.js';
import { createCanonicalRequest } from './canonical-request.js';
import { canonicalUri } from './canonical-uri.js';
import { EMPTY_SHA256 } from './constants.js';
import { presignUrlDetailed, signRequestDetailed } from './signer.js';
import { computeSignature, deriveSigningKey } from './signing-key.js';
import { createStringToSign } from './string-to-sign.js';

// The AWS SigV4 test vectors, vendored with their licences under test/fixtures/sigv4/.
const ROOT = fileURLToPath(new URL('../../../test/fixtures/sigv4/', import.meta.url));
const SUITE_2017 = join(ROOT, 'aws-sig-v4-test-suite');
const C_AUTH = join(ROOT, 'aws-c-auth-v4');
const NOW = new Date('2015-08-30T12:36:00Z');
const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

interface RawRequest {
  method: string;
  rawPath: string;
  rawQuery: string;
  /** Node-style flat pairs. */
  rawHeaders: string[];
  body: Buffer;
}

/** Parses a suite .req/request.txt. `folding` says how continuation lines are read. */
function parseRawRequest(text: string, folding: 'repeat' | 'space'): RawRequest {
  const blank = text.indexOf('\n\n');
  const head = blank < 0 ? text : text.slice(0, blank);
  const body = Buffer.from(blank < 0 ? '' : text.slice(blank + 2), 'utf8');
  const [requestLine = '', ...lines] = head.split('\n');
  const m = /^(\S+) (.*) HTTP\/1\.1$/.exec(requestLine);
  assert.ok(m, `bad request line ${requestLine}`);
  const target = m[2]!;
  const q = target.indexOf('?');
  const rawHeaders: string[] = [];
  for (const line of lines) {
    if (line === '') continue;
    if (/^\s/.test(line) && rawHeaders.length > 0) {
      if (folding === 'repeat') rawHeaders.push(rawHeaders[rawHeaders.length - 2]!, line.trim());
      else rawHeaders[rawHeaders.length - 1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    rawHeaders.push(line.slice(0, colon), line.slice(colon + 1));
  }
  return {
    method: m[1]!,
    rawPath: q < 0 ? target : target.slice(0, q),
    rawQuery: q < 0 ? '' : target.slice(q + 1),
    rawHeaders,
    body,
  };
}

function pairsOf(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

/** What the verifier does with a request: canonicalize from the raw parts. */
function verifierCanonicalRequest(
  req: RawRequest,
  signedHeaders: string[],
  payloadHash: string,
  normalize: boolean,
  rawQuery = req.rawQuery,
): string {
  return createCanonicalRequest({
    method: req.method,
    canonicalUri: canonicalUri(req.rawPath, { normalize }),
    canonicalQuery: canonicalQuery(rawQuery, { omit: ['X-Amz-Signature'] }),
    canonicalHeaders: canonicalHeaders(collectHeaders(req.rawHeaders), signedHeaders),
    signedHeaders,
    payloadHash,
  });
}

function signatureOf(canonicalRequest: string, service = 'service'): { sts: string; sig: string } {
  const sts = createStringToSign('20150830T123600Z', `20150830/us-east-1/${service}/aws4_request`, canonicalRequest);
  return { sts, sig: computeSignature(deriveSigningKey(CREDS.secretAccessKey, '20150830', 'us-east-1', service), sts) };
}

// ---------------------------------------------------------------------------------------
// 2017 suite

function caseDirs2017(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!statSync(path).isDirectory()) continue;
    if (readdirSync(path).some((f) => f.endsWith('.req'))) out.push(path);
    else out.push(...caseDirs2017(path));
  }
  return out.sort();
}

const cases2017 = caseDirs2017(SUITE_2017);
test('2017 suite: all 31 cases found', () => assert.equal(cases2017.length, 31));

for (const dir of cases2017) {
  const name = dir.slice(SUITE_2017.length + 1);
  const base = join(dir, dir.split('/').pop()!);
  const read = (ext: string): string => readFileSync(`${base}.${ext}`, 'utf8');
  const normalize = name.startsWith('normalize-path/');

  test(`2017 suite ${name}`, () => {
    const req = parseRawRequest(read('req'), 'repeat');
    const authz = read('authz');
    const signed = /SignedHeaders=([^,]+)/.exec(authz)![1]!.split(';');
    const payloadHash = createHash('sha256').update(req.body).digest('hex');

    // Verifier path.
    const creq = verifierCanonicalRequest(req, signed, payloadHash, normalize);
    assert.equal(creq, read('creq'));
    const { sts, sig } = signatureOf(creq);
    assert.equal(sts, read('sts'));
    assert.equal(sig, /Signature=([0-9a-f]{64})/.exec(authz)![1]);

    // Signer path: the suite signs every header present, x-amz-date included.
    const s = signRequestDetailed({
      method: req.method,
      url: `https://example.amazonaws.com${req.rawPath}${req.rawQuery === '' ? '' : `?${req.rawQuery}`}`,
      headers: pairsOf(req.rawHeaders),
      bodySha256: payloadHash,
      contentSha256Header: false,
      credentials: CREDS,
      region: 'us-east-1',
      service: 'service',
      now: NOW,
      normalizePath: normalize,
    });
    assert.equal(s.canonicalRequest, read('creq'));
    assert.equal(s.stringToSign, read('sts'));
    assert.equal(s.headers.authorization, authz);
    assert.ok(read('sreq').includes(`Authorization: ${authz}`) || read('sreq').includes(`Authorization:${authz}`));
  });
}

// ---------------------------------------------------------------------------------------
// aws-c-auth v4 suite

interface CAuthContext {
  credentials: { access_key_id: string; secret_access_key: string; token?: string };
  expiration_in_seconds: number;
  normalize: boolean;
  region: string;
  service: string;
  sign_body: boolean;
  timestamp: string;
  omit_session_token?: boolean;
}

const cAuthCases = readdirSync(C_AUTH)
  .filter((n) => statSync(join(C_AUTH, n)).isDirectory())
  .sort();
test('aws-c-auth suite: all 38 cases found', () => assert.equal(cAuthCases.length, 38));

for (const name of cAuthCases) {
  const read = (file: string): string => readFileSync(join(C_AUTH, name, file), 'utf8');
  const ctx = JSON.parse(read('context.json')) as CAuthContext;
  const credentials = {
    accessKeyId: ctx.credentials.access_key_id,
    secretAccessKey: ctx.credentials.secret_access_key,
    ...(ctx.credentials.token === undefined ? {} : { sessionToken: ctx.credentials.token }),
  };
  const signSessionToken = ctx.omit_session_token !== true;

  const setup = (): { req: RawRequest; payloadHash: string; url: string } => {
    const req = parseRawRequest(read('request.txt'), 'space');
    const payloadHash = ctx.sign_body ? createHash('sha256').update(req.body).digest('hex') : EMPTY_SHA256;
    const host = collectHeaders(req.rawHeaders).get('host')![0]!;
    const url = `https://${host}${req.rawPath}${req.rawQuery === '' ? '' : `?${req.rawQuery}`}`;
    return { req, payloadHash, url };
  };

  test(`aws-c-auth ${name} (header)`, () => {
    const { req, payloadHash, url } = setup();
    const s = signRequestDetailed({
      method: req.method,
      url,
      headers: pairsOf(req.rawHeaders),
      bodySha256: payloadHash,
      contentSha256Header: ctx.sign_body,
      credentials,
      region: ctx.region,
      service: ctx.service,
      now: new Date(ctx.timestamp),
      normalizePath: ctx.normalize,
      signSessionToken,
    });
    assert.equal(s.canonicalRequest, read('header-canonical-request.txt'));
    assert.equal(s.stringToSign, read('header-string-to-sign.txt'));
    assert.equal(s.signature, read('header-signature.txt').trim());

    // Verifier path over the signed request as it would arrive.
    const signedReq = parseRawRequest(read('header-signed-request.txt').trimEnd(), 'space');
    const authz = collectHeaders(signedReq.rawHeaders).get('authorization')![0]!;
    assert.equal(authz, s.headers.authorization);
    if (!signSessionToken) assert.equal(s.headers['x-amz-security-token'], ctx.credentials.token);
    const creq = verifierCanonicalRequest(signedReq, s.signedHeaders, payloadHash, ctx.normalize);
    assert.equal(creq, read('header-canonical-request.txt'));
  });

  test(`aws-c-auth ${name} (query)`, () => {
    const { req, payloadHash, url } = setup();
    const p = presignUrlDetailed({
      method: req.method,
      url,
      headers: pairsOf(req.rawHeaders),
      payloadHash,
      expiresIn: ctx.expiration_in_seconds,
      credentials,
      region: ctx.region,
      service: ctx.service,
      now: new Date(ctx.timestamp),
      normalizePath: ctx.normalize,
      signSessionToken,
    });
    assert.equal(p.canonicalRequest, read('query-canonical-request.txt'));
    assert.equal(p.stringToSign, read('query-string-to-sign.txt'));
    assert.equal(p.signature, read('query-signature.txt').trim());

    // Verifier path over the presigned request as it would arrive.
    const signedReq = parseRawRequest(read('query-signed-request.txt').trimEnd(), 'space');
    const params = parseQuery(signedReq.rawQuery);
    assert.equal(params.find((q) => q.name === 'X-Amz-Signature')?.value, p.signature);
    const signed = params.find((q) => q.name === 'X-Amz-SignedHeaders')!.value.split(';');
    // Unsigned session token: added after signing, so left out of the canonical query.
    const omitted = signSessionToken ? ['X-Amz-Signature'] : ['X-Amz-Signature', 'X-Amz-Security-Token'];
    const creq = createCanonicalRequest({
      method: signedReq.method,
      canonicalUri: canonicalUri(signedReq.rawPath, { normalize: ctx.normalize }),
      canonicalQuery: canonicalQuery(signedReq.rawQuery, { omit: omitted }),
      canonicalHeaders: canonicalHeaders(collectHeaders(signedReq.rawHeaders), signed),
      signedHeaders: signed,
      payloadHash,
    });
    assert.equal(creq, read('query-canonical-request.txt'));
    // The URL we built canonicalizes the same way.
    const q = p.url.indexOf('?');
    assert.equal(canonicalQuery(p.url.slice(q + 1), { omit: omitted }), read('query-canonical-request.txt').split('\n')[2]);
  });
}
