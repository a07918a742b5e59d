import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRange } from './range.js';

test('ranges on an 11-byte object (ceph s3-tests cases)', () => {
  assert.deepEqual(parseRange('bytes=4-7', 11), { start: 4, end: 7 });
  assert.deepEqual(parseRange('bytes=4-', 11), { start: 4, end: 10 });
  assert.deepEqual(parseRange('bytes=-7', 11), { start: 4, end: 10 });
  assert.deepEqual(parseRange('bytes=0-100', 11), { start: 0, end: 10 });
  assert.deepEqual(parseRange('bytes=-100', 11), { start: 0, end: 10 });
});

test('unsatisfiable ranges give 416', () => {
  assert.equal(parseRange('bytes=40-50', 11), 'unsatisfiable');
  assert.equal(parseRange('bytes=0-0', 0), 'unsatisfiable');
  assert.equal(parseRange('bytes=-0', 11), 'unsatisfiable');
  assert.equal(parseRange('bytes=99999999999999999999-', 11), 'unsatisfiable');
});

test('malformed or multi ranges are ignored', () => {
  for (const h of ['bytes=5-2', 'bytes=abc', 'bytes=-', 'bytes=0-1,3-4', 'items=0-1', '', 'bytes= 1-2x']) {
    assert.equal(parseRange(h, 11), null, h);
  }
  assert.equal(parseRange(undefined, 11), null);
});

test('a huge end means to the end', () => {
  assert.deepEqual(parseRange('bytes=0-99999999999999999999', 11), { start: 0, end: 10 });
});
