import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Acl, BucketRecord } from '../metadata/types.js';
import { cannedAcl, privateAcl } from './acl.js';
import { authorize, type AuthorizeInput, type AuthorizeResult } from './authorize.js';
import type { Principal } from './principal.js';

const anon: Principal = { kind: 'anonymous' };
const admin: Principal = { kind: 'user', user: 'root', accessKey: 'AKIAROOT', role: 'admin' };
const alice: Principal = { kind: 'user', user: 'alice', accessKey: 'AKIAALICE', role: 'user' };
const bob: Principal = { kind: 'user', user: 'bob', accessKey: 'AKIABOB', role: 'user' };
const carol: Principal = { kind: 'user', user: 'carol', accessKey: 'AKIACAROL', role: 'user' };

function bucket(over: Partial<BucketRecord> = {}): BucketRecord {
  return {
    id: 'b-photos',
    name: 'photos',
    owner: 'alice',
    region: 'us-east-1',
    createdAt: new Date(0),
    acl: privateAcl('alice'),
    policy: null,
    permissions: {},
    ...over,
  };
}

function policy(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

const denyAllOthers = policy({
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: ['arn:aws:s3:::photos', 'arn:aws:s3:::photos/*'],
});
const publicRead = policy({
  Sid: 'PublicRead',
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::photos/*',
});
const publicObject: Acl = cannedAcl('public-read', { owner: 'alice', bucketOwner: 'alice', resource: 'object' });
const bobObject: Acl = privateAcl('bob');

interface Case {
  name: string;
  input: Partial<AuthorizeInput> & Pick<AuthorizeInput, 'principal' | 'action'>;
  want: AuthorizeResult;
}

const cases: Case[] = [
  // bucket-less actions
  {
    name: 'anonymous cannot list buckets',
    input: { principal: anon, action: 's3:ListAllMyBuckets', bucket: null },
    want: { allowed: false, reason: 'implicit-deny' },
  },
  {
    name: 'user lists own buckets',
    input: { principal: bob, action: 's3:ListAllMyBuckets', bucket: null },
    want: { allowed: true, reason: 'owner' },
  },
  {
    name: 'user may create a bucket',
    input: { principal: bob, action: 's3:CreateBucket', bucket: null },
    want: { allowed: true, reason: 'owner' },
  },
  {
    name: 'anonymous cannot create a bucket',
    input: { principal: anon, action: 's3:CreateBucket', bucket: null },
    want: { allowed: false, reason: 'implicit-deny' },
  },
  {
    name: 'admin on a missing bucket',
    input: { principal: admin, action: 's3:ListBucket', bucket: null },
    want: { allowed: true, reason: 'admin' },
  },
  {
    name: 'user on a missing bucket',
    input: { principal: bob, action: 's3:ListBucket', bucket: null },
    want: { allowed: false, reason: 'implicit-deny' },
  },
  {
    name: 'unknown action fails closed',
    input: { principal: admin, action: 's3:Frobnicate' },
    want: { allowed: false, reason: 'implicit-deny' },
  },

  // private by default
  { name: 'owner lists own bucket', input: { principal: alice, action: 's3:ListBucket' }, want: { allowed: true, reason: 'owner' } },
  { name: 'owner deletes own bucket', input: { principal: alice, action: 's3:DeleteBucket' }, want: { allowed: true, reason: 'owner' } },
  {
    name: 'owner reads any object in own bucket',
    input: { principal: alice, action: 's3:GetObject', key: 'a', objectAcl: bobObject },
    want: { allowed: true, reason: 'owner' },
  },
  { name: 'admin reads anything', input: { principal: admin, action: 's3:GetObject', key: 'a' }, want: { allowed: true, reason: 'admin' } },
  { name: 'stranger cannot list', input: { principal: bob, action: 's3:ListBucket' }, want: { allowed: false, reason: 'implicit-deny' } },
  {
    name: 'stranger cannot put',
    input: { principal: bob, action: 's3:PutObject', key: 'a' },
    want: { allowed: false, reason: 'implicit-deny' },
  },
  {
    name: 'anonymous cannot get',
    input: { principal: anon, action: 's3:GetObject', key: 'a', objectAcl: privateAcl('alice') },
    want: { allowed: false, reason: 'implicit-deny' },
  },

  // ACLs
  {
    name: 'anonymous reads a public-read object',
    input: { principal: anon, action: 's3:GetObject', key: 'a', objectAcl: publicObject },
    want: { allowed: true, reason: 'acl' },
  },
  {
    name: 'public-read object does not give its ACL',
    input: { principal: anon, action: 's3:GetObjectAcl', key: 'a', objectAcl: publicObject },
    want: { allowed: false, reason: 'implicit-deny' },
  },
  {
    name: 'public-read bucket lets anonymous list',
    input: {
      principal: anon,
      action: 's3:ListBucket',
      bucket: bucket({ acl: cannedAcl('public-read', { owner: 'alice', bucketOwner: 'alice', resource: 'bucket' }) }),
    },
    want: { allowed: true, reason: 'acl' },
  },
  {
    name: 'public-read bucket does not let anonymous put',
    input: {
      principal: anon,
      action: 's3:PutObject',
      key: 'k',
      bucket: bucket({ acl: cannedAcl('public-read', { owner: 'alice', bucketOwner: 'alice', resource: 'bucket' }) }),
    },
    want: { allowed: false, reason: 'implicit-deny' },
  },
  {
    name: 'public-read-write bucket lets anonymous put',
    input: {
      principal: anon,
      action: 's3:PutObject',
      key: 'k',
      bucket: bucket({ acl: cannedAcl('public-read-write', { owner: 'alice', bucketOwner: 'alice', resource: 'bucket' }) }),
    },
    want: { allowed: true, reason: 'acl' },
  },
  {
    name: 'public-read-write bucket lets anonymous delete',
    input: {
      principal: anon,
      action: 's3:DeleteObject',
      key: 'k',
      bucket: bucket({ acl: cannedAcl('public-read-write', { owner: 'alice', bucketOwner: 'alice', resource: 'bucket' }) }),
    },
    want: { allowed: true, reason: 'acl' },
  },
  {
    name: 'bucket READ does not read objects',
    input: {
      principal: anon,
      action: 's3:GetObject',
      key: 'k',
      objectAcl: privateAcl('alice'),
      bucket: bucket({ acl: cannedAcl('public-read', { owner: 'alice', bucketOwner: 'alice', resource: 'bucket' }) }),
    },
    want: { allowed: false, reason: 'implicit-deny' },
  },
  {
    name: 'authenticated-read: signed user lists',
    input: {
      principal: bob,
      action: 's3:ListBucket',
      bucket: bucket({ acl: cannedAcl('authenticated-read', { owner: 'alice', bucketOwner: 'alice', resource: 'bucket' }) }),
    },
    want: { allowed: true, reason: 'acl' },
  },
  {
    name: 'authenticated-read: anonymous cannot list',
    input: {
      principal: anon,
      action: 's3:ListBucket',
      bucket: bucket({ acl: cannedAcl('authenticated-read', { owner: 'alice', bucketOwner: 'alice', resource: 'bucket' }) }),
    },
    want: { allowed: false, reason: 'implicit-deny' },
  },
  {
    name: "object owner reads own object in someone else's bucket",
    input: { principal: bob, action: 's3:GetObject', key: 'k', objectAcl: bobObject },
    want: { allowed: true, reason: 'acl' },
  },
  {
    name: 'object owner can always read the object ACL',
    input: { principal: bob, action: 's3:GetObjectAcl', key: 'k', objectAcl: { owner: 'bob', grants: [] } },
    want: { allowed: true, reason: 'acl' },
  },
  {
    name: 'bucket-owner-read gives the bucket owner READ',
    input: {
      principal: carol,
      action: 's3:GetObject',
      key: 'k',
      bucket: bucket({ owner: 'carol' }),
      objectAcl: cannedAcl('bucket-owner-read', { owner: 'bob', bucketOwner: 'carol', resource: 'object' }),
    },
    want: { allowed: true, reason: 'owner' },
  },
  {
    name: 'owner-only actions are not granted by ACL FULL_CONTROL',
    input: {
      principal: bob,
      action: 's3:PutBucketPolicy',
      bucket: bucket({
        acl: {
          owner: 'alice',
          grants: [
            { grantee: { type: 'Group', uri: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers' }, permission: 'FULL_CONTROL' },
          ],
        },
      }),
    },
    want: { allowed: false, reason: 'implicit-deny' },
  },

  // permission grants
  {
    name: 'read grant lists',
    input: { principal: bob, action: 's3:ListBucket', bucket: bucket({ permissions: { 'user:bob': ['read'] } }) },
    want: { allowed: true, reason: 'grant' },
  },
  {
    name: 'read grant gets objects',
    input: { principal: bob, action: 's3:GetObject', key: 'k', bucket: bucket({ permissions: { 'user:bob': ['read'] } }) },
    want: { allowed: true, reason: 'grant' },
  },
  {
    name: 'credential-wide read grant reads any bucket',
    input: { principal: { ...bob, permissions: ['read'] }, action: 's3:GetObject', key: 'k', bucket: bucket() },
    want: { allowed: true, reason: 'grant' },
  },
  {
    name: 'credential-wide read grant does not write',
    input: { principal: { ...bob, permissions: ['read'] }, action: 's3:PutObject', key: 'k', bucket: bucket() },
    want: { allowed: false, reason: 'implicit-deny' },
  },
  {
    name: 'a policy Deny beats a credential-wide grant',
    input: {
      principal: { ...bob, permissions: ['read', 'write'] },
      action: 's3:GetObject',
      key: 'k',
      bucket: bucket({
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::photos/*' }],
        }),
      }),
    },
    want: { allowed: false, reason: 'explicit-deny' },
  },
  {
    name: 'read grant does not write',
    input: { principal: bob, action: 's3:PutObject', key: 'k', bucket: bucket({ permissions: { 'user:bob': ['read'] } }) },
    want: { allowed: false, reason: 'implicit-deny' },
  },
  {
    name: 'write grant puts and deletes',
    input: { principal: bob, action: 's3:DeleteObject', key: 'k', bucket: bucket({ permissions: { 'user:bob': ['read', 'write'] } }) },
    want: { allowed: true, reason: 'grant' },
  },
  {
    name: 'write grant aborts uploads',
    input: { principal: bob, action: 's3:AbortMultipartUpload', key: 'k', bucket: bucket({ permissions: { 'user:bob': ['write'] } }) },
    want: { allowed: true, reason: 'grant' },
  },
  {
    name: 'read_acp grant reads the bucket ACL',
    input: { principal: bob, action: 's3:GetBucketAcl', bucket: bucket({ permissions: { 'user:bob': ['read_acp'] } }) },
    want: { allowed: true, reason: 'grant' },
  },
  {
    name: 'write_acp grant writes object ACLs',
    input: { principal: bob, action: 's3:PutObjectAcl', key: 'k', bucket: bucket({ permissions: { 'user:bob': ['write_acp'] } }) },
    want: { allowed: true, reason: 'grant' },
  },
  {
    name: 'grants never give DeleteBucket',
    input: {
      principal: bob,
      action: 's3:DeleteBucket',
      bucket: bucket({ permissions: { 'user:bob': ['read', 'write', 'read_acp', 'write_acp'] } }),
    },
    want: { allowed: false, reason: 'implicit-deny' },
  },
  {
    name: 'grant for one user is not for another',
    input: { principal: carol, action: 's3:ListBucket', bucket: bucket({ permissions: { 'user:bob': ['read'] } }) },
    want: { allowed: false, reason: 'implicit-deny' },
  },

  // bucket policy
  {
    name: 'policy Allow lets anonymous read',
    input: { principal: anon, action: 's3:GetObject', key: 'a/b.jpg', bucket: bucket({ policy: publicRead }) },
    want: { allowed: true, reason: 'policy' },
  },
  {
    name: 'policy object Allow does not cover ListBucket',
    input: { principal: anon, action: 's3:ListBucket', bucket: bucket({ policy: publicRead }) },
    want: { allowed: false, reason: 'implicit-deny' },
  },
  {
    name: 'explicit Deny beats ownership',
    input: { principal: alice, action: 's3:GetObject', key: 'k', bucket: bucket({ policy: denyAllOthers }) },
    want: { allowed: false, reason: 'explicit-deny' },
  },
  {
    name: 'explicit Deny beats a grant',
    input: {
      principal: bob,
      action: 's3:GetObject',
      key: 'k',
      bucket: bucket({ policy: denyAllOthers, permissions: { 'user:bob': ['read'] } }),
    },
    want: { allowed: false, reason: 'explicit-deny' },
  },
  {
    name: 'explicit Deny beats a public ACL',
    input: { principal: anon, action: 's3:GetObject', key: 'k', objectAcl: publicObject, bucket: bucket({ policy: denyAllOthers }) },
    want: { allowed: false, reason: 'explicit-deny' },
  },
  {
    name: 'explicit Deny beats admin for data',
    input: { principal: admin, action: 's3:GetObject', key: 'k', bucket: bucket({ policy: denyAllOthers }) },
    want: { allowed: false, reason: 'explicit-deny' },
  },
  {
    name: 'admin can still delete a locking policy',
    input: { principal: admin, action: 's3:DeleteBucketPolicy', bucket: bucket({ policy: denyAllOthers }) },
    want: { allowed: true, reason: 'admin' },
  },
  {
    name: 'admin can still replace a locking policy',
    input: { principal: admin, action: 's3:PutBucketPolicy', bucket: bucket({ policy: denyAllOthers }) },
    want: { allowed: true, reason: 'admin' },
  },
  {
    name: 'owner cannot bypass own Deny on policy actions',
    input: { principal: alice, action: 's3:DeleteBucketPolicy', bucket: bucket({ policy: denyAllOthers }) },
    want: { allowed: false, reason: 'explicit-deny' },
  },
  {
    name: 'deny plain HTTP (SecureTransport false)',
    input: {
      principal: alice,
      action: 's3:GetObject',
      key: 'k',
      context: { 'aws:SecureTransport': 'false' },
      bucket: bucket({
        policy: policy({
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: 'arn:aws:s3:::photos/*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      }),
    },
    want: { allowed: false, reason: 'explicit-deny' },
  },
  {
    name: 'deny plain HTTP lets HTTPS through',
    input: {
      principal: alice,
      action: 's3:GetObject',
      key: 'k',
      context: { 'aws:SecureTransport': 'true' },
      bucket: bucket({
        policy: policy({
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: 'arn:aws:s3:::photos/*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      }),
    },
    want: { allowed: true, reason: 'owner' },
  },
  {
    name: 'policy names a user by ARN',
    input: {
      principal: bob,
      action: 's3:PutObject',
      key: 'up/x',
      bucket: bucket({
        policy: policy({
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::000000000000:user/bob' },
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::photos/up/*',
        }),
      }),
    },
    want: { allowed: true, reason: 'policy' },
  },
  {
    name: 'caller-supplied aws:username cannot impersonate',
    input: {
      principal: bob,
      action: 's3:GetObject',
      key: 'home/alice/x',
      context: { 'aws:username': 'alice' },
      bucket: bucket({
        policy: policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::photos/home/${aws:username}/*' }),
      }),
    },
    want: { allowed: false, reason: 'implicit-deny' },
  },
  {
    name: 'home directories by ${aws:username}',
    input: {
      principal: bob,
      action: 's3:GetObject',
      key: 'home/bob/x',
      bucket: bucket({
        policy: policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::photos/home/${aws:username}/*' }),
      }),
    },
    want: { allowed: true, reason: 'policy' },
  },
  {
    name: 'a Principal * s3:* policy never lets anonymous delete the bucket',
    input: {
      principal: anon,
      action: 's3:DeleteBucket',
      bucket: bucket({
        policy: policy({ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::photos', 'arn:aws:s3:::photos/*'] }),
      }),
    },
    want: { allowed: false, reason: 'implicit-deny' },
  },
  {
    name: 'a Principal * s3:* policy never lets anonymous replace the policy',
    input: {
      principal: anon,
      action: 's3:PutBucketPolicy',
      bucket: bucket({
        policy: policy({ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::photos', 'arn:aws:s3:::photos/*'] }),
      }),
    },
    want: { allowed: false, reason: 'implicit-deny' },
  },
  {
    name: 'a Principal * s3:* policy does let anonymous read and write objects',
    input: {
      principal: anon,
      action: 's3:PutObject',
      key: 'k',
      bucket: bucket({
        policy: policy({ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::photos', 'arn:aws:s3:::photos/*'] }),
      }),
    },
    want: { allowed: true, reason: 'policy' },
  },
  {
    name: 'a policy can let a signed user manage the bucket policy',
    input: {
      principal: bob,
      action: 's3:PutBucketPolicy',
      bucket: bucket({
        policy: policy({ Effect: 'Allow', Principal: { AWS: 'user:bob' }, Action: 's3:*BucketPolicy', Resource: 'arn:aws:s3:::photos' }),
      }),
    },
    want: { allowed: true, reason: 'policy' },
  },
  {
    name: 'condition on the bucket policy: ListBucket limited by s3:prefix',
    input: {
      principal: bob,
      action: 's3:ListBucket',
      context: { 's3:prefix': 'home/bob/' },
      bucket: bucket({
        policy: policy({
          Effect: 'Allow',
          Principal: { AWS: 'user:bob' },
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::photos',
          Condition: { StringLike: { 's3:prefix': 'home/${aws:username}/*' } },
        }),
      }),
    },
    want: { allowed: true, reason: 'policy' },
  },
  {
    name: 'condition on the bucket policy: other prefixes refused',
    input: {
      principal: bob,
      action: 's3:ListBucket',
      context: { 's3:prefix': 'home/alice/' },
      bucket: bucket({
        policy: policy({
          Effect: 'Allow',
          Principal: { AWS: 'user:bob' },
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::photos',
          Condition: { StringLike: { 's3:prefix': 'home/${aws:username}/*' } },
        }),
      }),
    },
    want: { allowed: false, reason: 'implicit-deny' },
  },
  {
    name: 'Deny by source IP stops a grant holder',
    input: {
      principal: bob,
      action: 's3:GetObject',
      key: 'k',
      context: { 'aws:SourceIp': '198.51.100.7' },
      bucket: bucket({
        permissions: { 'user:bob': ['read'] },
        policy: policy({
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: 'arn:aws:s3:::photos/*',
          Condition: { NotIpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '::1'] } },
        }),
      }),
    },
    want: { allowed: false, reason: 'explicit-deny' },
  },
  {
    name: 'Deny by source IP lets loopback through',
    input: {
      principal: bob,
      action: 's3:GetObject',
      key: 'k',
      context: { 'aws:SourceIp': '127.0.0.1' },
      bucket: bucket({
        permissions: { 'user:bob': ['read'] },
        policy: policy({
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: 'arn:aws:s3:::photos/*',
          Condition: { NotIpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '::1'] } },
        }),
      }),
    },
    want: { allowed: true, reason: 'grant' },
  },
  {
    name: 'an unparseable stored policy fails closed',
    input: {
      principal: bob,
      action: 's3:GetObject',
      key: 'k',
      bucket: bucket({ policy: '{not json', permissions: { 'user:bob': ['read'] } }),
    },
    want: { allowed: false, reason: 'explicit-deny' },
  },
];

for (const c of cases) {
  test(`authorize: ${c.name}`, () => {
    const input: AuthorizeInput = { bucket: bucket(), context: {}, ...c.input };
    assert.deepEqual(authorize(input), c.want);
  });
}

test('PublicAccessBlock: IgnorePublicAcls drops public grants, RestrictPublicBuckets keeps public policies from anonymous callers', async () => {
  const { publicAclBlocked, publicPolicyBlocked } = await import('./authorize.js');
  const { parseBucketPolicy } = await import('./policy-parse.js');
  const pab = (over: object) => ({
    blockPublicAcls: false,
    ignorePublicAcls: false,
    blockPublicPolicy: false,
    restrictPublicBuckets: false,
    ...over,
  });
  const read = (b: BucketRecord, principal: Principal) =>
    authorize({ principal, action: 's3:GetObject', bucket: b, key: 'k', objectAcl: publicObject, context: {} });
  assert.equal(read(bucket(), anon).allowed, true, 'a public-read object ACL allows');
  assert.equal(read(bucket({ settings: { publicAccessBlock: pab({ ignorePublicAcls: true }) } }), anon).allowed, false);
  const withGrant = {
    owner: 'alice',
    grants: [...publicObject.grants, { grantee: { type: 'CanonicalUser' as const, id: 'x' }, permission: 'READ' as const }],
  };
  const kept = authorize({
    principal: bob,
    action: 's3:GetObject',
    bucket: bucket({ settings: { publicAccessBlock: pab({ ignorePublicAcls: true }) } }),
    key: 'k',
    objectAcl: withGrant,
    context: {},
  });
  assert.equal(kept.allowed, false, 'bob has no grant of his own');
  const open = bucket({ policy: publicRead });
  assert.equal(
    read({ ...open, settings: { publicAccessBlock: pab({ ignorePublicAcls: true }) } }, anon).allowed,
    true,
    'the policy allows',
  );
  const restricted = { ...open, settings: { publicAccessBlock: pab({ ignorePublicAcls: true, restrictPublicBuckets: true }) } };
  assert.equal(read(restricted, anon).allowed, false);
  assert.deepEqual(read(restricted, bob), { allowed: true, reason: 'policy' });
  const blocking = bucket({ settings: { publicAccessBlock: pab({ blockPublicAcls: true, blockPublicPolicy: true }) } });
  assert.equal(publicAclBlocked(blocking, publicObject), true);
  assert.equal(publicAclBlocked(blocking, privateAcl('alice')), false);
  assert.equal(publicAclBlocked(bucket(), publicObject), false);
  assert.equal(publicPolicyBlocked(blocking, parseBucketPolicy(publicRead, 'photos')), true);
  assert.equal(publicPolicyBlocked(bucket(), parseBucketPolicy(publicRead, 'photos')), false);
});

test('Object Ownership BucketOwnerEnforced: ACLs grant nothing; policies and the owner still decide', () => {
  const enforced = bucket({
    acl: cannedAcl('public-read', { owner: 'alice', bucketOwner: 'alice', resource: 'bucket' }),
    settings: { ownership: 'BucketOwnerEnforced' },
  });
  assert.equal(authorize({ principal: anon, action: 's3:ListBucket', bucket: enforced, context: {} }).allowed, false);
  assert.equal(
    authorize({ principal: anon, action: 's3:GetObject', bucket: enforced, key: 'k', objectAcl: publicObject, context: {} }).allowed,
    false,
  );
  assert.equal(authorize({ principal: alice, action: 's3:GetObject', bucket: enforced, key: 'k', context: {} }).allowed, true);
  assert.equal(
    authorize({ principal: anon, action: 's3:GetObject', bucket: { ...enforced, policy: publicRead }, key: 'k', context: {} }).allowed,
    true,
  );
});

test('needsExistingObjectTags: only a statement for this principal and action testing the key', async () => {
  const { needsExistingObjectTags } = await import('./authorize.js');
  const tagged = bucket({
    policy: policy({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::000000000000:user/bob' },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::photos/*',
      Condition: { StringEquals: { 's3:ExistingObjectTag/public': 'yes' } },
    }),
  });
  assert.equal(needsExistingObjectTags(tagged, bob, 's3:GetObject'), true);
  assert.equal(needsExistingObjectTags(tagged, carol, 's3:GetObject'), false);
  assert.equal(needsExistingObjectTags(tagged, bob, 's3:PutObjectAcl'), false);
  assert.equal(needsExistingObjectTags(bucket({ policy: publicRead }), bob, 's3:GetObject'), false);
  assert.equal(needsExistingObjectTags(bucket(), bob, 's3:GetObject'), false);
  const context = { 's3:ExistingObjectTag/public': 'yes' };
  assert.equal(authorize({ principal: bob, action: 's3:GetObject', bucket: tagged, key: 'k', context }).allowed, true);
  assert.equal(authorize({ principal: bob, action: 's3:GetObject', bucket: tagged, key: 'k', context: {} }).allowed, false);
});
