// docs/config.example.toml is the operator's copy of the schema: every key, at its default,
// with a comment above it, and a file the server itself loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { CONFIG_SCHEMA, type KeySpec } from './schema.js';
import { loadConfig } from './load.js';

const EXAMPLE = fileURLToPath(new URL('../../../docs/config.example.toml', import.meta.url));

test('docs/config.example.toml has every schema key, each set to its default', () => {
  const doc = parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(doc).sort(), Object.keys(CONFIG_SCHEMA).sort(), 'the same sections');
  for (const [section, keys] of Object.entries(CONFIG_SCHEMA) as [string, Record<string, KeySpec>][]) {
    assert.deepEqual(Object.keys(doc[section]!).sort(), Object.keys(keys).sort(), `the keys of [${section}]`);
    for (const [key, spec] of Object.entries(keys)) assert.deepEqual(doc[section]![key], spec.default, `${section}.${key}`);
  }
});

test('every key in the example has a comment line right above it saying why to change it', () => {
  const lines = readFileSync(EXAMPLE, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (/^[a-z_]+ = /.test(line)) assert.match(lines[i - 1] ?? '', /^# \S/, `line ${i + 1}: ${line}`);
  });
});

test('the server loads the example as it is', async () => {
  const config = await loadConfig({ file: EXAMPLE, env: {} });
  const defaults = await loadConfig({ env: {} });
  assert.deepEqual(config, defaults);
  assert.equal(config.server.data_dir, resolve('./anode-data'));
});
