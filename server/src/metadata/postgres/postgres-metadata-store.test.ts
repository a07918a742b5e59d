import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { runMetadataStoreConformance } from '../conformance.js';
import { bucketRecord, chunk, credentialRecord, objectRecord, partRecord, uploadRecord } from '../conformance-fixtures.js';
import { IS_CHUNK_KNOWN_SQL, PostgresConnectError, PostgresMetadataStore } from './postgres-metadata-store.js';
import { MIGRATIONS, SchemaVersionError, migrate } from './schema.js';
import { startPostgresCluster, type PostgresCluster } from '../../../../test/helpers/postgres-cluster.js';

// One private cluster for this file; a fresh database for every test. A missing PostgreSQL
// makes before() throw, which fails every test here (never a silent skip).
let cluster: PostgresCluster;
before(async () => {
  cluster = await startPostgresCluster();
});
after(async () => {
  await cluster?.stop();
});

async function freshStore(): Promise<{ store: PostgresMetadataStore; db: string; url: string }> {
  const db = await cluster.createDatabase();
  const url = cluster.url(db);
  return { store: await PostgresMetadataStore.open(url), db, url };
}

runMetadataStoreConformance('postgres', async () => {
  const { store, db } = await freshStore();
  return {
    store,
    async cleanup() {
      await store.close();
      await cluster.dropDatabase(db);
    },
  };
});

describe('PostgresMetadataStore specifics', () => {
  test('the schema migrates once and records its version; reopening changes nothing', async () => {
    const { store, db, url } = await freshStore();
    await store.createBucket(bucketRecord('b'));
    await store.close();
    const again = await PostgresMetadataStore.open(url);
    assert.notEqual(await again.getBucket('b'), null, 'data kept across reopen');
    await again.close();
    const rows = await cluster.superQuery<{ version: number }>('SELECT version FROM schema_version', [], db);
    assert.deepEqual(rows, [{ version: MIGRATIONS.length }]);
    await cluster.dropDatabase(db);
  });

  test('schema 1 -> 2: objects and uploads move to their bucket id, and the foreign keys with them', async () => {
    const db = await cluster.createDatabase();
    const url = cluster.url(db);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await migrate(client, MIGRATIONS.slice(0, 1));
      await client.query(`INSERT INTO buckets (name, owner, region, created_at, acl, policy, permissions)
                          VALUES ('kept', 'alice', 'us-east-1', now(), '{"owner":"alice","grants":[]}', NULL, '{}')`);
      await client.query(`INSERT INTO objects (bucket, key, size, etag, last_modified, owner, headers, user_metadata, checksum, acl, storage_class, chunks, parts)
                          VALUES ('kept', 'k'::bytea, 1, '"e"', now(), 'alice', '{}', '{}', NULL, '{"owner":"alice","grants":[]}', 'STANDARD', '[]', NULL)`);
      await client.query(`INSERT INTO uploads (upload_id, bucket, key, initiated, owner, headers, user_metadata, acl, storage_class)
                          VALUES ('u1', 'kept', 'big'::bytea, now(), 'alice', '{}', '{}', '{"owner":"alice","grants":[]}', 'STANDARD')`);
    } finally {
      await client.end();
    }
    const store = await PostgresMetadataStore.open(url);
    try {
      const kept = await store.getBucket('kept');
      assert.match(kept?.id ?? '', /^[0-9a-f]{32}$/);
      assert.equal((await store.getObject(kept!.id, 'k'))?.etag, '"e"');
      assert.equal((await store.getUpload('u1'))?.bucketId, kept!.id);
      assert.equal(await store.deleteBucket(kept!.id), 'not-empty');
      assert.equal(await store.putObject(objectRecord('no-such-id', 'x')), 'no-bucket');
    } finally {
      await store.close();
      await cluster.dropDatabase(db);
    }
  });

  test('schema 2 -> 3: each part becomes a one-element chunk list; reference counts carry over', async () => {
    const db = await cluster.createDatabase();
    const url = cluster.url(db);
    const client = new pg.Client({ connectionString: url });
    const [c1, c2, empty] = ['1'.repeat(32), '2'.repeat(32), 'e'.repeat(32)];
    await client.connect();
    try {
      await migrate(client, MIGRATIONS.slice(0, 2));
      await client.query(`INSERT INTO buckets (name, owner, region, created_at, acl, policy, permissions, id)
                          VALUES ('b', 'alice', 'us-east-1', now(), '{"owner":"alice","grants":[]}', NULL, '{}', 'b-id')`);
      await client.query(`INSERT INTO uploads (upload_id, bucket_id, key, initiated, owner, headers, user_metadata, acl, storage_class)
                          VALUES ('u', 'b-id', 'big'::bytea, now(), 'alice', '{}', '{}', '{"owner":"alice","grants":[]}', 'STANDARD')`);
      for (const [n, id, size] of [
        [1, c1, 6 << 20],
        [2, c2, 7],
        [3, empty, 0],
      ] as const) {
        await client.query(
          `INSERT INTO parts (upload_id, part_number, size, etag, last_modified, checksum, chunk_id, chunk_size)
           VALUES ('u', $1, $2, '"p"', now(), NULL, $3, $2)`,
          [n, size, id],
        );
        await client.query('INSERT INTO chunk_refs (chunk_id, refs) VALUES ($1, 1)', [id]);
      }
    } finally {
      await client.end();
    }
    const store = await PostgresMetadataStore.open(url);
    try {
      const parts = await store.listParts('u', 0, 10);
      assert.deepEqual(
        parts.map((p) => [p.partNumber, p.size, p.chunks]),
        [
          [1, 6 << 20, [{ id: c1, size: 6 << 20 }]],
          [2, 7, [{ id: c2, size: 7 }]],
          [3, 0, [{ id: empty, size: 0 }]],
        ],
      );
      for (const id of [c1, c2, empty]) assert.equal(await store.isChunkKnown(id), true);
      assert.deepEqual(await store.listTrash(new Date(Date.now() + 60_000), 10), []);
      const n1 = '3'.repeat(32);
      const n2 = '4'.repeat(32);
      assert.equal(
        await store.putPart({
          ...parts[0]!,
          chunks: [
            { id: n1, size: 3 << 20 },
            { id: n2, size: 3 << 20 },
          ],
        }),
        'ok',
      );
      assert.deepEqual(
        (await store.listTrash(new Date(Date.now() + 60_000), 10)).map((t) => t.id),
        [c1],
      );
      const object = objectRecord('b-id', 'big', [
        { id: n1, size: 3 << 20 },
        { id: n2, size: 3 << 20 },
        { id: c2, size: 7 },
      ]);
      assert.equal(await store.completeUpload('u', object), 'ok');
      const trashed = (await store.listTrash(new Date(Date.now() + 60_000), 10)).map((t) => t.id).sort();
      assert.deepEqual(trashed, [c1, empty].sort());
      const refs = await cluster.superQuery<{ chunk_id: string; refs: number }>(
        'SELECT chunk_id, refs FROM chunk_refs ORDER BY chunk_id',
        [],
        db,
      );
      assert.deepEqual(refs, [
        { chunk_id: c2, refs: 1 },
        { chunk_id: n1, refs: 1 },
        { chunk_id: n2, refs: 1 },
      ]);
      const columns = await cluster.superQuery<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'parts' AND column_name LIKE 'chunk%' ORDER BY column_name`,
        [],
        db,
      );
      assert.deepEqual(columns, [{ column_name: 'chunks' }]);
    } finally {
      await store.close();
      await cluster.dropDatabase(db);
    }
  });

  test('several nodes opening an empty database at once: one migrates, all work', async () => {
    const db = await cluster.createDatabase();
    const stores = await Promise.all(Array.from({ length: 6 }, () => PostgresMetadataStore.open(cluster.url(db))));
    await Promise.all(stores.map((s, i) => s.createBucket(bucketRecord(`b${i}`))));
    assert.equal((await stores[0]!.listBuckets()).length, 6);
    await Promise.all(stores.map((s) => s.close()));
    const rows = await cluster.superQuery<{ version: number }>('SELECT version FROM schema_version', [], db);
    assert.deepEqual(rows, [{ version: MIGRATIONS.length }]);
    await cluster.dropDatabase(db);
  });

  test('a database written by a newer schema version is refused', async () => {
    const { store, db, url } = await freshStore();
    await store.close();
    await cluster.superQuery('UPDATE schema_version SET version = 99', [], db);
    await assert.rejects(PostgresMetadataStore.open(url), (err: unknown) => {
      assert.ok(err instanceof SchemaVersionError);
      assert.match(err.message, /99/);
      return true;
    });
    await cluster.dropDatabase(db);
  });

  test('the application role needs no superuser: it owns its database and nothing else', async () => {
    const rows = await cluster.superQuery<{ rolsuper: boolean; rolcreatedb: boolean }>(
      'SELECT rolsuper, rolcreatedb FROM pg_roles WHERE rolname = $1',
      [cluster.appUser],
    );
    assert.deepEqual(rows, [{ rolsuper: false, rolcreatedb: false }]);
    const { store, db } = await freshStore(); // migrated as that role
    await store.close();
    await cluster.dropDatabase(db);
  });

  test('key columns sort in byte order although the database collation is ICU en-US', async () => {
    const { store, db } = await freshStore();
    const collation = await cluster.superQuery<{ p: string }>('SELECT datlocprovider AS p FROM pg_database WHERE datname = $1', [db]);
    assert.deepEqual(collation, [{ p: 'i' }], 'the test cluster must use ICU so this test means something');
    // en-US would give a, B, b-c, bc; bytes give B, a, b-c, bc.
    for (const n of ['bc', 'a', 'B', 'b-c']) await store.createBucket(bucketRecord(n));
    assert.deepEqual(
      (await store.listBuckets()).map((b) => b.name),
      ['B', 'a', 'b-c', 'bc'],
    );
    for (const id of ['u-a', 'U-b']) await store.createUpload(uploadRecord('a', 'k', id));
    const ids = (await store.listUploads('a', { prefix: '', keyMarker: '', uploadIdMarker: '', limit: 10 })).map((u) => u.uploadId);
    assert.deepEqual(ids, ['U-b', 'u-a']);
    const after = await store.listUploads('a', { prefix: '', keyMarker: 'k', uploadIdMarker: 'U-b', limit: 10 });
    assert.deepEqual(
      after.map((u) => u.uploadId),
      ['u-a'],
    );
    await store.close();
    await cluster.dropDatabase(db);
  });

  test('isChunkKnown and listObjects use the indexes, not a table scan', async () => {
    const { store, db } = await freshStore();
    await store.close();
    const client = new pg.Client({ connectionString: cluster.url(db) });
    await client.connect();
    try {
      // Empty tables make any plan cheap; forbid seq scans so we learn whether an index serves.
      await client.query('SET enable_seqscan = off');
      const plan = async (sql: string, params: unknown[]): Promise<string> =>
        (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params)).rows.map((r) => r['QUERY PLAN']).join('\n');
      const known = await plan(IS_CHUNK_KNOWN_SQL, ['abc']);
      assert.match(known, /chunk_refs_pkey/);
      assert.match(known, /chunk_trash_pkey/);
      assert.doesNotMatch(known, /Seq Scan/);
      const list = await plan('SELECT * FROM objects WHERE bucket_id = $1 AND key > $2 AND key >= $3 AND key < $4 ORDER BY key LIMIT $5', [
        'b',
        Buffer.from(''),
        Buffer.from('p/'),
        Buffer.from('p0'),
        10,
      ]);
      assert.match(list, /Index Scan using objects_pkey/);
      assert.doesNotMatch(list, /Sort|Seq Scan/);
    } finally {
      await client.end();
    }
    await cluster.dropDatabase(db);
  });

  test('sealed secrets are bytea and JSON columns are jsonb', async () => {
    const { store, db } = await freshStore();
    await store.close();
    const types = await cluster.superQuery<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
       WHERE table_schema = 'public' AND column_name IN ('sealed_secret', 'acl', 'chunks', 'user_metadata', 'key')
       ORDER BY table_name, column_name`,
      [],
      db,
    );
    const byName = new Map(types.map((t) => [`${t.table_name}.${t.column_name}`, t.data_type]));
    assert.equal(byName.get('credentials.sealed_secret'), 'bytea');
    assert.equal(byName.get('objects.chunks'), 'jsonb');
    assert.equal(byName.get('objects.acl'), 'jsonb');
    assert.equal(byName.get('objects.key'), 'bytea');
    assert.equal(byName.get('uploads.key'), 'bytea');
    await cluster.dropDatabase(db);
  });

  test('two store instances (two nodes) racing Complete and Abort: exactly one wins', async () => {
    const { store: a, db, url } = await freshStore();
    const b = await PostgresMetadataStore.open(url);
    await a.createBucket(bucketRecord('b'));
    for (let round = 0; round < 20; round++) {
      const id = `u${round}`;
      await a.createUpload(uploadRecord('b', `k${round}`, id));
      const p = partRecord(id, 1);
      await b.putPart(p);
      const results = await Promise.all([
        a.completeUpload(id, objectRecord('b', `k${round}`, [p.chunks[0]!])),
        b.abortUpload(id),
        b.completeUpload(id, objectRecord('b', `k${round}`, [p.chunks[0]!], { etag: '"other"' })),
      ]);
      assert.equal(results.filter((r) => r === 'ok').length, 1, results.join(','));
    }
    // Every reference count is exact: no chunk is both referenced and trashed, none negative.
    const bad = await cluster.superQuery(
      'SELECT r.chunk_id FROM chunk_refs r LEFT JOIN chunk_trash t USING (chunk_id) WHERE r.refs <= 0 OR t.chunk_id IS NOT NULL',
      [],
      db,
    );
    assert.deepEqual(bad, []);
    await a.close();
    await b.close();
    await cluster.dropDatabase(db);
  });

  test('concurrent puts of the same new key from two nodes leave exact reference counts', async () => {
    const { store: a, db, url } = await freshStore();
    const b = await PostgresMetadataStore.open(url);
    await a.createBucket(bucketRecord('b'));
    const written: string[] = [];
    await Promise.all(
      Array.from({ length: 16 }, (_, i) => {
        const c = chunk();
        written.push(c.id);
        return (i % 2 === 0 ? a : b).putObject(objectRecord('b', 'same', [c]));
      }),
    );
    const winner = await a.getObject('b', 'same');
    assert.ok(winner);
    const live = winner.chunks[0]!.id;
    const refs = await cluster.superQuery<{ chunk_id: string; refs: number }>('SELECT chunk_id, refs FROM chunk_refs', [], db);
    assert.deepEqual(refs, [{ chunk_id: live, refs: 1 }], 'only the surviving object holds a reference');
    const trashed = new Set((await a.listTrash(new Date(Date.now() + 60_000), 100)).map((t) => t.id));
    assert.deepEqual(trashed, new Set(written.filter((id) => id !== live)), 'every replaced chunk is in the trash');
    await a.close();
    await b.close();
    await cluster.dropDatabase(db);
  });

  test('concurrent copies sharing chunks (deadlock-prone lock orders) all commit with exact counts', async () => {
    const { store, db } = await freshStore();
    await store.createBucket(bucketRecord('b'));
    const shared = Array.from({ length: 6 }, () => chunk());
    // Each writer references the shared chunks in a different order and replaces its own
    // earlier version, so transactions lock the same chunk rows in conflicting orders.
    await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const order = i % 2 === 0 ? shared : [...shared].reverse();
        await store.putObject(objectRecord('b', `copy${i % 4}`, order));
        await store.deleteObject('b', `copy${(i + 1) % 4}`);
      }),
    );
    const objects = await store.listObjects('b', { prefix: '', startAfter: '', limit: 100 });
    const refs = await cluster.superQuery<{ refs: number }>('SELECT refs FROM chunk_refs ORDER BY chunk_id', [], db);
    for (const r of refs) assert.equal(r.refs, objects.length);
    if (objects.length === 0) assert.equal(refs.length, 0);
    await store.close();
    await cluster.dropDatabase(db);
  });

  test('a role that may not create tables gets a clear migration error', async () => {
    const db = `anode_noperm_${process.pid}`;
    await cluster.superQuery(`CREATE DATABASE ${db}`); // owned by postgres: anode_app may connect, not create
    await assert.rejects(PostgresMetadataStore.open(cluster.url(db)), (err: unknown) => {
      assert.ok(err instanceof PostgresConnectError);
      assert.equal(err.code, '42501');
      assert.match(
        err.message,
        /schema migration failed on postgres:\/\/anode_app:\*\*\*@127\.0\.0\.1:\d+\/anode_noperm_\d+: permission denied for schema public/,
      );
      assert.ok(!err.message.includes(cluster.appPassword));
      return true;
    });
    await cluster.dropDatabase(db);
  });

  test('a wrong password fails with a clear error that never contains the password', async () => {
    const db = await cluster.createDatabase();
    const secret = 'Sup3r-Secret-Passw0rd';
    const url = `postgres://${cluster.appUser}:${secret}@${cluster.host}:${cluster.port}/${db}`;
    await assert.rejects(PostgresMetadataStore.open(url), (err: unknown) => {
      assert.ok(err instanceof PostgresConnectError);
      assert.equal(err.code, '28P01');
      assert.match(err.message, /password authentication failed/);
      assert.match(err.message, /\*\*\*@127\.0\.0\.1/);
      assert.ok(!err.message.includes(secret), err.message);
      assert.ok(!JSON.stringify(err).includes(secret));
      assert.ok(!String(err.stack).includes(secret));
      return true;
    });
    await cluster.dropDatabase(db);
  });

  test('an unreachable server fails fast with its address and no password', async () => {
    const url = `postgres://u:hunter2hunter2@127.0.0.1:1/db`;
    await assert.rejects(PostgresMetadataStore.open(url), (err: unknown) => {
      assert.ok(err instanceof PostgresConnectError);
      assert.equal(err.code, 'ECONNREFUSED');
      assert.match(err.message, /127\.0\.0\.1:1/);
      assert.ok(!err.message.includes('hunter2'), err.message);
      return true;
    });
    await assert.rejects(PostgresMetadataStore.open(''), PostgresConnectError);
  });

  test('a schema chosen by search_path in the URL keeps every table there', async () => {
    const db = await cluster.createDatabase();
    await cluster.superQuery(`CREATE SCHEMA anode AUTHORIZATION ${cluster.appUser}`, [], db);
    const store = await PostgresMetadataStore.open(`${cluster.url(db)}?options=-c%20search_path%3Danode`);
    await store.createBucket(bucketRecord('b'));
    await store.close();
    const tables = await cluster.superQuery<{ table_schema: string; n: string }>(
      `SELECT table_schema, count(*) AS n FROM information_schema.tables
       WHERE table_schema IN ('anode', 'public') GROUP BY table_schema`,
      [],
      db,
    );
    // Every table in that schema, none in public (the count grows with each migration).
    assert.deepEqual(
      tables.map((t) => t.table_schema),
      ['anode'],
    );
    assert.ok(Number(tables[0]?.n) >= 9);
    await cluster.dropDatabase(db);
  });

  test('after PostgreSQL restarts, the store reconnects without being reopened', async () => {
    const idleErrors: Error[] = [];
    const db = await cluster.createDatabase();
    const store = await PostgresMetadataStore.open(cluster.url(db), { onIdleError: (e) => idleErrors.push(e) });
    await store.putSetting('before', '1');
    await cluster.restart();
    // The pooled connections were cut; at most the first call may see that, later ones work.
    await store.getSetting('before').catch(() => null);
    assert.equal(await store.getSetting('before'), '1');
    await store.putSetting('after', '2');
    assert.equal(await store.getSetting('after'), '2');
    await store.close();
    await cluster.dropDatabase(db);
  });

  test('credentials round-trip the exact sealed bytes and survive a restart of the pool', async () => {
    const { store, db, url } = await freshStore();
    const c = credentialRecord('AKIAAAAAAAAAAAAAAAAA', { sealedSecret: Buffer.from([0, 1, 2, 255, 0, 128]) });
    await store.putCredential(c);
    await store.close();
    const again = await PostgresMetadataStore.open(url);
    assert.deepEqual((await again.getCredential(c.accessKey))?.sealedSecret, c.sealedSecret);
    await again.close();
    await cluster.dropDatabase(db);
  });
});
