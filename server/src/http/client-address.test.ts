// clientAddress: forwarded headers only from trusted peers; the right-most untrusted hop is the client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { clientAddress } from './client-address.js';
import { parseCidr, type Cidr } from '../util/cidr.js';

function req(peer: string, headers: Record<string, string | string[]> = {}): IncomingMessage {
  return { socket: { remoteAddress: peer }, headers } as unknown as IncomingMessage;
}
const cidrs = (...t: string[]): Cidr[] => t.map((x) => parseCidr(x)!);

test('with no trusted proxies the headers are ignored', () => {
  assert.deepEqual(clientAddress(req('127.0.0.1', { 'x-forwarded-for': '10.1.2.3', 'x-forwarded-proto': 'https' }), [], false), {
    address: '127.0.0.1',
    secure: false,
  });
  assert.deepEqual(clientAddress(req('::ffff:127.0.0.1'), [], true), { address: '127.0.0.1', secure: true });
});

test('an untrusted peer cannot forward, even when proxies are configured', () => {
  assert.deepEqual(
    clientAddress(req('192.0.2.9', { 'x-forwarded-for': '10.1.2.3', 'x-forwarded-proto': 'https' }), cidrs('127.0.0.1/32'), false),
    { address: '192.0.2.9', secure: false },
  );
});

test('a trusted peer: right-most untrusted hop, first X-Forwarded-Proto value', () => {
  const trusted = cidrs('127.0.0.1/32', '10.0.0.0/8');
  const cases: [Record<string, string | string[]>, string, boolean][] = [
    [{ 'x-forwarded-for': '203.0.113.7' }, '203.0.113.7', false],
    [{ 'x-forwarded-for': '198.51.100.1, 203.0.113.7, 10.0.0.5' }, '203.0.113.7', false],
    [{ 'x-forwarded-for': ['198.51.100.1', '10.0.0.5'] }, '198.51.100.1', false],
    // Every hop trusted: the left-most one is as far as we can see.
    [{ 'x-forwarded-for': '10.0.0.9, 10.0.0.5' }, '10.0.0.9', false],
    [{ 'x-forwarded-for': ' , ' }, '127.0.0.1', false],
    [{}, '127.0.0.1', false],
    [{ 'x-forwarded-proto': 'https' }, '127.0.0.1', true],
    [{ 'x-forwarded-proto': 'HTTPS, http' }, '127.0.0.1', true],
    [{ 'x-forwarded-proto': 'http' }, '127.0.0.1', false],
  ];
  for (const [headers, address, secure] of cases)
    assert.deepEqual(clientAddress(req('127.0.0.1', headers), trusted, false), { address, secure }, JSON.stringify(headers));
});

test('behind a trusted proxy, X-Forwarded-Proto: http on a TLS listener means the client leg was plain', () => {
  assert.equal(clientAddress(req('127.0.0.1', { 'x-forwarded-proto': 'http' }), cidrs('127.0.0.1/32'), true).secure, false);
  assert.equal(clientAddress(req('127.0.0.1'), cidrs('127.0.0.1/32'), true).secure, true);
});
