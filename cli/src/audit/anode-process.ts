/**
 * Finds running `anode server` processes through /proc: who they run as, their
 * arguments, working directory and (when we may read it) environment. Linux only;
 * elsewhere the list is empty and the host items say so.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

export interface AnodeProcess {
  pid: number;
  /** Effective uid (the one that decides file access). */
  uid: number;
  argv: string[];
  /** undefined when /proc/PID/cwd is not ours to read. */
  cwd: string | undefined;
  /** undefined when /proc/PID/environ is not ours to read (another user's process, not root). */
  env: Record<string, string> | undefined;
  /** --data / -d, resolved against the process's cwd. */
  dataDir: string | undefined;
  /** --config / -c, resolved against the process's cwd. */
  configFile: string | undefined;
}

/** True for `node …/server/dist/main.js server …` or an installed `anode server …`. */
export function isAnodeServer(argv: readonly string[]): boolean {
  const i = argv.findIndex((a) => /(^|\/)anode$/.test(a) || /(^|\/)server\/(dist|src)\/main\.(js|ts)$/.test(a));
  return i !== -1 && argv[i + 1] === 'server';
}

function flagValue(argv: readonly string[], long: string, short: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === long || a === short) return argv[i + 1];
    if (a.startsWith(`${long}=`)) return a.slice(long.length + 1);
  }
  return undefined;
}

function resolveAgainst(cwd: string | undefined, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  if (isAbsolute(path)) return path;
  return cwd === undefined ? undefined : resolve(cwd, path);
}

function splitNul(buf: Buffer): string[] {
  const parts = buf.toString('utf8').split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

async function readOptional<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch {
    return undefined;
  }
}

/** Reads one /proc/PID entry; undefined when it is not an anode server or vanished. */
export async function readAnodeProcess(procRoot: string, pid: number): Promise<AnodeProcess | undefined> {
  const dir = join(procRoot, String(pid));
  const cmdline = await readOptional(() => readFile(join(dir, 'cmdline')));
  if (cmdline === undefined) return undefined;
  const argv = splitNul(cmdline);
  if (!isAnodeServer(argv)) return undefined;
  const status = await readOptional(() => readFile(join(dir, 'status'), 'utf8'));
  // "Uid:\treal\teffective\tsaved\tfs"
  const uidLine = status?.split('\n').find((l) => l.startsWith('Uid:'));
  const uid = Number(uidLine?.split(/\s+/)[2]);
  if (!Number.isInteger(uid)) return undefined;
  const cwd = await readOptional(() => readlink(join(dir, 'cwd')));
  const environ = await readOptional(() => readFile(join(dir, 'environ')));
  let env: Record<string, string> | undefined;
  if (environ !== undefined) {
    env = {};
    for (const entry of splitNul(environ)) {
      const eq = entry.indexOf('=');
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
  }
  return {
    pid,
    uid,
    argv,
    cwd,
    env,
    dataDir: resolveAgainst(cwd, flagValue(argv, '--data', '-d')),
    configFile: resolveAgainst(cwd, flagValue(argv, '--config', '-c')),
  };
}

/** Every anode server process visible in procRoot (default /proc). */
export async function findAnodeProcesses(procRoot = '/proc'): Promise<AnodeProcess[]> {
  const names = await readOptional(() => readdir(procRoot));
  if (names === undefined) return [];
  const found: AnodeProcess[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const p = await readAnodeProcess(procRoot, Number(name));
    if (p !== undefined) found.push(p);
  }
  return found;
}

/** The data dir a process serves: its --data, else ANODE_SERVER_DATA_DIR, else undefined. */
export function processDataDir(p: AnodeProcess): string | undefined {
  return p.dataDir ?? resolveAgainst(p.cwd, p.env?.['ANODE_SERVER_DATA_DIR']);
}
