/**
 * scripts/soak.mjs runs and reports: a short mixed-load run against a node of its own ends
 * with a passing summary that counts every kind of operation and samples the node's memory;
 * and it refuses a target that is not on this machine.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../helpers/anode-node.js';

const run = promisify(execFile);
const SOAK = join(REPO_ROOT, 'scripts', 'soak.mjs');

describe('scripts/soak.mjs', () => {
  it('a 6-second run at c=4 passes, with every operation counted and RSS sampled', async () => {
    // A failing run exits 1: keep its output for the assertion message instead of rejecting.
    const { stdout, stderr } = await run(process.execPath, [SOAK, '--seconds', '6', '--concurrency', '4', '--sample-seconds', '1'], {
      timeout: 60_000,
    }).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }));
    assert.ok(stdout.trim() !== '', `no output; stderr: ${stderr}`);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = lines.find((l) => l['kind'] === 'soak-summary');
    assert.ok(summary, stdout);
    assert.equal(lines[lines.length - 1], summary, 'the summary is the last line');
    assert.equal(summary['pass'], true, stdout);
    assert.equal(summary['errors'], 0, stdout);
    const byOp = summary['by_op'] as Record<string, number>;
    for (const op of ['put-4k', 'put-1m', 'get', 'head', 'list', 'delete']) assert.ok(byOp[op]! > 0, `${op} ran`);
    assert.ok((summary['peak_rss_mib'] as number) > 10, 'the node reported its resident memory');
    assert.ok(lines.filter((l) => l['kind'] === 'soak-sample').length >= 3);
  });

  it('refuses an endpoint that is not loopback', async () => {
    await assert.rejects(
      run(process.execPath, [SOAK, '--endpoint', 'http://192.0.2.1:8080', '--admin', 'http://192.0.2.1:8081', '--seconds', '1'], {
        timeout: 10_000,
        env: { ...process.env, ANODE_ACCESS_KEY: 'x', ANODE_SECRET_KEY: 'y' },
      }),
      (err: { code?: number; stderr?: string }) => err.code === 2 && /not a loopback address/.test(err.stderr ?? ''),
    );
  });
});
