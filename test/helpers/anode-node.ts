/**
 * Starts a real `anode` server process for integration tests: free loopback ports,
 * a fresh temp data dir, generated root credentials, readiness via GET /health.
 * The same node can be stopped, killed with SIGKILL and restarted on the same data
 * dir and ports, which is what the crash-safety tests need.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SERVER_MAIN = join(REPO_ROOT, 'server', 'dist', 'main.js');
export const REGION = 'us-east-1';

export interface StartOptions {
  /** Extra ANODE_* variables (any TOML key as ANODE_<SECTION>_<KEY>). */
  env?: Record<string, string>;
  /** How long to wait for /health, in ms. */
  readyTimeoutMs?: number;
}

export interface AnodeNode {
  readonly s3Url: string;
  readonly adminUrl: string;
  readonly s3Port: number;
  readonly adminPort: number;
  readonly dataDir: string;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly accessLog: string;
  readonly auditLog: string;
  /** Everything the current and earlier processes wrote to stderr (and stdout). */
  output(): string;
  /** True while the server process is running. */
  running(): boolean;
  /** SIGTERM and wait for exit (SIGKILL after a grace period). */
  stop(): Promise<void>;
  /** SIGKILL: no chance to flush or clean up, as in a power cut of the process. */
  kill9(): Promise<void>;
  /** Stop if running, then start again on the same data dir and ports and wait for /health. */
  restart(): Promise<void>;
  /** Stop and delete the data dir and logs. */
  cleanup(): Promise<void>;
}

/**
 * A node's credential master key file: [auth] master_key_file's default under its HOME (the
 * data dir's parent). Nodes sharing one metadata store must share it: pass it to the others
 * as ANODE_AUTH_MASTER_KEY_FILE.
 */
export function masterKeyFileOf(node: Pick<AnodeNode, 'dataDir'>): string {
  return join(node.dataDir, '..', '.config', 'anode', 'master.key');
}

/** A fresh 0600 key file (256 bits, hex) in a new temp dir, for `[storage] encryption_key`; remove `dir` when done. */
export async function encryptionKeyFile(prefix: string): Promise<{ dir: string; keyFile: string }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const keyFile = join(dir, 'encryption.key');
  await writeFile(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  return { dir, keyFile };
}

export class NodeStartError extends Error {
  override readonly name = 'NodeStartError';
}

/** A port the kernel just gave us on 127.0.0.1; closed again so the server can bind it. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const addr = srv.address();
  srv.close();
  await once(srv, 'close');
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return addr.port;
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function randomFrom(alphabet: string, n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return s;
}

/** An AWS-shaped key pair: 20-char AKIA… id and a 40-char secret (with '+' and '/', as AWS's have). */
export function generateCredentials(): { accessKey: string; secretKey: string } {
  return { accessKey: 'AKIA' + randomFrom(KEY_ALPHABET, 16), secretKey: randomFrom(SECRET_ALPHABET, 40) };
}

export async function startNode(opts: StartOptions = {}): Promise<AnodeNode> {
  if (!existsSync(SERVER_MAIN)) {
    throw new NodeStartError(`${SERVER_MAIN} does not exist: run 'npm run build' first`);
  }
  const base = await mkdtemp(join(tmpdir(), 'anode-it-'));
  const dataDir = join(base, 'data');
  const accessLog = join(base, 'access.log');
  const auditLog = join(base, 'audit.log');
  const s3Port = await freePort();
  const adminPort = await freePort();
  const { accessKey, secretKey } = generateCredentials();
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: base,
    NODE_ENV: 'test',
    ANODE_SERVER_S3_LISTEN: `127.0.0.1:${s3Port}`,
    ANODE_SERVER_ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
    ANODE_ROOT_ACCESS_KEY: accessKey,
    ANODE_ROOT_SECRET_KEY: secretKey,
    ANODE_LOGGING_ACCESS_LOG: accessLog,
    ANODE_LOGGING_AUDIT_LOG: auditLog,
    ...opts.env,
  };
  const readyTimeoutMs = opts.readyTimeoutMs ?? 20_000;
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  let proc: ChildProcess | undefined;
  let log = '';

  async function launch(): Promise<void> {
    const child = spawn(process.execPath, [SERVER_MAIN, 'server', '--data', dataDir], {
      env,
      cwd: base,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc = child;
    // A test file that dies or forgets cleanup() must not leave a server running.
    const reap = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    process.once('exit', reap);
    child.once('exit', () => process.removeListener('exit', reap));
    // Keep only the tail: a chatty server must not grow test memory without bound.
    const append = (b: Buffer): void => {
      log += b.toString('utf8');
      if (log.length > 200_000) log = log.slice(-100_000);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    const exited = once(child, 'exit');
    const deadline = Date.now() + readyTimeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        await exited;
        throw new NodeStartError(`anode exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log}`);
      }
      try {
        const res = await fetch(`${adminUrl}/health`, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    throw new NodeStartError(`anode did not answer 200 on ${adminUrl}/health within ${readyTimeoutMs} ms:\n${log}`);
  }

  async function signalAndWait(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    const child = proc;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  await launch();
  const node: AnodeNode = {
    s3Url: `http://127.0.0.1:${s3Port}`,
    adminUrl,
    s3Port,
    adminPort,
    dataDir,
    accessKey,
    secretKey,
    accessLog,
    auditLog,
    output: () => log,
    running: () => proc !== undefined && proc.exitCode === null && proc.signalCode === null,
    stop: () => signalAndWait('SIGTERM', 10_000),
    kill9: () => signalAndWait('SIGKILL', 5_000),
    async restart() {
      await signalAndWait('SIGTERM', 10_000);
      await launch();
    },
    async cleanup() {
      await signalAndWait('SIGTERM', 10_000);
      await rm(base, { recursive: true, force: true });
    },
  };
  return node;
}
