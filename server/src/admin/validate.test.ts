import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdminError } from './errors.js';
import { parsePermissions } from './handlers/buckets.js';
import { objectBody, onlyFields, permissionNames, role, userName } from './validate.js';

const invalid = (fn: () => unknown, re: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof AdminError && e.code === 'InvalidRequest' && e.status === 400 && re.test(e.message));

test('bodies must be JSON objects; a missing body is {}; unknown fields are named', () => {
  assert.deepEqual(objectBody(undefined), {});
  invalid(() => objectBody([]), /JSON object/);
  invalid(() => objectBody('x'), /JSON object/);
  invalid(() => onlyFields({ user: 'a', rol: 'admin' }, ['user', 'role']), /unknown field "rol"/);
});

test('user names follow IAM; roles and permissions are closed sets', () => {
  assert.equal(userName('alice.smith+ops@example.com'), 'alice.smith+ops@example.com');
  for (const bad of ['', 'a b', 'a/b', 'x'.repeat(65), 'ünï']) invalid(() => userName(bad), /"user"/);
  assert.equal(role('admin'), 'admin');
  invalid(() => role('root'), /role/);
  invalid(() => role(1), /role/);
  assert.deepEqual(permissionNames(['read', 'read', 'write'], 'p'), ['read', 'write']);
  invalid(() => permissionNames(['READ'], 'p'), /unknown permission "READ"/);
});

test('bucket permission maps: user:NAME keys, known permissions, [] drops the user', () => {
  assert.deepEqual(parsePermissions({ 'user:alice': ['read'], 'user:bob': ['read', 'write', 'read'], 'user:gone': [] }), {
    'user:alice': ['read'],
    'user:bob': ['read', 'write'],
  });
  invalid(() => parsePermissions({ alice: ['read'] }), /user:<name>/);
  invalid(() => parsePermissions({ 'user:': ['read'] }), /user:<name>/);
  invalid(() => parsePermissions({ 'user:a b': ['read'] }), /user:<name>/);
  invalid(() => parsePermissions({ 'user:alice': 'read' }), /array/);
  invalid(() => parsePermissions({ 'user:alice': ['fly'] }), /fly/);
  invalid(() => parsePermissions(['user:alice']), /JSON object/);
});
