// Load-generation pieces shared by scripts/bench.mjs and scripts/soak.mjs: a node of our
// own on loopback, signed S3 requests over keep-alive node:http, and a bounded driver.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SIGNER = join(ROOT, 'shared', 'dist', 'sigv4', 'index.js');
const SERVER = join(ROOT, 'server', 'dist', 'main.js');

// ---------- a node of our own ----------

export async function freePort() {
  const srv = createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  srv.close();
  await once(srv, 'close');
  return port;
}

/**
 * Starts a node in a temp dir. `encryption: true` turns on encryption at rest with a fresh
 * 0600 key file in that dir (every object SSE-S3). `workers` sets [server] workers.
 */
export async function startOwnNode({ encryption = false, workers, nodeArgs = [], env = {} } = {}) {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} missing: run npm run build`);
  const base = await mkdtemp(join(tmpdir(), 'anode-bench-'));
  const keyFile = join(base, 'encryption.key');
  if (encryption) await writeFile(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  const [s3Port, adminPort] = [await freePort(), await freePort()];
  const accessKey = 'AKIA' + randomBytes(8).toString('hex').toUpperCase();
  const secretKey = randomBytes(30).toString('base64');
  let log = '';
  const child = spawn(process.execPath, [...nodeArgs, SERVER, 'server', '--data', join(base, 'data')], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: base,
      ANODE_SERVER_S3_LISTEN: `127.0.0.1:${s3Port}`,
      ANODE_SERVER_ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
      ANODE_ROOT_ACCESS_KEY: accessKey,
      ANODE_ROOT_SECRET_KEY: secretKey,
      ANODE_LOGGING_ACCESS_LOG: join(base, 'access.log'),
      ANODE_LOGGING_AUDIT_LOG: join(base, 'audit.log'),
      ...(encryption ? { ANODE_STORAGE_ENCRYPTION: 'true', ANODE_STORAGE_ENCRYPTION_KEY: keyFile } : {}),
      ...(workers !== undefined ? { ANODE_SERVER_WORKERS: String(workers) } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (b) => {
    log = (log + b.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`anode exited early:\n${log}`);
    try {
      const res = await fetch(`http://127.0.0.1:${adminPort}/health`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`anode not healthy within 20 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint: `http://127.0.0.1:${s3Port}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    pid: child.pid,
    accessKey,
    secretKey,
    dataDir: join(base, 'data'),
    async stop() {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      if (child.exitCode === null) await once(child, 'exit');
      clearTimeout(t);
      await rm(base, { recursive: true, force: true });
    },
  };
}

// ---------- signed S3 requests over node:http ----------

export function makeClient({ endpoint, accessKey, secretKey, region }, signRequest, maxSockets) {
  const url = new URL(endpoint);
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const credentials = { accessKeyId: accessKey, secretAccessKey: secretKey };
  /** Sends one request; resolves with status and the number of body bytes read (discarded). */
  function request(method, path, query = '', body) {
    const target = query ? `${path}?${query}` : path;
    const headers = body ? { 'content-length': String(body.length) } : {};
    const signed = signRequest({
      method,
      url: `${endpoint}${target}`,
      headers,
      bodySha256: 'UNSIGNED-PAYLOAD',
      credentials,
      region,
      service: 's3',
      now: new Date(),
    });
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: url.hostname, port: url.port, method, path: target, agent, headers: { ...headers, ...signed } },
        (res) => {
          let bytes = 0;
          const small = [];
          res.on('data', (c) => {
            bytes += c.length;
            if (res.statusCode >= 300 && bytes < 4096) small.push(c);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, text: Buffer.concat(small).toString() }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
  return { request, close: () => agent.destroy() };
}

/**
 * Runs `op(i)` from `concurrency` workers until `maxOps` are done or `seconds` pass.
 * Returns the count, elapsed seconds, per-op latencies and the errors seen.
 */
export async function drive({ concurrency, maxOps, seconds, op }) {
  const latencies = [];
  let next = 0;
  let errors = 0;
  let firstError;
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  async function worker() {
    while (next < maxOps && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      try {
        await op(i);
        latencies.push(performance.now() - t0);
      } catch (e) {
        errors++;
        firstError ??= String(e?.message ?? e);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { done: latencies.length, elapsed, latencies, errors, firstError };
}
