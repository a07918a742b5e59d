import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findStrictJsonProblem } from './strict-json.js';

test('clean documents pass', () => {
  assert.equal(findStrictJsonProblem('{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}', 10), null);
  assert.equal(findStrictJsonProblem('{"a":"x\\"y","b":"}{"}', 10), null);
});

test('duplicate keys are found, also after escapes', () => {
  assert.deepEqual(findStrictJsonProblem('{"Effect":"Allow","Effect":"Deny"}', 10), { kind: 'duplicate-key', key: 'Effect' });
  assert.deepEqual(findStrictJsonProblem('{"a":{"k":1,"\\u006b":2}}', 10), { kind: 'duplicate-key', key: 'k' });
});

test('values equal to keys are not keys', () => {
  assert.equal(findStrictJsonProblem('{"a":"a","b":["a","a"]}', 10), null);
});

test('nesting is limited', () => {
  assert.deepEqual(findStrictJsonProblem('['.repeat(11) + ']'.repeat(11), 10), { kind: 'too-deep', maxDepth: 10 });
  assert.equal(findStrictJsonProblem('['.repeat(10) + ']'.repeat(10), 10), null);
});
