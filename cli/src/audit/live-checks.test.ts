// The live rules on fixed dates: ages, unused keys, root use, public buckets, endpoint TLS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BucketInfo, CredentialInfo, StatusResponse } from '@anode/shared/admin-api/index';
import type { CheckResult } from './checks.js';
import { liveChecks } from './live-checks.js';
import type { LiveFacts } from './live-facts.js';

const NOW = new Date('2025-06-30T12:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000).toISOString();

function cred(access_key: string, over: Partial<CredentialInfo> = {}): CredentialInfo {
  return {
    access_key,
    user: 'app',
    role: 'user',
    permissions: [],
    created: daysAgo(10),
    last_used: daysAgo(1),
    revoked: null,
    expires: null,
    status: 'active',
    ...over,
  };
}

function bucket(name: string, over: Partial<BucketInfo> = {}): BucketInfo {
  return {
    name,
    owner: 'root',
    region: 'us-east-1',
    created: daysAgo(5),
    object_count: 0,
    object_count_truncated: false,
    public_acl: false,
    has_policy: false,
    public_policy: false,
    public_objects: 0,
    public_object_keys: [],
    grants: 0,
    ...over,
  };
}

const STATUS = {
  version: '0.1.0',
  read_only: false,
  read_only_since: null,
  tls: false,
  encryption: {
    enabled: true,
    provider: 'pkcs11',
    provider_reachable: true,
    provider_error: null,
    master_key: 'provider:pkcs11',
    keys: [],
  },
} as unknown as StatusResponse;

function facts(over: Partial<LiveFacts> = {}): LiveFacts {
  return {
    endpoint: 'https://127.0.0.1:8081',
    callerAccessKey: 'AKIAADMIN',
    status: STATUS,
    credentials: [
      cred('AKIAADMIN', { user: 'ops', role: 'admin' }),
      cred('AKIAROOT', { user: 'root', role: 'admin', last_used: daysAgo(200) }),
    ],
    buckets: [bucket('b1')],
    audit: [],
    ...over,
  };
}

const byId = (results: CheckResult[], id: string) => {
  const r = results.find((x) => x.id === id);
  assert.ok(r, id);
  return r;
};

test('a tidy node passes every live item', () => {
  const r = liveChecks(facts(), NOW);
  for (const x of r) assert.equal(x.status, 'PASS', `${x.id}: ${x.reason}`);
  assert.match(byId(r, 'maintenance.read-only-state').reason, /read-only off/);
});

test('credential age: 90 days exactly passes, 91 warns; revoked keys are ignored', () => {
  const r = liveChecks(
    facts({
      credentials: [
        cred('AKIAADMIN', { role: 'admin', user: 'ops' }),
        cred('AKIA90', { created: daysAgo(90) }),
        cred('AKIA91', { created: daysAgo(91) }),
        cred('AKIAOLDREVOKED', { created: daysAgo(900), status: 'revoked' }),
      ],
    }),
    NOW,
  );
  const age = byId(r, 'authentication.credential-age');
  assert.equal(age.status, 'WARN');
  assert.match(age.reason, /^1 older than 90 days: AKIA91 \(app, 91 d\)$/);
});

test('unused: never used after the 7-day grace, or last used over 90 days ago; the caller counts as used now', () => {
  const r = liveChecks(
    facts({
      callerAccessKey: 'AKIACALLER',
      credentials: [
        cred('AKIACALLER', { role: 'admin', user: 'ops', last_used: null, created: daysAgo(400) }),
        cred('AKIANEW', { last_used: null, created: daysAgo(6) }),
        cred('AKIANEVER', { last_used: null, created: daysAgo(8) }),
        cred('AKIASTALE', { last_used: daysAgo(91) }),
        cred('AKIARECENT', { last_used: daysAgo(89) }),
      ],
    }),
    NOW,
  );
  const unused = byId(r, 'authentication.unused-credentials');
  assert.equal(unused.status, 'WARN');
  assert.match(unused.reason, /^2 unused: AKIANEVER \(app, never used\), AKIASTALE \(app, last used /);
  assert.doesNotMatch(unused.reason, /AKIACALLER|AKIANEW|AKIARECENT/);
});

test('root: WARN when it is the only admin key in use, or when it was used from the network', () => {
  const onlyRoot = liveChecks(
    facts({ callerAccessKey: 'AKIAROOT', credentials: [cred('AKIAROOT', { user: 'root', role: 'admin' })] }),
    NOW,
  );
  assert.equal(byId(onlyRoot, 'authentication.root-credential-use').status, 'WARN');
  assert.match(byId(onlyRoot, 'authentication.root-credential-use').reason, /only admin keys in use/);

  const remote = liveChecks(
    facts({
      audit: [
        { timestamp: daysAgo(1), action: 'credentials.create', user: 'root', remote_addr: '203.0.113.9' },
        { timestamp: daysAgo(1), action: 'x', user: 'root', remote_addr: '127.0.0.1' },
      ],
    }),
    NOW,
  );
  assert.match(byId(remote, 'authentication.root-credential-use').reason, /used from 203\.0\.113\.9:/);

  const fromAccessLog = liveChecks(facts(), NOW, { logPath: '/var/log/anode/access.log', addresses: ['10.9.8.7'] });
  assert.equal(byId(fromAccessLog, 'authentication.root-credential-use').status, 'WARN');
  assert.match(byId(fromAccessLog, 'authentication.root-credential-use').reason, /10\.9\.8\.7/);

  const noRoot = liveChecks(
    facts({ credentials: [cred('AKIAADMIN', { role: 'admin', user: 'ops' }), cred('AKIAROOT', { user: 'root', status: 'revoked' })] }),
    NOW,
  );
  assert.equal(byId(noRoot, 'authentication.root-credential-use').reason, 'no active root credential');
});

test('public buckets are listed with what makes them public', () => {
  const r = liveChecks(
    facts({
      buckets: [bucket('private'), bucket('site', { public_acl: true }), bucket('shared', { public_policy: true, has_policy: true })],
    }),
    NOW,
  );
  const pub = byId(r, 'authorization.public-buckets');
  assert.equal(pub.status, 'WARN');
  assert.equal(pub.reason, 'public: site (ACL), shared (policy)');
});

test('public objects in private buckets are named; anonymous access lists every way in', () => {
  const clean = liveChecks(facts(), NOW);
  assert.equal(byId(clean, 'authorization.public-objects').status, 'PASS');
  assert.equal(byId(clean, 'authorization.anonymous-access').status, 'PASS');
  assert.match(byId(clean, 'authorization.anonymous-access').reason, /every request must be signed/);
  const r = liveChecks(
    facts({
      buckets: [
        bucket('quiet', { object_count: 10, public_objects: 7, public_object_keys: ['a', 'b', 'c', 'd', 'e'] }),
        bucket('site', { public_acl: true, public_objects: 2, public_object_keys: ['index.html', 'x'] }),
        bucket('private'),
      ],
    }),
    NOW,
  );
  const objects = byId(r, 'authorization.public-objects');
  assert.equal(objects.status, 'WARN');
  assert.equal(objects.reason, 'private buckets holding public objects: quiet: 7 public (a, b, c, d, e, ...)');
  const anon = byId(r, 'authorization.anonymous-access');
  assert.equal(anon.status, 'WARN');
  assert.equal(anon.reason, 'anonymous requests are served for quiet (7 object ACL(s)), site (bucket ACL + 2 object ACL(s))');
});

test('endpoint TLS: https passes, http on loopback warns, http across the network fails', () => {
  assert.equal(byId(liveChecks(facts({ endpoint: 'http://127.0.0.1:8081' }), NOW), 'network.endpoint-tls').status, 'WARN');
  assert.equal(byId(liveChecks(facts({ endpoint: 'http://[::1]:8081' }), NOW), 'network.endpoint-tls').status, 'WARN');
  assert.equal(byId(liveChecks(facts({ endpoint: 'http://10.0.0.4:8081' }), NOW), 'network.endpoint-tls').status, 'FAIL');
});

test('read-only ON is reported with its start time, as a PASS', () => {
  const r = liveChecks(facts({ status: { ...STATUS, read_only: true, read_only_since: '2025-06-29T00:00:00.000Z' } }), NOW);
  assert.deepEqual(
    [byId(r, 'maintenance.read-only-state').status, byId(r, 'maintenance.read-only-state').reason],
    ['PASS', 'read-only ON since 2025-06-29T00:00:00.000Z'],
  );
});

test('without a node every live item is SKIP with the reason', () => {
  const r = liveChecks({ skipped: 'cannot reach http://127.0.0.1:1 (ECONNREFUSED)' }, NOW);
  assert.equal(r.length, 9);
  for (const x of r) assert.deepEqual([x.status, x.reason], ['SKIP', 'cannot reach http://127.0.0.1:1 (ECONNREFUSED)']);
});

test("key provider: unreachable FAILs with the node's reason; none configured or an older node is SKIP", () => {
  const withEnc = (encryption: unknown) => facts({ status: { ...STATUS, encryption } as unknown as StatusResponse });
  const down = liveChecks(
    withEnc({ ...STATUS.encryption, provider_reachable: false, provider_error: 'PKCS#11 key provider unavailable: no token labelled "x"' }),
    NOW,
  );
  assert.equal(byId(down, 'data.key-provider-reachable').status, 'FAIL');
  assert.match(
    byId(down, 'data.key-provider-reachable').reason,
    /pkcs11 key provider unreachable: PKCS#11 key provider unavailable: no token/,
  );
  const none = liveChecks(withEnc({ ...STATUS.encryption, provider: null, provider_reachable: null }), NOW);
  assert.equal(byId(none, 'data.key-provider-reachable').status, 'SKIP');
  const old = liveChecks(withEnc(undefined), NOW);
  assert.equal(byId(old, 'data.key-provider-reachable').status, 'SKIP');
});
