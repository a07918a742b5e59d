import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeSignature, deriveSigningKey } from '@anode/shared/sigv4/index';
import { S3Error } from './errors.js';
import { parseTaggingBody, parseTaggingHeader, tagConditionKeys, validateTags } from './tagging.js';
import { corsResponseHeaders, matchCorsRule, parseCorsBody, requestedHeaders, wildcardMatch } from './cors.js';
import { checkPostPolicy, parsePostPolicy, postCredential, postSignatureMatches } from './post-policy.js';
import { XmlParseError } from '../util/xml-parse.js';

const code = (c: string) => (e: unknown) => e instanceof S3Error && e.code === c;

test('tagging: XML body and x-amz-tagging header, with AWS limits', () => {
  assert.deepEqual(parseTaggingBody('<Tagging><TagSet><Tag><Key>a</Key><Value> b </Value></Tag></TagSet></Tagging>', 'object'), [
    { key: 'a', value: ' b ' },
  ]);
  assert.deepEqual(parseTaggingBody('<Tagging><TagSet></TagSet></Tagging>', 'object'), []);
  assert.throws(() => parseTaggingBody('<Tagging></Tagging>', 'object'), XmlParseError);
  assert.throws(() => parseTaggingBody('<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>', 'object'), XmlParseError);
  assert.deepEqual(parseTaggingHeader('a=1&b=x%20y&c=&d+e=f+g'), [
    { key: 'a', value: '1' },
    { key: 'b', value: 'x y' },
    { key: 'c', value: '' },
    { key: 'd e', value: 'f g' },
  ]);
  assert.throws(() => parseTaggingHeader('a=1&a=2'), code('InvalidArgument'));
  assert.throws(() => parseTaggingHeader('a=%ZZ'), code('InvalidArgument'));
  const many = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: '' }));
  assert.equal(validateTags(many(10), 'object').length, 10);
  assert.throws(() => validateTags(many(11), 'object'), code('BadRequest'));
  assert.equal(validateTags(many(50), 'bucket').length, 50);
  assert.throws(() => validateTags(many(51), 'bucket'), code('BadRequest'));
  assert.throws(() => validateTags([{ key: '', value: 'v' }], 'object'), code('InvalidTag'));
  assert.throws(() => validateTags([{ key: 'AWS:x', value: 'v' }], 'object'), code('InvalidTag'));
  assert.throws(
    () =>
      validateTags(
        [
          { key: 'a', value: 'x' },
          { key: 'a', value: 'y' },
        ],
        'object',
      ),
    code('InvalidTag'),
  );
  assert.equal(
    validateTags([{ key: '𠀀'.repeat(128), value: 'é'.repeat(256) }], 'object').length,
    1,
    'characters, not bytes or UTF-16 units',
  );
  assert.throws(() => validateTags([{ key: 'k', value: 'a\u0000' }], 'object'), code('InvalidTag'));
  assert.deepEqual(tagConditionKeys([{ key: 'team', value: 'blue' }]), {
    's3:RequestObjectTagKeys': ['team'],
    's3:RequestObjectTag/team': 'blue',
  });
  assert.deepEqual(tagConditionKeys(undefined), {});
});

test('cors: parse, validate, match origins (one *), methods, headers (case-insensitive)', () => {
  const rules = parseCorsBody(
    `<CORSConfiguration><CORSRule><AllowedOrigin>http://*.example.com</AllowedOrigin><AllowedMethod>PUT</AllowedMethod>
     <AllowedHeader>x-amz-*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>30</MaxAgeSeconds></CORSRule>
     <CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`,
  );
  assert.equal(rules.length, 2);
  assert.deepEqual(rules[0], {
    allowedOrigins: ['http://*.example.com'],
    allowedMethods: ['PUT'],
    allowedHeaders: ['x-amz-*'],
    exposeHeaders: ['ETag'],
    maxAgeSeconds: 30,
  });
  assert.throws(() => parseCorsBody('<CORSConfiguration></CORSConfiguration>'), XmlParseError);
  assert.throws(
    () =>
      parseCorsBody(
        '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>get</AllowedMethod></CORSRule></CORSConfiguration>',
      ),
    code('InvalidRequest'),
  );
  assert.throws(
    () => parseCorsBody('<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>'),
    XmlParseError,
  );
  const over = `<CORSConfiguration>${'<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>'.repeat(101)}</CORSConfiguration>`;
  assert.throws(() => parseCorsBody(over), code('InvalidRequest'));
  assert.equal(wildcardMatch('http://*.example.com', 'http://a.b.example.com', false), true);
  assert.equal(wildcardMatch('http://*.example.com', 'http://example.com', false), false);
  assert.equal(wildcardMatch('http://*.example.com', 'HTTP://a.example.com', false), false, 'origins compare exactly');
  assert.equal(wildcardMatch('X-Amz-*', 'x-amz-date', true), true);
  assert.equal(matchCorsRule(rules, 'http://a.example.com', 'PUT', ['x-amz-date', 'X-AMZ-META-A'])?.allowedMethods[0], 'PUT');
  assert.equal(matchCorsRule(rules, 'http://a.example.com', 'PUT', ['content-type']), null);
  assert.equal(matchCorsRule(rules, 'http://a.example.com', 'GET', [])?.allowedOrigins[0], '*', 'first matching rule wins');
  assert.equal(matchCorsRule(rules, 'http://a.example.com', 'DELETE', []), null);
  assert.deepEqual(requestedHeaders(' Content-Type ,X-Amz-Date,, '), ['content-type', 'x-amz-date']);
  assert.deepEqual(corsResponseHeaders(rules[0]!, 'http://a.example.com', ['x-amz-date']), {
    'access-control-allow-origin': 'http://a.example.com',
    'access-control-allow-methods': 'PUT',
    'access-control-allow-credentials': 'true',
    'access-control-allow-headers': 'x-amz-date',
    'access-control-expose-headers': 'ETag',
    'access-control-max-age': '30',
  });
  assert.deepEqual(corsResponseHeaders(rules[1]!, 'http://x', null), {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'GET',
  });
});

function b64(doc: object): string {
  return Buffer.from(JSON.stringify(doc)).toString('base64');
}

test('POST policy: conditions, coverage of every field, expiration', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const policy = parsePostPolicy(
    b64({
      expiration: '2026-01-01T01:00:00Z',
      conditions: [
        { bucket: 'photos' },
        ['starts-with', '$key', 'user/'],
        ['eq', '$Content-Type', 'image/png'],
        ['content-length-range', 1, '1024'],
        ['starts-with', '$x-amz-meta-tag', ''],
      ],
    }),
  );
  const fields = new Map([
    ['key', 'user/a.png'],
    ['content-type', 'image/png'],
    ['x-amz-meta-tag', 'anything'],
    ['policy', 'ignored'],
    ['x-amz-signature', 'ignored'],
    ['x-ignore-me', 'ignored'],
  ]);
  assert.deepEqual(checkPostPolicy(policy, fields, 'photos', now), { minLength: 1, maxLength: 1024 });
  assert.throws(() => checkPostPolicy(policy, fields, 'other', now), code('AccessDenied'));
  assert.throws(() => checkPostPolicy(policy, new Map([...fields, ['key', 'admin/a.png']]), 'photos', now), code('AccessDenied'));
  assert.throws(
    () => checkPostPolicy(policy, new Map([...fields, ['acl', 'public-read']]), 'photos', now),
    (e: unknown) => e instanceof S3Error && e.message === 'Invalid according to Policy: Extra input fields: acl',
  );
  assert.throws(
    () => checkPostPolicy(policy, fields, 'photos', new Date('2026-01-01T01:00:00Z')),
    (e: unknown) => e instanceof S3Error && e.message === 'Invalid according to Policy: Policy expired.',
  );
  assert.throws(() => parsePostPolicy('not base64 json'), code('InvalidPolicyDocument'));
  assert.throws(() => parsePostPolicy(b64({ conditions: [] })), code('InvalidPolicyDocument'));
  assert.throws(
    () => parsePostPolicy(b64({ expiration: '2026-01-01T00:00:00Z', conditions: [['nope', '$key', 'x']] })),
    code('InvalidPolicyDocument'),
  );
  assert.throws(
    () => parsePostPolicy(b64({ expiration: '2026-01-01T00:00:00Z', conditions: [['content-length-range', -1, 5]] })),
    code('InvalidPolicyDocument'),
  );
});

test('POST SigV4: credential scope checks and the signature over the base64 policy', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const policy = b64({ expiration: '2030-01-01T00:00:00Z', conditions: [] });
  const signature = computeSignature(deriveSigningKey(secret, '20260101', 'us-east-1', 's3'), policy);
  const fields = new Map([
    ['x-amz-algorithm', 'AWS4-HMAC-SHA256'],
    ['x-amz-credential', 'AKIDEXAMPLE/20260101/us-east-1/s3/aws4_request'],
    ['x-amz-date', '20260101T120000Z'],
    ['x-amz-signature', signature],
  ]);
  const parsed = postCredential(fields, 'us-east-1', new Date());
  assert.equal(parsed.scope.accessKeyId, 'AKIDEXAMPLE');
  assert.equal(postSignatureMatches(secret, parsed.scope, policy, signature), true);
  assert.equal(postSignatureMatches(secret, parsed.scope, policy + 'x', signature), false);
  assert.equal(postSignatureMatches('other', parsed.scope, policy, signature), false);
  assert.throws(
    () => postCredential(new Map([...fields, ['x-amz-credential', 'AKID/20260101/eu-west-1/s3/aws4_request']]), 'us-east-1', new Date()),
    code('InvalidArgument'),
  );
  assert.throws(
    () => postCredential(new Map([...fields, ['x-amz-date', '20260102T000000Z']]), 'us-east-1', new Date()),
    code('InvalidArgument'),
  );
  assert.throws(
    () => postCredential(new Map([...fields, ['x-amz-algorithm', 'AWS4-HMAC-SHA1']]), 'us-east-1', new Date()),
    code('InvalidArgument'),
  );
  const partial = new Map(fields);
  partial.delete('x-amz-date');
  assert.throws(() => postCredential(partial, 'us-east-1', new Date()), code('InvalidRequest'));
});
