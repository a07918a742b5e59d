// Keeps the checklist honest with the rest of the repo: the CLI's copy of the config
// defaults matches the server's table, and every item is documented (and only those).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_SCHEMA } from '../../server/src/config/schema.js';
import { CONFIG_DEFAULTS } from '../../cli/src/audit/deployment-config.js';
import { HOST_ITEMS } from '../../cli/src/audit/host-checks.js';
import { CONFIG_ITEMS } from '../../cli/src/audit/config-checks.js';
import { LIVE_ITEMS } from '../../cli/src/audit/live-checks.js';
import { MANUAL_ITEMS } from '../../cli/src/audit/manual-checks.js';
import { CHAIN_ITEMS } from '../../cli/src/audit/verify-chain.js';
import { REPO } from './run-cli.js';

const ITEMS = [HOST_ITEMS, CONFIG_ITEMS, LIVE_ITEMS, MANUAL_ITEMS, CHAIN_ITEMS].flatMap((group) => Object.values(group));

test("the CLI's config defaults are the server's (keys and values)", () => {
  const schema = CONFIG_SCHEMA as unknown as Record<string, Record<string, { default: unknown }>>;
  for (const [section, keys] of Object.entries(CONFIG_DEFAULTS)) {
    for (const [key, value] of Object.entries(keys as Record<string, unknown>)) {
      const spec = schema[section]?.[key];
      assert.ok(spec, `${section}.${key} is a server config key`);
      assert.deepEqual(value, spec.default, `${section}.${key} default`);
    }
  }
});

test('item ids are unique and start with their section', () => {
  const ids = ITEMS.map((i) => i.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const i of ITEMS) assert.ok(i.id.startsWith(`${i.section}.`), i.id);
});

test('docs/security-checklist.md documents every item, and no other', () => {
  const doc = readFileSync(join(REPO, 'docs', 'security-checklist.md'), 'utf8');
  const documented = new Set([...doc.matchAll(/^\| `([a-z]+\.[a-z0-9-]+)` +\|/gm)].map((m) => m[1]));
  assert.deepEqual([...documented].sort(), ITEMS.map((i) => i.id).sort());
});
