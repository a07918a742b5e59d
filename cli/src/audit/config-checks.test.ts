// The config rules: each weak setting FAILs or WARNs by name; a hardened config has no FAIL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckResult } from './checks.js';
import { configChecks } from './config-checks.js';
import { effectiveConfig } from './deployment-config.js';
import type { GrpcProbe } from './grpc-probe.js';

function run(
  toml: string,
  env: Record<string, string> = {},
  clusterFiles?: { path: string; exists: boolean }[],
  clusterProbe?: GrpcProbe | { skipped: string },
): Record<string, CheckResult> {
  const loaded = effectiveConfig(toml, 't.toml', env, undefined);
  return Object.fromEntries(configChecks({ loaded, source: 't.toml', clusterFiles, clusterProbe }).map((r) => [r.id, r]));
}

const HARDENED = `[server]\ns3_listen = "0.0.0.0:8443"\nadmin_listen = "127.0.0.1:8081"\n[tls]\ncert = "/etc/anode/node.crt"\nkey = "/etc/anode/node.key"\n[logging]\naccess_log = "/var/log/anode/access.log"\naudit_log = "/var/log/anode/audit.log"\n`;

test('a hardened config has no FAIL (encryption at rest stays a WARN while the build lacks it)', () => {
  const r = run(HARDENED);
  assert.deepEqual(
    Object.values(r)
      .filter((x) => x.status !== 'PASS')
      .map((x) => [x.id, x.status]),
    [
      ['network.cluster-mtls', 'SKIP'],
      ['data.encryption-at-rest', 'WARN'],
    ],
  );
});

test('a weak config fails admin on every interface, plain HTTP in public and logging off', () => {
  const r = run(`[server]\ns3_listen = "0.0.0.0:8080"\nadmin_listen = "0.0.0.0:8081"\n[logging]\naccess_log = "off"\naudit_log = "off"\n`);
  assert.equal(r['network.s3-tls']?.status, 'FAIL');
  assert.match(r['network.s3-tls']!.reason, /plain HTTP on every interface \(s3_listen 0\.0\.0\.0:8080\) and no proxy/);
  assert.equal(r['network.admin-listen']?.status, 'FAIL');
  assert.match(r['network.admin-listen']!.reason, /0\.0\.0\.0:8081 is every interface/);
  assert.equal(r['network.admin-tls']?.status, 'FAIL');
  assert.equal(r['monitoring.access-log']?.status, 'FAIL');
  assert.equal(r['monitoring.audit-log']?.status, 'FAIL');
});

test('listen addresses: public admin fails, private passes, a host name warns; IPv6 wildcard is every interface', () => {
  assert.equal(run('[server]\nadmin_listen = "203.0.113.4:8081"\n')['network.admin-listen']?.status, 'FAIL');
  assert.equal(run('[server]\nadmin_listen = "[::]:8081"\n')['network.admin-listen']?.status, 'FAIL');
  assert.equal(run('[server]\nadmin_listen = "10.0.0.4:8081"\n')['network.admin-listen']?.status, 'PASS');
  assert.equal(run('[server]\nadmin_listen = "[fd00::4]:8081"\n')['network.admin-listen']?.status, 'PASS');
  assert.equal(run('[server]\nadmin_listen = "mgmt.internal:8081"\n')['network.admin-listen']?.status, 'WARN');
  // Private admin without TLS: new secrets would cross the LAN in clear.
  assert.equal(run('[server]\nadmin_listen = "10.0.0.4:8081"\n')['network.admin-tls']?.status, 'FAIL');
  assert.equal(run('[server]\ns3_listen = "127.0.0.1:8080"\n')['network.s3-tls']?.status, 'WARN');
  assert.equal(run('[server]\ns3_listen = "10.0.0.4:8080"\n')['network.s3-tls']?.status, 'WARN');
});

test('a TLS proxy in front is a WARN to check the proxy; too-wide trusted_proxies fail', () => {
  const proxied = run('[server]\ntrusted_proxies = ["10.0.0.5/32"]\n');
  assert.equal(proxied['network.s3-tls']?.status, 'WARN');
  assert.match(proxied['network.s3-tls']!.reason, /make sure the proxy terminates TLS/);
  assert.equal(proxied['network.trusted-proxies']?.status, 'PASS');
  assert.equal(run('[server]\ntrusted_proxies = ["0.0.0.0/0"]\n')['network.trusted-proxies']?.status, 'FAIL');
  assert.equal(run('[server]\ntrusted_proxies = ["::/0"]\n')['network.trusted-proxies']?.status, 'FAIL');
  assert.equal(run('[server]\ntrusted_proxies = ["198.51.100.7/32"]\n')['network.trusted-proxies']?.status, 'WARN');
});

test('environment overrides count: ANODE_LOGGING_ACCESS_LOG=off fails even with a good file', () => {
  assert.equal(run(HARDENED, { ANODE_LOGGING_ACCESS_LOG: 'off' })['monitoring.access-log']?.status, 'FAIL');
});

test('cluster mTLS is judged by the live listener: nothing listening or no client cert required fails; N/A without [cluster]', () => {
  const mtls = (toml: string, files?: { path: string; exists: boolean }[], probe?: GrpcProbe | { skipped: string }) =>
    run(toml, {}, files, probe)['network.cluster-mtls']!;
  assert.equal(mtls(HARDENED).status, 'SKIP');
  assert.match(mtls(HARDENED).reason, /N\/A: no \[cluster\] section/);
  assert.equal(mtls('[cluster]\nenable_tls = false\n').status, 'FAIL');
  const missing = mtls('[cluster]\nenable_tls = true\n', [{ path: '/etc/anode/certs/node.crt', exists: false }]);
  assert.equal(missing.status, 'FAIL');
  assert.match(missing.reason, /missing: \/etc\/anode\/certs\/node\.crt/);
  const present = [{ path: '/a', exists: true }];
  // Config and files alone no longer pass.
  const refused = mtls('[cluster]\nenable_tls = true\n', present, {
    kind: 'refused',
    detail: 'nothing listening on 127.0.0.1:9090 (ECONNREFUSED)',
  });
  assert.equal(refused.status, 'FAIL');
  assert.match(refused.reason, /cluster configured but nothing listening on 127\.0\.0\.1:9090/);
  assert.equal(mtls('[cluster]\nenable_tls = true\n', present, { kind: 'no-client-cert-required', detail: 'x' }).status, 'FAIL');
  assert.equal(mtls('[cluster]\nenable_tls = true\n', present, { kind: 'not-tls', detail: 'x' }).status, 'FAIL');
  assert.equal(mtls('[cluster]\nenable_tls = true\n', present, { kind: 'client-cert-required', detail: 'x' }).status, 'PASS');
  const notProbed = mtls('[cluster]\nenable_tls = true\n', undefined, { skipped: 'not the node host' });
  assert.equal(notProbed.status, 'SKIP');
  assert.match(notProbed.reason, /was not checked: not the node host/);
  // Cluster mode switched on by the environment alone is checked too.
  assert.equal(mtls('', undefined, undefined).status, 'SKIP');
  assert.equal(run('', { ANODE_CLUSTER_ENABLED: 'true', ANODE_CLUSTER_ENABLE_TLS: 'false' })['network.cluster-mtls']?.status, 'FAIL');
});
