import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runMetadataStoreConformance } from '../conformance.js';
import { runEnvelopeKeyCases } from '../envelope-conformance.js';
import { bucketRecord, credentialRecord, objectRecord, uploadRecord } from '../conformance-fixtures.js';
import { IS_CHUNK_KNOWN_SQL, SqliteMetadataStore } from './sqlite-metadata-store.js';
import { MAIN_MIGRATIONS, migrate } from './schema.js';

runMetadataStoreConformance('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'anode-meta-'));
  const store = await SqliteMetadataStore.open(dir);
  return {
    store,
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

runEnvelopeKeyCases('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'anode-meta-env-'));
  // The envelope columns come with encryption at rest; add them where this schema lacks them.
  (await SqliteMetadataStore.open(dir)).close();
  const raw = new Database(join(dir, 'metadata', 'anode.db'));
  for (const table of ['objects', 'uploads']) {
    if (raw.prepare("SELECT 1 FROM pragma_table_info(?) WHERE name = 'encryption'").get(table) === undefined)
      raw.exec(`ALTER TABLE ${table} ADD COLUMN encryption TEXT`);
  }
  raw.close();
  const store = await SqliteMetadataStore.open(dir);
  const db = new Database(join(dir, 'metadata', 'anode.db'));
  const where = (table: string) => (table === 'objects' ? 'bucket_id = ? AND key = ?' : 'upload_id = ?');
  return {
    store,
    async setEnvelope(table, address, envelope) {
      db.prepare(`UPDATE ${table} SET encryption = ? WHERE ${where(table)}`).run(
        envelope === null ? null : JSON.stringify(envelope),
        ...address,
      );
    },
    async getEnvelope(table, address) {
      const row = db
        .prepare<unknown[], { encryption: string | null }>(`SELECT encryption FROM ${table} WHERE ${where(table)}`)
        .get(...address);
      return row?.encryption == null ? null : (JSON.parse(row.encryption) as unknown);
    },
    async cleanup() {
      db.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteMetadataStore specifics', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'anode-meta-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('metadata/ is 0700 and both database files (and WAL files) are 0600', async () => {
    const store = await SqliteMetadataStore.open(dir);
    await store.putSetting('x', '1');
    await store.putCredential(credentialRecord('AKIAAAAAAAAAAAAAAAAA'));
    const meta = join(dir, 'metadata');
    assert.equal((await stat(meta)).mode & 0o777, 0o700);
    const files = (await readdir(meta)).sort();
    assert.ok(files.includes('anode.db') && files.includes('credentials.db'), files.join(','));
    assert.ok(files.includes('anode.db-wal') && files.includes('credentials.db-wal'), 'WAL mode');
    for (const f of files) assert.equal((await stat(join(meta, f))).mode & 0o777, 0o600, f);
    await store.close();
  });

  test('loose permissions left on an existing data dir are tightened on open', async () => {
    const meta = join(dir, 'metadata');
    await mkdir(meta, { mode: 0o755 });
    await chmod(meta, 0o755);
    await writeFile(join(meta, 'credentials.db'), '', { mode: 0o644 });
    await chmod(join(meta, 'credentials.db'), 0o644);
    const found: { path: string; was: number; now: number }[] = [];
    const store = await SqliteMetadataStore.open(dir, { onLoosePermissions: (f) => found.push(f) });
    await store.close();
    assert.equal((await stat(meta)).mode & 0o777, 0o700);
    assert.equal((await stat(join(meta, 'credentials.db'))).mode & 0o777, 0o600);
    // Not silent: both are reported with the mode they had.
    assert.deepEqual(found, [
      { path: meta, was: 0o755, now: 0o700 },
      { path: join(meta, 'credentials.db'), was: 0o644, now: 0o600 },
    ]);
    const again: unknown[] = [];
    await (await SqliteMetadataStore.open(dir, { onLoosePermissions: (f) => again.push(f) })).close();
    assert.deepEqual(again, [], 'nothing to report once tight');
  });

  test('credentials live only in credentials.db, objects only in anode.db', async () => {
    const store = await SqliteMetadataStore.open(dir);
    await store.createBucket(bucketRecord('b'));
    await store.putObject(objectRecord('b', 'k'));
    await store.putCredential(credentialRecord('AKIAAAAAAAAAAAAAAAAA'));
    await store.close();
    const main = new Database(join(dir, 'metadata', 'anode.db'), { readonly: true });
    const cred = new Database(join(dir, 'metadata', 'credentials.db'), { readonly: true });
    try {
      const tables = (db: Database.Database): string[] =>
        db
          .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
          .all()
          .map((r) => r.name);
      assert.deepEqual(tables(cred), ['credentials']);
      assert.equal(tables(main).includes('credentials'), false);
      assert.equal(main.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(cred.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(main.pragma('user_version', { simple: true }), MAIN_MIGRATIONS.length);
      assert.equal(cred.pragma('user_version', { simple: true }), 1);
    } finally {
      main.close();
      cred.close();
    }
  });

  test('data survives close and reopen, including the chunk trash', async () => {
    let store = await SqliteMetadataStore.open(dir);
    await store.createBucket(bucketRecord('b'));
    const o = objectRecord('b', 'k');
    await store.putObject(o);
    const gone = objectRecord('b', 'gone');
    await store.putObject(gone);
    await store.deleteObject('b', 'gone');
    await store.close();
    store = await SqliteMetadataStore.open(dir);
    assert.deepEqual(await store.getObject('b', 'k'), o);
    assert.equal(await store.isChunkKnown(gone.chunks[0]!.id), true);
    await store.close();
  });

  test('writes acknowledged before a SIGKILL are there after restart', async () => {
    const script = `
      import { SqliteMetadataStore } from ${JSON.stringify(new URL('./sqlite-metadata-store.ts', import.meta.url).href)};
      const store = await SqliteMetadataStore.open(${JSON.stringify(dir)});
      await store.createBucket({ name: 'b', owner: 'o', region: 'r', createdAt: new Date(), acl: { owner: 'o', grants: [] }, policy: null, permissions: {} });
      for (let i = 0; ; i++) {
        await store.putSetting('n', String(i));
        process.stdout.write(i + '\\n');
      }`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let lastAcked = -1;
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8');
      let buf = '';
      child.stdout.on('data', (d: string) => {
        buf += d;
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const l of lines) lastAcked = Number(l);
        if (lastAcked >= 200 && child.exitCode === null) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    assert.ok(lastAcked >= 200);
    const store = await SqliteMetadataStore.open(dir);
    assert.ok(Number(await store.getSetting('n')) >= lastAcked);
    await store.close();
  });

  test('a database written by a newer schema version is refused', async () => {
    const store = await SqliteMetadataStore.open(dir);
    await store.close();
    const db = new Database(join(dir, 'metadata', 'anode.db'));
    db.pragma('user_version = 99');
    db.close();
    await assert.rejects(SqliteMetadataStore.open(dir), { name: 'SchemaVersionError' });
  });

  test('schema 1 -> 2: objects and uploads move to their bucket id; rows of a deleted bucket are dropped, their chunks trashed', async () => {
    await mkdir(join(dir, 'metadata'), { recursive: true });
    const v1 = new Database(join(dir, 'metadata', 'anode.db'));
    migrate(v1, 'main', MAIN_MIGRATIONS.slice(0, 1));
    const insertObject = v1.prepare(
      `INSERT INTO objects (bucket, key, size, etag, last_modified, owner, headers, user_metadata, checksum, acl, storage_class, chunks, parts)
       VALUES (?, ?, 1, '"e"', 0, 'alice', '{}', '{}', NULL, '{"owner":"alice","grants":[]}', 'STANDARD', ?, NULL)`,
    );
    v1.prepare(
      `INSERT INTO buckets (name, owner, region, created_at, acl, policy, permissions)
                VALUES ('kept', 'alice', 'us-east-1', 0, '{"owner":"alice","grants":[]}', NULL, '{}')`,
    ).run();
    insertObject.run('kept', 'k', JSON.stringify([{ id: 'c-kept', size: 1 }]));
    // Left behind by a DeleteBucket that raced a PUT before this version: no bucket row.
    insertObject.run('gone', 'payroll.csv', JSON.stringify([{ id: 'c-gone', size: 1 }]));
    v1.prepare(
      `INSERT INTO uploads (upload_id, bucket, key, initiated, owner, headers, user_metadata, acl, storage_class)
                VALUES ('u-gone', 'gone', 'big', 0, 'alice', '{}', '{}', '{"owner":"alice","grants":[]}', 'STANDARD')`,
    ).run();
    v1.prepare(
      `INSERT INTO parts (upload_id, part_number, size, etag, last_modified, chunk_id, chunk_size)
                VALUES ('u-gone', 1, 1, '"p"', 0, 'c-part', 1)`,
    ).run();
    for (const id of ['c-kept', 'c-gone', 'c-part']) v1.prepare('INSERT INTO chunk_refs (chunk_id, refs) VALUES (?, 1)').run(id);
    v1.close();

    const store = await SqliteMetadataStore.open(dir);
    try {
      const kept = await store.getBucket('kept');
      assert.match(kept?.id ?? '', /^[0-9a-f]{32}$/);
      assert.equal((await store.getObject(kept!.id, 'k'))?.etag, '"e"');
      assert.equal(await store.getUpload('u-gone'), null);
      const trashed = new Set((await store.listTrash(new Date(Date.now() + 60_000), 10)).map((t) => t.id));
      assert.deepEqual([...trashed].sort(), ['c-gone', 'c-part']);
      assert.equal(await store.isChunkKnown('c-kept'), true);
      // The name taken again later gets a new id, and nothing of the old rows.
      await store.createBucket(bucketRecord('gone', { id: 'gone-new' }));
      assert.deepEqual(await store.listObjects('gone-new', { prefix: '', startAfter: '', limit: 10 }), []);
    } finally {
      await store.close();
    }
  });

  test('schema 3 -> versions: every existing object becomes the current null version, ordered by its time', async () => {
    await mkdir(join(dir, 'metadata'), { recursive: true });
    const v3 = new Database(join(dir, 'metadata', 'anode.db'));
    migrate(v3, 'main', MAIN_MIGRATIONS.slice(0, 3));
    v3.prepare(
      `INSERT INTO buckets (name, owner, region, created_at, acl, policy, permissions, id)
                VALUES ('b', 'alice', 'us-east-1', 0, '{"owner":"alice","grants":[]}', NULL, '{}', 'b-id')`,
    ).run();
    const c1 = '5'.repeat(32);
    v3.prepare(
      `INSERT INTO objects (bucket_id, key, size, etag, last_modified, owner, headers, user_metadata, checksum, acl, storage_class, chunks, parts)
                VALUES ('b-id', 'old', 3, '"e"', 1700000000000, 'alice', '{}', '{}', NULL, '{"owner":"alice","grants":[]}', 'STANDARD', ?, NULL)`,
    ).run(JSON.stringify([{ id: c1, size: 3 }]));
    v3.prepare('INSERT INTO chunk_refs (chunk_id, refs) VALUES (?, 1)').run(c1);
    v3.close();

    const store = await SqliteMetadataStore.open(dir);
    try {
      const bucket = await store.getBucket('b');
      assert.equal(bucket?.versioning, 'Unversioned');
      assert.equal(bucket?.objectLock, null);
      const obj = await store.getObject('b-id', 'old');
      assert.equal(obj?.versionId, 'null');
      assert.equal(obj?.versionSeq, 1_700_000_000_000_000);
      assert.equal(obj?.retention, null);
      assert.equal(obj?.legalHold, false);
      // A new version keeps the migrated one, chunks and all, as non-current.
      await store.putObject({ ...obj!, versionId: 'V'.repeat(32), versionSeq: 1_800_000_000_000_000, chunks: [] });
      const old = await store.getObjectVersion('b-id', 'old', 'null');
      assert.equal(old?.type === 'object' && old.object.chunks[0]?.id, c1);
      assert.equal(old?.isLatest, false);
      assert.equal(await store.isChunkKnown(c1), true);
      assert.deepEqual(await store.listTrash(new Date(Date.now() + 60_000), 10), []);
    } finally {
      await store.close();
    }
  });

  test('tags/encryption schema -> versions: tagged, encrypted rows become the null version with both kept; completed uploads too', async () => {
    await mkdir(join(dir, 'metadata'), { recursive: true });
    const v6 = new Database(join(dir, 'metadata', 'anode.db'));
    // Every migration before versioning's: completed uploads, tags and settings, encryption.
    const versioning = MAIN_MIGRATIONS.findIndex((m) => m.includes('CREATE TABLE object_versions'));
    assert.ok(versioning > 0);
    migrate(v6, 'main', MAIN_MIGRATIONS.slice(0, versioning));
    v6.prepare(
      `INSERT INTO buckets (name, owner, region, created_at, acl, policy, permissions, id, settings, encryption)
                VALUES ('b', 'alice', 'us-east-1', 0, '{"owner":"alice","grants":[]}', NULL, '{}', 'b-id',
                        '{"ownership":"ObjectWriter"}', '{"algorithm":"AES256","bucketKeyEnabled":false}')`,
    ).run();
    const encryption = {
      mode: 'AES256',
      wrappedKey: { provider: 'file', keyId: 'default', version: 1, wrapped: 'd3JhcHBlZA==' },
      sealedFor: { bucketId: 'b-id', key: 'old', id: 'ab12', multipart: false },
      bucketKeyEnabled: false,
    };
    const tags = [{ key: 'team', value: 'blue' }];
    v6.prepare(
      `INSERT INTO objects (bucket_id, key, size, etag, last_modified, owner, headers, user_metadata, checksum, acl, storage_class,
                            chunks, parts, tags, encryption)
                VALUES ('b-id', 'old', 0, '"e"', 1700000000000, 'alice', '{}', '{}', NULL, '{"owner":"alice","grants":[]}', 'STANDARD',
                        '[]', NULL, ?, ?)`,
    ).run(JSON.stringify(tags), JSON.stringify(encryption));
    v6.prepare(
      `INSERT INTO completed_uploads (upload_id, bucket_id, key, etag, object_modified, completed_at)
                VALUES ('u1', 'b-id', 'old', '"e"', 1700000000000, ?)`,
    ).run(Date.now());
    v6.close();

    const store = await SqliteMetadataStore.open(dir);
    try {
      const bucket = await store.getBucket('b');
      assert.equal(bucket?.versioning, 'Unversioned');
      assert.deepEqual(bucket?.settings, { ownership: 'ObjectWriter' });
      assert.deepEqual(bucket?.encryption, { algorithm: 'AES256', bucketKeyEnabled: false });
      const obj = await store.getObject('b-id', 'old');
      assert.equal(obj?.versionId, 'null');
      assert.deepEqual(obj?.tags, tags);
      assert.deepEqual(obj?.encryption, encryption);
      assert.equal((await store.getCompletedUpload('u1'))?.versionId, 'null');
      // A new version keeps the migrated one whole (tags and envelope) as non-current.
      await store.putObject({ ...obj!, versionId: 'V'.repeat(32), versionSeq: 1_800_000_000_000_000, tags: [], encryption: null });
      const old = await store.getObjectVersion('b-id', 'old', 'null');
      assert.equal(old?.isLatest, false);
      assert.deepEqual(old?.type === 'object' && old.object.tags, tags);
      assert.deepEqual(old?.type === 'object' && old.object.encryption, encryption);
    } finally {
      await store.close();
    }
  });

  test('schema 2 -> 3: each part becomes a one-element chunk list; reference counts carry over', async () => {
    await mkdir(join(dir, 'metadata'), { recursive: true });
    const v2 = new Database(join(dir, 'metadata', 'anode.db'));
    migrate(v2, 'main', MAIN_MIGRATIONS.slice(0, 2));
    v2.prepare(
      `INSERT INTO buckets (name, owner, region, created_at, acl, policy, permissions, id)
                VALUES ('b', 'alice', 'us-east-1', 0, '{"owner":"alice","grants":[]}', NULL, '{}', 'b-id')`,
    ).run();
    v2.prepare(
      `INSERT INTO uploads (upload_id, bucket_id, key, initiated, owner, headers, user_metadata, acl, storage_class)
                VALUES ('u', 'b-id', 'big', 0, 'alice', '{}', '{}', '{"owner":"alice","grants":[]}', 'STANDARD')`,
    ).run();
    const insertPart = v2.prepare(
      `INSERT INTO parts (upload_id, part_number, size, etag, last_modified, checksum, chunk_id, chunk_size)
                VALUES ('u', ?, ?, '"p"', 0, NULL, ?, ?)`,
    );
    const [c1, c2, empty] = ['1'.repeat(32), '2'.repeat(32), 'e'.repeat(32)];
    insertPart.run(1, 6 << 20, c1, 6 << 20);
    insertPart.run(2, 7, c2, 7);
    insertPart.run(3, 0, empty, 0); // a zero-size part had an (empty) chunk of its own
    for (const id of [c1, c2, empty]) v2.prepare('INSERT INTO chunk_refs (chunk_id, refs) VALUES (?, 1)').run(id);
    v2.close();

    const store = await SqliteMetadataStore.open(dir);
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
      // The migrated rows behave like new ones: replacing a part trashes its old chunk,
      // completing keeps the used chunks and trashes the rest.
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
      for (const id of [n1, n2, c2]) assert.equal(await store.isChunkKnown(id), true);
    } finally {
      await store.close();
    }
  });

  test('isChunkKnown is two primary-key lookups, not a scan', async () => {
    const store = await SqliteMetadataStore.open(dir);
    await store.close();
    const db = new Database(join(dir, 'metadata', 'anode.db'), { readonly: true });
    try {
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${IS_CHUNK_KNOWN_SQL}`).all('a', 'a') as Array<{ detail: string }>;
      const details = plan.map((p) => p.detail).join(' | ');
      assert.match(details, /SEARCH chunk_refs USING PRIMARY KEY/);
      assert.match(details, /SEARCH chunk_trash USING PRIMARY KEY/);
      assert.doesNotMatch(details, /SCAN/);
    } finally {
      db.close();
    }
  });

  test('a failing write in a group-commit batch fails alone; the others commit', async () => {
    const store = await SqliteMetadataStore.open(dir);
    await store.createBucket(bucketRecord('b'));
    await store.createUpload(uploadRecord('b', 'k', 'dup'));
    const results = await Promise.allSettled([
      store.putObject(objectRecord('b', 'before')),
      store.createUpload(uploadRecord('b', 'k', 'dup')), // primary key conflict
      store.putObject(objectRecord('b', 'after')),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.notEqual(await store.getObject('b', 'before'), null);
    assert.notEqual(await store.getObject('b', 'after'), null);
    await store.close();
    // and the outcome is durable
    const again = await SqliteMetadataStore.open(dir);
    assert.notEqual(await again.getObject('b', 'after'), null);
    await again.close();
  });

  test('close() commits writes still queued', async () => {
    const store = await SqliteMetadataStore.open(dir);
    const pending = store.putSetting('queued', 'yes');
    await store.close();
    await pending;
    const again = await SqliteMetadataStore.open(dir);
    assert.equal(await again.getSetting('queued'), 'yes');
    await again.close();
  });
});
