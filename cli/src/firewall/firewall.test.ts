import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { renderIptables } from './iptables.js';
import { buildK8sSpec, networkPolicy, renderNetworkPolicy } from './k8s.js';
import { renderNftables } from './nftables.js';
import { portOfListen, portsFromConfig } from './ports-from-config.js';
import { buildSpec, DEFAULT_PORTS, InvalidSpecError } from './spec.js';

const spec = buildSpec({ ports: DEFAULT_PORTS, clusterCidrs: ['10.0.0.0/8', 'fd00::/8', '10.0.0.0/8'], adminCidrs: ['192.168.10.0/24'] });

test('buildSpec validates and de-duplicates CIDRs and refuses clashing ports', () => {
  assert.deepEqual(
    spec.clusterCidrs.map((c) => c.text),
    ['10.0.0.0/8', 'fd00::/8'],
  );
  assert.throws(() => buildSpec({ ports: DEFAULT_PORTS, clusterCidrs: [], adminCidrs: ['10.0.0.0/8'] }), /--cluster-cidr is required/);
  assert.throws(() => buildSpec({ ports: DEFAULT_PORTS, clusterCidrs: ['10.0.0.1/8'], adminCidrs: ['10.0.0.0/8'] }), /host bits/);
  assert.throws(
    () => buildSpec({ ports: DEFAULT_PORTS, clusterCidrs: ['10.0.0.0/8; rm -rf /'], adminCidrs: ['10.0.0.0/8'] }),
    /prefix length/,
  );
  assert.throws(
    () => buildSpec({ ports: { s3: 8080, admin: 8080, grpc: 9090 }, clusterCidrs: ['10.0.0.0/8'], adminCidrs: ['10.0.0.0/8'] }),
    InvalidSpecError,
  );
});

test('iptables: an ANODE-INPUT chain entered only for Anode ports, accepts before drops, one family per file', () => {
  const v4 = renderIptables(spec, 4);
  const rules = v4.split('\n').filter((l) => l.startsWith('-A ') || l.startsWith(':') || l.startsWith('*') || l === 'COMMIT');
  assert.deepEqual(rules, [
    '*filter',
    ':ANODE-INPUT - [0:0]',
    '-A INPUT -p tcp -m multiport --dports 8080,8081,9090 -j ANODE-INPUT',
    '-A ANODE-INPUT -i lo -m comment --comment "anode loopback" -j ACCEPT',
    '-A ANODE-INPUT -m conntrack --ctstate ESTABLISHED,RELATED -m comment --comment "anode established" -j ACCEPT',
    '-A ANODE-INPUT -p tcp --dport 8080 -m comment --comment "anode S3 API open to all" -j ACCEPT',
    '-A ANODE-INPUT -p tcp -s 10.0.0.0/8 --dport 9090 -m comment --comment "anode gRPC from 10.0.0.0/8" -j ACCEPT',
    '-A ANODE-INPUT -p tcp --dport 9090 -m comment --comment "anode gRPC from elsewhere" -j DROP',
    '-A ANODE-INPUT -p tcp -s 192.168.10.0/24 --dport 8081 -m comment --comment "anode admin from 192.168.10.0/24" -j ACCEPT',
    '-A ANODE-INPUT -p tcp --dport 8081 -m comment --comment "anode admin from elsewhere" -j DROP',
    'COMMIT',
  ]);
  const v6 = renderIptables(spec, 6);
  assert.match(v6, /-s fd00::\/8 --dport 9090 .* -j ACCEPT/);
  assert.doesNotMatch(v6, /10\.0\.0\.0|192\.168/);
  assert.match(v6, /admin API  tcp\/8081: nowhere but loopback/);
});

test('nftables: one inet table with named sets, re-runnable', () => {
  const nft = renderNftables(spec);
  assert.match(nft, /^table inet anode\ndelete table inet anode\ntable inet anode \{$/m);
  assert.match(nft, /set cluster_v4 \{\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\tauto-merge\n\t\telements = \{ 10\.0\.0\.0\/8 \}/);
  assert.match(nft, /set cluster_v6 \{[^}]*elements = \{ fd00::\/8 \}/);
  assert.match(nft, /set admin_v6 \{\n\t\ttype ipv6_addr\n\t\tflags interval\n\t\tauto-merge\n\t\}/, 'an empty set has no elements line');
  const chain = nft.slice(nft.indexOf('chain input'));
  const order = [
    'ct state established,related accept',
    'tcp dport 8080 accept',
    '@cluster_v4 tcp dport 9090 accept',
    'tcp dport 9090 counter drop',
    '@admin_v4 tcp dport 8081 accept',
    'tcp dport 8081 counter drop',
  ];
  const positions = order.map((needle) => chain.indexOf(needle));
  assert.ok(
    positions.every((p) => p > 0),
    JSON.stringify(positions),
  );
  assert.deepEqual(
    [...positions].sort((a, b) => a - b),
    positions,
    'accepts come before the drop for each port',
  );
});

test('k8s: a NetworkPolicy in selector form: gRPC from anode pods, admin from the monitoring namespace', () => {
  const k8s = buildK8sSpec({ ports: DEFAULT_PORTS, adminNamespaces: ['monitoring', 'monitoring'], adminCidrs: [] });
  const doc = parse(renderNetworkPolicy(k8s)) as unknown;
  assert.deepEqual(doc, networkPolicy(k8s));
  assert.deepEqual(doc, {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'anode', labels: { 'app.kubernetes.io/name': 'anode' } },
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'anode' } },
      policyTypes: ['Ingress'],
      ingress: [
        { ports: [{ protocol: 'TCP', port: 8080 }] },
        { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'anode' } } }], ports: [{ protocol: 'TCP', port: 9090 }] },
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
          ports: [{ protocol: 'TCP', port: 8081 }],
        },
      ],
    },
  });
  const withCidr = networkPolicy(buildK8sSpec({ ports: DEFAULT_PORTS, adminNamespaces: ['ops'], adminCidrs: ['192.168.10.0/24'] }));
  assert.deepEqual(withCidr.spec.ingress[2]?.from, [
    { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } } },
    { ipBlock: { cidr: '192.168.10.0/24' } },
  ]);
  assert.throws(() => buildK8sSpec({ ports: DEFAULT_PORTS, adminNamespaces: ['Not_A_Namespace'], adminCidrs: [] }), /not a namespace name/);
  assert.throws(() => buildK8sSpec({ ports: DEFAULT_PORTS, adminNamespaces: [], adminCidrs: [] }), /at least one/);
});

test('ports come from the anode config listen addresses; missing keys keep the defaults', () => {
  assert.deepEqual(
    portsFromConfig('[server]\ns3_listen = "0.0.0.0:9000"\nadmin_listen = "[::1]:9001"\n[cluster]\ngrpc_listen = ":9002"\n', 'c.toml'),
    { s3: 9000, admin: 9001, grpc: 9002 },
  );
  assert.deepEqual(portsFromConfig('[server]\nregion = "eu-west-1"\n', 'c.toml'), DEFAULT_PORTS);
  assert.deepEqual(portsFromConfig('', 'c.toml'), DEFAULT_PORTS);
  assert.throws(() => portsFromConfig('[server]\ns3_listen = 8080\n', 'c.toml'), /server\.s3_listen must be a string/);
  assert.throws(() => portsFromConfig('[server\n', 'c.toml'), /not valid TOML/);
  assert.throws(() => portOfListen('0.0.0.0:70000', 'server.s3_listen'), /expected "host:port"/);
  assert.throws(() => portOfListen('0.0.0.0', 'server.s3_listen'), /expected "host:port"/);
  assert.throws(() => portOfListen('::1:8080', 'server.s3_listen'), /expected "host:port"/, 'bare IPv6 needs brackets');
});
