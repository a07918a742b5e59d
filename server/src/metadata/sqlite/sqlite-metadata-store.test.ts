import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runMetadataStoreConformance } from '../conformance.js';
import { bucketRecord, credentialRecord, objectRecord, uploadRecord } from '../conformance-fixtures.js';
import { IS_CHUNK_KNOWN_SQL, SqliteMetadataStore } from './sqlite-metadata-store.js';

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
    const store = await SqliteMetadataStore.open(dir);
    await store.close();
    assert.equal((await stat(meta)).mode & 0o777, 0o700);
    assert.equal((await stat(join(meta, 'credentials.db'))).mode & 0o777, 0o600);
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
      assert.equal(main.pragma('user_version', { simple: true }), 1);
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
