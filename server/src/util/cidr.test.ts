import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, parseCidr, parseIp } from './cidr.js';

const cases: [string, string, boolean][] = [
  ['192.168.1.0/24', '192.168.1.77', true],
  ['192.168.1.0/24', '192.168.2.1', false],
  ['192.168.1.5', '192.168.1.5', true],
  ['192.168.1.5', '192.168.1.6', false],
  ['10.0.0.0/8', '10.255.255.255', true],
  ['0.0.0.0/0', '8.8.8.8', true],
  ['192.168.1.0/24', '::ffff:192.168.1.9', true],
  ['::ffff:192.168.1.0/120', '192.168.1.9', true],
  ['2001:db8::/32', '2001:db8:1::1', true],
  ['2001:db8::/32', '2001:db9::1', false],
  ['2001:db8::1', '2001:0db8:0000:0000:0000:0000:0000:0001', true],
  ['::1/128', '::1', true],
  ['::/0', '2001:db8::1', true],
  ['::/0', '1.2.3.4', false],
  ['1.2.3.4/32', '::1', false],
  ['2001:db8::/64', '2001:db8::1.2.3.4', true],
];
for (const [block, ip, want] of cases) {
  test(`${block} ${want ? 'contains' : 'does not contain'} ${ip}`, () => {
    const b = parseCidr(block);
    const a = parseIp(ip);
    assert.ok(b && a);
    assert.equal(cidrContains(b, a), want);
  });
}

test('invalid CIDRs and addresses', () => {
  for (const bad of ['1.2.3.4/33', '1.2.3/24', '::1/129', '1.2.3.4/', '1.2.3.4/x', 'fe80::1%eth0', 'host', '', '1.2.3.4/-1']) {
    assert.equal(parseCidr(bad), null, bad);
  }
  for (const bad of ['1.2.3.256', 'fe80::1%eth0', 'x', '']) assert.equal(parseIp(bad), null, bad);
});

test('anyContains takes addresses as node reports them', async () => {
  const { anyContains } = await import('./cidr.js');
  const blocks = [parseCidr('10.1.0.0/16')!, parseCidr('2001:db8::/32')!];
  assert.ok(anyContains(blocks, '10.1.200.3'));
  assert.ok(anyContains(blocks, '::ffff:10.1.0.9'));
  assert.ok(anyContains(blocks, '2001:db8:1::5'));
  assert.ok(!anyContains(blocks, '10.2.0.1'));
  assert.ok(!anyContains(blocks, 'not-an-ip'));
});
