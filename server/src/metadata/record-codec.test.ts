import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRecord, encodeRecord } from './record-codec.js';
import { objectRecord } from './conformance-fixtures.js';

test('a record survives the JSON of a non-current version whole: Dates, Buffers and unknown fields', () => {
  const record = {
    ...objectRecord('b', 'k'),
    retention: { mode: 'GOVERNANCE' as const, retainUntil: new Date(1_900_000_000_123) },
    // A field another branch may add (e.g. a wrapped data key): carried as it is.
    wrappedKey: Buffer.from([0, 1, 2, 250, 255]),
    nested: { at: new Date(5), list: [1, 'two', { $date: 'not-a-number' }] },
  };
  const back = decodeRecord(encodeRecord(record));
  assert.deepEqual(back, record);
  assert.ok(back.lastModified instanceof Date);
  assert.ok(Buffer.isBuffer((back as unknown as { wrappedKey: Buffer }).wrappedKey));
});
