#!/usr/bin/env node
// CPU profile of one small-operation scenario (issue 11: "start with a profile, not a guess").
// Starts a node with `--cpu-prof`, drives it with the bench's signed keep-alive client,
// stops it (the profile is written on exit) and prints the functions with the most self
// time, and the same grouped by file, as percentages of the server's sampled time.
//
// Usage: npm run build && node scripts/profile.mjs [--scenario head|get|put|list] [--seconds 8]
//                                                  [--concurrency 32] [--size 4096] [--top 30]
//                                                  [--keep DIR] (keeps the .cpuprofile there)
//                                                  [--encryption] (encryption at rest on)
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SIGNER, drive, makeClient, startOwnNode } from './lib/load.mjs';

const { values: opts } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'head' },
    seconds: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '32' },
    size: { type: 'string', default: '4096' },
    top: { type: 'string', default: '30' },
    keep: { type: 'string' },
    encryption: { type: 'boolean', default: false },
  },
});
const region = 'us-east-1';
const profDir = await mkdtemp(join(tmpdir(), 'anode-prof-'));
const node = await startOwnNode({ encryption: opts.encryption, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir] });
const { signRequest } = await import(SIGNER);
const client = makeClient({ ...node, region }, signRequest, 64);
const bucket = `prof-${Date.now().toString(36)}`;
const body = randomBytes(Number(opts.size));
const check = (r, ok, what) => {
  if (!ok.includes(r.status)) throw new Error(`${what}: HTTP ${r.status} ${r.text}`);
};
check(await client.request('PUT', `/${bucket}`), [200], 'CreateBucket');
// Enough keys to spread small reads, few enough that large objects fit a temp dir.
const KEYS = Number(opts.size) > 1024 * 1024 ? 4 : 256;
if (opts.scenario !== 'put') for (let i = 0; i < KEYS; i++) check(await client.request('PUT', `/${bucket}/k${i}`, '', body), [200], 'PUT');
const op = {
  head: async (i) => check(await client.request('HEAD', `/${bucket}/k${i % KEYS}`), [200], 'HEAD'),
  get: async (i) => check(await client.request('GET', `/${bucket}/k${i % KEYS}`), [200], 'GET'),
  put: async (i) => check(await client.request('PUT', `/${bucket}/p${i}`, '', body), [200], 'PUT'),
  list: async () => check(await client.request('GET', `/${bucket}`, 'list-type=2&max-keys=100'), [200], 'LIST'),
}[opts.scenario];
if (!op) throw new Error(`unknown --scenario ${opts.scenario}`);
const r = await drive({ concurrency: Number(opts.concurrency), maxOps: 1e9, seconds: Number(opts.seconds), op });
client.close();
await node.stop();
console.log(
  `${opts.scenario} c=${opts.concurrency}: ${(r.done / r.elapsed).toFixed(0)} ops/s over ${r.elapsed.toFixed(1)} s, ${r.errors} errors`,
);

const file = (await readdir(profDir)).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error('no .cpuprofile written');
const profile = JSON.parse(await readFile(join(profDir, file), 'utf8'));
if (opts.keep) await cp(join(profDir, file), join(opts.keep, `${opts.scenario}.cpuprofile`));
await rm(profDir, { recursive: true, force: true });

// Self time per node from the sample counts (every sample is one interval).
const hits = new Map();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
const total = profile.samples.length;
const byFn = new Map();
const byFile = new Map();
for (const n of profile.nodes) {
  const self = hits.get(n.id) ?? 0;
  if (self === 0) continue;
  const cf = n.callFrame;
  const where = cf.url ? cf.url.replace(/^file:\/\/.*?\/(server|shared|node_modules)\//, '$1/') : '(native)';
  const fn = `${cf.functionName || '(anonymous)'} ${where}:${cf.lineNumber + 1}`;
  byFn.set(fn, (byFn.get(fn) ?? 0) + self);
  const group = cf.url ? where : cf.functionName || '(native)';
  byFile.set(group, (byFile.get(group) ?? 0) + self);
}
const show = (title, m) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(opts.top)))
    console.log(`${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
};
show('self time by function', byFn);
show('self time by file (or builtin)', byFile);
