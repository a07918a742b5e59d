// The runner's source selection, with a fake /proc and no node: what is skipped and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminApiError } from '@anode/shared/admin-api/index';
import { DEFAULT_CONFIG_FILE } from './deployment-config.js';
import { liveSkipReason } from './live-facts.js';
import { adminUrlFor, runChecklist } from './run-checklist.js';

const NOW = new Date('2025-06-30T12:00:00Z');
const noLive = async () => ({ skipped: 'no admin credential' });

test('adminUrlFor reaches a wildcard listener through loopback and picks the scheme', () => {
  assert.equal(adminUrlFor('0.0.0.0:8081', false), 'http://127.0.0.1:8081');
  assert.equal(adminUrlFor('[::]:8081', true), 'https://[::1]:8081');
  assert.equal(adminUrlFor('10.0.0.4:9001', true), 'https://10.0.0.4:9001');
  assert.equal(adminUrlFor('nonsense', false), undefined);
});

test('liveSkipReason names refusals, TLS failures and unreachable nodes without secrets', () => {
  assert.match(
    liveSkipReason('http://h:1', new AdminApiError(403, 'AccessDenied', 'not an admin', undefined)),
    /refused the audit's credential: AccessDenied \(HTTP 403\)/,
  );
  const tls = Object.assign(new Error('fetch failed'), {
    cause: Object.assign(new Error('self-signed'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }),
  });
  assert.equal(liveSkipReason('https://h:1', tls), 'TLS to https://h:1 failed (SELF_SIGNED_CERT_IN_CHAIN): pass --ca with the Anode CA');
  const refused = Object.assign(new Error('fetch failed'), { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) });
  assert.match(liveSkipReason('http://h:1', refused), /^cannot reach http:\/\/h:1 \(/);
});

test(
  'nothing to look at: host and config SKIP with reasons, MANUAL items still listed, no PASS',
  { skip: existsSync(DEFAULT_CONFIG_FILE) ? `${DEFAULT_CONFIG_FILE} exists on this machine` : false },
  async () => {
    const emptyProc = mkdtempSync(join(tmpdir(), 'proc-'));
    const report = await runChecklist({ now: NOW, cliUid: 1000, procRoot: emptyProc, connect: noLive });
    assert.match(report.sources.host, /^skipped: not on the node's host: no anode server process on this host; /);
    assert.match(report.sources.config, /^skipped: no config/);
    assert.equal(report.sources.live, 'skipped: no admin credential');
    assert.equal(report.summary.PASS, 0);
    assert.equal(report.summary.FAIL, 0);
    assert.ok(report.summary.MANUAL >= 10);
    assert.equal(report.summary.SKIP + report.summary.MANUAL, report.items.length);
    assert.equal(report.generated_at, NOW.toISOString());
  },
);

test('a config and a data dir without a running process: host files and config are checked, the process is not', async () => {
  const emptyProc = mkdtempSync(join(tmpdir(), 'proc-'));
  const base = mkdtempSync(join(tmpdir(), 'node-'));
  const data = join(base, 'data');
  mkdirSync(join(data, 'metadata'), { recursive: true });
  chmodSync(data, 0o755);
  // The key file is named in the config: the default (~/.config/anode/master.key) depends on
  // what else ran on this machine.
  writeFileSync(join(base, 'master.key'), 'k', { mode: 0o600 });
  writeFileSync(
    join(base, 'c.toml'),
    `[server]\ndata_dir = "${data}"\nadmin_listen = "127.0.0.1:1"\n[auth]\nmaster_key_file = "${join(base, 'master.key')}"\n`,
  );
  let hint: string | undefined;
  const report = await runChecklist({
    now: NOW,
    cliUid: 0,
    procRoot: emptyProc,
    configFile: join(base, 'c.toml'),
    connect: async (h) => {
      hint = h;
      return { skipped: 'offline' };
    },
  });
  const status = (id: string) => report.items.find((i) => i.id === id)?.status;
  assert.equal(status('data.data-dir-mode'), 'FAIL', '0755 gives others access');
  assert.equal(status('data.master-key-mode'), 'PASS');
  assert.equal(status('hardening.process-user'), 'SKIP');
  assert.equal(status('network.admin-listen'), 'PASS');
  assert.equal(hint, 'http://127.0.0.1:1', 'on the host the endpoint hint is admin_listen');
});

test('with several processes the one serving --data is picked', async () => {
  const proc = mkdtempSync(join(tmpdir(), 'proc-'));
  const base = mkdtempSync(join(tmpdir(), 'node-'));
  for (const [pid, dir, uid] of [
    [11, 'a', 0],
    [12, 'b', 998],
  ] as const) {
    mkdirSync(join(base, dir));
    mkdirSync(join(proc, String(pid)));
    writeFileSync(
      join(proc, String(pid), 'cmdline'),
      ['node', '/opt/anode/server/dist/main.js', 'server', '--data', join(base, dir)].join('\0'),
    );
    writeFileSync(join(proc, String(pid), 'status'), `Uid:\t${uid}\t${uid}\t${uid}\t${uid}\n`);
    writeFileSync(join(proc, String(pid), 'environ'), '');
    symlinkSync(base, join(proc, String(pid), 'cwd'));
  }
  const report = await runChecklist({ now: NOW, cliUid: 0, procRoot: proc, dataDir: join(base, 'b'), connect: noLive });
  const user = report.items.find((i) => i.id === 'hardening.process-user');
  assert.deepEqual([user?.status, user?.reason], ['PASS', 'anode (pid 12) runs as uid 998; this audit runs as uid 0']);
  assert.match(report.sources.config, /^built-in defaults/);

  const ambiguous = await runChecklist({ now: NOW, cliUid: 0, procRoot: proc, connect: noLive });
  assert.match(ambiguous.sources.host, /2 anode processes on this host: pass --data DIR to say which/);
});
