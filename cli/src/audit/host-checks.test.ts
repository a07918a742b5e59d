// The host rules on hand-made facts: modes, owners, leftovers, the unit, certificate lifetime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckResult } from './checks.js';
import { hostChecks } from './host-checks.js';
import type { FileFact, HostFacts } from './host-facts.js';

const NOW = new Date('2025-06-30T12:00:00Z');
const file = (path: string, mode: number, uid = 998): FileFact => ({ path, exists: true, mode, uid, isDirectory: false });
const absent = (path: string): FileFact => ({ path, exists: false });
const GOOD_UNIT =
  '[Service]\nUser=anode\nNoNewPrivileges=yes\nProtectSystem=strict\nPrivateTmp=yes\nCapabilityBoundingSet=\nProtectHome=yes\nPrivateDevices=yes\nProtectKernelTunables=yes\nProtectKernelModules=yes\nProtectControlGroups=yes\nRestrictSUIDSGID=yes\nRestrictNamespaces=yes\nLockPersonality=yes\nRestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\nSystemCallFilter=@system-service\nUMask=0027\n';

function hardened(over: Partial<HostFacts> = {}): HostFacts {
  return {
    cliUid: 0,
    process: {
      pid: 42,
      uid: 998,
      argv: ['node', '/opt/anode/server/dist/main.js', 'server'],
      cwd: '/',
      env: {},
      dataDir: '/d',
      configFile: undefined,
    },
    processNote: '',
    dataDir: '/d',
    dataDirFact: { ...file('/d', 0o750), isDirectory: true },
    credentialsDb: [file('/d/metadata/credentials.db', 0o600)],
    masterKey: file('/etc/anode/master.key', 0o600),
    legacyMasterKey: absent('/d/metadata/master.key'),
    keyProvider: null,
    encryptionKeyPath: undefined,
    keyFiles: [{ key: 'tls.key', fact: file('/etc/anode/node.key', 0o600) }],
    rootCredentialsFile: absent('/d/root-credentials'),
    logFiles: [file('/var/log/anode/access.log', 0o640), file('/var/log/anode/audit.log', 0o640)],
    unit: { path: '/etc/systemd/system/anode.service', text: GOOD_UNIT },
    tlsCert: { path: '/etc/anode/node.crt', validTo: new Date('2026-06-30T00:00:00Z') },
    clusterFiles: [],
    rootUse: { logPath: undefined, addresses: [] },
    rootSecretInProcessEnv: false,
    ...over,
  };
}

const byId = (results: CheckResult[], id: string) => {
  const r = results.find((x) => x.id === id);
  assert.ok(r, id);
  return r;
};

test('a hardened host passes every host item', () => {
  for (const r of hostChecks(hardened(), NOW)) assert.equal(r.status, 'PASS', `${r.id}: ${r.reason}`);
});

test('a weak host fails each weakness by name', () => {
  const r = hostChecks(
    hardened({
      process: { pid: 7, uid: 0, argv: [], cwd: '/', env: { ANODE_ROOT_SECRET_KEY: 'x' }, dataDir: '/d', configFile: undefined },
      dataDirFact: { ...file('/d', 0o777, 0), isDirectory: true },
      credentialsDb: [file('/d/metadata/credentials.db', 0o644), file('/d/metadata/credentials.db-wal', 0o600)],
      masterKey: file('/d/metadata/master.key', 0o644),
      keyFiles: [{ key: 'tls.key', fact: file('/k', 0o640) }],
      rootCredentialsFile: file('/d/root-credentials', 0o644),
      logFiles: [file('/d/logs/access.log', 0o644)],
      unit: { path: '/u', text: '[Service]\nUser=root\nEnvironment=ANODE_ROOT_SECRET_KEY=s\n' },
      tlsCert: { path: '/c', validTo: new Date('2025-06-01T00:00:00Z') },
      rootSecretInProcessEnv: true,
    }),
    NOW,
  );
  const status = Object.fromEntries(r.map((x) => [x.id, x.status]));
  assert.deepEqual(status, {
    'hardening.process-user': 'FAIL',
    'hardening.systemd-unit': 'FAIL',
    'data.data-dir-mode': 'FAIL',
    'data.credentials-db-mode': 'FAIL',
    'data.master-key-mode': 'FAIL',
    'data.key-place': 'FAIL',
    'data.key-file-modes': 'FAIL',
    'authentication.root-credentials-file': 'FAIL',
    'authentication.root-secret-in-env': 'WARN',
    'monitoring.log-file-modes': 'WARN',
    'maintenance.tls-certificate-expiry': 'FAIL',
  });
  assert.match(byId(r, 'hardening.process-user').reason, /pid 7\) runs as root/);
  assert.match(byId(r, 'data.data-dir-mode').reason, /\/d is 0777/);
  assert.equal(byId(r, 'data.credentials-db-mode').reason, '/d/metadata/credentials.db is 0644');
  assert.match(byId(r, 'data.key-file-modes').reason, /tls\.key: \/k is 0640/);
  assert.match(byId(r, 'data.key-place').reason, /inside the data directory \/d: credential master key \/d\/metadata\/master\.key/);
  assert.match(byId(r, 'hardening.systemd-unit').reason, /User=anode \(not root\), NoNewPrivileges=yes/);
  assert.match(byId(r, 'authentication.root-secret-in-env').reason, /environment of pid 7 and \/u/);
});

test('owner mismatch, a 0600 root-credentials file and a certificate near expiry are warnings', () => {
  const r = hostChecks(
    hardened({
      dataDirFact: { ...file('/d', 0o700, 0), isDirectory: true },
      rootCredentialsFile: file('/d/root-credentials', 0o600),
      tlsCert: { path: '/c', validTo: new Date('2025-07-10T12:00:00Z') },
      unit: { path: '/u', text: GOOD_UNIT.replace('UMask=0027\n', '') },
    }),
    NOW,
  );
  assert.equal(byId(r, 'data.data-dir-mode').status, 'WARN');
  assert.match(byId(r, 'data.data-dir-mode').reason, /owned by uid 0, not anode's uid 998/);
  assert.equal(byId(r, 'authentication.root-credentials-file').status, 'WARN');
  assert.equal(byId(r, 'maintenance.tls-certificate-expiry').status, 'WARN');
  assert.match(byId(r, 'maintenance.tls-certificate-expiry').reason, /expires in 10 days/);
  assert.equal(byId(r, 'hardening.systemd-unit').status, 'WARN');
});

test('what cannot be seen is SKIP with the reason, never PASS', () => {
  const r = hostChecks(
    hardened({
      process: undefined,
      processNote: 'no anode server process on this host',
      credentialsDb: [{ path: '/d/metadata/credentials.db', exists: false, error: 'EACCES' }],
      masterKey: absent('/etc/anode/master.key'),
      keyFiles: [],
      logFiles: [],
      unit: { path: '/etc/systemd/system/anode.service', error: 'ENOENT' },
      tlsCert: undefined,
      rootSecretInProcessEnv: undefined,
    }),
    NOW,
  );
  for (const id of [
    'hardening.process-user',
    'hardening.systemd-unit',
    'data.credentials-db-mode',
    'data.master-key-mode',
    'data.key-file-modes',
    'authentication.root-secret-in-env',
    'monitoring.log-file-modes',
    'maintenance.tls-certificate-expiry',
  ]) {
    assert.equal(byId(r, id).status, 'SKIP', id);
  }
  assert.match(byId(r, 'data.credentials-db-mode').reason, /EACCES.*rerun as root/);
  assert.match(byId(r, 'hardening.process-user').reason, /no anode server process on this host; this audit runs as uid 0/);
  const off = hostChecks({ skipped: "not on the node's host" }, NOW);
  assert.ok(off.every((x) => x.status === 'SKIP' && x.reason === "not on the node's host"));
});

test('key place: wrapped by the provider passes (no file to check); a leftover old master.key or a key file in the data dir fails', () => {
  const wrapped = hostChecks(hardened({ masterKey: undefined, keyProvider: 'pkcs11' }), NOW);
  assert.equal(byId(wrapped, 'data.master-key-mode').status, 'SKIP');
  assert.match(byId(wrapped, 'data.master-key-mode').reason, /pkcs11 key provider wraps the master key/);
  assert.equal(byId(wrapped, 'data.key-place').status, 'PASS');
  assert.match(byId(wrapped, 'data.key-place').reason, /wrapped by the pkcs11 key provider/);

  const leftover = hostChecks(hardened({ legacyMasterKey: file('/d/metadata/master.key', 0o600) }), NOW);
  assert.equal(byId(leftover, 'data.key-place').status, 'FAIL');
  assert.match(byId(leftover, 'data.key-place').reason, /old place of the credential master key/);

  const fileKey = hostChecks(hardened({ masterKey: undefined, keyProvider: 'file', encryptionKeyPath: '/d/keys/encryption.key' }), NOW);
  assert.equal(byId(fileKey, 'data.key-place').status, 'FAIL');
  assert.match(byId(fileKey, 'data.key-place').reason, /storage\.encryption_key \/d\/keys\/encryption\.key/);
  const outside = hostChecks(hardened({ masterKey: undefined, keyProvider: 'file', encryptionKeyPath: '/etc/anode/encryption.key' }), NOW);
  assert.equal(byId(outside, 'data.key-place').status, 'PASS');
  // A sibling directory whose name starts like the data dir is not inside it.
  const sibling = hostChecks(hardened({ masterKey: file('/d2/master.key', 0o600) }), NOW);
  assert.equal(byId(sibling, 'data.key-place').status, 'PASS');
});
