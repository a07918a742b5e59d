import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAmzDate, parseAmzDate } from './amz-date.js';
import { canonicalHeaderValue, canonicalHeaders, collectHeaders } from './canonical-headers.js';
import { canonicalQuery, parseQuery } from './canonical-query.js';
import { canonicalUri, normalizePath } from './canonical-uri.js';
import { constantTimeEqual } from './constant-time.js';
import { percentDecode, uriEncode } from './uri-encode.js';
import { splitUrl } from './signer.js';
import { canonicalTrailers } from './string-to-sign.js';

test('uriEncode keeps only unreserved bytes, uppercase hex, slash by flag', () => {
  assert.equal(uriEncode('AZaz09-_.~', true), 'AZaz09-_.~');
  assert.equal(uriEncode('a b+c*d/e=f%', true), 'a%20b%2Bc%2Ad%2Fe%3Df%25');
  assert.equal(uriEncode('a/b', false), 'a/b');
  assert.equal(uriEncode('ሴ', true), '%E1%88%B4');
  assert.equal(uriEncode(Buffer.from([0, 0xff]), true), '%00%FF');
});

test('percentDecode decodes escapes to bytes and keeps broken escapes literal', () => {
  assert.deepEqual(percentDecode('%E1%88%B4x%2f'), Buffer.from('ሴx/'));
  assert.deepEqual(percentDecode('a%zz%4'), Buffer.from('a%zz%4'));
  assert.deepEqual(percentDecode('%C3%28'), Buffer.from([0xc3, 0x28]));
  assert.deepEqual(percentDecode('a+b'), Buffer.from('a+b'));
  assert.deepEqual(percentDecode('%'), Buffer.from('%'));
});

test('canonicalUri encodes once and never normalizes by default', () => {
  assert.equal(canonicalUri('/bucket/a%2Fb'), '/bucket/a/b');
  assert.equal(canonicalUri('/bucket/test$file.text'), '/bucket/test%24file.text');
  assert.equal(canonicalUri('/b/%2e%2e/%2E%2E/etc/passwd'), '/b/../../etc/passwd');
  assert.equal(canonicalUri('/b//x/./y'), '/b//x/./y');
  assert.equal(canonicalUri('/b/a%20b%25c'), '/b/a%20b%25c');
  assert.equal(canonicalUri(''), '/');
});

test('normalizePath removes dot segments and duplicate slashes', () => {
  assert.equal(normalizePath('//'), '/');
  assert.equal(normalizePath('//example//'), '/example/');
  assert.equal(normalizePath('/./example'), '/example');
  assert.equal(normalizePath('/example1/example2/../..'), '/');
  assert.equal(normalizePath('/a/b/../c'), '/a/c');
});

test('canonicalQuery sorts by encoded name then value, empty values as name=', () => {
  assert.equal(canonicalQuery('lifecycle'), 'lifecycle=');
  assert.equal(canonicalQuery('b=2&a=1&a=0'), 'a=0&a=1&b=2');
  assert.equal(canonicalQuery('prefix=a%20b&x=a+b'), 'prefix=a%20b&x=a%2Bb');
  assert.equal(canonicalQuery('Z=1&a=1'), 'Z=1&a=1');
  assert.equal(canonicalQuery('k=%7e&&'), 'k=~');
  assert.equal(canonicalQuery('X-Amz-Signature=abc&q=1', { omit: ['X-Amz-Signature'] }), 'q=1');
  assert.deepEqual(
    parseQuery('a=b=c').map((p) => [p.name, p.value]),
    [['a', 'b=c']],
  );
});

test('canonical headers: lowercase, trim, collapse, repeats joined by bare comma', () => {
  const h = collectHeaders(['Host', 'x', 'My-H', ' a   b ', 'my-h', 'c', 'X-Amz-Date', 'd']);
  assert.deepEqual(h.get('my-h'), [' a   b ', 'c']);
  assert.equal(canonicalHeaderValue(['\ta \t b ', 'c']), 'a b,c');
  assert.equal(canonicalHeaders(h, ['host', 'my-h', 'x-amz-date']), 'host:x\nmy-h:a b,c\nx-amz-date:d\n');
  assert.equal(canonicalHeaders(h, ['absent']), 'absent:\n');
});

test('amz dates round-trip and bad ones are refused', () => {
  assert.equal(formatAmzDate(new Date('2013-05-24T00:00:00.123Z')), '20130524T000000Z');
  assert.equal(parseAmzDate('20130524T000000Z')?.toISOString(), '2013-05-24T00:00:00.000Z');
  assert.equal(parseAmzDate('20240229T235959Z')?.toISOString(), '2024-02-29T23:59:59.000Z');
  const bads = ['20130231T000000Z', '20130524T250000Z', '20130524T006000Z', '20130524T000060Z', '20231301T000000Z', '20230229T000000Z'];
  for (const bad of [...bads, '00500101T000000Z', '2013-05-24T00:00:00Z', '20130524T000000', '', 'x']) {
    assert.equal(parseAmzDate(bad), undefined, bad);
  }
});

test('constantTimeEqual', () => {
  assert.equal(constantTimeEqual('abc', 'abc'), true);
  assert.equal(constantTimeEqual('abc', 'abd'), false);
  assert.equal(constantTimeEqual('abc', 'abcd'), false);
  assert.equal(constantTimeEqual('', ''), true);
});

test('splitUrl keeps the raw path (no dot resolution) and drops the fragment', () => {
  assert.deepEqual(splitUrl('http://127.0.0.1:8080/b/../k?x=1#f'), { host: '127.0.0.1:8080', rawPath: '/b/../k', rawQuery: 'x=1' });
  assert.deepEqual(splitUrl('https://h.example:443?list'), { host: 'h.example', rawPath: '/', rawQuery: 'list' });
});

test('canonicalTrailers removes CR and spaces and lowercases names', () => {
  assert.equal(canonicalTrailers([['X-Amz-Checksum-CRC32', ' sK4Y7A==\r']]), 'x-amz-checksum-crc32:sK4Y7A==\n');
});
