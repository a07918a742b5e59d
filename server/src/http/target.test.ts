import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTarget } from './target.js';
import { TargetError } from './target-errors.js';

const code = (c: string) => (e: unknown) => e instanceof TargetError && e.code === c;

test('path style: bucket and key from the raw path, never normalised', () => {
  const t = parseTarget('/bkt/a/../../etc/passwd?x-id=GetObject', 'localhost:8080', '');
  assert.equal(t.bucket, 'bkt');
  assert.equal(t.key, 'a/../../etc/passwd');
  assert.equal(t.rawPath, '/bkt/a/../../etc/passwd');
  assert.deepEqual(t.query.get('x-id'), ['GetObject']);
  assert.equal(parseTarget('/bkt/%2e%2e/x', undefined, '').key, '../x');
  assert.equal(parseTarget('/bkt/a%2Fb%20c+d', undefined, '').key, 'a/b c+d');
  assert.equal(parseTarget('/bkt/a\\..\\b', undefined, '').key, 'a\\..\\b');
  assert.equal(parseTarget('/', undefined, '').bucket, null);
  assert.equal(parseTarget('/bkt/', undefined, '').key, null);
});

test('virtual-hosted style with a configured domain', () => {
  const t = parseTarget('/photos/2024/a.jpg', 'my-bucket.s3.example.com:8080', 's3.example.com');
  assert.equal(t.bucket, 'my-bucket');
  assert.equal(t.key, 'photos/2024/a.jpg');
  // The bare domain is path style.
  assert.equal(parseTarget('/bk1/k', 's3.example.com', 's3.example.com').bucket, 'bk1');
});

test('query values: repeats kept, + is a space, empty values', () => {
  const t = parseTarget('/bk1?prefix=a+b&delete&k=1&k=2', undefined, '');
  assert.deepEqual(t.query.get('prefix'), ['a b']);
  assert.deepEqual(t.query.get('delete'), ['']);
  assert.deepEqual(t.query.get('k'), ['1', '2']);
});

test('bad inputs get their S3 errors', () => {
  assert.throws(() => parseTarget('http://evil/x', undefined, ''), code('InvalidURI'));
  assert.throws(() => parseTarget('/bkt/%C3%28', undefined, ''), code('InvalidURI'));
  assert.throws(() => parseTarget('/bkt/%FF', undefined, ''), code('InvalidURI'));
  assert.throws(() => parseTarget('/bkt/%C0%AF', undefined, ''), code('InvalidURI'));
  assert.throws(() => parseTarget('/bkt/%zz', undefined, ''), code('InvalidURI'));
  assert.throws(() => parseTarget('/UPPER/k', undefined, ''), code('InvalidBucketName'));
  assert.throws(() => parseTarget(`/bkt/${'a'.repeat(1025)}`, undefined, ''), code('KeyTooLongError'));
  assert.equal(parseTarget(`/bkt/${'a'.repeat(1024)}`, undefined, '').key?.length, 1024);
  assert.throws(() => parseTarget(`/bkt/${'%E2%82%AC'.repeat(342)}`, undefined, ''), code('KeyTooLongError'));
});
