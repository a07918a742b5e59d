#!/usr/bin/env node
// Soak: a mixed S3 load at a chosen concurrency for a chosen time against one node, sampling
// the node's resident memory and event-loop delay from its /metrics, with a pass/fail on
// errors and on memory growth. Bounded in time, and loopback only.
//
// Usage: npm run soak -- [--seconds 600] [--concurrency 32] [--sample-seconds 5]
//                        [--max-growth-mib 64] [--endpoint URL --admin URL]
//   Without --endpoint it starts a node of its own (server/dist/main.js, temp data dir).
//   With --endpoint, credentials come from ANODE_ACCESS_KEY/ANODE_SECRET_KEY.
// Prints one JSON line per sample, then a summary line; exits 1 when the run fails.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SIGNER, makeClient, startOwnNode } from './lib/load.mjs';

const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '600' },
    concurrency: { type: 'string', default: '32' },
    'sample-seconds': { type: 'string', default: '5' },
    'max-growth-mib': { type: 'string', default: '64' },
    endpoint: { type: 'string' },
    admin: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log('npm run soak -- [--seconds N] [--concurrency N] [--sample-seconds N] [--max-growth-mib N] [--endpoint URL --admin URL]');
  process.exit(0);
}
const SECONDS = Number(opts.seconds);
const CONCURRENCY = Number(opts.concurrency);
const SAMPLE_MS = Number(opts['sample-seconds']) * 1000;
const MAX_GROWTH = Number(opts['max-growth-mib']) * 1024 * 1024;
for (const [name, v] of [
  ['seconds', SECONDS],
  ['concurrency', CONCURRENCY],
  ['sample-seconds', SAMPLE_MS],
  ['max-growth-mib', MAX_GROWTH],
]) {
  if (!(v > 0)) {
    console.error(`soak: --${name} must be a positive number`);
    process.exit(2);
  }
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;
function loopbackOnly(url) {
  const host = new URL(url).hostname;
  if (!LOOPBACK.test(host) && host !== '::1') {
    console.error(`soak: ${url} is not a loopback address; this load generator only targets this machine`);
    process.exit(2);
  }
}

const KEYS = 400;
const small = randomBytes(4096);
const large = randomBytes(1024 * 1024);
/** The mix, by weight: mostly small writes and reads, some 1 MiB bodies, listings, deletes. */
const MIX = [
  ['put-4k', 30],
  ['put-1m', 8],
  ['get', 30],
  ['head', 15],
  ['list', 10],
  ['delete', 7],
];
const TOTAL_WEIGHT = MIX.reduce((n, [, w]) => n + w, 0);
function pickOp() {
  let r = Math.random() * TOTAL_WEIGHT;
  for (const [op, w] of MIX) if ((r -= w) < 0) return op;
  return 'get';
}

async function scrape(adminUrl) {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const value = (name) => {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  return {
    rss: value('anode_process_process_resident_memory_bytes'),
    lagP99: value('anode_process_nodejs_eventloop_lag_p99_seconds'),
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)];
};

async function main() {
  if (!existsSync(SIGNER)) throw new Error(`${SIGNER} missing: run npm run build`);
  const { signRequest } = await import(SIGNER);
  let node = null;
  let target;
  let adminUrl;
  if (opts.endpoint !== undefined) {
    if (opts.admin === undefined) throw new Error('--endpoint needs --admin (the node admin URL, for /metrics)');
    loopbackOnly(opts.endpoint);
    loopbackOnly(opts.admin);
    const accessKey = process.env.ANODE_ACCESS_KEY;
    const secretKey = process.env.ANODE_SECRET_KEY;
    if (!accessKey || !secretKey) throw new Error('--endpoint needs ANODE_ACCESS_KEY and ANODE_SECRET_KEY');
    target = { endpoint: opts.endpoint.replace(/\/$/, ''), accessKey, secretKey, region: process.env.AWS_REGION ?? 'us-east-1' };
    adminUrl = opts.admin.replace(/\/$/, '');
  } else {
    node = await startOwnNode();
    target = { ...node, region: 'us-east-1' };
    adminUrl = node.adminUrl;
  }
  const client = makeClient(target, signRequest, CONCURRENCY);
  const bucket = `soak-${Date.now().toString(36)}`;
  const counts = Object.fromEntries(MIX.map(([op]) => [op, 0]));
  let errors = 0;
  let firstError = null;
  const samples = [];
  try {
    const made = await client.request('PUT', `/${bucket}`);
    if (made.status !== 200) throw new Error(`CreateBucket: HTTP ${made.status} ${made.text}`);
    const started = Date.now();
    const deadline = started + SECONDS * 1000;
    async function one() {
      const op = pickOp();
      const key = `/${bucket}/k${Math.floor(Math.random() * KEYS)}`;
      let res;
      let ok;
      switch (op) {
        case 'put-4k':
          res = await client.request('PUT', key, '', small);
          ok = [200];
          break;
        case 'put-1m':
          res = await client.request('PUT', key, '', large);
          ok = [200];
          break;
        case 'get':
          res = await client.request('GET', key);
          ok = [200, 404];
          break;
        case 'head':
          res = await client.request('HEAD', key);
          ok = [200, 404];
          break;
        case 'list':
          res = await client.request('GET', `/${bucket}`, 'list-type=2&max-keys=100');
          ok = [200];
          break;
        default:
          res = await client.request('DELETE', key);
          ok = [204];
      }
      counts[op]++;
      if (!ok.includes(res.status)) throw new Error(`${op}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
    }
    async function worker() {
      while (Date.now() < deadline) {
        try {
          await one();
        } catch (e) {
          errors++;
          firstError ??= String(e?.message ?? e);
        }
      }
    }
    let scraping = Promise.resolve();
    const sampler = setInterval(() => {
      scraping = scrape(adminUrl)
        .then((m) => {
          const sample = {
            kind: 'soak-sample',
            t_s: Math.round((Date.now() - started) / 1000),
            rss_mib: m.rss === null ? null : Math.round((m.rss / 1048576) * 10) / 10,
            event_loop_p99_ms: m.lagP99 === null ? null : Math.round(m.lagP99 * 1000 * 10) / 10,
            ops: Object.values(counts).reduce((a, b) => a + b, 0),
            errors,
          };
          samples.push({ ...sample, rss: m.rss ?? 0 });
          console.log(JSON.stringify(sample));
        })
        .catch((e) => {
          errors++;
          firstError ??= `metrics: ${String(e?.message ?? e)}`;
        });
    }, SAMPLE_MS);
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    clearInterval(sampler);
    await scraping; // a sample in flight is printed before the summary, never after

    // Growth: the median of the last third of the samples against the first third (the
    // first sample is warm-up). Fewer than 3 samples cannot show a trend.
    const usable = samples.slice(1);
    const third = Math.floor(usable.length / 3);
    const growth = third === 0 ? 0 : median(usable.slice(-third).map((s) => s.rss)) - median(usable.slice(0, third).map((s) => s.rss));
    const ops = Object.values(counts).reduce((a, b) => a + b, 0);
    const pass = errors === 0 && growth <= MAX_GROWTH && samples.length > 0 && samples.every((s) => s.rss > 0);
    console.log(
      JSON.stringify({
        kind: 'soak-summary',
        pass,
        seconds: SECONDS,
        concurrency: CONCURRENCY,
        ops,
        ops_per_s: Math.round(ops / SECONDS),
        by_op: counts,
        errors,
        first_error: firstError,
        samples: samples.length,
        peak_rss_mib: Math.round((Math.max(0, ...samples.map((s) => s.rss)) / 1048576) * 10) / 10,
        rss_growth_mib: Math.round((growth / 1048576) * 10) / 10,
        max_growth_mib: MAX_GROWTH / 1048576,
        peak_event_loop_p99_ms: Math.max(0, ...samples.map((s) => s.event_loop_p99_ms ?? 0)),
      }),
    );
    return pass;
  } finally {
    client.close();
    await node?.stop();
  }
}

main().then(
  (pass) => process.exit(pass ? 0 : 1),
  (err) => {
    console.error(`soak: ${err?.stack ?? err}`);
    process.exit(2);
  },
);
