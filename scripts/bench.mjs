#!/usr/bin/env node
// Anode benchmark (DESIGN.md, "Performance"). Prints one JSON line per scenario:
//   S3: PUT/GET MiB/s for 1 MiB and 64 MiB objects; ops/s for 4 KiB PUT/GET/HEAD/DELETE
//       and LIST; each at concurrency 1, 8 and 32.
//   machine: disk write + fsync, 4 KiB file fsyncs/s, MD5 and SHA-256 rates, loopback HTTP.
// Every scenario is bounded in count and in time, and traffic goes to 127.0.0.1 only
// (or to --endpoint). Requests are signed with the project's shared SigV4 signer over
// node:http keep-alive, with UNSIGNED-PAYLOAD, so the client spends no CPU hashing bodies.
//
//   compare (first, without --endpoint): the scenarios of issue 11 against Anode and s3rver
//       alternately (PUT/GET 64 MiB c=8, PUT/GET 4 KiB c=32, HEAD c=32, DELETE c=8, LIST 100
//       of 2000 keys c=8), HEAD and 4 KiB GET also against a bare node:http server, the
//       same client for all, each scenario in 4 rounds per server alternated ABBA (one for
//       DELETE, whose keys run out); each record has both figures, the ratio, the ratio of
//       every round and each server's peak RSS; a summary table goes to stderr at the end.
//
// Usage: npm run bench -- [--endpoint URL] [--only s3|machine|compare|encryption] [--seconds N]
//                         [--concurrency 1,8,32] [--quick] [--encryption off|on|both]
//                         [--sizes 4k,1m,64m] [--workers N]
//   Without --endpoint it starts a node from server/dist/main.js in a temp data dir.
//   --encryption both (the default without --endpoint) runs every S3 scenario on a plain
//   node, then PUT/GET of 64 MiB and 4 KiB objects on a plain node and on one with
//   encryption at rest on ([storage] encryption = true) side by side, in short rounds
//   alternated between the two, and prints the encrypted/plain ratio of each (kind
//   "encryption_ratio"; the goal is at least 0.85; scripts/lib/bench-encryption.mjs).
//   --only encryption runs that comparison alone. --encryption on runs every S3 scenario
//   on an encrypted node only. Every S3 record
//   says which.
//   --cluster: instead of the S3 scenarios above, PUT/GET of 64 MiB and 4 KiB at c=8 and 32
//   on one node, then on 3 nodes from scripts/dev-cluster.sh (R=3, W=2), with the ratio of
//   each (kind "cluster_ratio"; scripts/lib/bench-cluster.mjs).
//   --workers N starts the node with [server] workers = N (crypto worker threads; 0 or 1:
//   inline); every S3 record says it, and the peak RSS of the node since the last record
//   (kind "s3", peak_rss_mib). Records of kind "goal" relate 64 MiB PUT c=1 to the MD5 rate
//   and 64 MiB GET to the loopback download rate measured in the same run (issue 11).
//   --sizes limits the object sizes run (a smoke run: --sizes 4k --seconds 1 --concurrency 1).
//   With --endpoint, credentials come from ANODE_ACCESS_KEY/ANODE_SECRET_KEY
//   (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY); region from AWS_REGION (us-east-1).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, open, rm, mkdir } from 'node:fs/promises';
import http from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SIGNER, drive, makeClient, startOwnNode } from './lib/load.mjs';
import { rssMeter, startBareHttp, startS3rver } from './lib/baselines.mjs';
import { benchEncryption } from './lib/bench-encryption.mjs';

const KiB = 1024;
const MiB = 1024 * 1024;

const { values: opts } = parseArgs({
  options: {
    endpoint: { type: 'string' },
    only: { type: 'string' },
    seconds: { type: 'string' },
    concurrency: { type: 'string' },
    quick: { type: 'boolean', default: false },
    encryption: { type: 'string' },
    sizes: { type: 'string' },
    cluster: { type: 'boolean', default: false },
    workers: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log(
    'npm run bench -- [--endpoint URL] [--only s3|machine|compare|encryption] [--seconds N] [--concurrency 1,8,32] [--quick]\n' +
      '                 [--encryption off|on|both] [--sizes 4k,1m,64m] [--workers N] [--cluster]',
  );
  process.exit(0);
}
const ENCRYPTION = opts.encryption ?? (opts.endpoint ? 'off' : 'both');
if (!['off', 'on', 'both'].includes(ENCRYPTION)) throw new Error('--encryption must be off, on or both');
if (opts.endpoint && ENCRYPTION !== 'off') throw new Error('--encryption needs a node of its own (no --endpoint)');
const SIZE_NAMES = { '4k': 4 * 1024, '1m': 1024 * 1024, '64m': 64 * 1024 * 1024 };
const SIZES = (opts.sizes ?? '4k,1m,64m').split(',').map((s) => {
  const n = SIZE_NAMES[s.trim().toLowerCase()];
  if (n === undefined) throw new Error(`--sizes: unknown size ${s} (4k, 1m, 64m)`);
  return n;
});
const WORKERS = opts.workers === undefined ? undefined : Number(opts.workers);
if (WORKERS !== undefined && !Number.isInteger(WORKERS)) throw new Error('--workers must be an integer');
const SECONDS = Number(opts.seconds ?? (opts.quick ? 2 : 6));
const CONCURRENCY = (opts.concurrency ?? (opts.quick ? '1,8' : '1,8,32')).split(',').map(Number);

function emit(record) {
  if (record.kind === 'machine') machineRecords.push(record);
  console.log(JSON.stringify(record));
}

const round = (n, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function expectStatus(res, ok, what) {
  if (!ok.includes(res.status)) throw new Error(`${what}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
}

/** S3 records of this run, for the encrypted/plain ratios. */
const s3Records = [];
let encryptionLabel = 'off';
/** Machine records of this run, for the goal ratios. */
const machineRecords = [];
/** The node under test (its pid, for peak RSS), when the bench started it. */
let nodePid = null;

/** The node's peak resident set since the last call (VmHWM, then reset via clear_refs), in MiB. */
function takePeakRss() {
  if (nodePid === null) return undefined;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${nodePid}/status`, 'utf8'));
    writeFileSync(`/proc/${nodePid}/clear_refs`, '5');
    return m ? round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined; // not Linux, or the node is gone
  }
}

function report(kind, scenario, size, concurrency, r) {
  const rec = {
    kind,
    scenario,
    encryption: encryptionLabel,
    workers: WORKERS ?? 'default',
    object_bytes: size,
    concurrency,
    ops: r.done,
    seconds: round(r.elapsed, 3),
    ops_per_s: round(r.done / r.elapsed),
    p50_ms: round(percentile(r.latencies, 50), 2),
    p99_ms: round(percentile(r.latencies, 99), 2),
    errors: r.errors,
  };
  if (size >= MiB) rec.mib_per_s = round((r.done * size) / MiB / r.elapsed);
  if (r.firstError) rec.first_error = r.firstError;
  const peak = takePeakRss();
  if (peak !== undefined) rec.peak_rss_mib = peak;
  s3Records.push(rec);
  emit(rec);
}

/**
 * Issue 11's large-body goals, from this run: PUT 64 MiB c=1 over the single-core MD5 rate
 * (goal 0.7) and GET 64 MiB over the loopback HTTP download rate at the same concurrency
 * (goal 0.6), for every encryption setting run.
 */
function reportLargeBodyGoals() {
  const md5 = machineRecords.find((r) => r.scenario === 'hash_md5');
  for (const rec of s3Records.filter((r) => r.object_bytes === 64 * MiB)) {
    let base;
    let goal;
    if (rec.scenario === 'put' && rec.concurrency === 1 && md5) [base, goal] = [md5, 0.7];
    else if (rec.scenario === 'get')
      [base, goal] = [machineRecords.find((r) => r.scenario === 'loopback_http_get' && r.concurrency === rec.concurrency), 0.6];
    if (!base || !base.mib_per_s) continue;
    const ratio = round(rec.mib_per_s / base.mib_per_s, 3);
    // A durable PUT cannot outrun the disk: when write + fsync is slower than MD5 here,
    // the record says so, with the PUT's share of that rate.
    const disk = rec.scenario === 'put' ? machineRecords.find((r) => r.scenario === 'disk_write_fsync') : undefined;
    const diskBound =
      disk && disk.mib_per_s < base.mib_per_s
        ? { disk_write_fsync_mib_per_s: disk.mib_per_s, ratio_disk: round(rec.mib_per_s / disk.mib_per_s, 3) }
        : {};
    emit({
      kind: 'goal',
      scenario: `${rec.scenario}_64m_c${rec.concurrency}`,
      encryption: rec.encryption,
      workers: rec.workers,
      mib_per_s: rec.mib_per_s,
      baseline: base.concurrency === undefined ? base.scenario : `${base.scenario}_c${base.concurrency}`,
      baseline_mib_per_s: base.mib_per_s,
      ratio,
      goal,
      meets_goal: ratio >= goal,
      ...diskBound,
    });
  }
}

async function benchS3(target, signRequest) {
  const client = makeClient(target, signRequest, Math.max(...CONCURRENCY));
  const bucket = `bench-${Date.now().toString(36)}`;
  expectStatus(await client.request('PUT', `/${bucket}`), [200], 'CreateBucket');
  const obj = (name) => `/${bucket}/${name}`;
  try {
    // Large objects: PUT then GET the same keys, then delete them (not timed).
    for (const size of [MiB, 64 * MiB].filter((s) => SIZES.includes(s))) {
      const body = randomBytes(size);
      // Bound the bytes per scenario too: 64 MiB objects at most 48 per run (3 GiB).
      const maxOps = size >= 64 * MiB ? (opts.quick ? 8 : 48) : opts.quick ? 100 : 2000;
      for (const concurrency of CONCURRENCY) {
        const prefix = `large-${size}-${concurrency}`;
        const put = await drive({
          concurrency,
          maxOps: Math.max(maxOps, concurrency),
          seconds: SECONDS,
          op: async (i) => expectStatus(await client.request('PUT', obj(`${prefix}/${i}`), '', body), [200], 'PutObject'),
        });
        report('s3', 'put', size, concurrency, put);
        const written = put.done + put.errors;
        const get = await drive({
          concurrency,
          maxOps: Math.max(maxOps, concurrency),
          seconds: SECONDS,
          op: async (i) => {
            const res = await client.request('GET', obj(`${prefix}/${i % Math.max(1, written)}`));
            expectStatus(res, [200], 'GetObject');
            if (res.bytes !== size) throw new Error(`GetObject returned ${res.bytes} bytes, expected ${size}`);
          },
        });
        report('s3', 'get', size, concurrency, get);
        await drive({ concurrency: 8, maxOps: written, seconds: 60, op: (i) => client.request('DELETE', obj(`${prefix}/${i}`)) });
      }
    }

    // Small objects: 4 KiB PUT, GET, HEAD, LIST, DELETE.
    const small = randomBytes(4 * KiB);
    for (const concurrency of SIZES.includes(4 * KiB) ? CONCURRENCY : []) {
      const prefix = `small-${concurrency}`;
      const maxOps = opts.quick ? 500 : 20_000;
      const put = await drive({
        concurrency,
        maxOps,
        seconds: SECONDS,
        op: async (i) => expectStatus(await client.request('PUT', obj(`${prefix}/${i}`), '', small), [200], 'PutObject'),
      });
      report('s3', 'put', small.length, concurrency, put);
      const n = Math.max(1, put.done);
      const get = await drive({
        concurrency,
        maxOps,
        seconds: SECONDS,
        op: async (i) => expectStatus(await client.request('GET', obj(`${prefix}/${i % n}`)), [200], 'GetObject'),
      });
      report('s3', 'get', small.length, concurrency, get);
      const head = await drive({
        concurrency,
        maxOps,
        seconds: SECONDS,
        op: async (i) => expectStatus(await client.request('HEAD', obj(`${prefix}/${i % n}`)), [200], 'HeadObject'),
      });
      report('s3', 'head', small.length, concurrency, head);
      const list = await drive({
        concurrency,
        maxOps,
        seconds: SECONDS,
        op: async () =>
          expectStatus(await client.request('GET', `/${bucket}`, `list-type=2&max-keys=100&prefix=${prefix}%2F`), [200], 'ListObjectsV2'),
      });
      report('s3', 'list', 0, concurrency, list);
      const del = await drive({
        concurrency,
        maxOps: put.done,
        seconds: Math.max(SECONDS, 60),
        op: async (i) => expectStatus(await client.request('DELETE', obj(`${prefix}/${i}`)), [204], 'DeleteObject'),
      });
      report('s3', 'delete', small.length, concurrency, del);
    }
  } finally {
    await client.request('DELETE', `/${bucket}`).catch(() => undefined);
    client.close();
  }
}

// ---------- this machine's limits ----------

async function benchDisk(dir) {
  await mkdir(dir, { recursive: true });
  const block = randomBytes(MiB);
  const path = join(dir, 'fsync-64m');
  const t0 = performance.now();
  const fh = await open(path, 'w');
  for (let i = 0; i < 64; i++) await fh.write(block);
  await fh.sync();
  await fh.close();
  const s = (performance.now() - t0) / 1000;
  emit({ kind: 'machine', scenario: 'disk_write_fsync', bytes: 64 * MiB, seconds: round(s, 3), mib_per_s: round(64 / s) });
  await rm(path);

  // One 4 KiB file written and fsync'd per op, plus a directory fsync, like a durable PUT.
  const small = randomBytes(4 * KiB);
  const dirFh = await open(dir, 'r');
  const r = await drive({
    concurrency: 1,
    maxOps: 5000,
    seconds: Math.min(SECONDS, 3),
    op: async (i) => {
      const f = await open(join(dir, `f${i}`), 'w');
      await f.write(small);
      await f.sync();
      await f.close();
      await dirFh.sync();
    },
  });
  await dirFh.close();
  emit({
    kind: 'machine',
    scenario: 'fsync_4k_files',
    ops: r.done,
    seconds: round(r.elapsed, 3),
    ops_per_s: round(r.done / r.elapsed),
    p50_ms: round(percentile(r.latencies, 50), 2),
  });
  await rm(dir, { recursive: true, force: true });
}

function benchHashes() {
  const buf = randomBytes(MiB);
  for (const alg of ['md5', 'sha256']) {
    const total = opts.quick ? 128 : 512;
    const warm = createHash(alg); // let the JIT and CPU clocks settle before timing
    for (let i = 0; i < 32; i++) warm.update(buf);
    warm.digest();
    const h = createHash(alg);
    const t0 = performance.now();
    for (let i = 0; i < total; i++) h.update(buf);
    h.digest();
    const s = (performance.now() - t0) / 1000;
    emit({ kind: 'machine', scenario: `hash_${alg}`, bytes: total * MiB, seconds: round(s, 3), mib_per_s: round(total / s) });
  }
}

// A trivial HTTP server in its own process: sinks PUT bodies, serves GET from memory.
const LOOPBACK_SERVER = `
const http = require('node:http');
const body = Buffer.alloc(Number(process.argv[1]), 7);
const srv = http.createServer((req, res) => {
  if (req.method === 'PUT') { req.on('data', () => {}); req.on('end', () => { res.writeHead(200, {'content-length': '0'}); res.end(); }); }
  else {
    // 1 MiB writes with backpressure, as a streaming object server sends.
    res.writeHead(200, {'content-length': String(body.length)});
    let off = 0;
    const pump = () => {
      while (off < body.length) {
        const slice = body.subarray(off, off + 1048576);
        off += slice.length;
        if (!res.write(slice)) return res.once('drain', pump);
      }
      res.end();
    };
    pump();
  }
});
srv.keepAliveTimeout = 30000;
srv.listen(0, '127.0.0.1', () => process.stdout.write(String(srv.address().port) + '\\n'));
`;

async function benchLoopback() {
  const size = 64 * MiB;
  const child = spawn(process.execPath, ['-e', LOOPBACK_SERVER, String(size)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await once(child.stdout, 'data');
  const port = Number(String(line).trim());
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const body = randomBytes(size);
  const one = (method) =>
    new Promise((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, method, path: '/x', agent, headers: method === 'PUT' ? { 'content-length': String(size) } : {} },
        (res) => {
          res.on('data', () => {});
          res.on('end', resolve);
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(method === 'PUT' ? body : undefined);
    });
  try {
    for (const method of ['PUT', 'GET']) {
      for (const concurrency of CONCURRENCY.filter((c) => c <= 8)) {
        const r = await drive({ concurrency, maxOps: opts.quick ? 16 : 64, seconds: SECONDS, op: () => one(method) });
        emit({
          kind: 'machine',
          scenario: `loopback_http_${method.toLowerCase()}`,
          object_bytes: size,
          concurrency,
          ops: r.done,
          seconds: round(r.elapsed, 3),
          mib_per_s: round((r.done * size) / MiB / r.elapsed),
          errors: r.errors,
        });
      }
    }
  } finally {
    agent.destroy();
    child.kill('SIGTERM');
  }
}

// ---------- side by side: Anode, s3rver and a bare node:http server in one run ----------

/** The comparison scenarios of issue 11, each run against every server before the next. */
const COMPARE = [
  { name: 'put', size: 64 * MiB, concurrency: 8, unit: 'mib_per_s' },
  { name: 'get', size: 64 * MiB, concurrency: 8, unit: 'mib_per_s' },
  { name: 'put', size: 4 * KiB, concurrency: 32, unit: 'ops_per_s' },
  { name: 'get', size: 4 * KiB, concurrency: 32, unit: 'ops_per_s', bare: 'GET' },
  { name: 'head', size: 4 * KiB, concurrency: 32, unit: 'ops_per_s', bare: 'HEAD' },
  { name: 'delete', size: 4 * KiB, concurrency: 8, unit: 'ops_per_s' },
  { name: 'list', size: 4 * KiB, concurrency: 8, unit: 'ops_per_s', keys: 2000 },
];

/** Rounds per server and scenario, in ABBA order: a machine whose speed drifts weighs on both alike. */
const COMPARE_ROUNDS = 4;

/** Untimed setup of a scenario on one server (LIST: 2000 keys under their own prefix). */
async function setupCompare(server, s, state) {
  if (s.name !== 'list') return;
  await drive({
    concurrency: 16,
    maxOps: s.keys,
    seconds: 120,
    op: async (i) =>
      expectStatus(
        await server.client.request('PUT', `/${server.bucket}/list/${String(i).padStart(5, '0')}`, '', state.small),
        [200],
        'PutObject',
      ),
  });
}

/**
 * One round of a scenario against one server, for `seconds`: the driver's result and the
 * server's peak RSS. `server.done[name]` numbers the ops across rounds, so PUTs write new
 * keys and DELETEs take the keys the PUT rounds wrote, in order.
 */
async function roundCompare(server, s, state, seconds) {
  const { client, bucket } = server;
  const obj = (k) => `/${bucket}/${k}`;
  const maxOps = s.size >= MiB ? (opts.quick ? 4 : 12) : opts.quick ? 500 : 5000;
  const body = s.size >= MiB ? state.large : state.small;
  const prefix = `c-${s.size}`;
  const rss = rssMeter(server.pid);
  const written = server.written[s.size] ?? 0;
  const from = server.done[`${s.name}-${s.size}`] ?? 0;
  await rss.start();
  const r = await drive({
    concurrency: s.concurrency,
    maxOps: s.name === 'delete' ? Math.max(0, written - from) : maxOps,
    seconds,
    op: async (n) => {
      const i = from + n;
      if (s.name === 'put') return expectStatus(await client.request('PUT', obj(`${prefix}/${i}`), '', body), [200], 'PutObject');
      if (s.name === 'delete') return expectStatus(await client.request('DELETE', obj(`${prefix}/${i}`)), [204], 'DeleteObject');
      if (s.name === 'list')
        return expectStatus(await client.request('GET', `/${bucket}`, 'list-type=2&max-keys=100&prefix=list%2F'), [200], 'ListObjectsV2');
      const res = await client.request(s.name.toUpperCase(), obj(`${prefix}/${i % Math.max(1, written)}`));
      expectStatus(res, [200], s.name);
      if (s.name === 'get' && res.bytes !== s.size) throw new Error(`GetObject returned ${res.bytes} bytes, expected ${s.size}`);
    },
  });
  const peak = await rss.stop();
  server.done[`${s.name}-${s.size}`] = from + r.done + r.errors;
  if (s.name === 'put') server.written[s.size] = from + r.done + r.errors;
  return { r, peak };
}

/** Untimed cleanup: large objects are not needed after their GETs (frees the disk). */
async function finishCompare(server, s) {
  if (s.name !== 'get' || s.size < MiB) return;
  const written = server.written[s.size] ?? 0;
  await drive({
    concurrency: 8,
    maxOps: written,
    seconds: 120,
    op: (i) => server.client.request('DELETE', `/${server.bucket}/c-${s.size}/${i}`),
  });
}

/** The bare node:http server under the same client: HEAD-like (empty 200) or GET-like (4 KiB). */
async function roundBare(bare, s, seconds) {
  const rss = rssMeter(bare.pid);
  await rss.start();
  const r = await drive({
    concurrency: s.concurrency,
    maxOps: opts.quick ? 500 : 12_500,
    seconds,
    op: async (i) => expectStatus(await bare.client.request(s.bare, `/bare/${i}`), [200], `bare ${s.bare}`),
  });
  return { r, peak: await rss.stop() };
}

/** `rounds` rounds of one scenario over `runners` (each: () => { r, peak }), ABBA; the merged result of each. */
async function alternate(runners, rounds) {
  const merged = runners.map(() => ({ r: { done: 0, elapsed: 0, errors: 0, latencies: [], firstError: undefined }, peak: 0, rounds: [] }));
  for (let k = 0; k < rounds; k++) {
    const order = runners.map((_, i) => i);
    if (k % 2 === 1) order.reverse();
    for (const i of order) {
      const { r, peak } = await runners[i]();
      const m = merged[i];
      m.r.done += r.done;
      m.r.elapsed += r.elapsed;
      m.r.errors += r.errors;
      m.r.latencies.push(...r.latencies);
      m.r.firstError ??= r.firstError;
      m.peak = Math.max(m.peak, peak);
      m.rounds.push(r.elapsed > 0 ? r.done / r.elapsed : 0);
    }
  }
  for (const m of merged) m.r.latencies.sort((x, y) => x - y);
  return merged;
}

const figure = (s, r) => round(s.unit === 'mib_per_s' ? (r.done * s.size) / MiB / r.elapsed : r.done / r.elapsed);
const mib = (bytes) => round(bytes / MiB);

async function benchCompare(signRequest, region) {
  const scenarios = COMPARE.filter((s) => SIZES.includes(s.size));
  if (scenarios.length === 0) return;
  const anodeNode = await startOwnNode({ workers: WORKERS });
  const servers = [];
  const summary = [];
  try {
    const s3rver = await startS3rver();
    const bare = await startBareHttp();
    servers.push(
      { name: 'anode', pid: anodeNode.pid, stop: () => anodeNode.stop(), target: { ...anodeNode, region } },
      { name: 's3rver', pid: s3rver.pid, stop: () => s3rver.stop(), target: { ...s3rver, region } },
    );
    const bareServer = {
      ...bare,
      client: makeClient({ endpoint: bare.endpoint, accessKey: 'x', secretKey: 'x', region }, signRequest, 64),
    };
    const bucket = `cmp-${Date.now().toString(36)}`;
    for (const server of servers) {
      server.client = makeClient(server.target, signRequest, 64);
      server.bucket = bucket;
      server.written = {};
      server.done = {};
      expectStatus(await server.client.request('PUT', `/${bucket}`), [200], `CreateBucket on ${server.name}`);
    }
    const state = { small: randomBytes(4 * KiB), large: SIZES.includes(64 * MiB) ? randomBytes(64 * MiB) : null };
    try {
      for (const s of scenarios) {
        for (const server of servers) await setupCompare(server, s, state);
        // DELETE takes keys that run out: one round each, as long as it takes.
        const rounds = s.name === 'delete' ? 1 : COMPARE_ROUNDS;
        const roundSeconds = (s.name === 'delete' ? Math.max(SECONDS, 30) : SECONDS) / rounds;
        const runners = servers.map((server) => () => roundCompare(server, s, state, roundSeconds));
        if (s.bare) runners.push(() => roundBare(bareServer, s, roundSeconds));
        const [a, b, c] = await alternate(runners, rounds);
        for (const server of servers) await finishCompare(server, s);
        const rec = {
          kind: 'compare',
          scenario: s.name,
          object_bytes: s.name === 'list' ? 0 : s.size,
          concurrency: s.concurrency,
          unit: s.unit,
          anode: figure(s, a.r),
          s3rver: figure(s, b.r),
          ratio_s3rver: b.r.done > 0 ? round(figure(s, a.r) / figure(s, b.r), 2) : null,
          anode_p99_ms: round(percentile(a.r.latencies, 99), 2),
          s3rver_p99_ms: round(percentile(b.r.latencies, 99), 2),
          anode_peak_rss_mib: mib(a.peak),
          s3rver_peak_rss_mib: mib(b.peak),
          errors: { anode: a.r.errors, s3rver: b.r.errors },
        };
        if (s.name === 'list') rec.list = `100 of ${s.keys} keys`;
        if (a.r.firstError) rec.anode_first_error = a.r.firstError;
        if (b.r.firstError) rec.s3rver_first_error = b.r.firstError;
        rec.rounds = rounds;
        rec.round_ratios_s3rver = a.rounds.map((x, k) => (b.rounds[k] > 0 ? round(x / b.rounds[k], 2) : null));
        if (s.bare) {
          rec.round_ratios_node_http = a.rounds.map((x, k) => (c.rounds[k] > 0 ? round(x / c.rounds[k], 2) : null));
          rec.node_http = figure(s, c.r);
          rec.ratio_node_http = round(rec.anode / rec.node_http, 3);
          rec.node_http_peak_rss_mib = mib(c.peak);
          rec.goal = s.name === 'head' ? 'anode >= 0.50 x node_http' : 'anode >= 0.40 x node_http';
          rec.meets_goal = rec.ratio_node_http >= (s.name === 'head' ? 0.5 : 0.4);
        }
        if (s.name === 'put' && s.size === 64 * MiB) {
          rec.goal = 'anode >= 2 x s3rver (anode fsyncs every write, s3rver does not)';
          rec.meets_goal = (rec.ratio_s3rver ?? 0) >= 2;
          // The durable bound, when the machine bench ran first: this disk's write + fsync rate.
          const disk = machineRecords.find((r) => r.scenario === 'disk_write_fsync');
          if (disk) rec.disk_write_fsync_mib_per_s = disk.mib_per_s;
        }
        if (s.name === 'put' && s.size === 4 * KiB) {
          rec.goal = 'anode >= 2 x s3rver (anode fsyncs every write, s3rver does not)';
          rec.meets_goal = (rec.ratio_s3rver ?? 0) >= 2;
        }
        emit(rec);
        summary.push(rec);
      }
    } finally {
      await servers[1].client.request('DELETE', `/${bucket}`).catch(() => undefined);
      for (const server of servers) server.client?.close();
      bareServer.client.close();
      await bare.stop();
    }
  } finally {
    for (const server of servers.slice(1)) await server.stop().catch(() => undefined);
    await anodeNode.stop();
  }
  printSummary(summary);
}

/** The closing table (stderr, so stdout stays one JSON record per line). */
function printSummary(rows) {
  const label = (r) =>
    `${r.scenario.toUpperCase()} ${r.scenario === 'list' ? r.list : r.object_bytes >= MiB ? `${r.object_bytes / MiB} MiB` : `${r.object_bytes / KiB} KiB`}, c=${r.concurrency} (${r.unit === 'mib_per_s' ? 'MiB/s' : 'ops/s'})`;
  const lines = [
    '| scenario | Anode | s3rver | Anode ÷ s3rver | node:http | Anode ÷ node:http | peak RSS Anode / s3rver (MiB) |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${label(r)} | ${r.anode} | ${r.s3rver} | ${r.ratio_s3rver ?? '—'} | ${r.node_http ?? '—'} | ${r.ratio_node_http ?? '—'} | ${r.anode_peak_rss_mib} / ${r.s3rver_peak_rss_mib} |`,
    ),
  ];
  console.error(`\nbench summary (one run, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores):\n${lines.join('\n')}\n`);
}

// ---------- main ----------

async function main() {
  emit({
    kind: 'info',
    node: process.version,
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model,
    mem_gib: round(totalmem() / 1024 ** 3),
    seconds_per_scenario: SECONDS,
    concurrency: CONCURRENCY,
    encryption: ENCRYPTION,
    workers: WORKERS ?? 'default',
  });
  if (opts.only !== undefined && !['s3', 'machine', 'compare', 'encryption'].includes(opts.only))
    throw new Error('--only must be s3, machine, compare or encryption');
  if (opts.only === undefined || opts.only === 'machine') {
    const diskBase = await mkdtemp(join(tmpdir(), 'anode-bench-disk-'));
    await benchDisk(join(diskBase, 'd'));
    await rm(diskBase, { recursive: true, force: true });
    benchHashes();
    await benchLoopback();
  }
  if (opts.only === 'machine') return;
  if (!existsSync(SIGNER)) throw new Error(`${SIGNER} missing: run npm run build`);
  const { signRequest } = await import(SIGNER);
  const region = process.env.AWS_REGION ?? 'us-east-1';
  if (opts.cluster) {
    if (opts.endpoint) throw new Error('--cluster starts its own nodes (no --endpoint)');
    const { benchCluster } = await import('./lib/bench-cluster.mjs');
    return benchCluster({ signRequest, region, seconds: SECONDS, quick: opts.quick, emit });
  }
  if (!opts.endpoint && (opts.only === undefined || opts.only === 'compare')) await benchCompare(signRequest, region);
  if (opts.only === 'compare') return;
  const encryptionComparison = () =>
    benchEncryption({
      signRequest,
      region,
      seconds: SECONDS,
      sizes: SIZES,
      concurrency: CONCURRENCY,
      workers: WORKERS,
      quick: opts.quick,
      emit,
    });
  if (opts.only === 'encryption') {
    if (opts.endpoint) throw new Error('--only encryption starts its own nodes (no --endpoint)');
    await encryptionComparison();
    return;
  }
  if (opts.endpoint) {
    const accessKey = process.env.ANODE_ACCESS_KEY ?? process.env.AWS_ACCESS_KEY_ID;
    const secretKey = process.env.ANODE_SECRET_KEY ?? process.env.AWS_SECRET_ACCESS_KEY;
    if (!accessKey || !secretKey)
      throw new Error('--endpoint needs ANODE_ACCESS_KEY/ANODE_SECRET_KEY (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)');
    await benchS3({ endpoint: opts.endpoint.replace(/\/$/, ''), accessKey, secretKey, region }, signRequest);
    return;
  }
  if (ENCRYPTION !== 'on') {
    const node = await startOwnNode({ workers: WORKERS });
    nodePid = node.pid;
    takePeakRss();
    try {
      await benchS3({ ...node, region }, signRequest);
    } finally {
      await node.stop();
    }
  }
  if (ENCRYPTION === 'on') {
    encryptionLabel = 'on';
    const node = await startOwnNode({ encryption: true, workers: WORKERS });
    nodePid = node.pid;
    takePeakRss();
    try {
      await benchS3({ ...node, region }, signRequest);
    } finally {
      await node.stop();
    }
  }
  if (ENCRYPTION === 'both') await encryptionComparison();
  reportLargeBodyGoals();
}

main().catch((e) => {
  console.error(`bench: ${e?.stack ?? e}`);
  process.exit(1);
});
