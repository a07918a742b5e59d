#!/usr/bin/env node
// Runs every test with Node's built-in runner: unit tests beside their source
// (*.test.ts under shared/, server/, cli/) and integration tests under test/.
// Usage: node scripts/test.mjs [--unit | --integration] [--no-native] [name-filter...]
// --no-native leaves out the test files that open SQLite (the better-sqlite3 addon), for a
// Node whose ABI the installed addon was not built for (.ci/run's Node 22 fallback).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const integrationOnly = args.includes('--integration');
const noNative = args.includes('--no-native');
const filters = args.filter((a) => !a.startsWith('--'));

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) find(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const unit = ['shared/src', 'server/src', 'cli/src'].flatMap((d) => find(join(root, d)));
const integration = find(join(root, 'test'));
let files = unitOnly ? unit : integrationOnly ? integration : [...unit, ...integration];
if (filters.length > 0) files = files.filter((f) => filters.some((p) => f.includes(p)));
if (noNative) {
  const native = /SqliteMetadataStore|better-sqlite3|startNode\(/;
  const left = files.filter((f) => !native.test(readFileSync(join(root, f), 'utf8')));
  console.error(`--no-native: leaving out ${files.length - left.length} test files that load better-sqlite3`);
  files = left;
}
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
files.sort();
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'test' },
});
process.exit(result.status ?? 1);
