/**
 * Wrapped data keys kept in the objects' and uploads' own envelopes (the `encryption`
 * column that encryption at rest adds): listed, counted, re-wrapped and guarded against
 * retirement through the same MetadataStore methods as object_keys. Runs on both backends;
 * `setEnvelope` writes the column directly, so these cases do not depend on the write flow.
 */
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { MetadataStore } from './types.js';
import { at, bucketRecord, objectRecord, uploadRecord } from './conformance-fixtures.js';
import { objectRef, uploadRef } from './wrapped-key-refs.js';

export interface EnvelopeStore {
  store: MetadataStore;
  /** Writes the `encryption` column of an object (address [bucketId, key]) or upload ([uploadId]). */
  setEnvelope(table: 'objects' | 'uploads', address: string[], envelope: unknown): Promise<void>;
  getEnvelope(table: 'objects' | 'uploads', address: string[]): Promise<unknown>;
  cleanup(): Promise<void>;
}

export function envelope(keyId: string, version: number, wrapped: string, provider = 'file') {
  return {
    mode: keyId === 'default' ? 'AES256' : 'aws:kms',
    wrappedKey: { provider, keyId, version, wrapped: Buffer.from(wrapped).toString('base64') },
    sealedFor: { bucketId: 'b', key: 'k', id: 'v', multipart: false },
    bucketKeyEnabled: false,
  };
}

export function runEnvelopeKeyCases(name: string, open: () => Promise<EnvelopeStore>): void {
  describe(`wrapped keys in object and upload envelopes: ${name}`, () => {
    let s: EnvelopeStore;
    beforeEach(async () => {
      s = await open();
      await s.store.createBucket(bucketRecord('b'));
      for (const key of ['a', 'b', 'c', 'd/ü', 'plain', 'customer']) await s.store.putObject(objectRecord('b', key));
      await s.store.createUpload(uploadRecord('b', 'up', 'U1'));
      await s.store.createUpload(uploadRecord('b', 'up', 'U2'));
      await s.store.createKey('default', 'file', at(1));
      await s.store.addKeyVersion('default', 2, at(2));
      await s.store.addKeyVersion('default', 3, at(3));
      await s.setEnvelope('objects', ['b', 'a'], envelope('default', 1, 'a1'));
      await s.setEnvelope('objects', ['b', 'b'], envelope('default', 2, 'b2'));
      await s.setEnvelope('objects', ['b', 'c'], envelope('default', 3, 'c3'));
      await s.setEnvelope('objects', ['b', 'd/ü'], envelope('default', 1, 'd1'));
      await s.setEnvelope('objects', ['b', 'customer'], { ...envelope('', 0, 'sse-c-wrapped', 'sse-c'), mode: 'SSE-C' });
      await s.setEnvelope('uploads', ['U1'], envelope('default', 1, 'u1'));
      await s.store.putWrappedKey({
        ref: 'system:credential-master-key',
        provider: 'file',
        keyId: 'default',
        version: 1,
        wrapped: Buffer.from('mk'),
      });
    });
    afterEach(async () => {
      await s.cleanup();
    });

    test('listed below a version, after object_keys, paging by ref; SSE-C and plaintext objects never', async () => {
      const all = await s.store.listWrappedKeys('default', 3, '', 100);
      assert.deepEqual(
        all.map((w) => [w.ref, w.version, w.wrapped.toString()]),
        [
          ['system:credential-master-key', 1, 'mk'],
          [objectRef('b', 'a'), 1, 'a1'],
          [objectRef('b', 'b'), 2, 'b2'],
          [objectRef('b', 'd/ü'), 1, 'd1'],
          [uploadRef('U1'), 1, 'u1'],
        ],
      );
      const paged: string[] = [];
      let after = '';
      for (;;) {
        const page = await s.store.listWrappedKeys('default', 3, after, 2);
        if (page.length === 0) break;
        paged.push(...page.map((w) => w.ref));
        after = page[page.length - 1]!.ref;
      }
      assert.deepEqual(
        paged,
        all.map((w) => w.ref),
      );
      assert.deepEqual(
        (await s.store.listWrappedKeys('default', 2, '', 100)).map((w) => w.ref).filter((r) => r.startsWith('object:')),
        [objectRef('b', 'a'), objectRef('b', 'd/ü')],
      );
      assert.deepEqual((await s.store.getWrappedKey(objectRef('b', 'b')))?.wrapped, Buffer.from('b2'));
      assert.equal(await s.store.getWrappedKey(objectRef('b', 'customer')), null);
      assert.equal(await s.store.getWrappedKey(objectRef('b', 'plain')), null);
    });

    test('counted with object_keys; retire refused while an object or upload envelope refers to the version', async () => {
      assert.deepEqual(await s.store.countWrappedKeys(), [
        { keyId: 'default', version: 1, count: 4 },
        { keyId: 'default', version: 2, count: 1 },
        { keyId: 'default', version: 3, count: 1 },
      ]);
      await s.store.deleteWrappedKey('system:credential-master-key');
      assert.equal(await s.store.retireKeyVersion('default', 1), 'in-use');
      assert.equal(await s.store.retireKeyVersion('default', 2), 'in-use');
      await s.setEnvelope('objects', ['b', 'b'], null);
      assert.equal(await s.store.retireKeyVersion('default', 2), 'retired');
    });

    test('replaced in place with a compare-and-swap on version and bytes; the rest of the envelope is kept', async () => {
      const ref = objectRef('b', 'a');
      const before = (await s.getEnvelope('objects', ['b', 'a'])) as Record<string, unknown>;
      const next = { provider: 'file', version: 3, wrapped: Buffer.from('a3') };
      assert.equal(await s.store.replaceWrappedKey(ref, { version: 1, wrapped: Buffer.from('other') }, next), false);
      assert.equal(await s.store.replaceWrappedKey(ref, { version: 2, wrapped: Buffer.from('a1') }, next), false);
      assert.equal(await s.store.replaceWrappedKey(ref, { version: 1, wrapped: Buffer.from('a1') }, next), true);
      const after = (await s.getEnvelope('objects', ['b', 'a'])) as Record<string, unknown>;
      assert.deepEqual(after, {
        ...before,
        wrappedKey: { provider: 'file', keyId: 'default', version: 3, wrapped: Buffer.from('a3').toString('base64') },
      });
      assert.equal(await s.store.replaceWrappedKey(uploadRef('U1'), { version: 1, wrapped: Buffer.from('u1') }, next), true);
      assert.equal((await s.store.getWrappedKey(uploadRef('U1')))?.version, 3);
      // Never an SSE-C envelope, even when asked.
      const customer = { version: 0, wrapped: Buffer.from('sse-c-wrapped') };
      assert.equal(await s.store.replaceWrappedKey(objectRef('b', 'customer'), customer, next), false);
      assert.equal(await s.store.replaceWrappedKey(objectRef('b', 'missing'), customer, next), false);
    });
  });
}
