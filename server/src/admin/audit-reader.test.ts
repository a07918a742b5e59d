import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAudit } from './audit-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'audit-reader-'));

function logWith(n: number, extra = ''): string {
  const path = join(dir, `audit-${n}-${extra.length}.log`);
  const lines: string[] = [];
  for (let i = 0; i < n; i++)
    lines.push(JSON.stringify({ timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), action: `a.${i}` }));
  writeFileSync(path, `${lines.join('\n')}\n${extra}`);
  return path;
}

test('returns the newest `limit` entries, oldest first, and says when older ones were left out', async () => {
  const path = logWith(50);
  const r = await readAudit(path, null, 10);
  assert.deepEqual(
    r.entries.map((e) => e.action),
    Array.from({ length: 10 }, (_, i) => `a.${40 + i}`),
  );
  assert.equal(r.truncated, true);
  const all = await readAudit(path, null, 100);
  assert.equal(all.entries.length, 50);
  assert.equal(all.truncated, false);
});

test('since is inclusive', async () => {
  const r = await readAudit(logWith(10), new Date(Date.UTC(2026, 0, 1, 0, 0, 7)), 100);
  assert.deepEqual(
    r.entries.map((e) => e.action),
    ['a.7', 'a.8', 'a.9'],
  );
});

test('a torn last line and foreign lines are skipped; a missing file or a disabled log is empty', async () => {
  const r = await readAudit(logWith(3, '{"timestamp":"2026-01-01T00:00:09.000Z","act'), null, 100);
  assert.equal(r.entries.length, 3);
  const foreign = join(dir, 'foreign.log');
  writeFileSync(foreign, '[1,2]\n"x"\n{"action":"no-time"}\n{"timestamp":"2026-01-01T00:00:00.000Z","action":"ok"}\n');
  assert.deepEqual(
    (await readAudit(foreign, null, 10)).entries.map((e) => e.action),
    ['ok'],
  );
  assert.deepEqual(await readAudit(join(dir, 'missing.log'), null, 10), { entries: [], truncated: false });
  assert.deepEqual(await readAudit(null, null, 10), { entries: [], truncated: false });
});
