// The encryption comparison of scripts/bench.mjs (`--encryption both`): a plain node and a
// node with encryption at rest on ([storage] encryption = true, every object SSE-S3) run
// side by side, and every scenario (PUT/GET of 64 MiB and 4 KiB at each concurrency) runs
// in ROUNDS short rounds alternated plain, encrypted, encrypted, plain, ... so a machine
// whose speed drifts during the run (a shared one does) weighs on both alike. One record
// per scenario (kind "encryption_ratio"): each node's ops/s over all its rounds, the ratio
// and the ratio of every pair of rounds, and each node's peak RSS. Goal: ratio >= 0.85.
// First, one record of the cipher's own speed here (kind "cipher_baseline"): the ratios
// depend on it, and it depends on the OpenSSL inside Node as much as on the CPU.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, drive, makeClient, startOwnNode } from './load.mjs';
import { rssMeter } from './baselines.mjs';

const KiB = 1024;
const MiB = 1024 * KiB;
/** Rounds per node and scenario; ABBA order, so an even count cancels a linear drift. */
const ROUNDS = 4;
export const ENCRYPTION_GOAL = 0.85;

const round = (n, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

async function expectOk(p, ok, what) {
  const res = await p;
  if (!ok.includes(res.status)) throw new Error(`${what}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
  return res;
}

/** Rounds of one scenario on one node; `i` numbers the ops across all its rounds. */
function scenarioOp(node, scenario, size, body, readable) {
  const obj = (k) => `/${node.bucket}/${k}`;
  if (scenario === 'put') return (i) => expectOk(node.client.request('PUT', obj(`w-${size}/${i}`), '', body), [200], 'PutObject');
  return async (i) => {
    const res = await expectOk(node.client.request('GET', obj(`r-${size}/${i % readable}`)), [200], 'GetObject');
    if (res.bytes !== size) throw new Error(`GetObject returned ${res.bytes} bytes, expected ${size}`);
  };
}

/**
 * AES-256-GCM sealing of 64 KiB segments in place, as the encrypting chunk store does it
 * (the server's own addon wrapper), on one thread for about half a second.
 */
async function cipherBaseline() {
  const { gcmEncryptInPlace, KEY_BYTES, NONCE_BYTES, TAG_BYTES } = await import(
    pathToFileURL(join(ROOT, 'server', 'dist', 'util', 'aes-gcm.js')).href
  );
  const [key, nonce, aad, data, tag] = [
    randomBytes(KEY_BYTES),
    randomBytes(NONCE_BYTES),
    randomBytes(40),
    randomBytes(64 * KiB),
    Buffer.alloc(TAG_BYTES),
  ];
  for (let i = 0; i < 200; i++) gcmEncryptInPlace(key, nonce, aad, data, tag); // warm up
  let n = 0;
  const start = process.hrtime.bigint();
  const until = Date.now() + 500;
  while (Date.now() < until) for (let i = 0; i < 100; i++, n++) gcmEncryptInPlace(key, nonce, aad, data, tag);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return {
    kind: 'cipher_baseline',
    openssl: process.versions.openssl,
    aes_256_gcm_64k_gib_per_s: round((n * 64 * KiB) / seconds / 1024 ** 3, 2),
    us_per_segment: round((seconds * 1e6) / n, 1),
  };
}

/**
 * Runs the comparison and emits its records. `sizes` and `concurrency` as the bench's
 * options give them (only 4 KiB and 64 MiB are run); `seconds` per scenario and node.
 */
export async function benchEncryption({ signRequest, region, seconds, sizes, concurrency, workers, quick, emit }) {
  const wanted = [64 * MiB, 4 * KiB].filter((s) => sizes.includes(s));
  if (wanted.length === 0) return [];
  emit(await cipherBaseline());
  const nodes = [];
  const ratios = [];
  try {
    for (const encryption of [false, true]) {
      const n = await startOwnNode({ encryption, workers });
      const client = makeClient({ ...n, region }, signRequest, Math.max(...concurrency));
      const bucket = `enc-${encryption ? 'on' : 'off'}-${Date.now().toString(36)}`;
      await expectOk(client.request('PUT', `/${bucket}`), [200], 'CreateBucket');
      nodes.push({ name: encryption ? 'encrypted' : 'plain', node: n, client, bucket, ops: 0 });
    }
    for (const size of wanted) {
      const body = randomBytes(size);
      // Objects to GET, written untimed: enough for every concurrency to read distinct keys.
      const readable = Math.max(...concurrency);
      for (const nd of nodes)
        await drive({
          concurrency: 4,
          maxOps: readable,
          seconds: 600,
          op: (i) => expectOk(nd.client.request('PUT', `/${nd.bucket}/r-${size}/${i}`, '', body), [200], 'PutObject'),
        });
      for (const scenario of ['put', 'get']) {
        for (const c of concurrency) {
          const per = nodes.map(() => ({ done: 0, elapsed: 0, errors: 0, peak: 0, rounds: [] }));
          const roundSeconds = Math.max(0.5, seconds / ROUNDS);
          const maxOps = size >= MiB ? Math.max(c, quick ? 4 : 12) : quick ? 500 : 5000;
          for (let r = 0; r < ROUNDS; r++) {
            // ABBA: plain, encrypted, encrypted, plain, ...
            const order = r % 2 === 0 ? [0, 1] : [1, 0];
            for (const k of order) {
              const nd = nodes[k];
              const op = scenarioOp(nd, scenario, size, body, readable);
              const first = nd.ops;
              const rss = rssMeter(nd.node.pid);
              await rss.start();
              const res = await drive({ concurrency: c, maxOps, seconds: roundSeconds, op: (i) => op(first + i) });
              const peak = await rss.stop();
              nd.ops += res.done + res.errors;
              const p = per[k];
              p.done += res.done;
              p.elapsed += res.elapsed;
              p.errors += res.errors;
              p.peak = Math.max(p.peak, peak);
              p.rounds.push(res.done / res.elapsed);
              p.firstError ??= res.firstError;
              if (scenario === 'put' && size >= MiB) {
                // Free the disk between rounds (untimed): 64 MiB PUTs add up.
                await drive({
                  concurrency: 8,
                  maxOps: nd.ops - first,
                  seconds: 120,
                  op: (i) => nd.client.request('DELETE', `/${nd.bucket}/w-${size}/${first + i}`),
                });
              }
            }
          }
          const [plain, enc] = per.map((p) => p.done / p.elapsed);
          const rec = {
            kind: 'encryption_ratio',
            scenario,
            object_bytes: size,
            concurrency: c,
            workers: workers ?? 'default',
            rounds: ROUNDS,
            plain_ops_per_s: round(plain),
            encrypted_ops_per_s: round(enc),
            ratio: plain > 0 ? round(enc / plain, 3) : null,
            round_ratios: per[0].rounds.map((p, r) => round(per[1].rounds[r] / p, 2)),
            meets_goal: plain > 0 && enc / plain >= ENCRYPTION_GOAL,
            peak_rss_mib: { plain: round(per[0].peak / MiB), encrypted: round(per[1].peak / MiB) },
            errors: { plain: per[0].errors, encrypted: per[1].errors },
          };
          if (size >= MiB)
            Object.assign(rec, { plain_mib_per_s: round((plain * size) / MiB), encrypted_mib_per_s: round((enc * size) / MiB) });
          const firstError = per[0].firstError ?? per[1].firstError;
          if (firstError) rec.first_error = firstError;
          emit(rec);
          ratios.push(rec);
        }
      }
    }
  } finally {
    for (const nd of nodes) {
      nd.client.close();
      await nd.node.stop().catch(() => undefined);
    }
  }
  return ratios;
}
