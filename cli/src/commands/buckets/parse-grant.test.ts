import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../errors.js';
import { parseGrant } from './index.js';
import { sinceToIso } from '../audit/log.js';

test('--grant user:NAME=perms, with or without the user: prefix', () => {
  assert.deepEqual(parseGrant('user:alice=read,write'), ['user:alice', ['read', 'write']]);
  assert.deepEqual(parseGrant('bob=read_acp'), ['user:bob', ['read_acp']]);
  assert.deepEqual(parseGrant('carol='), ['user:carol', []]);
  for (const bad of ['alice', '=read', 'alice=fly', 'alice=read,admin']) assert.throws(() => parseGrant(bad), UsageError, bad);
});

test('audit --since takes a duration back from now or an ISO timestamp', () => {
  const now = new Date('2026-05-01T12:00:00.000Z');
  assert.equal(sinceToIso('1h', now), '2026-05-01T11:00:00.000Z');
  assert.equal(sinceToIso('30m', now), '2026-05-01T11:30:00.000Z');
  assert.equal(sinceToIso('2026-04-30T00:00:00Z', now), '2026-04-30T00:00:00.000Z');
  assert.throws(() => sinceToIso('last tuesday', now), UsageError);
});
