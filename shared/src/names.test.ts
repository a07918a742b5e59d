import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketNameProblem, keyByteLength } from './names.js';

test('valid bucket names pass', () => {
  for (const name of ['abc', 'my-bucket', 'my.bucket.1', 'a'.repeat(63), '1bucket', 'docexamplebucket1']) {
    assert.equal(bucketNameProblem(name), null, name);
  }
});

test('each naming rule is enforced', () => {
  const bad = [
    'a',
    'ab',
    'a'.repeat(64),
    'UPPER',
    'doc_example',
    'foo..bar',
    '-start',
    'end-',
    '.dot',
    'dot.',
    '192.168.5.123',
    'xn--abc',
    'sthree-x',
    'name-s3alias',
    'name--ol-s3',
    'a.-b',
    'a-.b',
    'with space',
    'bucket/',
  ];
  for (const name of bad) assert.notEqual(bucketNameProblem(name), null, name);
});

test('key length counts UTF-8 bytes', () => {
  assert.equal(keyByteLength('a'.repeat(1024)), 1024);
  assert.equal(keyByteLength('€'.repeat(342)), 1026);
});
