// The Grafana dashboard shows every metric a real node exports on /metrics, and the
// Prometheus alert rules pass `promtool check rules` and their own `promtool test rules`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { sdkClient, uniqueBucket } from '../helpers/s3-client.js';
import { missingTool } from '../helpers/missing-tool.js';
import { REPO } from './run-cli.js';

let node: AnodeNode;
before(async () => {
  node = await startNode();
  const s3 = sdkClient(node);
  const b = uniqueBucket('obs');
  await s3.send(new CreateBucketCommand({ Bucket: b }));
  await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'v' }));
  await (await fetch(`${node.s3Url}/${b}/k`)).arrayBuffer(); // a denial
});
after(async () => node.cleanup());

interface Panel {
  type: string;
  id: number;
  title: string;
  targets?: { expr: string }[];
}

const dashboardPath = join(REPO, 'deploy', 'grafana', 'anode.json');
const rulesDir = join(REPO, 'deploy', 'prometheus');

test('every metric family on /metrics appears in a query of deploy/grafana/anode.json', async () => {
  const text = await (await fetch(`${node.adminUrl}/metrics`)).text();
  const names = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => m[1]!);
  assert.ok(names.length > 40, `the node exports its metrics (${names.length})`);
  for (const want of [
    'anode_audit_chain_ok',
    'anode_lockdown',
    'anode_read_only',
    'anode_auth_failures_total',
    'anode_permission_denied_total',
  ])
    assert.ok(names.includes(want), `${want} is exported`);
  const dashboard = JSON.parse(readFileSync(dashboardPath, 'utf8')) as { panels: Panel[]; uid: string };
  const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
  const missing = names.filter((n) => !exprs.some((e) => new RegExp(`\\b${n}(_bucket|_sum|_count)?\\b`).test(e)));
  assert.deepEqual(missing, [], 'metrics the dashboard does not show (add them to scripts/grafana-dashboard.mjs)');
  const ids = dashboard.panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
});

test('the dashboard file is what scripts/grafana-dashboard.mjs writes', () => {
  const before = readFileSync(dashboardPath, 'utf8');
  const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'grafana-dashboard.mjs')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(dashboardPath, 'utf8'), before, 'regenerate deploy/grafana/anode.json and commit it');
});

test('the alert rules cover the security signals and name only metrics a node exports (or cluster mode will)', async () => {
  const rules = readFileSync(join(rulesDir, 'anode-alerts.yml'), 'utf8');
  for (const metric of [
    'anode_auth_failures_total',
    'anode_permission_denied_total',
    'anode_requests_total{status=~"4.."}',
    'anode_requests_total{status=~"5.."}',
    'anode_read_only',
    'anode_lockdown',
    'anode_cluster_under_replicated_chunks',
    'anode_audit_chain_ok',
  ])
    assert.ok(rules.includes(metric), `an alert on ${metric}`);
  const text = await (await fetch(`${node.adminUrl}/metrics`)).text();
  const exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
  const used = new Set([...rules.matchAll(/\b(anode_[a-z_]+)\b/g)].map((m) => m[1]!));
  const clusterOnly = new Set(['anode_cluster_under_replicated_chunks']);
  for (const m of used) assert.ok(exported.has(m) || clusterOnly.has(m), `${m} in the rules is exported`);
});

test('promtool check rules and promtool test rules pass', { skip: missingTool('promtool') }, () => {
  const check = spawnSync('promtool', ['check', 'rules', 'anode-alerts.yml'], { cwd: rulesDir, encoding: 'utf8' });
  assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
  assert.match(check.stdout, /SUCCESS: \d+ rules found/);
  const unit = spawnSync('promtool', ['test', 'rules', 'anode-alerts.test.yml'], { cwd: rulesDir, encoding: 'utf8' });
  assert.equal(unit.status, 0, `${unit.stdout}${unit.stderr}`);
});
