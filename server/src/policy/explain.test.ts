// explainAuthorization is authorize with a trace: over a cross product of principals,
// actions, ACLs, grants and policies both give the same verdict and reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BucketRecord } from '../metadata/types.js';
import { cannedAcl, privateAcl } from './acl.js';
import { authorize, explainAuthorization, type AuthorizeInput } from './authorize.js';
import type { Principal } from './principal.js';

const principals: Principal[] = [
  { kind: 'anonymous' },
  { kind: 'user', user: 'root', accessKey: 'AKIAROOT', role: 'admin' },
  { kind: 'user', user: 'alice', accessKey: 'AKIAALICE', role: 'user' },
  { kind: 'user', user: 'bob', accessKey: 'AKIABOB', role: 'user' },
  { kind: 'user', user: 'carol', accessKey: 'AKIACAROL', role: 'user', permissions: ['read'] },
];
const actions = ['s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:DeleteBucket', 's3:PutBucketPolicy', 's3:GetObjectAcl', 's3:Nope'];
const arn = ['arn:aws:s3:::photos', 'arn:aws:s3:::photos/*'];
const policies: (string | null)[] = [
  null,
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'Pub', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: arn[1] }],
  }),
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: arn, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:user/bob' }, Action: 's3:*', Resource: arn },
    ],
  }),
  '{"not": "a policy"',
];

const OBJECT_PUBLIC = cannedAcl('public-read', { owner: 'alice', bucketOwner: 'alice', resource: 'object' });

function bucket(policy: string | null, publicAcl: boolean, grants: boolean): BucketRecord {
  return {
    id: 'b',
    name: 'photos',
    owner: 'alice',
    region: 'us-east-1',
    createdAt: new Date(0),
    acl: publicAcl ? cannedAcl('public-read', { owner: 'alice', bucketOwner: 'alice', resource: 'bucket' }) : privateAcl('alice'),
    policy,
    permissions: grants ? { 'user:bob': ['write'] } : {},
  };
}

test('explainAuthorization gives the verdict and reason authorize gives, for every combination', () => {
  let n = 0;
  for (const principal of principals)
    for (const action of actions)
      for (const policy of policies)
        for (const publicAcl of [false, true])
          for (const grants of [false, true])
            for (const secure of ['true', 'false'])
              for (const anonymousDisabled of [null, 'incident lockdown']) {
                const input: AuthorizeInput = {
                  principal,
                  action,
                  bucket: bucket(policy, publicAcl, grants),
                  key: 'k',
                  objectAcl: publicAcl ? OBJECT_PUBLIC : null,
                  context: { 'aws:SecureTransport': secure },
                  anonymousDisabled,
                };
                const plain = authorize(input);
                const traced = explainAuthorization(input);
                assert.deepEqual(
                  [traced.allowed, traced.reason],
                  [plain.allowed, plain.reason],
                  JSON.stringify({ principal, action, policy, publicAcl, grants, secure }),
                );
                assert.ok(traced.decided_by.length > 0);
                n++;
              }
  assert.ok(n > 1000);
});

test('anonymous access off denies unsigned callers whatever ACLs and policies say, and no one else', () => {
  const b = bucket(policies[1]!, true, false);
  const base = { action: 's3:GetObject', bucket: b, key: 'k', objectAcl: OBJECT_PUBLIC, context: {} };
  assert.equal(authorize({ ...base, principal: { kind: 'anonymous' } }).allowed, true);
  const off = explainAuthorization({ ...base, principal: { kind: 'anonymous' }, anonymousDisabled: '[auth] anonymous = false' });
  assert.deepEqual(
    [off.allowed, off.reason, off.decided_by],
    [false, 'anonymous-disabled', 'anonymous access disabled: [auth] anonymous = false'],
  );
  const alice: Principal = { kind: 'user', user: 'alice', accessKey: 'AKIAALICE', role: 'user' };
  assert.equal(authorize({ ...base, principal: alice, anonymousDisabled: 'x' }).allowed, true);
});
