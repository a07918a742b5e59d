/**
 * docs/admin-api.md shows a `curl --aws-sigv4` beside each anodectl command. This runs the
 * documented commands — taken from the doc's table, not retyped — with Debian's curl
 * (/usr/bin/curl) against a real node, and checks what the node answered. A plain curl
 * without a signature is refused, as the doc says.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, startNode, type AnodeNode } from '../helpers/anode-node.js';
import { execFile } from 'node:child_process';
import { requireTool } from '../helpers/run-command.js';

/** Runs a command to completion (stdin closed); never rejects on a non-zero exit. */
function run(cmd: string, args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { env: { PATH: '/usr/bin:/bin' }, timeout: 30_000, ...(cwd ? { cwd } : {}) }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

const CURL = '/usr/bin/curl';
const DOC = readFileSync(join(REPO_ROOT, 'docs', 'admin-api.md'), 'utf8');

/** The doc's common prefix and, per anodectl command, the curl cell of the table. */
function documented(): { prefix: string; rows: Map<string, string> } {
  const prefix = /followed by what is shown/.test(DOC) ? /Every `curl` below is `([^`]+)`/.exec(DOC)?.[1] : undefined;
  assert.ok(prefix !== undefined, 'the doc names the common curl prefix');
  const rows = new Map<string, string>();
  for (const line of DOC.split('\n')) {
    const m = /^\| `(anodectl [^`]+)` +\| `([^`]+)`/.exec(line);
    if (m) rows.set(m[1]!, m[2]!);
  }
  return { prefix, rows };
}

/** The shell command a row stands for: the cell appended to the prefix, or with `curl …` expanded. */
function commandFor(prefix: string, cell: string): string {
  return cell.includes('curl …') ? cell.replace('curl …', prefix) : `${prefix} ${cell}`;
}

describe('docs/admin-api.md: curl --aws-sigv4 against a real node', () => {
  let node: AnodeNode;
  const { prefix, rows } = documented();
  let shell: (row: string) => Promise<unknown>;

  before(async () => {
    requireTool(CURL, 'curl');
    node = await startNode();
    const vars = [
      `ADMIN='${node.adminUrl}'`,
      `REGION=us-east-1`,
      `AK='${node.accessKey}'`,
      `SK='${node.secretKey}'`,
      'EMPTY=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      `hash() { printf %s "$1" | sha256sum | cut -d' ' -f1; }`,
    ].join('\n');
    shell = async (row) => {
      const cell = rows.get(row);
      assert.ok(cell !== undefined, `the doc has a row for ${row}`);
      const script = `${vars}\n${commandFor(prefix, cell)} --fail-with-body -sS`;
      const r = await run('bash', ['-c', script], node.dataDir);
      assert.equal(r.code, 0, `${row}\n${script}\n${r.stdout}\n${r.stderr}`);
      return JSON.parse(r.stdout) as unknown;
    };
  });
  after(async () => {
    await node?.cleanup();
  });

  it('the table has a curl beside every anodectl admin command', () => {
    for (const cmd of [
      'anodectl status',
      'anodectl credentials create --user alice --role user --permission read',
      'anodectl credentials revoke AKIA…',
      'anodectl readonly status',
      'anodectl gc run [--wait]',
      'anodectl audit log --since 1h --limit 50',
      'anodectl incident lockdown --reason "leaked key"',
      'anodectl block remove 203.0.113.0/24',
    ])
      assert.ok(rows.has(cmd), cmd);
    for (const cell of rows.values()) assert.match(cell, /x-amz-content-sha256/, 'every signed call sends the payload hash');
  });

  it('an unsigned curl is refused; the documented signed ones work', async () => {
    const plain = await run(CURL, ['-sS', `${node.adminUrl}/admin/status`]);
    assert.match(plain.stdout, /"code":"AccessDenied"/);

    const status = (await shell('anodectl status')) as { version: string; read_only: boolean };
    assert.equal(status.read_only, false);
    assert.match(status.version, /^\d+\.\d+\.\d+/);

    const created = (await shell('anodectl credentials create --user alice --role user --permission read')) as {
      user: string;
      permissions: string[];
      secret_key: string;
    };
    assert.equal(created.user, 'alice');
    assert.deepEqual(created.permissions, ['read']);
    assert.equal(created.secret_key.length, 40);

    const added = (await shell('anodectl block add 203.0.113.0/24')) as { changed: boolean; cidrs: string[] };
    assert.deepEqual([added.changed, added.cidrs], [true, ['203.0.113.0/24']]);
    assert.deepEqual(((await shell('anodectl block list')) as { cidrs: string[] }).cidrs, ['203.0.113.0/24']);
    // A query string with an encoded '/': signed as written.
    const removed = (await shell('anodectl block remove 203.0.113.0/24')) as { changed: boolean; cidrs: string[] };
    assert.deepEqual([removed.changed, removed.cidrs], [true, []]);

    // Two sorted, encoded parameters; the entries are the actions just taken.
    const audit = (await shell('anodectl audit log --since 1h --limit 50')) as { entries: { action: string }[] };
    const actions = audit.entries.map((e) => e.action);
    for (const a of ['credentials.create', 'blocklist.add', 'blocklist.remove']) assert.ok(actions.includes(a), a);

    const gc = (await shell('anodectl gc run [--wait]')) as { stats: { pending: unknown } | null };
    assert.ok(gc.stats !== null, 'wait: true answers with the figures');
    assert.equal(((await shell('anodectl incident status')) as { read_only: boolean }).read_only, false);
  });
});
