// The generated rules do what they say to real packets: two network namespaces joined
// by a veth pair, a node listening on the three Anode ports in one, connections from
// chosen source addresses in the other. Covers nftables and iptables/ip6tables.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetNs, netnsUnavailableReason } from './netns.js';
import { runCli } from './run-cli.js';

const CLUSTER_PEER = '10.99.0.2';
const ADMIN_HOST = '10.99.0.3';
const STRANGER = '10.99.0.4';
const CLUSTER_PEER6 = 'fd99::2';
const ADMIN_HOST6 = 'fd99::3';
const STRANGER6 = 'fd99::4';
const CIDRS = ['--cluster-cidr', `${CLUSTER_PEER}/32`, `${CLUSTER_PEER6}/128`, '--admin-cidr', `${ADMIN_HOST}/32`, `${ADMIN_HOST6}/128`];

const LISTENER = `
const net = require('node:net');
let ready = 0;
for (const port of [8080, 8081, 9090]) net.createServer((s) => s.end('ok')).listen(port, '::', () => { if (++ready === 3) console.log('ready'); });
`;

// Connects from each source to each port; prints {"src port": true|false} (false: no answer within 1.5 s).
const PROBE = `
const net = require('node:net');
const probes = JSON.parse(process.argv[1]);
Promise.all(probes.map(([src, dst, port]) => new Promise((resolve) => {
  const s = net.connect({ host: dst, port, localAddress: src });
  const done = (ok) => { s.destroy(); resolve([src + ' ' + port, ok]); };
  s.setTimeout(1500, () => done(false));
  s.on('data', () => done(true));
  s.on('error', () => done(false));
}))).then((r) => console.log(JSON.stringify(Object.fromEntries(r))));
`;

// In CI nothing is skipped: a machine that cannot run these is a failure to see.
const skip = process.env['CI'] === 'true' ? false : (netnsUnavailableReason() ?? false);

describe('firewall rules filter real traffic between two network namespaces', { skip }, () => {
  let server: NetNs;
  let client: NetNs;
  let listener: ChildProcess | undefined;
  const veth = `av${process.pid % 100000}`;

  before(async () => {
    server = NetNs.create('anode-srv');
    client = NetNs.create('anode-cli');
    execFileSync('ip', ['link', 'add', `${veth}s`, 'netns', server.name, 'type', 'veth', 'peer', 'name', `${veth}c`, 'netns', client.name]);
    const sh = (ns: NetNs, ...args: string[]): void => void execFileSync('ip', ['netns', 'exec', ns.name, 'ip', ...args]);
    sh(server, 'addr', 'add', '10.99.0.1/24', 'dev', `${veth}s`);
    sh(server, '-6', 'addr', 'add', 'fd99::1/64', 'dev', `${veth}s`, 'nodad');
    for (const a of [CLUSTER_PEER, ADMIN_HOST, STRANGER]) sh(client, 'addr', 'add', `${a}/24`, 'dev', `${veth}c`);
    for (const a of [CLUSTER_PEER6, ADMIN_HOST6, STRANGER6]) sh(client, '-6', 'addr', 'add', `${a}/64`, 'dev', `${veth}c`, 'nodad');
    for (const ns of [server, client]) {
      sh(ns, 'link', 'set', 'lo', 'up');
    }
    sh(server, 'link', 'set', `${veth}s`, 'up');
    sh(client, 'link', 'set', `${veth}c`, 'up');
    listener = spawn('ip', ['netns', 'exec', server.name, process.execPath, '-e', LISTENER], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [first] = (await once(listener.stdout!, 'data')) as [Buffer];
    assert.match(first.toString(), /ready/);
  });

  after(() => {
    listener?.kill();
    server?.delete();
    client?.delete();
  });

  function probeFrom(ns: NetNs, probes: [string, string, number][]): Record<string, boolean> {
    const out = execFileSync('ip', ['netns', 'exec', ns.name, process.execPath, '-e', PROBE, JSON.stringify(probes)], { encoding: 'utf8' });
    return JSON.parse(out) as Record<string, boolean>;
  }

  function probe(): Record<string, boolean> {
    const probes: [string, string, number][] = [];
    for (const src of [CLUSTER_PEER, ADMIN_HOST, STRANGER]) for (const port of [8080, 8081, 9090]) probes.push([src, '10.99.0.1', port]);
    for (const src of [CLUSTER_PEER6, ADMIN_HOST6, STRANGER6]) for (const port of [8080, 8081, 9090]) probes.push([src, 'fd99::1', port]);
    return probeFrom(client, probes);
  }

  /** The node itself reaches every port over loopback (anodectl on the host, health checks). */
  function loopback(): Record<string, boolean> {
    return probeFrom(server, [
      ['127.0.0.1', '127.0.0.1', 8081],
      ['127.0.0.1', '127.0.0.1', 9090],
      ['::1', '::1', 8081],
    ]);
  }

  // S3 open to all; gRPC only from the cluster peer; admin only from the admin host.
  const expected: Record<string, boolean> = {};
  for (const [peer, admin, stranger] of [
    [CLUSTER_PEER, ADMIN_HOST, STRANGER],
    [CLUSTER_PEER6, ADMIN_HOST6, STRANGER6],
  ] as const) {
    Object.assign(expected, {
      [`${peer} 8080`]: true,
      [`${peer} 8081`]: false,
      [`${peer} 9090`]: true,
      [`${admin} 8080`]: true,
      [`${admin} 8081`]: true,
      [`${admin} 9090`]: false,
      [`${stranger} 8080`]: true,
      [`${stranger} 8081`]: false,
      [`${stranger} 9090`]: false,
    });
  }

  test('without rules every port answers every source (the probe itself works)', () => {
    assert.ok(Object.values(probe()).every((ok) => ok));
  });

  test('nftables rules: S3 open, gRPC from the cluster only, admin from the admin CIDR only', async () => {
    const r = await runCli(['firewall', '--format', 'nftables', ...CIDRS]);
    assert.equal(r.code, 0, r.stderr);
    const file = join(mkdtempSync(join(tmpdir(), 'anode-nft-')), 'anode.nft');
    writeFileSync(file, r.stdout);
    assert.equal(server.run('nft', ['-f', file]).status, 0);
    try {
      assert.deepEqual(probe(), expected);
      assert.deepEqual(loopback(), { '127.0.0.1 8081': true, '127.0.0.1 9090': true, '::1 8081': true });
    } finally {
      server.run('nft', ['delete', 'table', 'inet', 'anode']);
    }
  });

  test('iptables + ip6tables rules behave the same', async () => {
    const v4 = await runCli(['firewall', '--format', 'iptables', ...CIDRS]);
    const v6 = await runCli(['firewall', '--format', 'ip6tables', ...CIDRS]);
    assert.equal(server.run('iptables-restore', ['--noflush'], v4.stdout).status, 0);
    assert.equal(server.run('ip6tables-restore', ['--noflush'], v6.stdout).status, 0);
    assert.deepEqual(probe(), expected);
    assert.deepEqual(loopback(), { '127.0.0.1 8081': true, '127.0.0.1 9090': true, '::1 8081': true });
  });
});
