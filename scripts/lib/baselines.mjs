// What scripts/bench.mjs measures Anode against, each in a process of its own on loopback
// so its CPU and memory are its own: a bare node:http server (the ceiling Node's HTTP stack
// allows for tiny keep-alive requests) and s3rver (the Node S3 server people use in tests).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { freePort } from './load.mjs';

// HEAD (and anything else) gets 200 with no body; GET gets 4 KiB; PUT bodies are drained.
const BARE_SERVER = `
const http = require('node:http');
const body = Buffer.alloc(4096, 7);
const srv = http.createServer((req, res) => {
  const send = () => {
    if (req.method === 'GET') { res.writeHead(200, { 'content-length': '4096' }); res.end(body); }
    else { res.writeHead(200, { 'content-length': '0' }); res.end(); }
  };
  if (req.method === 'PUT') { req.on('data', () => {}); req.on('end', send); } else send();
});
srv.keepAliveTimeout = 30000;
srv.listen(0, '127.0.0.1', () => process.stdout.write(String(srv.address().port) + '\\n'));
`;

async function childOnPort(args, cwd) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], ...(cwd ? { cwd } : {}) });
  const [line] = await once(child.stdout, 'data');
  const port = Number(String(line).trim());
  if (!Number.isInteger(port) || port <= 0) throw new Error(`baseline server did not start: ${line}`);
  return { child, port };
}

async function stopChild(child) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await once(child, 'exit');
  clearTimeout(t);
}

/** A bare node:http server; `endpoint` takes the bench client's signed requests (ignored). */
export async function startBareHttp() {
  const { child, port } = await childOnPort(['-e', BARE_SERVER]);
  return { name: 'node-http', endpoint: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => stopChild(child) };
}

/** s3rver (devDependency) with its default credentials, storing under a temp dir. */
export async function startS3rver() {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('s3rver'); // throws with a clear message when not installed
  const base = await mkdtemp(join(tmpdir(), 'anode-bench-s3rver-'));
  const port = await freePort();
  const script = join(base, 'run.cjs');
  await writeFile(
    script,
    `const S3rver = require(${JSON.stringify(entry)});
new S3rver({ port: ${port}, address: '127.0.0.1', silent: true, directory: ${JSON.stringify(join(base, 'data'))} })
  .run()
  .then(() => process.stdout.write('${port}\\n'), (e) => { console.error(e); process.exit(1); });`,
  );
  // s3rver's ListObjectsV2 continuation tokens use DES, a legacy cipher under OpenSSL 3.
  const { child } = await childOnPort(['--openssl-legacy-provider', script]);
  return {
    name: 's3rver',
    endpoint: `http://127.0.0.1:${port}`,
    pid: child.pid,
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
    async stop() {
      await stopChild(child);
      await rm(base, { recursive: true, force: true });
    },
  };
}

/**
 * Peak resident memory of a process over one scenario: resets the kernel's high-water mark
 * (clear_refs "5") at the start and reads VmHWM at the end; where the reset is not allowed,
 * the largest VmRSS sampled every 50 ms.
 */
export function rssMeter(pid) {
  const status = () => readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const field = (text, name) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  };
  let sampled = 0;
  let timer = null;
  let resetOk = false;
  return {
    async start() {
      sampled = 0;
      resetOk = await writeFile(`/proc/${pid}/clear_refs`, '5').then(
        () => true,
        () => false,
      );
      timer = setInterval(async () => {
        sampled = Math.max(sampled, field(await status(), 'VmRSS'));
      }, 50);
    },
    /** Bytes. */
    async stop() {
      clearInterval(timer);
      const text = await status();
      return Math.max(sampled, field(text, 'VmRSS'), resetOk ? field(text, 'VmHWM') : 0);
    },
  };
}
