import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ANODE_ACCOUNT_ID, accountRootArn, canonicalUserId, principalArn, principalContext } from './principal.js';

test('canonicalUserId = sha256hex("anode-user:" + user)', () => {
  assert.equal(canonicalUserId('alice'), createHash('sha256').update('anode-user:alice').digest('hex'));
  assert.match(canonicalUserId('ünïcode'), /^[0-9a-f]{64}$/);
});

test('ARNs use the fixed 12-digit account', () => {
  assert.match(ANODE_ACCOUNT_ID, /^\d{12}$/);
  assert.equal(principalArn('bob'), `arn:aws:iam::${ANODE_ACCOUNT_ID}:user/bob`);
  assert.equal(accountRootArn(), `arn:aws:iam::${ANODE_ACCOUNT_ID}:root`);
});

test('principalContext for users and anonymous', () => {
  assert.deepEqual(principalContext({ kind: 'user', user: 'bob', accessKey: 'AKIA', role: 'user' }), {
    'aws:username': 'bob',
    'aws:userid': 'bob',
    'aws:PrincipalArn': principalArn('bob'),
    'aws:PrincipalAccount': ANODE_ACCOUNT_ID,
    'aws:PrincipalType': 'User',
  });
  assert.deepEqual(principalContext({ kind: 'anonymous' }), { 'aws:PrincipalType': 'Anonymous', 'aws:userid': 'anonymous' });
});

test('no secret or access key leaks into the context', () => {
  const ctx = principalContext({ kind: 'user', user: 'bob', accessKey: 'AKIASECRETISH', role: 'admin' });
  assert.ok(!JSON.stringify(ctx).includes('AKIASECRETISH'));
});
