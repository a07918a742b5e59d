import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCidr, parseIp } from './ip.js';

test('parseIp canonicalises IPv4 and IPv6 and yields network-order bytes', () => {
  assert.deepEqual(parseIp('192.168.1.20'), { family: 4, bytes: Uint8Array.from([192, 168, 1, 20]), text: '192.168.1.20' });
  const v6 = parseIp('2001:DB8:0:0:0:0:0:1');
  assert.equal(v6.text, '2001:db8::1');
  assert.equal(v6.bytes.length, 16);
  assert.equal(v6.bytes[0], 0x20);
  assert.equal(v6.bytes[15], 1);
  assert.equal(parseIp('::1').text, '::1');
  assert.equal(parseIp('::').text, '::');
  assert.equal(parseIp('fe80:0:0:1:0:0:0:1').text, 'fe80:0:0:1::1');
  assert.equal(parseIp('::ffff:10.1.2.3').text, '::ffff:a01:203');
  assert.deepEqual([...parseIp('::ffff:10.1.2.3').bytes.slice(10)], [0xff, 0xff, 10, 1, 2, 3]);
  assert.equal(parseIp('1:0:0:2:0:0:0:3').text, '1:0:0:2::3');
});

test('parseIp rejects names, zone ids, short and padded forms', () => {
  for (const bad of ['example.com', '', '1.2.3', '01.2.3.4', '256.1.1.1', 'fe80::1%eth0', '1:2:3:4:5:6:7:8:9', ' 1.2.3.4']) {
    assert.throws(() => parseIp(bad), /not an IP address/, bad);
  }
});

test('parseCidr accepts networks of both families and bare hosts', () => {
  assert.equal(parseCidr('10.0.0.0/8').text, '10.0.0.0/8');
  assert.equal(parseCidr('0.0.0.0/0').text, '0.0.0.0/0');
  assert.equal(parseCidr('192.0.2.7').text, '192.0.2.7/32');
  assert.equal(parseCidr('FD00::/8').text, 'fd00::/8');
  assert.equal(parseCidr('2001:db8:1::/48').prefix, 48);
  assert.equal(parseCidr('::/0').text, '::/0');
  assert.equal(parseCidr('2001:db8::5').text, '2001:db8::5/128');
});

test('parseCidr refuses host bits, bad prefixes and garbage', () => {
  assert.throws(() => parseCidr('10.0.0.1/8'), /host bits set; did you mean 10\.0\.0\.0\/8/);
  assert.throws(() => parseCidr('fd00::1/8'), /did you mean fd00::\/8/);
  assert.throws(() => parseCidr('10.0.0.0/33'), /prefix length/);
  assert.throws(() => parseCidr('10.0.0.0/'), /prefix length/);
  assert.throws(() => parseCidr('10.0.0.0/-1'), /prefix length/);
  assert.throws(() => parseCidr('::/129'), /prefix length/);
  assert.throws(() => parseCidr('10.0.0.0/8 -j ACCEPT'), /prefix length/);
  assert.throws(() => parseCidr('lan/8'), /not a CIDR block/);
});
