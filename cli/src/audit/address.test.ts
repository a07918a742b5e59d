import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressScope, splitListen } from './address.js';

test('addressScope classifies loopback, private, wildcard, public and names', () => {
  const cases: [string, string][] = [
    ['127.0.0.1', 'loopback'],
    ['127.9.9.9', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['localhost', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd00::1', 'private'],
    ['fc12::1', 'private'],
    ['fe80::1', 'private'],
    ['0.0.0.0', 'wildcard'],
    ['::', 'wildcard'],
    ['', 'wildcard'],
    ['172.32.0.1', 'public'],
    ['8.8.8.8', 'public'],
    ['192.169.0.1', 'public'],
    ['2001:db8::1', 'public'],
    ['::ffff:8.8.8.8', 'public'],
    ['s3.example.org', 'hostname'],
  ];
  for (const [host, scope] of cases) assert.equal(addressScope(host), scope, host);
});

test('splitListen reads host:port, [v6]:port and :port', () => {
  assert.deepEqual(splitListen('0.0.0.0:8080'), { host: '0.0.0.0', port: 8080 });
  assert.deepEqual(splitListen('[::1]:8081'), { host: '::1', port: 8081 });
  assert.deepEqual(splitListen(':9000'), { host: '', port: 9000 });
  assert.equal(splitListen('8080'), undefined);
  assert.equal(splitListen('host:0'), undefined);
  assert.equal(splitListen('host:70000'), undefined);
});
