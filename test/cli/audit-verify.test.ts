// The tamper-evident audit log end to end: a real node writes the chain (across a SIGHUP
// rotation and a restart), `anodectl audit verify` accepts it with the key `anodectl
// status` prints, and names the line when one byte is changed, a line is deleted or two
// lines are swapped (exit 11).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { AdminClient } from '../../shared/src/admin-api/client.js';
import { isolatedEnv, runCli, type CliResult } from './run-cli.js';

let node: AnodeNode;
let env: Record<string, string>;
const work = mkdtempSync(join(tmpdir(), 'audit-verify-'));

async function serverPid(dataDir: string): Promise<number> {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const args = cmdline.split('\0');
    if (args.some((a) => a.endsWith('main.js')) && args.includes('server') && args.includes(dataDir)) return Number(entry);
  }
  throw new Error(`no anode process for ${dataDir}`);
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

interface Verdict {
  ok: boolean;
  checkpoints: number;
  key_source: string;
  first_seq: number;
  last_seq: number;
  problem: { file: string; line: number; seq: number | null; reason: string } | null;
}

async function verify(args: string[]): Promise<{ r: CliResult; v: Verdict }> {
  const r = await runCli(['--json', 'audit', 'verify', ...args], { env });
  let v: Verdict;
  try {
    v = JSON.parse(r.stdout) as Verdict;
  } catch {
    assert.fail(`no JSON from audit verify (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { r, v };
}

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '');

before(async () => {
  node = await startNode({ env: { ANODE_AUDIT_SIGN_INTERVAL_SECONDS: '1' } });
  env = { ...isolatedEnv(), ANODE_ENDPOINT: node.adminUrl, ANODE_ACCESS_KEY: node.accessKey, ANODE_SECRET_KEY: node.secretKey };
  const admin = new AdminClient({ endpoint: node.adminUrl, credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey } });
  await admin.setReadOnly(true);
  await admin.setReadOnly(false);
  // A signed checkpoint on the interval.
  await waitFor(() => readFileSync(node.auditLog, 'utf8').includes('audit.checkpoint'), 'an interval checkpoint');
  // Rotate: the moved file keeps its lines, the new file continues the chain.
  renameSync(node.auditLog, `${node.auditLog}.1`);
  process.kill(await serverPid(node.dataDir), 'SIGHUP');
  await waitFor(() => node.output().includes('logs reopened'), 'the reopen');
  await admin.setReadOnly(true);
  await admin.setReadOnly(false);
  await node.restart();
  await admin.addBlock('203.0.113.7');
  await node.stop(); // shutdown writes a last checkpoint
});
after(async () => node.cleanup());

test('anodectl status prints the audit public key, and it is the key file in <data>/keys', async () => {
  await node.restart();
  const r = await runCli(['status'], { env });
  assert.equal(r.code, 0, r.stderr);
  const pub = readFileSync(join(node.dataDir, 'keys', 'audit-ed25519.pub'), 'utf8');
  assert.ok(r.stdout.includes(pub.trim()), `status prints the public key:\n${r.stdout}`);
  assert.match(r.stdout, /Audit chain:\s+ok/);
  const st = JSON.parse((await runCli(['--json', 'status'], { env })).stdout) as { audit: { public_key: string; chain_ok: boolean } };
  assert.equal(st.audit.public_key, pub);
  assert.equal(st.audit.chain_ok, true);
  const mode = readdirSync(join(node.dataDir, 'keys'));
  assert.ok(mode.includes('audit-ed25519.key'));
  await node.stop();
});

test('the rotated set verifies with the pinned key, in any order given; first lines carry seq and prev', async () => {
  const first = lines(`${node.auditLog}.1`);
  const second = lines(node.auditLog);
  const anchor = JSON.parse(first[0]!) as Record<string, unknown>;
  assert.equal(anchor['seq'], 0);
  assert.equal(anchor['prev'], '0'.repeat(64));
  assert.equal(anchor['action'], 'audit.anchor');
  assert.equal(typeof anchor['node_id'], 'string');
  assert.match(String(anchor['public_key']), /BEGIN PUBLIC KEY/);
  const lastOfFirst = JSON.parse(first.at(-1)!) as { seq: number };
  const firstOfSecond = JSON.parse(second[0]!) as { seq: number; action: string };
  assert.equal(firstOfSecond.seq, lastOfFirst.seq + 1, 'the new file continues the seq');
  assert.equal(firstOfSecond.action, 'audit.continue');
  assert.equal((JSON.parse(second.at(-1)!) as { action: string }).action, 'audit.checkpoint', 'shutdown signs the head');

  const pub = join(node.dataDir, 'keys', 'audit-ed25519.pub');
  const { r, v } = await verify(['--file', node.auditLog, '--file', `${node.auditLog}.1`, '--public-key', pub]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(v.ok, true);
  assert.equal(v.key_source, 'given');
  assert.ok(v.checkpoints >= 3, `checkpoints: ${v.checkpoints}`);
  const rotated = await verify(['--file', node.auditLog, '--rotated', '--public-key', pub]);
  assert.equal(rotated.r.code, 0, rotated.r.stderr);
  // The newest file alone starts mid-chain: refused without --from-seq, accepted with it.
  const alone = await verify(['--file', node.auditLog, '--public-key', pub]);
  assert.equal(alone.r.code, 11);
  assert.match(alone.v.problem!.reason, /--from-seq/);
  const from = await verify(['--file', node.auditLog, '--public-key', pub, '--from-seq', String(firstOfSecond.seq)]);
  assert.equal(from.r.code, 0, from.r.stderr);
  // Human output says OK.
  const human = await runCli(['audit', 'verify', '--file', node.auditLog, '--rotated', '--public-key', pub], { env });
  assert.match(human.stdout, /^OK: seq 0\.\./);
});

/** Copies the set into a scratch dir, lets `change` edit the first file's lines, verifies. */
async function tampered(name: string, change: (l: string[]) => string[]): Promise<{ r: CliResult; v: Verdict; file: string }> {
  const dir = mkdtempSync(join(work, `${name}-`));
  const file = join(dir, 'audit.log.1');
  writeFileSync(file, `${change(lines(`${node.auditLog}.1`)).join('\n')}\n`);
  writeFileSync(join(dir, 'audit.log'), readFileSync(node.auditLog));
  const pub = join(node.dataDir, 'keys', 'audit-ed25519.pub');
  const { r, v } = await verify(['--file', join(dir, 'audit.log'), '--rotated', '--public-key', pub]);
  return { r, v, file };
}

test('one byte changed: verify names that line (file:line and seq) and exits 11', async () => {
  const { r, v, file } = await tampered('byte', (l) => {
    const i = l.findIndex((x) => x.includes('"readonly.set"'));
    l[i] = l[i]!.replace('"enabled":true', '"enabled":tru ');
    return l;
  });
  assert.equal(r.code, 11, r.stderr);
  assert.equal(v.ok, false);
  const i = lines(`${node.auditLog}.1`).findIndex((x) => x.includes('"readonly.set"'));
  assert.equal(v.problem!.file, file);
  assert.equal(v.problem!.line, i + 1, v.problem!.reason);
  assert.equal(v.problem!.seq, i);
  assert.match(r.stderr, new RegExp(`audit chain broken at ${file}:${i + 1}`));
});

test('a byte changed inside a JSON string (still valid JSON) is named too', async () => {
  const { r, v } = await tampered('string', (l) => {
    const i = l.findIndex((x) => x.includes('"readonly.set"'));
    l[i] = l[i]!.replace('"user":"root"', '"user":"rooT"');
    return l;
  });
  const i = lines(`${node.auditLog}.1`).findIndex((x) => x.includes('"readonly.set"'));
  assert.equal(r.code, 11);
  assert.equal(v.problem!.line, i + 1);
  assert.match(v.problem!.reason, /line changed/);
});

test('one line deleted: verify names the line after the gap', async () => {
  const { r, v } = await tampered('delete', (l) => [...l.slice(0, 2), ...l.slice(3)]);
  assert.equal(r.code, 11);
  assert.equal(v.problem!.line, 3);
  assert.equal(v.problem!.seq, 3);
  assert.match(v.problem!.reason, /1 line\(s\) missing/);
});

test('two lines swapped: verify names the first of them', async () => {
  const { r, v } = await tampered('swap', (l) => [l[0]!, l[2]!, l[1]!, ...l.slice(3)]);
  assert.equal(r.code, 11);
  assert.equal(v.problem!.line, 2);
  assert.equal(v.problem!.seq, 2);
});

test('a rewritten chain with a re-signed head fails against the pinned key', async () => {
  // Drop the anchor's key for another one: the anchor no longer names the pinned key.
  const { generateKeyPairSync } = await import('node:crypto');
  const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const otherPath = join(work, 'other.pub');
  writeFileSync(otherPath, other);
  const { r, v } = await verify(['--file', node.auditLog, '--rotated', '--public-key', otherPath]);
  assert.equal(r.code, 11);
  assert.equal(v.problem!.line, 1);
  assert.match(v.problem!.reason, /public key/);
});

test('the checklist runs verify on the node host (monitoring.audit-chain)', async () => {
  const r = await runCli(['--json', 'audit', 'checklist', '--data', node.dataDir], {
    env: { ...env, ANODE_LOGGING_AUDIT_LOG: node.auditLog },
  });
  const report = JSON.parse(r.stdout) as { items: { id: string; status: string; reason: string }[] };
  const item = report.items.find((i) => i.id === 'monitoring.audit-chain');
  assert.ok(item, 'the checklist has the audit-chain item');
  assert.notEqual(item.status, 'FAIL', item.reason);
});

test('copytruncate rotation: the truncated file continues the chain with an audit.file_shrank line; the set verifies', async () => {
  const { copyFileSync, truncateSync } = await import('node:fs');
  await node.restart();
  renameSync(`${node.auditLog}.1`, `${node.auditLog}.2`);
  copyFileSync(node.auditLog, `${node.auditLog}.1`);
  truncateSync(node.auditLog, 0);
  const admin = new AdminClient({ endpoint: node.adminUrl, credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey } });
  await admin.setReadOnly(true);
  await admin.setReadOnly(false);
  await node.stop();
  const first = JSON.parse(lines(node.auditLog)[0]!) as { action: string; expected_bytes: number; found_bytes: number };
  assert.equal(first.action, 'audit.file_shrank');
  assert.equal(first.found_bytes, 0);
  assert.ok(first.expected_bytes > 0);
  const pub = join(node.dataDir, 'keys', 'audit-ed25519.pub');
  const { r, v } = await verify(['--file', node.auditLog, '--rotated', '--public-key', pub]);
  assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
  assert.equal(v.ok, true);
});
