// The 3-node scenario of scripts/bench.mjs (`npm run bench -- --cluster`): PUT/GET of
// 64 MiB and 4 KiB objects at concurrency 8 and 32, first on a single node, then on three
// nodes started by scripts/dev-cluster.sh (private PostgreSQL, mutual TLS, R=3, W=2) with
// the requests spread round-robin over the nodes as a load balancer would. One JSON line
// per run (kind "s3", topology "single" or "cluster3"), then per scenario the cluster's
// ops/s over the single node's (kind "cluster_ratio"). Bounded: every run stops after
// `seconds` or its op cap; 64 MiB at most 48 objects per run.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { drive, makeClient, startOwnNode } from './load.mjs';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEV_CLUSTER = join(ROOT, 'scripts', 'dev-cluster.sh');
const KiB = 1024;
const MiB = 1024 * KiB;
export const CLUSTER_SIZES = [64 * MiB, 4 * KiB];
export const CLUSTER_CONCURRENCY = [8, 32];

const round = (n, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const percentile = (sorted, p) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);

/** KEY='value' lines of DIR/cluster.env. */
export function parseClusterEnv(text) {
  const env = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)='([^']*)'$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return env;
}

async function expectOk(p, ok, what) {
  const res = await p;
  if (!ok.includes(res.status)) throw new Error(`${what}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
  return res;
}

/** PUT then GET each size at each concurrency against `endpoints` (round-robin); one record per run. */
async function scenarios({ endpoints, accessKey, secretKey, region, signRequest, seconds, quick, topology, emit }) {
  const clients = endpoints.map((endpoint) => makeClient({ endpoint, accessKey, secretKey, region }, signRequest, 32));
  const pick = (i) => clients[i % clients.length];
  const bucket = `bench-${topology}-${Date.now().toString(36)}`;
  await expectOk(clients[0].request('PUT', `/${bucket}`), [200], 'CreateBucket');
  const records = [];
  const report = (scenario, size, concurrency, r) => {
    const rec = {
      kind: 's3',
      topology,
      nodes: endpoints.length,
      scenario,
      object_bytes: size,
      concurrency,
      ops: r.done,
      seconds: round(r.elapsed, 3),
      // Two digits below 10 op/s: 64 MiB PUTs on the cluster run at 0.1 to 1 op/s.
      ops_per_s: round(r.done / r.elapsed, r.done / r.elapsed < 10 ? 2 : 1),
      p50_ms: round(percentile(r.latencies, 50), 2),
      p99_ms: round(percentile(r.latencies, 99), 2),
      errors: r.errors,
    };
    if (size >= MiB) rec.mib_per_s = round((r.done * size) / MiB / r.elapsed);
    if (r.firstError) rec.first_error = r.firstError;
    // The ratio is taken from the unrounded rate.
    records.push({ ...rec, rate: r.done / r.elapsed });
    emit(rec);
  };
  try {
    for (const size of CLUSTER_SIZES) {
      const body = randomBytes(size);
      const maxOps = size >= 64 * MiB ? (quick ? 8 : 48) : quick ? 500 : 20_000;
      for (const concurrency of CLUSTER_CONCURRENCY) {
        const key = (i) => `/${bucket}/${size}-${concurrency}/${i}`;
        const put = await drive({
          concurrency,
          maxOps: Math.max(maxOps, concurrency),
          seconds,
          op: (i) => expectOk(pick(i).request('PUT', key(i), '', body), [200], 'PutObject'),
        });
        report('put', size, concurrency, put);
        const written = Math.max(1, put.done);
        const get = await drive({
          concurrency,
          maxOps: Math.max(maxOps, concurrency),
          seconds,
          // Read through another node than the one that wrote it.
          op: async (i) => {
            const res = await expectOk(pick(i + 1).request('GET', key(i % written)), [200], 'GetObject');
            if (res.bytes !== size) throw new Error(`GetObject returned ${res.bytes} bytes, expected ${size}`);
          },
        });
        report('get', size, concurrency, get);
        await drive({ concurrency: 8, maxOps: put.done + put.errors, seconds: 120, op: (i) => pick(i).request('DELETE', key(i)) });
      }
    }
  } finally {
    await clients[0].request('DELETE', `/${bucket}`).catch(() => undefined);
    for (const c of clients) c.close();
  }
  return records;
}

/** Starts 3 nodes with scripts/dev-cluster.sh; returns their S3 endpoints, the root key and stop(). */
async function startCluster() {
  const dir = await mkdtemp(join(tmpdir(), 'anode-bench-cluster-'));
  const stop = async () => {
    await run(DEV_CLUSTER, ['down', '--dir', dir]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await run(DEV_CLUSTER, ['up', '--nodes', '3', '--dir', dir], { timeout: 120_000 });
  } catch (e) {
    const env = await readFile(join(dir, 'cluster.env'), 'utf8').catch(() => '');
    await stop();
    throw new Error(`dev-cluster.sh up failed: ${e?.stderr ?? e}${env ? '' : ' (no cluster.env)'}`);
  }
  const env = parseClusterEnv(await readFile(join(dir, 'cluster.env'), 'utf8'));
  return { endpoints: [env.NODE1_S3, env.NODE2_S3, env.NODE3_S3], accessKey: env.ROOT_ACCESS_KEY, secretKey: env.ROOT_SECRET_KEY, stop };
}

/** The whole scenario: single node, then three, then the ratios. */
export async function benchCluster({ signRequest, region, seconds, quick, emit }) {
  const node = await startOwnNode();
  let single;
  try {
    single = await scenarios({ endpoints: [node.endpoint], ...node, region, signRequest, seconds, quick, topology: 'single', emit });
  } finally {
    await node.stop();
  }
  const cluster = await startCluster();
  let three;
  try {
    three = await scenarios({ ...cluster, region, signRequest, seconds, quick, topology: 'cluster3', emit });
  } finally {
    await cluster.stop();
  }
  for (const c of three) {
    const s = single.find((r) => r.scenario === c.scenario && r.object_bytes === c.object_bytes && r.concurrency === c.concurrency);
    if (!s || s.rate === 0) continue;
    emit({
      kind: 'cluster_ratio',
      scenario: c.scenario,
      object_bytes: c.object_bytes,
      concurrency: c.concurrency,
      replication_factor: 3,
      write_quorum: 2,
      single_ops_per_s: s.ops_per_s,
      cluster_ops_per_s: c.ops_per_s,
      ratio: round(c.rate / s.rate, 3),
    });
  }
}
