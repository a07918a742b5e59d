import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { Acl, MetadataStore, ObjectEncryption, ObjectRecord, VersionEntry } from './types.js';
import { at, bucketRecord, chunk, credentialRecord, objectRecord, partRecord, uploadRecord } from './conformance-fixtures.js';

export interface OpenedStore {
  store: MetadataStore;
  /** Closes the store and removes everything it created. */
  cleanup(): Promise<void>;
}

/**
 * The contract of MetadataStore, as node:test cases. Every backend runs this same suite
 * against a fresh, empty store per test (`open`), so behaviour cannot drift between them.
 * Only the interface is used here: nothing backend-specific.
 */
export function runMetadataStoreConformance(name: string, open: () => Promise<OpenedStore>): void {
  describe(`MetadataStore conformance: ${name}`, () => {
    let store: MetadataStore;
    let opened: OpenedStore | undefined;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened?.cleanup();
      opened = undefined;
    });

    /** Every trashed chunk id, whatever its age. */
    async function trash(): Promise<Set<string>> {
      const entries = await store.listTrash(new Date(Date.now() + 86_400_000), 100_000);
      return new Set(entries.map((e) => e.id));
    }

    async function keys(bucket: string, prefix = '', startAfter = '', limit = 1000): Promise<string[]> {
      return (await store.listObjects(bucket, { prefix, startAfter, limit })).map((o) => o.key);
    }

    describe('buckets', () => {
      test('createBucket reports created, then exists, and keeps the first record', async () => {
        const first = bucketRecord('alpha');
        assert.equal(await store.createBucket(first), 'created');
        assert.equal(await store.createBucket(bucketRecord('alpha', { owner: 'bob' })), 'exists');
        assert.deepEqual(await store.getBucket('alpha'), first);
        assert.equal(await store.getBucket('missing'), null);
      });

      test('listBuckets returns every bucket sorted by name', async () => {
        for (const n of ['delta', 'alpha', 'charlie', 'bravo']) await store.createBucket(bucketRecord(n));
        assert.deepEqual(
          (await store.listBuckets()).map((b) => b.name),
          ['alpha', 'bravo', 'charlie', 'delta'],
        );
      });

      test('ACL, policy and permissions are stored and replaced', async () => {
        await store.createBucket(bucketRecord('b'));
        const acl = {
          owner: 'alice',
          grants: [{ grantee: { type: 'CanonicalUser' as const, id: 'bob', displayName: 'Bob' }, permission: 'READ' as const }],
        };
        await store.setBucketAcl('b', acl);
        const policy = '{"Version":"2012-10-17","Statement":[]}';
        await store.setBucketPolicy('b', policy);
        await store.setBucketPermissions('b', { 'user:bob': ['read', 'write'] });
        let got = await store.getBucket('b');
        assert.deepEqual(got?.acl, acl);
        assert.equal(got?.policy, policy);
        assert.deepEqual(got?.permissions, { 'user:bob': ['read', 'write'] });
        await store.setBucketPolicy('b', null);
        await store.setBucketPermissions('b', {});
        got = await store.getBucket('b');
        assert.equal(got?.policy, null);
        assert.deepEqual(got?.permissions, {});
      });

      test('setBucketSetting sets and removes one setting, leaving the others', async () => {
        await store.createBucket(bucketRecord('b', { settings: { ownership: 'BucketOwnerPreferred' } }));
        assert.deepEqual((await store.getBucket('b'))?.settings, { ownership: 'BucketOwnerPreferred' });
        const tagging = [
          { key: 'team', value: 'blå' },
          { key: 'cost', value: '' },
        ];
        const cors = [
          {
            allowedOrigins: ['https://*.example.com'],
            allowedMethods: ['GET'],
            allowedHeaders: ['*'],
            exposeHeaders: [],
            maxAgeSeconds: 30,
          },
        ];
        const pab = { blockPublicAcls: true, ignorePublicAcls: false, blockPublicPolicy: true, restrictPublicBuckets: false };
        await store.setBucketSetting('b', 'tagging', tagging);
        await store.setBucketSetting('b', 'cors', cors);
        await store.setBucketSetting('b', 'publicAccessBlock', pab);
        await store.setBucketSetting('b', 'logging', { targetBucket: 'logs', targetPrefix: 'b/' });
        await store.setBucketSetting('b', 'ownership', 'BucketOwnerEnforced');
        assert.deepEqual((await store.getBucket('b'))?.settings, {
          ownership: 'BucketOwnerEnforced',
          tagging,
          cors,
          publicAccessBlock: pab,
          logging: { targetBucket: 'logs', targetPrefix: 'b/' },
        });
        await store.setBucketSetting('b', 'cors', null);
        await store.setBucketSetting('b', 'tagging', null);
        await store.setBucketSetting('b', 'tagging', null);
        assert.deepEqual((await store.getBucket('b'))?.settings, {
          ownership: 'BucketOwnerEnforced',
          publicAccessBlock: pab,
          logging: { targetBucket: 'logs', targetPrefix: 'b/' },
        });
        assert.deepEqual((await store.listBuckets())[0]?.settings, (await store.getBucket('b'))?.settings);
      });

      test('concurrent setBucketSetting of different settings: none is lost', async () => {
        await store.createBucket(bucketRecord('b'));
        await Promise.all([
          store.setBucketSetting('b', 'ownership', 'ObjectWriter'),
          store.setBucketSetting('b', 'tagging', [{ key: 'a', value: 'b' }]),
          store.setBucketSetting('b', 'logging', { targetBucket: 't', targetPrefix: '' }),
        ]);
        const got = (await store.getBucket('b'))?.settings;
        assert.equal(got?.ownership, 'ObjectWriter');
        assert.deepEqual(got?.tagging, [{ key: 'a', value: 'b' }]);
        assert.deepEqual(got?.logging, { targetBucket: 't', targetPrefix: '' });
      });

      test('setBucketEncryption stores, replaces and removes the default encryption', async () => {
        await store.createBucket(bucketRecord('b'));
        assert.equal((await store.getBucket('b'))?.encryption ?? null, null);
        await store.setBucketEncryption('b', { algorithm: 'AES256', bucketKeyEnabled: false });
        assert.deepEqual((await store.getBucket('b'))?.encryption, { algorithm: 'AES256', bucketKeyEnabled: false });
        await store.setBucketEncryption('b', { algorithm: 'aws:kms', kmsKeyId: 'tenant-a', bucketKeyEnabled: true });
        assert.deepEqual((await store.getBucket('b'))?.encryption, { algorithm: 'aws:kms', kmsKeyId: 'tenant-a', bucketKeyEnabled: true });
        assert.deepEqual((await store.listBuckets())[0]?.encryption, {
          algorithm: 'aws:kms',
          kmsKeyId: 'tenant-a',
          bucketKeyEnabled: true,
        });
        await store.setBucketEncryption('b', null);
        assert.equal((await store.getBucket('b'))?.encryption ?? null, null);
      });

      test('deleteBucket: not-found, not-empty while objects or uploads remain, then deleted', async () => {
        assert.equal(await store.deleteBucket('nope'), 'not-found');
        await store.createBucket(bucketRecord('b'));
        await store.putObject(objectRecord('b', 'k'));
        assert.equal(await store.deleteBucket('b'), 'not-empty');
        await store.deleteObject('b', 'k');
        await store.createUpload(uploadRecord('b', 'k', 'u1'));
        assert.equal(await store.deleteBucket('b'), 'not-empty');
        await store.abortUpload('u1');
        assert.equal(await store.deleteBucket('b'), 'deleted');
        assert.equal(await store.getBucket('b'), null);
        assert.equal(await store.deleteBucket('b'), 'not-found');
      });

      test('a write into a deleted bucket is refused, and a re-created name never sees it', async () => {
        await store.createBucket(bucketRecord('ghost', { id: 'ghost-1' }));
        assert.equal(await store.deleteBucket('ghost-1'), 'deleted');
        // The writer resolved the bucket before the delete and commits after it.
        const late = objectRecord('ghost-1', 'payroll.csv');
        assert.equal(await store.putObject(late), 'no-bucket');
        assert.equal(await store.createUpload(uploadRecord('ghost-1', 'big', 'u-late')), 'no-bucket');
        assert.equal(await store.getUpload('u-late'), null);
        assert.equal(await store.isChunkKnown(late.chunks[0]!.id), false, 'a refused write references no chunk');
        // Another owner takes the name: a new id, and nothing of the old bucket.
        await store.createBucket(bucketRecord('ghost', { id: 'ghost-2', owner: 'mallory' }));
        assert.equal(await store.putObject(late), 'no-bucket', 'the old id stays dead');
        assert.deepEqual(await keys('ghost-2'), []);
        assert.equal(await store.getObject('ghost-2', 'payroll.csv'), null);
        assert.deepEqual(await store.listUploads('ghost-2', { prefix: '', keyMarker: '', uploadIdMarker: '', limit: 10 }), []);
        assert.equal(await store.deleteBucket('ghost-2'), 'deleted');
      });

      test('objects belong to the bucket id: two ids never share keys, even under one name over time', async () => {
        await store.createBucket(bucketRecord('n', { id: 'n-1' }));
        assert.equal(await store.putObject(objectRecord('n-1', 'k')), 'ok');
        assert.equal((await store.deleteObject('n-1', 'k')) !== null, true);
        assert.equal(await store.deleteBucket('n-1'), 'deleted');
        await store.createBucket(bucketRecord('n', { id: 'n-2' }));
        assert.equal((await store.getBucket('n'))?.id, 'n-2');
        assert.equal(await store.putObject(objectRecord('n-2', 'k2')), 'ok');
        assert.equal(await store.getObject('n-1', 'k2'), null);
        assert.deepEqual(await keys('n-2'), ['k2']);
      });

      test('concurrent puts and a deleteBucket: every put either lands before the delete (which then refuses) or is refused', async () => {
        for (let round = 0; round < 10; round++) {
          const id = `race-${round}`;
          await store.createBucket(bucketRecord(`race${round}`, { id }));
          const puts = Array.from({ length: 4 }, (_, i) => store.putObject(objectRecord(id, `k${i}`)));
          const del = store.deleteBucket(id);
          const results = await Promise.all(puts);
          const deleted = await del;
          const landed = (await keys(id)).length;
          assert.equal(landed, results.filter((r) => r === 'ok').length, `round ${round}`);
          if (deleted === 'deleted') assert.equal(landed, 0, `round ${round}: deleted with objects inside`);
          else assert.equal(deleted, 'not-empty');
        }
      });

      test('another bucket holding objects does not make a bucket non-empty', async () => {
        await store.createBucket(bucketRecord('a'));
        await store.createBucket(bucketRecord('ab'));
        await store.putObject(objectRecord('ab', 'k'));
        assert.equal(await store.deleteBucket('a'), 'deleted');
      });
    });

    describe('objects', () => {
      beforeEach(async () => {
        await store.createBucket(bucketRecord('b'));
      });

      test('putObject then getObject returns every field unchanged', async () => {
        const o = objectRecord('b', 'dir/ключ 🚀.txt', [chunk(10), chunk(20), chunk(5)], {
          parts: [
            { partNumber: 1, size: 30, etag: '"aa"', checksum: { algorithm: 'SHA256', value: 'cGFydDE=' } },
            { partNumber: 2, size: 5, etag: '"bb"', checksum: { algorithm: 'SHA256', value: 'cGFydDI=' } },
          ],
          etag: '"0123456789abcdef0123456789abcdef-2"',
          checksum: { algorithm: 'SHA256', value: 'abc=-2', type: 'COMPOSITE' },
          headers: {
            contentType: 'image/png',
            contentEncoding: 'gzip',
            contentDisposition: 'attachment; filename="a.png"',
            contentLanguage: 'en',
            cacheControl: 'no-cache',
            expires: 'Wed, 21 Oct 2026 07:28:00 GMT',
          },
        });
        await store.putObject(o);
        assert.deepEqual(await store.getObject('b', o.key), o);
        assert.equal(await store.getObject('b', 'other'), null);
        assert.equal(await store.getObject('other-bucket', o.key), null);
      });

      test('an encrypted object and upload keep their encryption envelope exactly', async () => {
        const encryption: ObjectEncryption = {
          mode: 'SSE-C',
          wrappedKey: { provider: 'sse-c', keyId: '', version: 0, wrapped: 'd3JhcHBlZA==' },
          sealedFor: { bucketId: 'b', key: 'k', id: '00ff', multipart: false },
          bucketKeyEnabled: true,
          customerKeyHmac: 'aG1hYw==',
          sealedMetadata: 'bWV0YQ==',
        };
        const o = objectRecord('b', 'k', [chunk(10)], { encryption, userMetadata: {} });
        await store.putObject(o);
        assert.deepEqual(await store.getObject('b', 'k'), o);
        assert.deepEqual((await store.listObjects('b', { prefix: '', startAfter: '', limit: 10 }))[0], o);
        const u = uploadRecord('b', 'k', 'upload-enc', { encryption: { ...encryption, mode: 'aws:kms' } });
        await store.createUpload(u);
        assert.deepEqual(await store.getUpload('upload-enc'), u);
        // Replaced by a plaintext object: the envelope goes with the old row.
        const plain = objectRecord('b', 'k', [chunk(10)]);
        await store.putObject(plain);
        assert.equal((await store.getObject('b', 'k'))?.encryption ?? null, null);
      });

      test('an object with no chunks (empty object) round-trips', async () => {
        const o = objectRecord('b', 'empty', [], { checksum: null });
        await store.putObject(o);
        assert.deepEqual(await store.getObject('b', 'empty'), o);
      });

      test('putObject over an existing key replaces it and trashes only the old chunks', async () => {
        const oldChunks = [chunk(), chunk()];
        const newChunks = [chunk()];
        await store.putObject(objectRecord('b', 'k', oldChunks));
        assert.equal((await trash()).size, 0);
        const replacement = objectRecord('b', 'k', newChunks, { etag: '"new"' });
        await store.putObject(replacement);
        assert.deepEqual(await store.getObject('b', 'k'), replacement);
        const t = await trash();
        assert.deepEqual(t, new Set(oldChunks.map((c) => c.id)));
        for (const c of oldChunks) assert.equal(await store.isChunkKnown(c.id), true, 'trashed chunks are still known');
        assert.equal(await store.isChunkKnown(newChunks[0]!.id), true);
      });

      test('putObject keeping a chunk across the replacement does not trash it', async () => {
        const kept = chunk();
        const dropped = chunk();
        await store.putObject(objectRecord('b', 'k', [kept, dropped]));
        await store.putObject(objectRecord('b', 'k', [kept]));
        assert.deepEqual(await trash(), new Set([dropped.id]));
      });

      test('deleteObject returns the removed record and trashes its chunks', async () => {
        const o = objectRecord('b', 'k', [chunk(), chunk()]);
        await store.putObject(o);
        assert.deepEqual(await store.deleteObject('b', 'k'), o);
        assert.equal(await store.getObject('b', 'k'), null);
        assert.deepEqual(await trash(), new Set(o.chunks.map((c) => c.id)));
        assert.equal(await store.deleteObject('b', 'k'), null);
      });

      test('a chunk shared by two objects (a copy) is trashed only when the last one goes', async () => {
        const shared = chunk();
        await store.putObject(objectRecord('b', 'original', [shared]));
        await store.putObject(objectRecord('b', 'copy', [shared]));
        await store.deleteObject('b', 'original');
        assert.equal((await trash()).has(shared.id), false);
        assert.equal(await store.isChunkKnown(shared.id), true);
        await store.deleteObject('b', 'copy');
        assert.equal((await trash()).has(shared.id), true);
      });

      test('setObjectAcl updates an existing object and reports a missing one', async () => {
        await store.putObject(objectRecord('b', 'k'));
        const acl = { owner: 'alice', grants: [] };
        assert.equal(await store.setObjectAcl('b', 'k', acl), true);
        assert.deepEqual((await store.getObject('b', 'k'))?.acl, acl);
        assert.equal(await store.setObjectAcl('b', 'missing', acl), false);
      });

      test('tags round-trip with the object, are replaced by setObjectTags and by a new put', async () => {
        const tags = [
          { key: 'project', value: 'ノード' },
          { key: 'empty', value: '' },
        ];
        await store.putObject(objectRecord('b', 'k', [chunk()], { tags }));
        assert.deepEqual((await store.getObject('b', 'k'))?.tags, tags);
        assert.equal(await store.setObjectTags('b', 'k', [{ key: 'x', value: 'y' }]), true);
        assert.deepEqual((await store.getObject('b', 'k'))?.tags, [{ key: 'x', value: 'y' }]);
        assert.deepEqual((await store.listObjects('b', { prefix: '', startAfter: '', limit: 10 }))[0]?.tags, [{ key: 'x', value: 'y' }]);
        assert.equal(await store.setObjectTags('b', 'k', []), true);
        assert.deepEqual((await store.getObject('b', 'k'))?.tags, []);
        assert.equal(await store.setObjectTags('b', 'missing', tags), false);
        await store.putObject(objectRecord('b', 'k', [chunk()], { tags }));
        await store.putObject(objectRecord('b', 'k', [chunk()]));
        assert.deepEqual((await store.getObject('b', 'k'))?.tags, [], 'an overwrite carries its own tags, not the old ones');
      });

      test('patchVersion with sealedTags changes only sealedTags of the version it names, current or not, and clears clear-text tags', async () => {
        const encryption: ObjectEncryption = {
          mode: 'AES256',
          wrappedKey: { provider: 'file', keyId: 'default', version: 1, wrapped: 'd3JhcHBlZA==' },
          sealedFor: { bucketId: 'b', key: 'k', id: 'x', multipart: false },
          bucketKeyEnabled: false,
          sealedMetadata: 'bWV0YQ==',
        };
        await store.putObject(objectRecord('b', 'k', [chunk()], { encryption, tags: [{ key: 'a', value: 'b' }] }));
        const v = (await store.getObject('b', 'k'))!.versionId ?? 'null';
        assert.equal(await store.patchVersion('b', 'k', 'other-version', { sealedTags: 'c2VhbGVk' }), 'not-found');
        assert.equal(await store.patchVersion('b', 'k', v, { sealedTags: 'c2VhbGVk' }), 'ok');
        let got = await store.getObject('b', 'k');
        assert.deepEqual(got?.tags, []);
        assert.deepEqual(got?.encryption, { ...encryption, sealedTags: 'c2VhbGVk' });
        assert.equal(await store.patchVersion('b', 'k', v, { sealedTags: null }), 'ok');
        got = await store.getObject('b', 'k');
        assert.deepEqual(got?.encryption, encryption);
        assert.equal(await store.patchVersion('b', 'missing', 'null', { sealedTags: 'c2VhbGVk' }), 'not-found');
        await store.putObject(objectRecord('b', 'plain', [chunk()], { tags: [{ key: 'a', value: 'b' }] }));
        assert.equal(await store.patchVersion('b', 'plain', 'null', { sealedTags: 'c2VhbGVk' }), 'ok');
        got = await store.getObject('b', 'plain');
        assert.equal(got?.encryption ?? null, null, 'a plaintext object has no envelope to seal into');
        assert.deepEqual(got?.tags, [{ key: 'a', value: 'b' }], 'and keeps its clear tags');
      });

      test('listObjects orders keys by binary UTF-8, not UTF-16 or locale', async () => {
        // UTF-8 byte order: 'A' < 'Z' < 'a' < 'é' (C3 A9) < '\uFFFD' (EF BF BD) < '😀' (F0 9F 98 80).
        // UTF-16 code-unit order would put '😀' (D83D…) before '\uFFFD'.
        const input = ['😀', 'a', '\uFFFD', 'Z', 'é', 'A', 'a/b', 'a-b', 'ab', 'a\u007f'];
        for (const k of input) await store.putObject(objectRecord('b', k));
        assert.deepEqual(await keys('b'), ['A', 'Z', 'a', 'a-b', 'a/b', 'ab', 'a\u007f', 'é', '\uFFFD', '😀']);
      });

      test('keys are opaque: NUL, control characters, ../ and 1024-byte keys are stored exactly', async () => {
        const odd = ['a\u0000b', 'a\u0000', 'a\u0001', '../../etc/passwd', 'a\\b', ' lead', 'trail ', '€'.repeat(341) + 'a'];
        for (const k of odd) {
          const o = objectRecord('b', k);
          await store.putObject(o);
          assert.deepEqual(await store.getObject('b', k), o, JSON.stringify(k));
        }
        assert.equal(await store.getObject('b', 'a'), null, 'no truncation at NUL');
        assert.deepEqual(await keys('b', 'a\u0000'), ['a\u0000', 'a\u0000b']);
        assert.deepEqual(await keys('b', 'a'), ['a\u0000', 'a\u0000b', 'a\u0001', 'a\\b']);
      });

      test('listObjects applies prefix, startAfter (exclusive) and limit together', async () => {
        for (const k of ['a', 'p/1', 'p/2', 'p/3', 'p/3/x', 'p0', 'q']) await store.putObject(objectRecord('b', k));
        assert.deepEqual(await keys('b', 'p/'), ['p/1', 'p/2', 'p/3', 'p/3/x']);
        assert.deepEqual(await keys('b', 'p/', 'p/2'), ['p/3', 'p/3/x']);
        assert.deepEqual(await keys('b', 'p/', 'p/1', 2), ['p/2', 'p/3']);
        assert.deepEqual(await keys('b', 'p/', 'a'), ['p/1', 'p/2', 'p/3', 'p/3/x'], 'startAfter before the prefix');
        assert.deepEqual(await keys('b', 'p/', 'p/3/x'), [], 'startAfter at the end of the prefix');
        assert.deepEqual(await keys('b', 'p/', 'z'), [], 'startAfter past the prefix');
        assert.deepEqual(await keys('b', '', 'p0'), ['q']);
        assert.deepEqual(await keys('b', 'nothing'), []);
        assert.deepEqual(await keys('b', '', '', 3), ['a', 'p/1', 'p/2']);
      });

      test('listObjects with a non-ASCII prefix', async () => {
        for (const k of ['é', 'é/1', 'é/2', 'éa', 'e/1', 'f']) await store.putObject(objectRecord('b', k));
        assert.deepEqual(await keys('b', 'é/'), ['é/1', 'é/2']);
        assert.deepEqual(await keys('b', 'é'), ['é', 'é/1', 'é/2', 'éa']);
      });

      test('listObjects pages through many keys without gaps or repeats', async () => {
        const all = Array.from({ length: 57 }, (_, i) => `k${String(i).padStart(3, '0')}`);
        for (const k of [...all].reverse()) await store.putObject(objectRecord('b', k));
        const seen: string[] = [];
        let after = '';
        for (;;) {
          const page = await keys('b', '', after, 10);
          if (page.length === 0) break;
          seen.push(...page);
          after = page[page.length - 1]!;
        }
        assert.deepEqual(seen, all);
      });

      test('listObjects only returns objects of the bucket asked for', async () => {
        await store.createBucket(bucketRecord('c'));
        await store.putObject(objectRecord('b', 'one'));
        await store.putObject(objectRecord('c', 'two'));
        assert.deepEqual(await keys('b'), ['one']);
        assert.deepEqual(await keys('c'), ['two']);
        assert.deepEqual(await keys('missing'), []);
      });

      test('listObjects returns full records', async () => {
        const o = objectRecord('b', 'k', [chunk(7)]);
        await store.putObject(o);
        assert.deepEqual(await store.listObjects('b', { prefix: '', startAfter: '', limit: 10 }), [o]);
      });
    });

    describe('inline bodies', () => {
      beforeEach(async () => {
        await store.createBucket(bucketRecord('b'));
      });
      const body = Buffer.from([0, 1, 2, 255, 254, ...Buffer.from('inline body bytes')]);
      const inlineObject = (key: string, extra: Partial<ObjectRecord> = {}) =>
        objectRecord('b', key, [], { size: body.length, inline: body, ...extra });

      test('an inline body is stored and returned byte for byte, references no chunk, and is replaced and removed with its row', async () => {
        const o = inlineObject('k');
        assert.equal(await store.putObject(o), 'ok');
        const got = await store.getObject('b', 'k');
        assert.deepEqual(got, o);
        assert.ok(got?.inline && Buffer.isBuffer(got.inline));
        // Listings leave the body out (they never send it); everything else is there.
        const { inline: _body, ...listed } = o;
        assert.deepEqual(await store.listObjects('b', { prefix: '', startAfter: '', limit: 10 }), [listed]);
        assert.deepEqual(await trash(), new Set());
        // Replaced by a chunked object, and back: each row carries what it was given, nothing else.
        const chunked = objectRecord('b', 'k', [chunk(7)]);
        await store.putObject(chunked);
        assert.equal((await store.getObject('b', 'k'))?.inline ?? null, null);
        await store.putObject(o);
        assert.deepEqual(await trash(), new Set([chunked.chunks[0]!.id]));
        assert.deepEqual((await store.deleteObject('b', 'k'))?.inline, body);
        assert.equal(await store.getObject('b', 'k'), null);
      });

      test('a non-current version keeps its inline body, and it comes back when it is current again', async () => {
        const v1 = inlineObject('k', { versionId: `0999${'v'.repeat(28)}`, versionSeq: 1_700_000_000_000_001 });
        const v2 = inlineObject('k', {
          versionId: `0998${'v'.repeat(28)}`,
          versionSeq: 1_700_000_000_000_002,
          inline: Buffer.from('second'),
          size: 6,
        });
        await store.putObject(v1);
        await store.putObject(v2);
        assert.deepEqual(await store.getObjectVersion('b', 'k', v1.versionId!), { type: 'object', object: v1, isLatest: false });
        const listed = await store.listVersions('b', { prefix: '', keyMarker: '', after: null, limit: 10 });
        assert.deepEqual(
          listed.map((e) => (e.type === 'object' ? [e.object.versionId, e.object.size, e.object.inline ?? null] : null)),
          [
            [v2.versionId, 6, null],
            [v1.versionId, body.length, null],
          ],
          'listed without their bodies',
        );
        const none = { retention: null, legalHold: false };
        assert.notEqual(await store.deleteVersion('b', 'k', v2.versionId!, none), 'not-found');
        assert.deepEqual(await store.getObject('b', 'k'), v1);
      });
    });

    describe('versions', () => {
      const none = { retention: null, legalHold: false };
      /** Version `n` of a key: id "v<n>" padded, newer n sorting first as real ids do. */
      function version(bucketId: string, key: string, n: number, chunks = [chunk()], extra: Partial<ObjectRecord> = {}): ObjectRecord {
        return objectRecord(bucketId, key, chunks, {
          versionId: `${String(1000 - n).padStart(4, '0')}${'v'.repeat(28)}`,
          versionSeq: 1_700_000_000_000_000 + n,
          lastModified: at(1_700_000_000_000 + n),
          ...extra,
        });
      }
      const idOf = (e: VersionEntry) => (e.type === 'object' ? e.object.versionId : e.marker.versionId);

      test('a new version keeps the old one as non-current; both are readable and their chunks referenced', async () => {
        await store.createBucket(bucketRecord('b'));
        const c1 = chunk();
        const c2 = chunk();
        const v1 = version('b', 'k', 1, [c1]);
        const v2 = version('b', 'k', 2, [c2]);
        await store.putObject(v1);
        await store.putObject(v2);
        assert.deepEqual(await store.getObject('b', 'k'), v2);
        const old = await store.getObjectVersion('b', 'k', v1.versionId!);
        assert.deepEqual(old, { type: 'object', object: v1, isLatest: false });
        assert.deepEqual(await store.getObjectVersion('b', 'k', null), { type: 'object', object: v2, isLatest: true });
        assert.equal(await store.getObjectVersion('b', 'k', 'nope'), null);
        assert.equal(await store.isChunkKnown(c1.id), true);
        assert.equal((await trash()).has(c1.id), false);
        const listed = await store.listVersions('b', { prefix: '', keyMarker: '', after: null, limit: 10 });
        assert.deepEqual(
          listed.map((e) => [idOf(e), e.isLatest]),
          [
            [v2.versionId, true],
            [v1.versionId, false],
          ],
        );
        assert.deepEqual(await keys('b'), ['k']);
      });

      test('a non-current version keeps its tags and encryption envelope, and has them again when it is current', async () => {
        await store.createBucket(bucketRecord('b'));
        const encryption: ObjectEncryption = {
          mode: 'aws:kms',
          wrappedKey: { provider: 'file', keyId: 'k1', version: 2, wrapped: 'd3JhcHBlZA==' },
          sealedFor: { bucketId: 'b', key: 'k', id: 'v1', multipart: true },
          bucketKeyEnabled: false,
          sealedMetadata: 'bWV0YQ==',
        };
        const v1 = version('b', 'k', 1, [chunk()], {
          tags: [
            { key: 'team', value: 'blue' },
            { key: 'ünï', value: '' },
          ],
          encryption,
          userMetadata: {},
          retention: { mode: 'GOVERNANCE', retainUntil: at(1_900_000_000_000) },
        });
        const v2 = version('b', 'k', 2);
        await store.putObject(v1);
        await store.putObject(v2);
        assert.deepEqual(await store.getObjectVersion('b', 'k', v1.versionId!), { type: 'object', object: v1, isLatest: false });
        const listed = await store.listVersions('b', { prefix: '', keyMarker: '', after: null, limit: 10 });
        const old = listed.find((e) => idOf(e) === v1.versionId);
        assert.deepEqual(old, { type: 'object', object: v1, isLatest: false });
        assert.equal(typeof (await store.deleteVersion('b', 'k', v2.versionId!, none)), 'object');
        assert.deepEqual(await store.getObject('b', 'k'), v1);
      });

      test('patchVersion rewrites the tags and ACL of a current or non-current version, and only of it', async () => {
        await store.createBucket(bucketRecord('b'));
        const lock = { retention: { mode: 'COMPLIANCE' as const, retainUntil: at(1_900_000_000_000) }, legalHold: true };
        const v1 = version('b', 'k', 1, [chunk()], { tags: [{ key: 'a', value: '1' }], ...lock });
        const v2 = version('b', 'k', 2, [chunk()], { tags: [{ key: 'b', value: '2' }] });
        await store.putObject(v1);
        await store.putObject(v2);
        const acl: Acl = {
          owner: 'alice',
          grants: [{ grantee: { type: 'Group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers' }, permission: 'READ' }],
        };
        const tags = [{ key: 'ünï', value: 'x' }];
        assert.equal(await store.patchVersion('b', 'k', v1.versionId!, { tags, acl }), 'ok');
        // The non-current version changed (its lock state too is kept), the current one did not.
        assert.deepEqual(await store.getObjectVersion('b', 'k', v1.versionId!), {
          type: 'object',
          object: { ...v1, tags, acl },
          isLatest: false,
        });
        assert.deepEqual(await store.getObject('b', 'k'), v2);
        assert.equal(await store.patchVersion('b', 'k', v2.versionId!, { tags: [] }), 'ok');
        assert.deepEqual(await store.getObject('b', 'k'), { ...v2, tags: [] });
        assert.equal(await store.patchVersion('b', 'k', 'missing', { tags: [] }), 'not-found');
        assert.equal(await store.patchVersion('b', 'other', v1.versionId!, { tags: [] }), 'not-found');
        // It becomes current again with what was patched.
        assert.equal(typeof (await store.deleteVersion('b', 'k', v2.versionId!, { retention: null, legalHold: false })), 'object');
        assert.deepEqual(await store.getObject('b', 'k'), { ...v1, tags, acl });
        const marker = {
          bucketId: 'b',
          key: 'k',
          versionId: version('b', 'k', 3).versionId!,
          versionSeq: 1_700_000_000_000_003,
          lastModified: at(1_700_000_000_003),
          owner: 'alice',
        };
        await store.putDeleteMarker(marker);
        assert.equal(await store.patchVersion('b', 'k', marker.versionId, { tags: [] }), 'marker');
        assert.equal(await store.patchVersion('b', 'k', v1.versionId!, { acl: { owner: 'alice', grants: [] } }), 'ok');
        const after = await store.getObjectVersion('b', 'k', v1.versionId!);
        assert.deepEqual(after, { type: 'object', object: { ...v1, tags, acl: { owner: 'alice', grants: [] } }, isLatest: false });
      });

      test("a 'null' version replaces the key's null version wherever it is, and only it", async () => {
        await store.createBucket(bucketRecord('b'));
        const cNull = chunk();
        const nullV = objectRecord('b', 'k', [cNull], { versionSeq: 1_700_000_000_000_000 });
        const v1 = version('b', 'k', 1);
        await store.putObject(nullV);
        await store.putObject(v1); // the null version becomes non-current
        const cNull2 = chunk();
        const nullV2 = objectRecord('b', 'k', [cNull2], { versionSeq: 1_700_000_000_000_005 });
        await store.putObject(nullV2);
        assert.deepEqual(await store.getObject('b', 'k'), nullV2);
        assert.equal((await trash()).has(cNull.id), true);
        const ids = (await store.listVersions('b', { prefix: '', keyMarker: '', after: null, limit: 10 })).map(idOf);
        assert.deepEqual(ids, ['null', v1.versionId]);
      });

      test('a delete marker hides the key; deleting the marker brings the version back', async () => {
        await store.createBucket(bucketRecord('b'));
        const v1 = version('b', 'k', 1);
        await store.putObject(v1);
        const marker = {
          bucketId: 'b',
          key: 'k',
          versionId: version('b', 'k', 2).versionId!,
          versionSeq: 1_700_000_000_000_002,
          lastModified: at(1_700_000_000_002),
          owner: 'alice',
        };
        assert.equal(await store.putDeleteMarker(marker), 'ok');
        assert.equal(await store.putDeleteMarker({ ...marker, bucketId: 'gone' }), 'no-bucket');
        assert.equal(await store.getObject('b', 'k'), null);
        assert.deepEqual(await keys('b'), []);
        assert.deepEqual(await store.getObjectVersion('b', 'k', null), { type: 'marker', marker, isLatest: true });
        assert.deepEqual(await store.getObjectVersion('b', 'k', marker.versionId), { type: 'marker', marker, isLatest: true });
        const removed = await store.deleteVersion('b', 'k', marker.versionId, none);
        assert.deepEqual(removed, { type: 'marker', marker, isLatest: false });
        assert.deepEqual(await store.getObject('b', 'k'), v1);
      });

      test('deleteVersion removes one version, trashes only its chunks, and the next newest becomes current', async () => {
        await store.createBucket(bucketRecord('b'));
        const [c1, c2, c3] = [chunk(), chunk(), chunk()];
        const v1 = version('b', 'k', 1, [c1]);
        const v2 = version('b', 'k', 2, [c2]);
        const v3 = version('b', 'k', 3, [c3]);
        for (const v of [v1, v2, v3]) await store.putObject(v);
        const gone = await store.deleteVersion('b', 'k', v2.versionId!, none);
        assert.equal(typeof gone === 'object' && gone.type === 'object' && gone.object.versionId, v2.versionId);
        assert.deepEqual(
          [...(await trash())].filter((id) => [c1.id, c2.id, c3.id].includes(id)),
          [c2.id],
        );
        await store.deleteVersion('b', 'k', v3.versionId!, none);
        assert.deepEqual(await store.getObject('b', 'k'), v1);
        assert.equal(await store.deleteVersion('b', 'k', v3.versionId!, none), 'not-found');
        await store.deleteVersion('b', 'k', v1.versionId!, none);
        assert.equal(await store.getObjectVersion('b', 'k', null), null);
        assert.equal(await store.deleteBucket('b'), 'deleted');
      });

      test('deleteBucket is not-empty while only non-current versions or delete markers remain', async () => {
        await store.createBucket(bucketRecord('b'));
        await store.putObject(version('b', 'k', 1));
        await store.putDeleteMarker({
          bucketId: 'b',
          key: 'k',
          versionId: 'null',
          versionSeq: 1_700_000_000_000_009,
          lastModified: at(1_700_000_000_009),
          owner: 'alice',
        });
        assert.deepEqual(await keys('b'), []);
        assert.equal(await store.deleteBucket('b'), 'not-empty');
      });

      test('deleteVersion and setRetention act only on the lock state the caller checked (compare-and-swap)', async () => {
        await store.createBucket(bucketRecord('b'));
        const retention = { mode: 'GOVERNANCE' as const, retainUntil: at(1_900_000_000_000) };
        const v1 = version('b', 'k', 1, [chunk()], { retention, legalHold: false });
        const v2 = version('b', 'k', 2);
        await store.putObject(v1);
        await store.putObject(v2);
        const locked = { retention, legalHold: false };
        assert.equal(await store.deleteVersion('b', 'k', v1.versionId!, none), 'changed');
        assert.ok(await store.getObjectVersion('b', 'k', v1.versionId!));
        const longer = { mode: 'COMPLIANCE' as const, retainUntil: at(1_950_000_000_000) };
        assert.equal(await store.setRetention('b', 'k', v1.versionId!, longer, none), 'changed');
        assert.equal(await store.setRetention('b', 'k', v1.versionId!, longer, locked), 'ok');
        assert.equal(await store.setRetention('b', 'k', v1.versionId!, null, locked), 'changed');
        assert.equal(await store.setRetention('b', 'k', 'missing', null, none), 'not-found');
        const got = await store.getObjectVersion('b', 'k', v1.versionId!);
        assert.deepEqual(got?.type === 'object' && got.object.retention, longer);
        // The current version too, and the legal hold is part of the state compared.
        assert.equal(await store.setLegalHold('b', 'k', v2.versionId!, true), 'ok');
        assert.equal(await store.setLegalHold('b', 'k', 'missing', true), 'not-found');
        assert.equal(await store.deleteVersion('b', 'k', v2.versionId!, none), 'changed');
        assert.equal(await store.setRetention('b', 'k', v2.versionId!, retention, none), 'changed');
        assert.equal(await store.setRetention('b', 'k', v2.versionId!, retention, { retention: null, legalHold: true }), 'ok');
        assert.deepEqual((await store.getObject('b', 'k'))?.retention, retention);
        assert.equal((await store.getObject('b', 'k'))?.legalHold, true);
        const removed = await store.deleteVersion('b', 'k', v2.versionId!, { retention, legalHold: true });
        assert.notEqual(typeof removed, 'string');
      });

      test('concurrent setRetention with the same expected state: exactly one wins', async () => {
        await store.createBucket(bucketRecord('b'));
        const v1 = version('b', 'k', 1);
        await store.putObject(v1);
        const results = await Promise.all(
          [1, 2, 3, 4].map((i) =>
            store.setRetention('b', 'k', v1.versionId!, { mode: 'GOVERNANCE', retainUntil: at(1_900_000_000_000 + i) }, none),
          ),
        );
        assert.equal(results.filter((r) => r === 'ok').length, 1);
        assert.equal(results.filter((r) => r === 'changed').length, 3);
      });

      test('listVersions pages by key then newest first, resuming after a (key, version) marker, within a prefix', async () => {
        await store.createBucket(bucketRecord('b'));
        for (const key of ['a/1', 'a/2', 'b/1']) for (const n of [1, 2, 3]) await store.putObject(version('b', key, n));
        await store.putDeleteMarker({
          bucketId: 'b',
          key: 'a/2',
          versionId: version('b', 'a/2', 4).versionId!,
          versionSeq: 1_700_000_000_000_004,
          lastModified: at(1_700_000_000_004),
          owner: 'alice',
        });
        const all = await store.listVersions('b', { prefix: 'a/', keyMarker: '', after: null, limit: 100 });
        const keyOf = (e: VersionEntry) => (e.type === 'object' ? e.object.key : e.marker.key);
        assert.deepEqual(
          all.map((e) => `${keyOf(e)}:${idOf(e)!.slice(0, 4)}:${e.type}:${e.isLatest}`),
          [
            'a/1:0997:object:true',
            'a/1:0998:object:false',
            'a/1:0999:object:false',
            'a/2:0996:marker:true',
            'a/2:0997:object:false',
            'a/2:0998:object:false',
            'a/2:0999:object:false',
          ],
        );
        const second = all[4]!;
        const after = { versionSeq: second.type === 'object' ? second.object.versionSeq! : 0, versionId: idOf(second)! };
        const rest = await store.listVersions('b', { prefix: '', keyMarker: 'a/2', after, limit: 3 });
        assert.deepEqual(
          rest.map((e) => `${keyOf(e)}:${idOf(e)!.slice(0, 4)}:${e.isLatest}`),
          ['a/2:0998:false', 'a/2:0999:false', 'b/1:0997:true'],
        );
        const fromKey = await store.listVersions('b', { prefix: '', keyMarker: 'a/2', after: null, limit: 2 });
        assert.deepEqual(
          fromKey.map((e) => `${keyOf(e)}:${idOf(e)!.slice(0, 4)}`),
          ['b/1:0997', 'b/1:0998'],
        );
      });

      test('bucket versioning state, object lock configuration and lifecycle rules are stored', async () => {
        await store.createBucket(bucketRecord('b'));
        await store.setBucketVersioning('b', 'Enabled');
        await store.setBucketObjectLock('b', { defaultRetention: { mode: 'COMPLIANCE', days: 3 } });
        let got = await store.getBucket('b');
        assert.equal(got?.versioning, 'Enabled');
        assert.deepEqual(got?.objectLock, { defaultRetention: { mode: 'COMPLIANCE', days: 3 } });
        await store.setBucketVersioning('b', 'Suspended');
        got = await store.getBucket('b');
        assert.equal(got?.versioning, 'Suspended');
        const rules = [
          {
            id: 'r1',
            enabled: true,
            filter: { prefix: 'logs/', sizeGreaterThan: 10, sizeLessThan: null },
            expiration: { days: 30 },
            noncurrentExpiration: { noncurrentDays: 7, newerNoncurrentVersions: 2 },
            abortIncompleteMultipartDays: 3,
          },
        ];
        await store.setBucketLifecycle('b', rules);
        assert.deepEqual((await store.getBucket('b'))?.lifecycle, rules);
        await store.setBucketLifecycle('b', null);
        assert.equal((await store.getBucket('b'))?.lifecycle, null);
        const created = bucketRecord('c', { versioning: 'Enabled', objectLock: { defaultRetention: null } });
        await store.createBucket(created);
        assert.deepEqual(await store.getBucket('c'), created);
      });

      test('a new version is the newest even when its sequence is behind (another node’s clock)', async () => {
        await store.createBucket(bucketRecord('b'));
        const v5 = version('b', 'k', 5);
        await store.putObject(v5);
        const behind = version('b', 'k', 6, [chunk()], { versionSeq: 1_700_000_000_000_001 });
        await store.putObject(behind);
        const cur = await store.getObject('b', 'k');
        assert.equal(cur?.versionId, behind.versionId);
        assert.ok(cur!.versionSeq! > v5.versionSeq!);
        const marker = {
          bucketId: 'b',
          key: 'k',
          versionId: version('b', 'k', 7).versionId!,
          versionSeq: 1,
          lastModified: at(1),
          owner: 'alice',
        };
        await store.putDeleteMarker(marker);
        const listed = await store.listVersions('b', { prefix: '', keyMarker: '', after: null, limit: 10 });
        assert.deepEqual(
          listed.map((e) => [idOf(e), e.isLatest]),
          [
            [marker.versionId, true],
            [behind.versionId, false],
            [v5.versionId, false],
          ],
        );
      });

      test('concurrent writes and deletes of one key: every version kept, one latest, each removed once', async () => {
        await store.createBucket(bucketRecord('b'));
        const versions = Array.from({ length: 12 }, (_, i) => version('b', 'k', i + 1));
        await Promise.all(versions.map((v) => store.putObject(v)));
        const listed = await store.listVersions('b', { prefix: '', keyMarker: '', after: null, limit: 100 });
        assert.equal(listed.length, 12);
        assert.equal(listed.filter((e) => e.isLatest).length, 1);
        assert.equal(new Set(listed.map(idOf)).size, 12);
        const cur = await store.getObject('b', 'k');
        assert.equal(cur?.versionId, idOf(listed[0]!));
        // Two deletes of the same version: exactly one removes it.
        const target = versions[3]!.versionId!;
        const results = await Promise.all([1, 2, 3].map(() => store.deleteVersion('b', 'k', target, none)));
        assert.equal(results.filter((r) => typeof r === 'object').length, 1);
        assert.equal(results.filter((r) => r === 'not-found').length, 2);
        const all = await store.listVersions('b', { prefix: '', keyMarker: '', after: null, limit: 100 });
        await Promise.all(all.map((e) => store.deleteVersion('b', 'k', idOf(e)!, none)));
        assert.equal(await store.getObjectVersion('b', 'k', null), null);
        assert.equal(await store.deleteBucket('b'), 'deleted');
      });

      test('completeUpload writes a new version like putObject', async () => {
        await store.createBucket(bucketRecord('b'));
        const v1 = version('b', 'k', 1);
        await store.putObject(v1);
        await store.createUpload(uploadRecord('b', 'k', 'u1'));
        const c = chunk();
        await store.putPart(partRecord('u1', 1, [c]));
        const v2 = version('b', 'k', 2, [c]);
        assert.equal(await store.completeUpload('u1', v2), 'ok');
        assert.deepEqual(await store.getObject('b', 'k'), v2);
        assert.deepEqual((await store.getObjectVersion('b', 'k', v1.versionId!))?.isLatest, false);
      });
    });

    describe('multipart uploads', () => {
      beforeEach(async () => {
        await store.createBucket(bucketRecord('b'));
      });

      test('createUpload then getUpload returns every field; unknown ids give null', async () => {
        const u = uploadRecord('b', 'big/ファイル', 'upload-1');
        await store.createUpload(u);
        assert.deepEqual(await store.getUpload('upload-1'), u);
        assert.equal(await store.getUpload('nope'), null);
        const plain = uploadRecord('b', 'k', 'upload-2', { checksumAlgorithm: null, checksumType: null });
        await store.createUpload(plain);
        assert.deepEqual(await store.getUpload('upload-2'), plain);
      });

      test('an upload keeps its tags, and completeUpload stores the object with the tags it is given', async () => {
        const tags = [{ key: 'k1', value: 'v1' }];
        await store.createUpload(uploadRecord('b', 'k', 'u', { tags }));
        assert.deepEqual((await store.getUpload('u'))?.tags, tags);
        const p = partRecord('u', 1);
        await store.putPart(p);
        assert.equal(await store.completeUpload('u', objectRecord('b', 'k', [p.chunks[0]!], { tags })), 'ok');
        assert.deepEqual((await store.getObject('b', 'k'))?.tags, tags);
      });

      test('putPart stores parts, lists them in order after a marker, and refuses a missing upload', async () => {
        await store.createUpload(uploadRecord('b', 'k', 'u'));
        const p3 = partRecord('u', 3);
        const p1 = partRecord('u', 1, chunk(5), { checksum: null });
        const p2 = partRecord('u', 2);
        for (const p of [p3, p1, p2]) assert.equal(await store.putPart(p), 'ok');
        assert.deepEqual(await store.listParts('u', 0, 100), [p1, p2, p3]);
        assert.deepEqual(await store.listParts('u', 1, 1), [p2]);
        assert.deepEqual(await store.listParts('u', 3, 100), []);
        assert.deepEqual(await store.listParts('other', 0, 100), []);
        assert.equal(await store.putPart(partRecord('missing', 1)), 'no-upload');
      });

      test('re-uploading a part replaces it and trashes the old chunk', async () => {
        await store.createUpload(uploadRecord('b', 'k', 'u'));
        const first = partRecord('u', 1);
        const second = partRecord('u', 1, chunk(), { etag: '"second"' });
        await store.putPart(first);
        await store.putPart(second);
        assert.deepEqual(await store.listParts('u', 0, 10), [second]);
        assert.deepEqual(await trash(), new Set([first.chunks[0]!.id]));
        assert.equal(await store.isChunkKnown(second.chunks[0]!.id), true);
      });

      test('a part of many chunks keeps them in order; an empty part has none', async () => {
        await store.createUpload(uploadRecord('b', 'k', 'u'));
        const many = partRecord('u', 1, [chunk(8), chunk(8), chunk(3)]);
        const empty = partRecord('u', 2, []);
        for (const p of [many, empty]) assert.equal(await store.putPart(p), 'ok');
        assert.deepEqual(await store.listParts('u', 0, 10), [many, empty]);
        assert.equal(empty.size, 0);
        for (const c of many.chunks) assert.equal(await store.isChunkKnown(c.id), true);
        assert.deepEqual(await trash(), new Set());
      });

      test('re-uploading a multi-chunk part trashes every old chunk, keeps one it reuses', async () => {
        await store.createUpload(uploadRecord('b', 'k', 'u'));
        const shared = chunk(8);
        const first = partRecord('u', 1, [chunk(8), shared, chunk(2)]);
        const second = partRecord('u', 1, [shared, chunk(4)], { etag: '"second"' });
        await store.putPart(first);
        await store.putPart(second);
        assert.deepEqual(await store.listParts('u', 0, 10), [second]);
        assert.deepEqual(await trash(), new Set([first.chunks[0]!.id, first.chunks[2]!.id]));
        for (const c of second.chunks) assert.equal(await store.isChunkKnown(c.id), true);
      });

      test('completeUpload of multi-chunk parts: the object holds their concatenation, none trashed; unused parts are', async () => {
        await store.createUpload(uploadRecord('b', 'k', 'u'));
        const p1 = partRecord('u', 1, [chunk(8), chunk(8)]);
        const p2 = partRecord('u', 2, [chunk(8), chunk(1)]);
        const unused = partRecord('u', 3, [chunk(8), chunk(8)]);
        for (const p of [p1, p2, unused]) await store.putPart(p);
        const object = objectRecord('b', 'k', [...p1.chunks, ...p2.chunks], {
          parts: [
            { partNumber: 1, size: p1.size, etag: p1.etag },
            { partNumber: 2, size: p2.size, etag: p2.etag },
          ],
        });
        assert.equal(await store.completeUpload('u', object), 'ok');
        assert.deepEqual(await store.getObject('b', 'k'), object);
        assert.deepEqual(await trash(), new Set(unused.chunks.map((c) => c.id)));
        for (const c of object.chunks) assert.equal(await store.isChunkKnown(c.id), true);
        // Deleting the object releases every one of them to the trash.
        await store.deleteObject('b', 'k');
        assert.deepEqual(await trash(), new Set([...object.chunks, ...unused.chunks].map((c) => c.id)));
      });

      test('abortUpload of multi-chunk parts trashes every chunk of every part', async () => {
        await store.createUpload(uploadRecord('b', 'k', 'u'));
        const parts = [partRecord('u', 1, [chunk(8), chunk(8), chunk(8)]), partRecord('u', 2, [chunk(5)]), partRecord('u', 3, [])];
        for (const p of parts) await store.putPart(p);
        assert.equal(await store.abortUpload('u'), 'ok');
        const all = parts.flatMap((p) => p.chunks.map((c) => c.id));
        assert.equal(all.length, 4);
        assert.deepEqual(await trash(), new Set(all));
        for (const id of all) assert.equal(await store.isChunkKnown(id), true, 'trashed chunks stay known until GC purges them');
      });

      test('listUploads orders by (key, uploadId) and honours prefix, markers and limit', async () => {
        const specs: Array<[string, string]> = [
          ['b/2', 'u3'],
          ['a', 'u2'],
          ['b/1', 'u9'],
          ['a', 'u1'],
          ['b/1', 'u4'],
          ['c', 'u5'],
          ['é', 'u6'],
          ['😀', 'u7'],
          ['\uFFFD', 'u8'],
        ];
        for (const [key, id] of specs) await store.createUpload(uploadRecord('b', key, id));
        await store.createBucket(bucketRecord('other'));
        await store.createUpload(uploadRecord('other', 'a', 'x1'));
        const list = async (prefix: string, keyMarker: string, uploadIdMarker: string, limit = 100): Promise<string[]> =>
          (await store.listUploads('b', { prefix, keyMarker, uploadIdMarker, limit })).map((u) => `${u.key}:${u.uploadId}`);
        assert.deepEqual(await list('', '', ''), ['a:u1', 'a:u2', 'b/1:u4', 'b/1:u9', 'b/2:u3', 'c:u5', 'é:u6', '\uFFFD:u8', '😀:u7']);
        assert.deepEqual(await list('b/', '', ''), ['b/1:u4', 'b/1:u9', 'b/2:u3']);
        assert.deepEqual(await list('', 'a', 'u1'), ['a:u2', 'b/1:u4', 'b/1:u9', 'b/2:u3', 'c:u5', 'é:u6', '\uFFFD:u8', '😀:u7']);
        assert.deepEqual(await list('b/', 'b/1', 'u4', 1), ['b/1:u9']);
        assert.deepEqual(await list('b/', 'b/1', 'u9'), ['b/2:u3']);
        assert.deepEqual(await list('', '', '', 2), ['a:u1', 'a:u2']);
        assert.deepEqual(await list('zzz', '', ''), []);
        const full = await store.listUploads('b', { prefix: 'c', keyMarker: '', uploadIdMarker: '', limit: 10 });
        assert.deepEqual(full, [uploadRecord('b', 'c', 'u5')]);
      });

      test('completeUpload puts the object, removes the upload and parts, trashes unused parts', async () => {
        await store.createUpload(uploadRecord('b', 'k', 'u'));
        const p1 = partRecord('u', 1);
        const p2 = partRecord('u', 2);
        const unused = partRecord('u', 3);
        for (const p of [p1, p2, unused]) await store.putPart(p);
        const object = objectRecord('b', 'k', [p1.chunks[0]!, p2.chunks[0]!], {
          parts: [
            { partNumber: 1, size: p1.size, etag: p1.etag },
            { partNumber: 2, size: p2.size, etag: p2.etag },
          ],
        });
        assert.equal(await store.completeUpload('u', object), 'ok');
        assert.deepEqual(await store.getObject('b', 'k'), object);
        assert.equal(await store.getUpload('u'), null);
        assert.deepEqual(await store.listParts('u', 0, 100), []);
        assert.deepEqual(await trash(), new Set([unused.chunks[0]!.id]));
        assert.equal(await store.isChunkKnown(p1.chunks[0]!.id), true);
        assert.equal(await store.isChunkKnown(p2.chunks[0]!.id), true);
        assert.equal(await store.completeUpload('u', object), 'no-upload');
        assert.equal(await store.abortUpload('u'), 'no-upload');
        assert.equal(await store.deleteBucket('b'), 'not-empty');
      });

      test('completeUpload remembers the upload for a retried Complete; an unknown id is null', async () => {
        await store.createUpload(uploadRecord('b', 'k\u0000é', 'u'));
        const p1 = partRecord('u', 1);
        await store.putPart(p1);
        const object = objectRecord('b', 'k\u0000é', [p1.chunks[0]!], { etag: '"abc-1"' });
        assert.equal(await store.getCompletedUpload('u'), null);
        assert.equal(await store.completeUpload('u', object), 'ok');
        assert.deepEqual(await store.getCompletedUpload('u'), {
          uploadId: 'u',
          bucketId: 'b',
          key: 'k\u0000é',
          etag: '"abc-1"',
          objectModified: object.lastModified,
          versionId: 'null',
        });
        assert.equal(await store.getCompletedUpload('other'), null);
      });

      test('completeUpload over an existing object trashes the replaced object chunks', async () => {
        const old = objectRecord('b', 'k', [chunk()]);
        await store.putObject(old);
        await store.createUpload(uploadRecord('b', 'k', 'u'));
        const p1 = partRecord('u', 1);
        await store.putPart(p1);
        assert.equal(await store.completeUpload('u', objectRecord('b', 'k', [p1.chunks[0]!])), 'ok');
        assert.deepEqual(await trash(), new Set([old.chunks[0]!.id]));
      });

      test('abortUpload removes the upload and trashes every part chunk', async () => {
        await store.createUpload(uploadRecord('b', 'k', 'u'));
        const parts = [partRecord('u', 1), partRecord('u', 2)];
        for (const p of parts) await store.putPart(p);
        assert.equal(await store.abortUpload('u'), 'ok');
        assert.equal(await store.getUpload('u'), null);
        assert.deepEqual(await store.listParts('u', 0, 100), []);
        assert.deepEqual(await trash(), new Set(parts.map((p) => p.chunks[0]!.id)));
        assert.equal(await store.abortUpload('u'), 'no-upload');
        assert.equal(await store.putPart(partRecord('u', 3)), 'no-upload');
      });

      test('concurrent completeUpload and abortUpload: exactly one wins, state matches the winner', async () => {
        for (let round = 0; round < 10; round++) {
          const id = `race-${round}`;
          const key = `k${round}`;
          await store.createUpload(uploadRecord('b', key, id));
          const p1 = partRecord(id, 1);
          const p2 = partRecord(id, 2);
          await store.putPart(p1);
          await store.putPart(p2);
          const object = objectRecord('b', key, [p1.chunks[0]!, p2.chunks[0]!]);
          const ops =
            round % 2 === 0
              ? [store.completeUpload(id, object), store.abortUpload(id)]
              : [store.abortUpload(id), store.completeUpload(id, object)];
          const results = await Promise.all(ops);
          assert.equal(results.filter((r) => r === 'ok').length, 1, `round ${round}: ${results.join(',')}`);
          assert.equal(results.filter((r) => r === 'no-upload').length, 1);
          const completed = (round % 2 === 0 ? results[0] : results[1]) === 'ok';
          const t = await trash();
          if (completed) {
            assert.deepEqual(await store.getObject('b', key), object);
            assert.equal(t.has(p1.chunks[0]!.id) || t.has(p2.chunks[0]!.id), false);
          } else {
            assert.equal(await store.getObject('b', key), null);
            assert.equal(t.has(p1.chunks[0]!.id) && t.has(p2.chunks[0]!.id), true);
          }
          assert.equal(await store.getUpload(id), null);
        }
      });

      test('many concurrent completeUpload calls: exactly one succeeds', async () => {
        await store.createUpload(uploadRecord('b', 'k', 'u'));
        const p1 = partRecord('u', 1);
        await store.putPart(p1);
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => store.completeUpload('u', objectRecord('b', 'k', [p1.chunks[0]!], { etag: `"${i}"` }))),
        );
        assert.equal(results.filter((r) => r === 'ok').length, 1);
        assert.equal((await trash()).has(p1.chunks[0]!.id), false);
        assert.equal(await store.isChunkKnown(p1.chunks[0]!.id), true);
      });

      test('listStaleUploads returns uploads initiated before a time, oldest first, up to limit', async () => {
        await store.createUpload(uploadRecord('b', 'k1', 'new', { initiated: at(3000) }));
        await store.createUpload(uploadRecord('b', 'k2', 'old', { initiated: at(1000) }));
        await store.createUpload(uploadRecord('b', 'k3', 'mid', { initiated: at(2000) }));
        const ids = async (before: number, limit: number): Promise<string[]> =>
          (await store.listStaleUploads(at(before), limit)).map((u) => u.uploadId);
        assert.deepEqual(await ids(2500, 10), ['old', 'mid']);
        assert.deepEqual(await ids(2000, 10), ['old'], 'strictly before');
        assert.deepEqual(await ids(10_000, 2), ['old', 'mid']);
        assert.deepEqual(await ids(500, 10), []);
      });
    });

    describe('chunk bookkeeping', () => {
      beforeEach(async () => {
        await store.createBucket(bucketRecord('b'));
      });

      test('isChunkKnown: unknown, part, object, trash, then removed from trash', async () => {
        const c = chunk();
        assert.equal(await store.isChunkKnown(c.id), false);
        await store.createUpload(uploadRecord('b', 'k', 'u'));
        await store.putPart(partRecord('u', 1, c));
        assert.equal(await store.isChunkKnown(c.id), true, 'referenced by a part');
        await store.completeUpload('u', objectRecord('b', 'k', [c]));
        assert.equal(await store.isChunkKnown(c.id), true, 'referenced by an object');
        await store.deleteObject('b', 'k');
        assert.equal(await store.isChunkKnown(c.id), true, 'in the trash');
        await store.removeFromTrash([c.id]);
        assert.equal(await store.isChunkKnown(c.id), false);
        assert.equal((await trash()).size, 0);
      });

      test('listTrash returns entries trashed before a time, oldest first, up to limit', async () => {
        const a = objectRecord('b', 'a', [chunk()]);
        const b = objectRecord('b', 'b', [chunk()]);
        await store.putObject(a);
        await store.putObject(b);
        const before = Date.now();
        await store.deleteObject('b', 'a');
        await new Promise((r) => setTimeout(r, 15));
        await store.deleteObject('b', 'b');
        const after = Date.now();
        const all = await store.listTrash(new Date(after + 1000), 10);
        assert.deepEqual(
          all.map((e) => e.id),
          [a.chunks[0]!.id, b.chunks[0]!.id],
        );
        for (const e of all) {
          assert.ok(e.trashedAt instanceof Date);
          assert.ok(e.trashedAt.getTime() >= before - 1000 && e.trashedAt.getTime() <= after + 1000);
        }
        assert.deepEqual(
          (await store.listTrash(new Date(after + 1000), 1)).map((e) => e.id),
          [a.chunks[0]!.id],
        );
        assert.deepEqual(await store.listTrash(new Date(before - 60_000), 10), []);
        await store.removeFromTrash([a.chunks[0]!.id, 'f'.repeat(32)]);
        assert.deepEqual(
          (await store.listTrash(new Date(after + 1000), 10)).map((e) => e.id),
          [b.chunks[0]!.id],
        );
        await store.removeFromTrash([]);
      });
    });

    describe('credentials', () => {
      test('putCredential then getCredential returns every field; listCredentials lists all', async () => {
        const a = credentialRecord('AKIAAAAAAAAAAAAAAAAA', {
          role: 'admin',
          permissions: [],
          lastUsedAt: at(5),
          expiresAt: at(9_999_999_999_999),
        });
        const b = credentialRecord('AKIABBBBBBBBBBBBBBBB', { createdAt: at(1_700_000_009_000) });
        await store.putCredential(a);
        await store.putCredential(b);
        assert.deepEqual(await store.getCredential(a.accessKey), a);
        assert.ok(Buffer.isBuffer((await store.getCredential(a.accessKey))?.sealedSecret));
        assert.equal(await store.getCredential('AKIANOTTHERE00000000'), null);
        const listed = await store.listCredentials();
        assert.deepEqual(
          [...listed].sort((x, y) => x.accessKey.localeCompare(y.accessKey)),
          [a, b],
        );
      });

      test('putCredential replaces an existing record', async () => {
        await store.putCredential(credentialRecord('AKIAAAAAAAAAAAAAAAAA'));
        const replaced = credentialRecord('AKIAAAAAAAAAAAAAAAAA', { role: 'admin', user: 'root' });
        await store.putCredential(replaced);
        assert.deepEqual(await store.getCredential('AKIAAAAAAAAAAAAAAAAA'), replaced);
        assert.equal((await store.listCredentials()).length, 1);
      });

      test('revokeCredential marks revoked once; unknown or already revoked give false', async () => {
        await store.putCredential(credentialRecord('AKIAAAAAAAAAAAAAAAAA'));
        assert.equal(await store.revokeCredential('AKIAAAAAAAAAAAAAAAAA', at(1_700_000_100_000)), true);
        assert.deepEqual((await store.getCredential('AKIAAAAAAAAAAAAAAAAA'))?.revokedAt, at(1_700_000_100_000));
        assert.equal(await store.revokeCredential('AKIAAAAAAAAAAAAAAAAA', at(1_700_000_200_000)), false);
        assert.deepEqual(
          (await store.getCredential('AKIAAAAAAAAAAAAAAAAA'))?.revokedAt,
          at(1_700_000_100_000),
          'first revocation time kept',
        );
        assert.equal(await store.revokeCredential('AKIANOTTHERE00000000', at(1)), false);
      });

      test('revokeAllCredentials revokes every active key except those listed and counts them', async () => {
        const now = at(1_700_000_500_000);
        await store.putCredential(credentialRecord('AKIAKEEP000000000000'));
        await store.putCredential(credentialRecord('AKIAACTIVE0000000001'));
        await store.putCredential(credentialRecord('AKIAACTIVE0000000002', { expiresAt: at(now.getTime() + 3_600_000) }));
        await store.putCredential(credentialRecord('AKIAREVOKED000000000', { revokedAt: at(1_700_000_000_000) }));
        await store.putCredential(credentialRecord('AKIAEXPIRED000000000', { expiresAt: at(1_700_000_000_000) }));
        assert.equal(await store.revokeAllCredentials(now, ['AKIAKEEP000000000000']), 2);
        const byKey = new Map((await store.listCredentials()).map((c) => [c.accessKey, c]));
        assert.equal(byKey.get('AKIAKEEP000000000000')?.revokedAt, null);
        assert.deepEqual(byKey.get('AKIAACTIVE0000000001')?.revokedAt, now);
        assert.deepEqual(byKey.get('AKIAACTIVE0000000002')?.revokedAt, now);
        assert.deepEqual(byKey.get('AKIAREVOKED000000000')?.revokedAt, at(1_700_000_000_000), 'earlier revocation kept');
        assert.equal(await store.revokeAllCredentials(now, []), 1, 'only the kept key was still active');
        assert.equal(await store.revokeAllCredentials(now, []), 0);
      });

      test('replaceSealedSecret swaps only a matching sealed secret and leaves every other field', async () => {
        const rec = credentialRecord('AKIAAAAAAAAAAAAAAAAA');
        await store.putCredential(rec);
        await store.revokeCredential('AKIAAAAAAAAAAAAAAAAA', at(1_700_000_100_000));
        const to = Buffer.from('resealed-secret-bytes');
        assert.equal(await store.replaceSealedSecret('AKIAAAAAAAAAAAAAAAAA', Buffer.from('not the current'), to), false);
        assert.equal(await store.replaceSealedSecret('AKIAAAAAAAAAAAAAAAAA', rec.sealedSecret, to), true);
        const got = await store.getCredential('AKIAAAAAAAAAAAAAAAAA');
        assert.deepEqual(got?.sealedSecret, to);
        assert.deepEqual(got?.revokedAt, at(1_700_000_100_000), 'the revocation is kept');
        assert.equal(got?.user, rec.user);
        assert.equal(await store.replaceSealedSecret('AKIAAAAAAAAAAAAAAAAA', rec.sealedSecret, to), false, 'already replaced');
        assert.equal(await store.replaceSealedSecret('AKIANOTTHERE00000000', rec.sealedSecret, to), false);
      });

      test('expireCredential sets expiresAt; unknown or revoked keys give false', async () => {
        await store.putCredential(credentialRecord('AKIAAAAAAAAAAAAAAAAA'));
        assert.equal(await store.expireCredential('AKIAAAAAAAAAAAAAAAAA', at(1_700_001_000_000)), true);
        assert.deepEqual((await store.getCredential('AKIAAAAAAAAAAAAAAAAA'))?.expiresAt, at(1_700_001_000_000));
        assert.equal(await store.expireCredential('AKIANOTTHERE00000000', at(1)), false);
        await store.revokeCredential('AKIAAAAAAAAAAAAAAAAA', at(1_700_000_000_500));
        assert.equal(await store.expireCredential('AKIAAAAAAAAAAAAAAAAA', at(1_700_002_000_000)), false);
      });

      test('touchCredential records use, at most about once a minute', async () => {
        await store.putCredential(credentialRecord('AKIAAAAAAAAAAAAAAAAA'));
        const t0 = 1_700_000_000_000;
        await store.touchCredential('AKIAAAAAAAAAAAAAAAAA', at(t0));
        assert.deepEqual((await store.getCredential('AKIAAAAAAAAAAAAAAAAA'))?.lastUsedAt, at(t0));
        await store.touchCredential('AKIAAAAAAAAAAAAAAAAA', at(t0 + 10_000));
        const soon = (await store.getCredential('AKIAAAAAAAAAAAAAAAAA'))?.lastUsedAt?.getTime();
        assert.ok(soon === t0 || soon === t0 + 10_000, 'a touch within a minute may be coalesced');
        await store.touchCredential('AKIAAAAAAAAAAAAAAAAA', at(t0 + 120_000));
        assert.deepEqual((await store.getCredential('AKIAAAAAAAAAAAAAAAAA'))?.lastUsedAt, at(t0 + 120_000));
        await store.touchCredential('AKIANOTTHERE00000000', at(t0)); // unknown: no error, no row
        assert.equal(await store.getCredential('AKIANOTTHERE00000000'), null);
      });
    });

    describe('key registry', () => {
      const wrappedKey = (ref: string, version: number, keyId = 'default', provider = 'file') => ({
        ref,
        provider,
        keyId,
        version,
        wrapped: Buffer.from(`${ref}:${version}`),
      });

      test('createKey makes version 1 active; exists leaves the key as it was; listKeys is sorted', async () => {
        assert.equal(await store.getKey('default'), null);
        assert.equal(await store.createKey('default', 'file', at(1000)), 'created');
        assert.equal(await store.createKey('default', 'pkcs11', at(2000)), 'exists');
        assert.deepEqual(await store.getKey('default'), {
          keyId: 'default',
          provider: 'file',
          createdAt: at(1000),
          versions: [{ version: 1, createdAt: at(1000), state: 'active' }],
        });
        await store.createKey('alias/zeta', 'file', at(3000));
        await store.createKey('alias/alpha', 'file', at(3000));
        assert.deepEqual(
          (await store.listKeys()).map((k) => [k.keyId, k.versions.length]),
          [
            ['alias/alpha', 1],
            ['alias/zeta', 1],
            ['default', 1],
          ],
        );
      });

      test('addKeyVersion takes exactly the next version; a stale one is a conflict; an unknown key is no-key', async () => {
        await store.createKey('k', 'file', at(1000));
        assert.equal(await store.addKeyVersion('k', 2, at(2000)), 'ok');
        assert.equal(await store.addKeyVersion('k', 2, at(2001)), 'conflict');
        assert.equal(await store.addKeyVersion('k', 4, at(2002)), 'conflict');
        assert.equal(await store.addKeyVersion('k', 3, at(3000)), 'ok');
        assert.equal(await store.addKeyVersion('nope', 2, at(3000)), 'no-key');
        assert.deepEqual(
          (await store.getKey('k'))?.versions.map((v) => [v.version, v.state, v.createdAt.getTime()]),
          [
            [1, 'active', 1000],
            [2, 'active', 2000],
            [3, 'active', 3000],
          ],
        );
      });

      test('retireKeyVersion: refused while a wrapped key refers to it and for the newest version; then retired once', async () => {
        await store.createKey('k', 'file', at(1000));
        await store.addKeyVersion('k', 2, at(2000));
        await store.putWrappedKey(wrappedKey('obj-1', 1, 'k'));
        assert.equal(await store.retireKeyVersion('k', 1), 'in-use');
        assert.equal(await store.retireKeyVersion('k', 2), 'current');
        assert.equal(await store.retireKeyVersion('k', 9), 'not-found');
        assert.equal(await store.retireKeyVersion('nope', 1), 'not-found');
        assert.equal(
          await store.replaceWrappedKey('obj-1', wrappedKey('obj-1', 1, 'k'), {
            provider: 'file',
            version: 2,
            wrapped: Buffer.from('new'),
          }),
          true,
        );
        assert.equal(await store.retireKeyVersion('k', 1), 'retired');
        assert.equal(await store.retireKeyVersion('k', 1), 'already');
        assert.deepEqual(
          (await store.getKey('k'))?.versions.map((v) => v.state),
          ['retired', 'active'],
        );
      });

      test('wrapped keys: put replaces, get, delete; listWrappedKeys pages by ref below a version; counts per version', async () => {
        await store.putWrappedKey(wrappedKey('b', 1));
        await store.putWrappedKey(wrappedKey('a', 1));
        await store.putWrappedKey(wrappedKey('c', 2));
        await store.putWrappedKey(wrappedKey('d', 1, 'other'));
        await store.putWrappedKey(wrappedKey('e', 1));
        assert.deepEqual(await store.getWrappedKey('a'), wrappedKey('a', 1));
        await store.putWrappedKey(wrappedKey('a', 2));
        assert.deepEqual(await store.getWrappedKey('a'), wrappedKey('a', 2));
        assert.equal(await store.getWrappedKey('zz'), null);
        const page = async (after: string, limit: number) => (await store.listWrappedKeys('default', 2, after, limit)).map((k) => k.ref);
        assert.deepEqual(await page('', 10), ['b', 'e']);
        assert.deepEqual(await page('', 1), ['b']);
        assert.deepEqual(await page('b', 10), ['e']);
        assert.deepEqual(await page('', 0), []);
        assert.deepEqual((await store.listWrappedKeys('default', 2, '', 10))[0], wrappedKey('b', 1));
        assert.deepEqual(await store.countWrappedKeys(), [
          { keyId: 'default', version: 1, count: 2 },
          { keyId: 'default', version: 2, count: 2 },
          { keyId: 'other', version: 1, count: 1 },
        ]);
        assert.equal(await store.deleteWrappedKey('b'), true);
        assert.equal(await store.deleteWrappedKey('b'), false);
        assert.equal(await store.getWrappedKey('b'), null);
      });

      test('replaceWrappedKey swaps only while the stored key is exactly the expected one (version and bytes)', async () => {
        await store.putWrappedKey(wrappedKey('x', 1));
        const v1 = wrappedKey('x', 1);
        assert.equal(
          await store.replaceWrappedKey('x', { ...v1, version: 2 }, { provider: 'file', version: 3, wrapped: Buffer.from('late') }),
          false,
        );
        // Same version, other bytes: a write that landed meanwhile (another data key) is never overwritten.
        assert.equal(
          await store.replaceWrappedKey(
            'x',
            { ...v1, wrapped: Buffer.from('other') },
            { provider: 'file', version: 2, wrapped: Buffer.from('z') },
          ),
          false,
        );
        assert.equal(await store.replaceWrappedKey('x', v1, { provider: 'pkcs11', version: 2, wrapped: Buffer.from('v2') }), true);
        assert.deepEqual(await store.getWrappedKey('x'), {
          ref: 'x',
          provider: 'pkcs11',
          keyId: 'default',
          version: 2,
          wrapped: Buffer.from('v2'),
        });
        assert.equal(await store.replaceWrappedKey('x', v1, { provider: 'file', version: 2, wrapped: Buffer.from('again') }), false);
        assert.equal(await store.replaceWrappedKey('missing', v1, { provider: 'file', version: 2, wrapped: Buffer.from('m') }), false);
        await assert.rejects(store.putWrappedKey(wrappedKey('object:["b","k"]', 1)), /reserved/);
      });
    });

    describe('settings', () => {
      test('getSetting is null until set; putSetting replaces; null deletes', async () => {
        assert.equal(await store.getSetting('read_only'), null);
        await store.putSetting('read_only', '{"enabled":true,"reason":"incident 42"}');
        assert.equal(await store.getSetting('read_only'), '{"enabled":true,"reason":"incident 42"}');
        await store.putSetting('read_only', 'false');
        assert.equal(await store.getSetting('read_only'), 'false');
        await store.putSetting('ip_blocklist', '["203.0.113.0/24"]');
        await store.putSetting('read_only', null);
        assert.equal(await store.getSetting('read_only'), null);
        assert.equal(await store.getSetting('ip_blocklist'), '["203.0.113.0/24"]');
        await store.putSetting('never-set', null);
      });
    });
  });
}
