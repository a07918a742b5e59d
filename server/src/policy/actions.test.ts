import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionInfo, aclPermissionCovers, grantAllows, KNOWN_ACTIONS_LOWER, S3_ACTIONS, type ActionInfo } from './actions.js';

// The S3 ACL overview's table, row by row.
const table: [string, Partial<ActionInfo>][] = [
  ['s3:ListBucket', { target: 'bucket', aclPermission: 'READ', aclOn: 'bucket', grant: 'read' }],
  ['s3:ListBucketMultipartUploads', { target: 'bucket', aclPermission: 'READ', aclOn: 'bucket', grant: 'read' }],
  ['s3:PutObject', { target: 'object', aclPermission: 'WRITE', aclOn: 'bucket', grant: 'write' }],
  ['s3:DeleteObject', { target: 'object', aclPermission: 'WRITE', aclOn: 'bucket', grant: 'write' }],
  ['s3:AbortMultipartUpload', { target: 'object', aclPermission: 'WRITE', aclOn: 'bucket', grant: 'write' }],
  ['s3:ListMultipartUploadParts', { target: 'object', aclPermission: 'WRITE', aclOn: 'bucket', grant: 'write' }],
  ['s3:GetObject', { target: 'object', aclPermission: 'READ', aclOn: 'object', grant: 'read' }],
  ['s3:GetBucketAcl', { target: 'bucket', aclPermission: 'READ_ACP', aclOn: 'bucket', grant: 'read_acp' }],
  ['s3:PutBucketAcl', { target: 'bucket', aclPermission: 'WRITE_ACP', aclOn: 'bucket', grant: 'write_acp' }],
  ['s3:GetObjectAcl', { target: 'object', aclPermission: 'READ_ACP', aclOn: 'object', grant: 'read_acp' }],
  ['s3:PutObjectAcl', { target: 'object', aclPermission: 'WRITE_ACP', aclOn: 'object', grant: 'write_acp' }],
  ['s3:GetBucketLocation', { target: 'bucket', aclPermission: null, grant: 'read' }],
  ['s3:DeleteBucket', { target: 'bucket', aclPermission: null, grant: null }],
  ['s3:GetBucketPolicy', { target: 'bucket', aclPermission: null, grant: null }],
  ['s3:PutBucketPolicy', { target: 'bucket', aclPermission: null, grant: null }],
  ['s3:DeleteBucketPolicy', { target: 'bucket', aclPermission: null, grant: null }],
  ['s3:GetBucketPolicyStatus', { target: 'bucket', aclPermission: null, grant: null }],
  ['s3:ListAllMyBuckets', { target: 'service' }],
  ['s3:CreateBucket', { target: 'service' }],
];
for (const [action, want] of table) {
  test(`action ${action}`, () => {
    const info = actionInfo(action);
    assert.ok(info);
    for (const [k, v] of Object.entries(want)) assert.equal(info[k as keyof ActionInfo], v, `${action}.${k}`);
  });
}

test('unknown and miscased actions have no info (callers pass AWS spelling)', () => {
  assert.equal(actionInfo('s3:Nope'), null);
  assert.equal(actionInfo('s3:getobject'), null);
  assert.equal(actionInfo('toString'), null);
});

test('every served action is a known policy action', () => {
  for (const a of Object.keys(S3_ACTIONS)) assert.ok(KNOWN_ACTIONS_LOWER.has(a.toLowerCase()), a);
});

test('FULL_CONTROL covers every permission; others only themselves', () => {
  for (const p of ['READ', 'WRITE', 'READ_ACP', 'WRITE_ACP', 'FULL_CONTROL'] as const) {
    assert.equal(aclPermissionCovers('FULL_CONTROL', p), true);
    assert.equal(aclPermissionCovers(p, p), true);
  }
  assert.equal(aclPermissionCovers('READ', 'READ_ACP'), false);
  assert.equal(aclPermissionCovers('WRITE', 'READ'), false);
});

test('grantAllows maps admin-API permissions', () => {
  assert.equal(grantAllows(['read'], 's3:GetObject'), true);
  assert.equal(grantAllows(['read'], 's3:PutObject'), false);
  assert.equal(grantAllows(['write'], 's3:PutObject'), true);
  assert.equal(grantAllows(['read', 'write', 'read_acp', 'write_acp'], 's3:PutBucketPolicy'), false);
  assert.equal(grantAllows(['admin'], 's3:GetObject'), false);
  assert.equal(grantAllows([], 's3:ListBucket'), false);
});
