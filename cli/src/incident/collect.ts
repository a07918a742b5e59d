/**
 * `anodectl incident collect`: the evidence the "Investigation" step asks for, in one
 * tarball (mode 0600): audit and access log lines of a time window, the `audit verify`
 * result (whole rotated set, and the window), node and incident status, the config with
 * secrets redacted, the credentials report, the blocklist, and a MANIFEST of SHA-256
 * sums in `sha256sum` format (`sha256sum -c MANIFEST` checks it). Runs on the node's host:
 * the logs are read from the paths the node reports.
 */
import { spawn } from 'node:child_process';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AdminClient } from '@anode/shared/admin-api/index';
import { firstSeq, readRawLines } from '@anode/shared/audit-chain';
import { rotatedSet, verifyFiles } from '../audit/verify-chain.js';

export interface CollectInput {
  client: AdminClient;
  outDir: string;
  since: Date | null;
  until: Date | null;
  /** The node's config file, when known; redacted before it is packed. */
  configFile: string | undefined;
  now: Date;
}

export interface CollectedFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface CollectResult {
  tarball: string;
  window: { since: string | null; until: string | null };
  files: CollectedFile[];
  notes: string[];
}

/** Keys whose values are secrets, or hold one (a PostgreSQL URL's password). */
const SECRET_KEY = /(secret|password|passwd|token|postgres_url|credential)/i;

export function redactToml(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const m = /^(\s*)([A-Za-z0-9_.-]+)(\s*=\s*)(.*)$/.exec(line);
      if (!m || !SECRET_KEY.test(m[2]!)) return line;
      return `${m[1]}${m[2]}${m[3]}"REDACTED"`;
    })
    .join('\n');
}

/** Lines of `files` (in seq order for the audit set) whose timestamp falls in the window; raw bytes kept. */
async function windowLines(files: string[], since: Date | null, until: Date | null): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const f of files) {
    for await (const l of readRawLines(f)) {
      let t: number;
      try {
        const e = JSON.parse(l.bytes.toString('utf8')) as { timestamp?: unknown };
        t = typeof e.timestamp === 'string' ? Date.parse(e.timestamp) : NaN;
      } catch {
        t = NaN;
      }
      if (Number.isNaN(t)) continue;
      if (since !== null && t < since.getTime()) continue;
      if (until !== null && t > until.getTime()) continue;
      out.push(l.bytes);
    }
  }
  return out;
}

async function pack(staging: string, tarball: string): Promise<void> {
  // The tarball is created 0600 before a byte is written, then tar streams into it.
  const handle = await open(tarball, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    const tar = spawn('tar', ['-czf', '-', '-C', staging, '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    tar.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve, reject) => {
      tar.on('error', reject);
      tar.on('close', resolve);
    });
    // pipeline ends (and flushes) the file stream when tar's stdout ends.
    await pipeline(tar.stdout, handle.createWriteStream());
    const code = await exited;
    if (code !== 0) throw new Error(`tar exited ${code}: ${err.trim()}`);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

export async function collectEvidence(input: CollectInput): Promise<CollectResult> {
  const { client } = input;
  await mkdir(input.outDir, { recursive: true, mode: 0o700 });
  const stamp = input.now.toISOString().replace(/[:.]/g, '-');
  const staging = await mkdtemp(join(input.outDir, `.collect-${stamp}-`));
  const files: CollectedFile[] = [];
  const notes: string[] = [];
  const put = async (name: string, data: string | Buffer) => {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    await writeFile(join(staging, name), buf, { mode: 0o600 });
    files.push({ name, bytes: buf.length, sha256: createHash('sha256').update(buf).digest('hex') });
  };
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  try {
    const status = await client.getStatus();
    await put('status.json', json(status));
    await put('incident-status.json', json(await client.getIncidentStatus()));
    await put('blocklist.json', json(await client.listBlocklist()));
    await put('credentials-report.json', json(await client.call('credentialsReport')));

    // Audit: the whole rotated set is verified with the node's key; the window is extracted as is.
    const verify: Record<string, unknown> = {};
    if (status.audit.path === null) notes.push('audit logging is off on the node');
    else {
      const set = await rotatedSet(status.audit.path);
      const pem = status.audit.public_key ?? undefined;
      try {
        const starts = (await Promise.all(set.map(firstSeq))).filter((s): s is number => s !== null);
        const from = starts.length === 0 ? 0 : Math.min(...starts);
        verify['full_set'] = await verifyFiles({
          files: set,
          ...(from > 0 ? { fromSeq: from } : {}),
          ...(pem !== undefined ? { publicKeyPem: pem } : {}),
        });
        const lines = await windowLines(set, input.since, input.until);
        // Files of a set in seq order: sort the extracted lines by seq.
        const seqOf = (b: Buffer) => (JSON.parse(b.toString('utf8')) as { seq?: number }).seq ?? 0;
        lines.sort((a, b) => seqOf(a) - seqOf(b));
        const text = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
        await put('audit.jsonl', text);
        if (lines.length > 0) {
          const windowFile = join(staging, 'audit.jsonl');
          verify['window'] = await verifyFiles({
            files: [windowFile],
            fromSeq: seqOf(lines[0]!),
            ...(pem !== undefined ? { publicKeyPem: pem } : {}),
          });
          // Paths inside the tarball, not the staging dir.
          const w = verify['window'] as { files: { path: string }[]; problem: { file: string } | null };
          for (const f of w.files) f.path = 'audit.jsonl';
          if (w.problem !== null) w.problem.file = 'audit.jsonl';
        }
      } catch (err) {
        notes.push(
          `audit log ${status.audit.path}: ${(err as { code?: string }).code ?? (err as Error).message} (run collect on the node's host)`,
        );
      }
    }
    await put('audit-verify.json', json(verify));

    if (status.access_log === null) notes.push('the access log is off on the node');
    else {
      try {
        const lines = await windowLines(await rotatedSet(status.access_log), input.since, input.until);
        await put('access.jsonl', Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])));
      } catch (err) {
        notes.push(`access log ${status.access_log}: ${(err as { code?: string }).code ?? (err as Error).message}`);
      }
    }

    if (input.configFile === undefined)
      notes.push('no config file given or found (--config FILE): the node may run on defaults and ANODE_* variables');
    else {
      try {
        await put('config.redacted.toml', redactToml(await readFile(input.configFile, 'utf8')));
      } catch (err) {
        notes.push(`config ${input.configFile}: ${(err as { code?: string }).code ?? (err as Error).message}`);
      }
    }
    const window = { since: input.since?.toISOString() ?? null, until: input.until?.toISOString() ?? null };
    await put('collect.json', json({ collected_at: input.now.toISOString(), endpoint: client.endpoint, window, notes }));
    // MANIFEST last: sha256sum format, so `sha256sum -c MANIFEST` verifies the unpacked files.
    const manifest = files.map((f) => `${f.sha256}  ${f.name}\n`).join('');
    await writeFile(join(staging, 'MANIFEST'), manifest, { mode: 0o600 });
    const tarball = join(input.outDir, `anode-incident-${stamp}.tar.gz`);
    await pack(staging, tarball);
    return { tarball, window, files, notes };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
