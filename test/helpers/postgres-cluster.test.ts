import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPostgresBinDir, PostgresUnavailableError } from './postgres-cluster.js';

test('a missing PostgreSQL is an error naming the Debian package, never a skip', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'anode-nopg-'));
  try {
    assert.throws(
      () => findPostgresBinDir(empty, {}),
      (err: unknown) => {
        assert.ok(err instanceof PostgresUnavailableError);
        assert.match(err.message, /Debian package 'postgresql'/);
        assert.match(err.message, /apt-get install postgresql/);
        return true;
      },
    );
    assert.throws(() => findPostgresBinDir(empty, { ANODE_PG_BINDIR: join(empty, 'nope') }), PostgresUnavailableError);
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});

test('the newest installed major version is chosen', async () => {
  const root = await mkdtemp(join(tmpdir(), 'anode-pgroot-'));
  try {
    for (const major of ['9', '15', '13']) {
      await mkdir(join(root, major, 'bin'), { recursive: true });
      await writeFile(join(root, major, 'bin', 'initdb'), '');
    }
    await mkdir(join(root, '16', 'bin'), { recursive: true }); // client-only: no initdb
    assert.equal(findPostgresBinDir(root, {}), join(root, '15', 'bin'));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
