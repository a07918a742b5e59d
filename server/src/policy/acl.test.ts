import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser } from 'fast-xml-parser';
import type { Acl, Grant } from '../metadata/types.js';
import { PolicyError } from './errors.js';
import { XmlParseError } from '../util/xml-parse.js';
import {
  ALL_USERS_URI,
  AUTHENTICATED_USERS_URI,
  LOG_DELIVERY_URI,
  aclAllows,
  aclFromHeaders,
  aclToXml,
  cannedAcl,
  isPublicAcl,
  parseAclXml,
  parseGrantHeaders,
  privateAcl,
} from './acl.js';
import { canonicalUserId, type Principal } from './principal.js';

const ALICE = canonicalUserId('alice');
const BOB = canonicalUserId('bob');
const alice: Principal = { kind: 'user', user: 'alice', accessKey: 'AKIAA', role: 'user' };
const bob: Principal = { kind: 'user', user: 'bob', accessKey: 'AKIAB', role: 'user' };
const anon: Principal = { kind: 'anonymous' };

/** ACL problems are PolicyErrors; XML that is not well-formed is the shared parser's XmlParseError. */
function expectAclError(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof PolicyError || err instanceof XmlParseError, `expected PolicyError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  });
}

const user = (name: string, permission: Grant['permission']): Grant => ({
  grantee: { type: 'CanonicalUser', id: canonicalUserId(name), displayName: name },
  permission,
});
const group = (uri: string, permission: Grant['permission']): Grant => ({ grantee: { type: 'Group', uri }, permission });

test('canonicalUserId is 64 lowercase hex and stable', () => {
  assert.match(ALICE, /^[0-9a-f]{64}$/);
  assert.equal(ALICE, canonicalUserId('alice'));
  assert.notEqual(ALICE, BOB);
});

const cannedCases: [string, 'bucket' | 'object', Grant[]][] = [
  ['private', 'object', [user('bob', 'FULL_CONTROL')]],
  ['public-read', 'object', [user('bob', 'FULL_CONTROL'), group(ALL_USERS_URI, 'READ')]],
  ['public-read-write', 'bucket', [user('bob', 'FULL_CONTROL'), group(ALL_USERS_URI, 'READ'), group(ALL_USERS_URI, 'WRITE')]],
  ['authenticated-read', 'object', [user('bob', 'FULL_CONTROL'), group(AUTHENTICATED_USERS_URI, 'READ')]],
  ['bucket-owner-read', 'object', [user('bob', 'FULL_CONTROL'), user('alice', 'READ')]],
  ['bucket-owner-read', 'bucket', [user('bob', 'FULL_CONTROL')]],
  ['bucket-owner-full-control', 'object', [user('bob', 'FULL_CONTROL'), user('alice', 'FULL_CONTROL')]],
  ['bucket-owner-full-control', 'bucket', [user('bob', 'FULL_CONTROL')]],
  ['log-delivery-write', 'bucket', [user('bob', 'FULL_CONTROL'), group(LOG_DELIVERY_URI, 'WRITE'), group(LOG_DELIVERY_URI, 'READ_ACP')]],
];
for (const [name, resource, grants] of cannedCases) {
  test(`canned ACL ${name} on a ${resource}`, () => {
    assert.deepEqual(cannedAcl(name, { owner: 'bob', bucketOwner: 'alice', resource }), { owner: 'bob', grants });
  });
}

test('canned ACL aws-exec-read adds one READ grant for EC2', () => {
  const acl = cannedAcl('aws-exec-read', { owner: 'bob', bucketOwner: 'bob', resource: 'object' });
  assert.equal(acl.grants.length, 2);
  assert.equal(acl.grants[1]?.permission, 'READ');
});

test('unknown canned ACL is 400 InvalidArgument', () => {
  expectAclError(() => cannedAcl('public', { owner: 'a', bucketOwner: 'a', resource: 'bucket' }), 'InvalidArgument');
  expectAclError(() => cannedAcl('PRIVATE', { owner: 'a', bucketOwner: 'a', resource: 'bucket' }), 'InvalidArgument');
});

test('grant headers: several grantees, ids and uris', () => {
  const grants = parseGrantHeaders({
    'x-amz-grant-read': `id="${ALICE}", uri="${ALL_USERS_URI}"`,
    'x-amz-grant-full-control': `id=${BOB}`,
  });
  assert.deepEqual(grants, [
    { grantee: { type: 'CanonicalUser', id: ALICE }, permission: 'READ' },
    { grantee: { type: 'Group', uri: ALL_USERS_URI }, permission: 'READ' },
    { grantee: { type: 'CanonicalUser', id: BOB }, permission: 'FULL_CONTROL' },
  ]);
});

test('grant headers: resolver adds display names and refuses unknown ids', () => {
  const resolve = (id: string): string | null => (id === ALICE ? 'alice' : null);
  assert.deepEqual(parseGrantHeaders({ 'x-amz-grant-write': `id="${ALICE}"` }, resolve), [
    { grantee: { type: 'CanonicalUser', id: ALICE, displayName: 'alice' }, permission: 'WRITE' },
  ]);
  expectAclError(() => parseGrantHeaders({ 'x-amz-grant-write': `id="${BOB}"` }, resolve), 'InvalidArgument', /Invalid id/);
});

const badGrantHeaders: [string, string][] = [
  ['emailAddress="x@example.com"', 'e-mail'],
  ['id="1234"', 'Invalid id'],
  ['uri="http://acs.amazonaws.com/groups/global/Everyone"', 'group uri'],
  ['name="bob"', 'grantee type'],
  ['', 'Empty grantee'],
  [`id="${ALICE}",`, 'Empty grantee'],
  ['garbage', 'Invalid grantee'],
];
for (const [value, message] of badGrantHeaders) {
  test(`grant header ${JSON.stringify(value)} is 400 InvalidArgument`, () => {
    expectAclError(() => parseGrantHeaders({ 'x-amz-grant-read': value }), 'InvalidArgument', new RegExp(message));
  });
}

test('aclFromHeaders: canned, grants, none, and both → InvalidRequest', () => {
  const base = { owner: 'bob', bucketOwner: 'alice', resource: 'object' as const };
  assert.deepEqual(aclFromHeaders({ ...base, headers: { 'x-amz-acl': 'public-read' } }), cannedAcl('public-read', base));
  assert.deepEqual(aclFromHeaders({ ...base, headers: { 'x-amz-grant-read': `uri="${ALL_USERS_URI}"` } }), {
    owner: 'bob',
    grants: [group(ALL_USERS_URI, 'READ')],
  });
  assert.equal(aclFromHeaders({ ...base, headers: {} }), null);
  assert.deepEqual(aclFromHeaders({ ...base, headers: { 'x-amz-grant-full-control': `id="${BOB}"` } }), {
    owner: 'bob',
    grants: [{ grantee: { type: 'CanonicalUser', id: BOB, displayName: 'bob' }, permission: 'FULL_CONTROL' }],
  });
  expectAclError(
    () => aclFromHeaders({ ...base, headers: { 'x-amz-acl': 'private', 'x-amz-grant-read': `id="${ALICE}"` } }),
    'InvalidRequest',
    /both Canned ACLs and Header Grants/,
  );
});

test("aclToXml writes AWS's exact body", () => {
  const acl: Acl = { owner: 'alice', grants: [user('alice', 'FULL_CONTROL'), group(ALL_USERS_URI, 'READ')] };
  assert.equal(
    aclToXml(acl),
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<Owner><ID>${ALICE}</ID><DisplayName>alice</DisplayName></Owner>` +
      '<AccessControlList>' +
      `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>${ALICE}</ID><DisplayName>alice</DisplayName></Grantee><Permission>FULL_CONTROL</Permission></Grant>` +
      '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>' +
      '</AccessControlList></AccessControlPolicy>',
  );
});

test('aclToXml escapes display names', () => {
  const xml = aclToXml({ owner: 'a&b', grants: [] });
  assert.match(xml, /<DisplayName>a&amp;b<\/DisplayName>/);
  assert.match(xml, /<AccessControlList><\/AccessControlList>/);
  // Well-formed for a real parser.
  assert.ok(new XMLParser().parse(xml));
});

test('parseAclXml round-trips aclToXml', () => {
  const acl: Acl = {
    owner: 'alice',
    grants: [user('alice', 'FULL_CONTROL'), group(AUTHENTICATED_USERS_URI, 'READ'), user('bob', 'WRITE_ACP')],
  };
  const resolve = (id: string): string | null => (id === BOB ? 'bob' : null);
  assert.deepEqual(parseAclXml(aclToXml(acl), { owner: 'alice', resolve }), acl);
});

const ownerXml = `<Owner><ID>${ALICE}</ID></Owner>`;
function body(grants: string, owner = ownerXml): string {
  return `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${owner}<AccessControlList>${grants}</AccessControlList></AccessControlPolicy>`;
}
const canonicalGrantee = (id: string): string =>
  `<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>${id}</ID></Grantee>`;

test('parseAclXml accepts a single grant and an empty list', () => {
  assert.deepEqual(parseAclXml(body(`<Grant>${canonicalGrantee(ALICE)}<Permission>READ</Permission></Grant>`), { owner: 'alice' }), {
    owner: 'alice',
    grants: [{ grantee: { type: 'CanonicalUser', id: ALICE, displayName: 'alice' }, permission: 'READ' }],
  });
  assert.deepEqual(parseAclXml(body(''), { owner: 'alice' }), { owner: 'alice', grants: [] });
});

const badXml: [string, string, string][] = [
  ['DOCTYPE (entity bomb)', `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx">]>${body('')}`, 'MalformedXML'],
  ['XXE', `<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><AccessControlPolicy>&x;</AccessControlPolicy>`, 'MalformedXML'],
  ['not XML', 'hello', 'MalformedXML'],
  ['unclosed', '<AccessControlPolicy><Owner>', 'MalformedXML'],
  ['empty', '', 'MalformedXML'],
  ['wrong root', '<Foo/>', 'MalformedACLError'],
  ['no Owner', '<AccessControlPolicy><AccessControlList/></AccessControlPolicy>', 'MalformedACLError'],
  ['other owner', body('', `<Owner><ID>${BOB}</ID></Owner>`), 'AccessDenied'],
  ['bad permission', body(`<Grant>${canonicalGrantee(ALICE)}<Permission>ALL</Permission></Grant>`), 'MalformedACLError'],
  ['missing permission', body(`<Grant>${canonicalGrantee(ALICE)}</Grant>`), 'MalformedACLError'],
  ['no xsi:type', body(`<Grant><Grantee><ID>${ALICE}</ID></Grantee><Permission>READ</Permission></Grant>`), 'MalformedACLError'],
  ['bad canonical id', body(`<Grant>${canonicalGrantee('1234')}<Permission>READ</Permission></Grant>`), 'InvalidArgument'],
  [
    'email grantee',
    body(
      '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="AmazonCustomerByEmail"><EmailAddress>a@b.c</EmailAddress></Grantee><Permission>READ</Permission></Grant>',
    ),
    'InvalidArgument',
  ],
  [
    'unknown group',
    body(
      '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://example.com/all</URI></Grantee><Permission>READ</Permission></Grant>',
    ),
    'InvalidArgument',
  ],
  ['101 grants', body(`<Grant>${canonicalGrantee(ALICE)}<Permission>READ</Permission></Grant>`.repeat(101)), 'MalformedACLError'],
];
for (const [name, xml, code] of badXml) {
  test(`parseAclXml refuses ${name} with ${code}`, () => {
    expectAclError(() => parseAclXml(xml, { owner: 'alice' }), code);
  });
}

test('parseAclXml with a resolver refuses ids of unknown users', () => {
  expectAclError(
    () =>
      parseAclXml(body(`<Grant>${canonicalGrantee(BOB)}<Permission>READ</Permission></Grant>`), { owner: 'alice', resolve: () => null }),
    'InvalidArgument',
  );
});

const allowsCases: [string, Acl, Principal, Grant['permission'], boolean][] = [
  ['AllUsers READ lets anonymous read', { owner: 'alice', grants: [group(ALL_USERS_URI, 'READ')] }, anon, 'READ', true],
  ['AllUsers READ lets users read', { owner: 'alice', grants: [group(ALL_USERS_URI, 'READ')] }, bob, 'READ', true],
  ['AllUsers READ is not WRITE', { owner: 'alice', grants: [group(ALL_USERS_URI, 'READ')] }, anon, 'WRITE', false],
  ['AuthenticatedUsers excludes anonymous', { owner: 'alice', grants: [group(AUTHENTICATED_USERS_URI, 'READ')] }, anon, 'READ', false],
  ['AuthenticatedUsers includes any user', { owner: 'alice', grants: [group(AUTHENTICATED_USERS_URI, 'READ')] }, bob, 'READ', true],
  ['LogDelivery is nobody here', { owner: 'alice', grants: [group(LOG_DELIVERY_URI, 'WRITE')] }, bob, 'WRITE', false],
  ['CanonicalUser by id', { owner: 'alice', grants: [user('bob', 'WRITE')] }, bob, 'WRITE', true],
  ['CanonicalUser for someone else', { owner: 'alice', grants: [user('bob', 'WRITE')] }, alice, 'WRITE', false],
  ['FULL_CONTROL implies READ_ACP', { owner: 'alice', grants: [user('bob', 'FULL_CONTROL')] }, bob, 'READ_ACP', true],
  ['READ does not imply READ_ACP', { owner: 'alice', grants: [user('bob', 'READ')] }, bob, 'READ_ACP', false],
  ['owner keeps WRITE_ACP with no grants', { owner: 'alice', grants: [] }, alice, 'WRITE_ACP', true],
  ['owner has no implicit READ of data', { owner: 'alice', grants: [] }, alice, 'READ', false],
];
for (const [name, acl, principal, permission, want] of allowsCases) {
  test(`aclAllows: ${name}`, () => {
    assert.equal(aclAllows(acl, principal, permission), want);
  });
}

test('aclAllows: bucket owner keeps ACP rights on objects', () => {
  assert.equal(aclAllows({ owner: 'bob', grants: [] }, alice, 'READ_ACP', { bucketOwner: 'alice' }), true);
  assert.equal(aclAllows({ owner: 'bob', grants: [] }, alice, 'READ', { bucketOwner: 'alice' }), false);
});

test('isPublicAcl', () => {
  assert.equal(isPublicAcl(privateAcl('a')), false);
  assert.equal(isPublicAcl(cannedAcl('public-read', { owner: 'a', bucketOwner: 'a', resource: 'bucket' })), true);
  assert.equal(isPublicAcl(cannedAcl('authenticated-read', { owner: 'a', bucketOwner: 'a', resource: 'bucket' })), true);
  assert.equal(isPublicAcl(cannedAcl('log-delivery-write', { owner: 'a', bucketOwner: 'a', resource: 'bucket' })), false);
});
