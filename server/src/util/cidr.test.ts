import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, parseCidr } from './cidr.js';

test('IPv4 and IPv6 ranges', () => {
  const v4 = parseCidr('10.1.0.0/16')!;
  assert.ok(cidrContains(v4, '10.1.200.3'));
  assert.ok(!cidrContains(v4, '10.2.0.1'));
  assert.ok(cidrContains(v4, '::ffff:10.1.0.9'));
  const v6 = parseCidr('2001:db8::/32')!;
  assert.ok(cidrContains(v6, '2001:db8:1::5'));
  assert.ok(!cidrContains(v6, '2001:db9::1'));
  assert.ok(cidrContains(parseCidr('127.0.0.1')!, '127.0.0.1'));
  assert.ok(cidrContains(parseCidr('0.0.0.0/0')!, '8.8.8.8'));
  assert.ok(cidrContains(parseCidr('::1')!, '::1'));
});

test('invalid ranges are refused', () => {
  for (const t of ['10.0.0.0/33', 'abc', '10.0.0/8', '::/129', '1.2.3.4/x']) assert.equal(parseCidr(t), null, t);
});
