import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toS3Error } from '../s3/error-map.js';
import { PolicyError } from './errors.js';
import { parseBucketPolicy, MAX_POLICY_BYTES } from './policy-parse.js';

const B = 'photos';
const OBJ = 'arn:aws:s3:::photos/*';

function doc(statement: Record<string, unknown> | unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ Version: '2012-10-17', ...extra, Statement: statement });
}
function stmt(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: OBJ, ...over };
}
function expectMalformed(json: string, message: RegExp): void {
  assert.throws(
    () => parseBucketPolicy(json, B),
    (err: unknown) => {
      assert.ok(err instanceof PolicyError, String(err));
      assert.equal(err.code, 'MalformedPolicy');
      assert.equal(toS3Error(err)?.status, 400);
      assert.match(err.message, message);
      return true;
    },
  );
}

test('a typical public-read policy parses', () => {
  const p = parseBucketPolicy(doc([stmt({ Sid: 'PublicRead' })], { Id: 'P1' }), B);
  assert.equal(p.version, '2012-10-17');
  assert.equal(p.id, 'P1');
  assert.equal(p.statements.length, 1);
  const s = p.statements[0];
  assert.equal(s?.sid, 'PublicRead');
  assert.equal(s?.effect, 'Allow');
  assert.deepEqual(s?.principal, { kind: 'everyone' });
  assert.equal(s?.notPrincipal, false);
  assert.deepEqual(s?.conditions, []);
});

test('Statement may be a single object; Version may be absent (2008-10-17)', () => {
  const p = parseBucketPolicy(JSON.stringify({ Statement: stmt() }), B);
  assert.equal(p.version, '2008-10-17');
  assert.equal(p.statements.length, 1);
});

test('leading whitespace is fine', () => {
  assert.equal(parseBucketPolicy(`  \n${doc(stmt())}`, B).statements.length, 1);
});

test('principal forms', () => {
  const forms: [unknown, unknown][] = [
    ['*', { kind: 'everyone' }],
    [{ AWS: '*' }, { kind: 'everyone' }],
    [{ AWS: ['user:bob', '*'] }, { kind: 'everyone' }],
    [{ AWS: '000000000000' }, { kind: 'some', account: true, users: new Set(), canonicalIds: new Set() }],
    [{ AWS: 'arn:aws:iam::000000000000:root' }, { kind: 'some', account: true, users: new Set(), canonicalIds: new Set() }],
    [
      { AWS: ['arn:aws:iam::000000000000:user/bob', 'user:carol'] },
      { kind: 'some', account: false, users: new Set(['bob', 'carol']), canonicalIds: new Set() },
    ],
    ['user:bob', { kind: 'some', account: false, users: new Set(['bob']), canonicalIds: new Set() }],
    [{ CanonicalUser: 'a'.repeat(64) }, { kind: 'some', account: false, users: new Set(), canonicalIds: new Set(['a'.repeat(64)]) }],
    [{ Service: 'logging.s3.amazonaws.com' }, { kind: 'some', account: false, users: new Set(), canonicalIds: new Set() }],
  ];
  for (const [principal, want] of forms) {
    assert.deepEqual(parseBucketPolicy(doc(stmt({ Principal: principal })), B).statements[0]?.principal, want, JSON.stringify(principal));
  }
});

test('NotPrincipal / NotAction / NotResource set their flags', () => {
  const s = parseBucketPolicy(
    doc({ Effect: 'Deny', NotPrincipal: { AWS: 'user:bob' }, NotAction: 's3:GetObject', NotResource: 'arn:aws:s3:::photos/public/*' }),
    B,
  ).statements[0];
  assert.equal(s?.notPrincipal, true);
  assert.equal(s?.notAction, true);
  assert.equal(s?.notResource, true);
});

test('actions are case-insensitive and stored lowercased', () => {
  const s = parseBucketPolicy(doc(stmt({ Action: ['S3:GETOBJECT', 's3:Get*', 's3:*Acl', '*', 's3:?etObject'] })), B).statements[0];
  assert.deepEqual(
    s?.actions.map((a) => a.source),
    ['s3:getobject', 's3:get*', 's3:*acl', '*', 's3:?etobject'],
  );
});

test('conditions: every operator family parses, with prefixes and IfExists', () => {
  const p = parseBucketPolicy(
    doc(
      stmt({
        Condition: {
          StringEquals: { 's3:x-amz-acl': ['private', 'public-read'] },
          StringNotEqualsIgnoreCase: { 'aws:UserAgent': 'curl' },
          StringLike: { 's3:prefix': 'home/${aws:username}/*' },
          NumericLessThanEquals: { 's3:max-keys': 10 },
          DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' },
          DateLessThan: { 'aws:EpochTime': '1893456000' },
          Bool: { 'aws:SecureTransport': true },
          IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] },
          NotIpAddress: { 'aws:SourceIp': '10.1.2.3' },
          Null: { 's3:x-amz-acl': 'false' },
          ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::000000000000:user/*' },
          'ForAnyValue:StringLike': { 's3:x-amz-grant-read': '*AllUsers*' },
          'ForAllValues:StringEqualsIfExists': { 'aws:TagKeys': ['a', 'b'] },
          StringEqualsIfExists: { 'aws:Referer': 'https://example.com/' },
        },
      }),
    ),
    B,
  );
  const conditions = p.statements[0]?.conditions ?? [];
  assert.equal(conditions.length, 14);
  const fa = conditions.find((c) => c.operator === 'ForAllValues:StringEqualsIfExists');
  assert.equal(fa?.set, 'ForAllValues');
  assert.equal(fa?.ifExists, true);
  assert.equal(fa?.base, 'StringEquals');
  const bool = conditions.find((c) => c.base === 'Bool');
  assert.deepEqual(bool?.values, { type: 'bool', bools: [true] });
  const epoch = conditions.find((c) => c.key === 'aws:EpochTime');
  assert.deepEqual(epoch?.values, { type: 'date', times: [1893456000000] });
});

test('condition keys are case-insensitive', () => {
  assert.equal(parseBucketPolicy(doc(stmt({ Condition: { Bool: { 'AWS:securetransport': 'false' } } })), B).statements.length, 1);
});

test('variables are literal text in 2008-10-17', () => {
  const p = parseBucketPolicy(JSON.stringify({ Version: '2008-10-17', Statement: stmt({ Resource: 'arn:aws:s3:::photos/${oops' }) }), B);
  assert.equal(p.statements[0]?.resources[0]?.hasVariables, false);
});

test('a policy of exactly the size cap is read; one byte more is refused', () => {
  const base = doc(stmt({ Sid: '' }));
  const padded = doc(stmt({ Sid: 'x'.repeat(200) }));
  assert.ok(padded.length < MAX_POLICY_BYTES);
  const filler = ' '.repeat(MAX_POLICY_BYTES - base.length);
  assert.equal(parseBucketPolicy(base.replace('{', `{${filler}`), B).statements.length, 1);
  expectMalformed(base.replace('{', `{${filler} `), /at most 20480 bytes/);
});

const bad: [string, string, RegExp][] = [
  ['not JSON', '{"Version":', /valid JSON/],
  ['an array', '[]', /first byte must be '\{'/],
  ['empty', '', /first byte/],
  ['a 1 MB document', doc(stmt({ Sid: 'x'.repeat(1024 * 1024) })), /at most 20480 bytes/],
  ['deeply nested arrays', `{"Statement":${'['.repeat(50)}${']'.repeat(50)}}`, /nested more than/],
  [
    'duplicate keys',
    '{"Version":"2012-10-17","Statement":{"Effect":"Deny","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::photos"}}',
    /duplicate key "Effect"/,
  ],
  ['duplicate top-level keys', `{"Statement":[],"Statement":${JSON.stringify(stmt())}}`, /duplicate key "Statement"/],
  ['unknown top field', doc(stmt(), { Foo: 1 }), /Unknown field "Foo"/],
  ['unknown Version', JSON.stringify({ Version: '2012-10-18', Statement: stmt() }), /Version must be/],
  ['numeric Version', JSON.stringify({ Version: 2012, Statement: stmt() }), /Version must be/],
  ['missing Statement', JSON.stringify({ Version: '2012-10-17' }), /Missing required field Statement/],
  ['empty Statement', doc([]), /Statement must not be empty/],
  ['statement not an object', doc(['x']), /Statement\[0\] must be an object/],
  ['unknown statement field', doc(stmt({ Actions: 's3:*' })), /Statement\[0\] has unknown field "Actions"/],
  ['missing Effect', doc({ Principal: '*', Action: 's3:*', Resource: OBJ }), /missing required field Effect/],
  ['bad Effect', doc(stmt({ Effect: 'allow' })), /Effect must be "Allow" or "Deny"/],
  ['duplicate Sid', doc([stmt({ Sid: 'A' }), stmt({ Sid: 'A' })]), /must be unique/],
  ['numeric Sid', doc(stmt({ Sid: 5 })), /Sid must be a string/],
  ['Principal and NotPrincipal', doc(stmt({ NotPrincipal: '*' })), /either Principal or NotPrincipal, not both/],
  ['no Principal', doc({ Effect: 'Allow', Action: 's3:*', Resource: OBJ }), /missing required field Principal/],
  ['partial wildcard principal', doc(stmt({ Principal: { AWS: 'arn:aws:iam::*:user/*' } })), /Invalid principal.*wildcard/],
  ['wildcard user ARN', doc(stmt({ Principal: { AWS: 'arn:aws:iam::000000000000:user/*' } })), /Invalid principal.*wildcard/],
  ['foreign account', doc(stmt({ Principal: { AWS: '123456789012' } })), /Invalid principal.*other than 000000000000/],
  ['foreign user ARN', doc(stmt({ Principal: { AWS: 'arn:aws:iam::123456789012:user/bob' } })), /Invalid principal/],
  ['role ARN', doc(stmt({ Principal: { AWS: 'arn:aws:iam::000000000000:role/r' } })), /Invalid principal/],
  ['empty principal object', doc(stmt({ Principal: {} })), /Invalid principal/],
  ['empty AWS list', doc(stmt({ Principal: { AWS: [] } })), /must not be empty/],
  [
    'Federated principal',
    doc(stmt({ Principal: { Federated: 'cognito-identity.amazonaws.com' } })),
    /unsupported principal type "Federated"/,
  ],
  ['bad canonical id', doc(stmt({ Principal: { CanonicalUser: 'abc' } })), /64-hex/],
  ['bad user name', doc(stmt({ Principal: 'user:a b' })), /not a valid user name/],
  ['bare non-* principal', doc(stmt({ Principal: 'bob' })), /Invalid principal/],
  ['Action and NotAction', doc(stmt({ NotAction: 's3:PutObject' })), /either Action or NotAction/],
  ['unknown action', doc(stmt({ Action: 's3:GetObjekt' })), /Policy has invalid action.*GetObjekt/],
  ['non-s3 action', doc(stmt({ Action: 'iam:CreateUser' })), /Policy has invalid action/],
  ['wildcard matching no action', doc(stmt({ Action: 's3:Frob*' })), /matches no S3 action/],
  ['empty action list', doc(stmt({ Action: [] })), /Action must not be empty/],
  ['numeric action', doc(stmt({ Action: 5 })), /non-empty string/],
  ['no Resource', doc({ Effect: 'Allow', Principal: '*', Action: 's3:*' }), /missing required field Resource/],
  ['resource *', doc(stmt({ Resource: '*' })), /Policy has invalid resource/],
  ['non-S3 resource', doc(stmt({ Resource: 'arn:aws:sqs:::photos' })), /Policy has invalid resource/],
  ['broken variable in resource', doc(stmt({ Resource: 'arn:aws:s3:::photos/${aws:username' })), /unterminated policy variable/],
  [
    'unknown condition operator',
    doc(stmt({ Condition: { StringSortOf: { 's3:prefix': 'a' } } })),
    /unknown condition operator "StringSortOf"/,
  ],
  ['unknown condition key', doc(stmt({ Condition: { StringEquals: { 's3:prefixx': 'a' } } })), /invalid condition key.*s3:prefixx/],
  ['Null with IfExists', doc(stmt({ Condition: { NullIfExists: { 's3:prefix': 'true' } } })), /Null takes no prefix/],
  ['ForAnyValue:Null', doc(stmt({ Condition: { 'ForAnyValue:Null': { 's3:prefix': 'true' } } })), /Null takes no prefix/],
  ['bad number', doc(stmt({ Condition: { NumericLessThan: { 's3:max-keys': 'ten' } } })), /is not a number/],
  ['bad date', doc(stmt({ Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } } })), /not an ISO 8601 date/],
  ['bad bool', doc(stmt({ Condition: { Bool: { 'aws:SecureTransport': 'yes' } } })), /"true" or "false"/],
  ['bad CIDR', doc(stmt({ Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } } })), /not an IP address or CIDR/],
  ['empty condition values', doc(stmt({ Condition: { StringEquals: { 's3:prefix': [] } } })), /at least one value/],
  ['object condition value', doc(stmt({ Condition: { StringEquals: { 's3:prefix': { a: 1 } } } })), /must be strings, numbers or booleans/],
  ['empty operator block', doc(stmt({ Condition: { StringEquals: {} } })), /non-empty object/],
  ['Condition not an object', doc(stmt({ Condition: [] })), /Condition must be an object/],
  ['broken variable in condition', doc(stmt({ Condition: { StringLike: { 's3:prefix': '${nope' } } })), /unterminated/],
];
for (const [name, json, message] of bad) {
  test(`refused: ${name}`, () => expectMalformed(json, message));
}

test('errors name the statement by index and Sid', () => {
  expectMalformed(doc([stmt(), stmt({ Sid: 'Second', Action: 's3:Nope' })]), /Statement\[1\] \(Sid "Second"\) Action/);
});

test('a resource of another bucket is accepted and matches nothing here (S3 accepts it too)', () => {
  const p = parseBucketPolicy(doc([stmt({ Resource: ['arn:aws:s3:::other/*', OBJ] })]), B);
  assert.equal(p.statements[0]?.resources.length, 2);
});
