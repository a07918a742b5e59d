// anodectl firewall end to end: the generated rules are checked by the real tools
// (iptables-restore --test, ip6tables-restore --test, nft -c) inside a fresh network
// namespace, and the NetworkPolicy is parsed and checked field by field.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { NetNs, netnsUnavailableReason } from './netns.js';
import { runCli } from './run-cli.js';

const CIDRS = ['--cluster-cidr', '10.20.0.0/16', 'fd20::/64', '--admin-cidr', '192.168.50.0/24', '2001:db8:50::/48'];
// In CI nothing is skipped: a machine that cannot run these is a failure to see.
const skip = process.env['CI'] === 'true' ? false : (netnsUnavailableReason() ?? false);

describe('firewall rules pass the real tools in a scratch network namespace', { skip }, () => {
  let ns: NetNs;
  before(() => {
    ns = NetNs.create('anode-fw');
  });
  after(() => ns.delete());

  test('iptables format passes iptables-restore --test', async () => {
    const r = await runCli(['firewall', '--format', 'iptables', ...CIDRS]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /fd20::\/64 left out of iptables output/);
    const check = ns.run('iptables-restore', ['--test'], r.stdout);
    assert.equal(check.status, 0, check.stderr);
    // The nf_tables backend's --test only parses; applying in the scratch namespace also
    // checks chains and matches exist, and shows what the kernel was given.
    const applied = ns.run('iptables-restore', ['--noflush'], r.stdout);
    assert.equal(applied.status, 0, applied.stderr);
    const listed = ns.run('iptables', ['-S']).stdout;
    assert.match(listed, /-A INPUT -p tcp -m multiport --dports 8080,8081,9090 -j ANODE-INPUT/);
    assert.match(listed, /-A ANODE-INPUT -s 10\.20\.0\.0\/16 -p tcp -m tcp --dport 9090 .*-j ACCEPT/);
    assert.match(listed, /-A ANODE-INPUT -p tcp -m tcp --dport 8081 .*-j DROP/);
  });

  test('ip6tables format passes ip6tables-restore --test', async () => {
    const r = await runCli(['firewall', '--format', 'ip6tables', ...CIDRS]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /-s fd20::\/64 --dport 9090/);
    const check = ns.run('ip6tables-restore', ['--test'], r.stdout);
    assert.equal(check.status, 0, check.stderr);
    const applied = ns.run('ip6tables-restore', ['--noflush'], r.stdout);
    assert.equal(applied.status, 0, applied.stderr);
    assert.match(ns.run('ip6tables', ['-S']).stdout, /-A ANODE-INPUT -s 2001:db8:50::\/48 -p tcp -m tcp --dport 8081 .*-j ACCEPT/);
  });

  test('nftables format passes nft -c, applies, and re-applies in place', async () => {
    const r = await runCli(['firewall', '--format', 'nftables', ...CIDRS, '--cluster-cidr', '10.20.5.0/24']);
    assert.equal(r.code, 0, r.stderr);
    const file = join(mkdtempSync(join(tmpdir(), 'anode-nft-')), 'anode.nft');
    writeFileSync(file, r.stdout);
    const check = ns.run('nft', ['-c', '-f', file]);
    assert.equal(check.status, 0, check.stderr);
    for (let i = 0; i < 2; i++) assert.equal(ns.run('nft', ['-f', file]).status, 0, `apply #${i + 1}`);
    const listed = ns.run('nft', ['list', 'table', 'inet', 'anode']);
    assert.match(listed.stdout, /tcp dport 9090 counter packets 0 bytes 0 drop/);
    assert.equal(listed.stdout.match(/chain input/g)?.length, 1, 're-applying replaced the table');
  });

  test('the check is real: a broken ruleset fails', () => {
    assert.notEqual(ns.run('iptables-restore', ['--test'], '*filter\n-A INPUT -p tcp --dport 99999 -j DROP\nCOMMIT\n').status, 0);
    assert.notEqual(ns.run('iptables-restore', ['--noflush'], '*filter\n-A NO-SUCH-CHAIN -j ACCEPT\nCOMMIT\n').status, 0);
    const file = join(mkdtempSync(join(tmpdir(), 'anode-nft-')), 'bad.nft');
    writeFileSync(file, 'table inet anode {\n\tchain input {\n\t\ttcp dport 99999 drop\n\t}\n}\n');
    assert.notEqual(ns.run('nft', ['-c', '-f', file]).status, 0);
  });
});

test('k8s format is a NetworkPolicy in selector form: gRPC from anode pods, admin from a monitoring namespace', async () => {
  const r = await runCli(['firewall', '--format', 'k8s', '--s3-port', '9000']);
  assert.equal(r.code, 0, r.stderr);
  type Peer = {
    podSelector?: { matchLabels: Record<string, string> };
    namespaceSelector?: { matchLabels: Record<string, string> };
    ipBlock?: { cidr: string };
  };
  const policy = parse(r.stdout) as {
    apiVersion: string;
    kind: string;
    spec: {
      podSelector: { matchLabels: Record<string, string> };
      policyTypes: string[];
      ingress: { from?: Peer[]; ports: { protocol: string; port: number }[] }[];
    };
  };
  assert.equal(policy.apiVersion, 'networking.k8s.io/v1');
  assert.equal(policy.kind, 'NetworkPolicy');
  assert.deepEqual(policy.spec.podSelector.matchLabels, { 'app.kubernetes.io/name': 'anode' });
  assert.deepEqual(policy.spec.policyTypes, ['Ingress']);
  const [s3, grpc, admin] = policy.spec.ingress;
  assert.equal(policy.spec.ingress.length, 3);
  assert.deepEqual(s3, { ports: [{ protocol: 'TCP', port: 9000 }] });
  assert.deepEqual(grpc?.from, [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'anode' } } }], 'not the whole pod network');
  assert.deepEqual(grpc?.ports, [{ protocol: 'TCP', port: 9090 }]);
  assert.deepEqual(admin?.from, [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
  assert.deepEqual(admin?.ports, [{ protocol: 'TCP', port: 8081 }]);

  const more = await runCli(['firewall', '--format', 'k8s', '--admin-namespace', 'ops', 'monitoring', '--admin-cidr', '192.168.50.0/24']);
  assert.equal(more.code, 0, more.stderr);
  const adminFrom = (parse(more.stdout) as typeof policy).spec.ingress[2]?.from;
  assert.deepEqual(adminFrom, [
    { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } } },
    { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
    { ipBlock: { cidr: '192.168.50.0/24' } },
  ]);
  const refused = await runCli(['firewall', '--format', 'k8s', '--cluster-cidr', '10.0.0.0/8']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--cluster-cidr is for host firewalls/);
});

test('ports come from --config, flags override them, --json wraps the output', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'anode-fwcfg-'));
  const config = join(dir, 'config.toml');
  writeFileSync(
    config,
    '[server]\ns3_listen = "0.0.0.0:7480"\nadmin_listen = "127.0.0.1:7481"\n\n[cluster]\ngrpc_listen = "0.0.0.0:7482"\n',
  );
  const r = await runCli(['--json', 'firewall', '--format', 'nftables', ...CIDRS, '--config', config, '--admin-port', '7000']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { ports: Record<string, number>; output: string; cluster_cidrs: string[]; admin_cidrs: string[] };
  assert.deepEqual(result.ports, { s3: 7480, admin: 7000, grpc: 7482 });
  assert.deepEqual(result.cluster_cidrs, ['10.20.0.0/16', 'fd20::/64']);
  assert.match(result.output, /tcp dport 7482 counter drop/);
});

test('bad input is a usage error (exit 2) naming the problem', async () => {
  const cases: [string[], RegExp][] = [
    [['firewall', '--format', 'pf', ...CIDRS], /argument 'pf' is invalid/],
    [['firewall', '--format', 'iptables', '--admin-cidr', '10.0.0.0/8'], /--cluster-cidr/],
    [
      ['firewall', '--format', 'iptables', '--cluster-cidr', '10.0.0.1/8', '--admin-cidr', '10.0.0.0/8'],
      /host bits set; did you mean 10\.0\.0\.0\/8/,
    ],
    [['firewall', '--format', 'iptables', '--cluster-cidr', '10.0.0.0/8', '--admin-cidr', 'everyone'], /not a CIDR block/],
    [['firewall', '--format', 'nftables', ...CIDRS, '--grpc-port', '8080'], /ports must differ/],
    [['firewall', '--format', 'nftables', ...CIDRS, '--s3-port', '0'], /whole number from 1 to 65535/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
  }
  const missing = await runCli(['firewall', '--format', 'nftables', ...CIDRS, '--config', '/nonexistent/anode.toml']);
  assert.equal(missing.code, 3);
});
