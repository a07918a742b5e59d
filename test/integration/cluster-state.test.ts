/**
 * Cluster-wide state (hardening issue 8, item 6): two real nodes on one real PostgreSQL.
 * A change made through one node — read-only mode, the IP blocklist, lockdown, a revoked
 * key — takes effect on the other within one second, without restart (LISTEN/NOTIFY);
 * with the LISTEN connection killed (pg_terminate_backend), and with a change written
 * behind the nodes' backs (no NOTIFY at all), the periodic re-read still brings it in.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { AdminClient } from '../../shared/src/admin-api/index.js';
import { masterKeyFileOf, startNode, type AnodeNode } from '../helpers/anode-node.js';
import { postgresNodeEnv, startPostgresCluster, type PostgresCluster } from '../helpers/postgres.js';
import { signHeaders, type Creds } from '../helpers/sigv4.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Reply {
  status: number;
  body: string;
}

/** A signed S3 request with an empty body, optionally from another loopback address. */
function send(node: AnodeNode, creds: Creds, method: string, path: string, localAddress?: string): Promise<Reply> {
  const host = `127.0.0.1:${node.s3Port}`;
  const headers = signHeaders({
    method,
    path,
    headers: [
      ['host', host],
      ['content-length', '0'],
    ],
    payloadHash: 'UNSIGNED-PAYLOAD',
    creds,
  });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: node.s3Port,
        method,
        path,
        headers: Object.fromEntries(headers),
        ...(localAddress ? { localAddress } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A write refused by read-only mode (403 AccessDenied naming read-only mode). */
const refusedReadOnly = (r: Reply): boolean => r.status === 403 && /read-only mode/.test(r.body);

const code = (r: Reply): string => /<Code>([^<]*)<\/Code>/.exec(r.body)?.[1] ?? String(r.status);

/**
 * Polls `probe` until it returns true; returns the milliseconds it took, or fails after
 * `limitMs` naming what it last saw.
 */
async function within(limitMs: number, what: string, probe: () => Promise<boolean | string>): Promise<number> {
  const start = Date.now();
  let last: boolean | string = false;
  while (Date.now() - start <= limitMs) {
    last = await probe();
    if (last === true) return Date.now() - start;
    await sleep(25);
  }
  assert.fail(`${what}: not seen within ${limitMs} ms (last: ${String(last)})`);
}

const admin = (node: AnodeNode, creds: Creds): AdminClient =>
  new AdminClient({ endpoint: node.adminUrl, credentials: { accessKeyId: creds.accessKey, secretAccessKey: creds.secretKey } });

describe('cluster-wide state: two nodes, one PostgreSQL', () => {
  let cluster: PostgresCluster;
  let database = '';
  let one: AnodeNode;
  let two: AnodeNode;
  let root: Creds;
  let alice: Creds;
  let bucketN = 0;
  const bucket = () => `state-${process.pid}-${bucketN++}`;

  before(async () => {
    cluster = await startPostgresCluster();
    database = await cluster.createDatabase('anode_state');
    one = await startNode({ env: postgresNodeEnv(cluster, database) });
    // Nodes sharing one metadata store share the key that seals credential secrets.
    const masterKey = masterKeyFileOf(one);
    two = await startNode({ env: { ...postgresNodeEnv(cluster, database), ANODE_AUTH_MASTER_KEY_FILE: masterKey } });
    root = { accessKey: one.accessKey, secretKey: one.secretKey };
    const made = await admin(one, root).createCredential({ user: 'alice' });
    alice = { accessKey: made.access_key, secretKey: made.secret_key };
  });
  after(async () => {
    await one?.cleanup();
    await two?.cleanup();
    await cluster?.stop();
  });

  it('read-only set through node 1 refuses writes on node 2 within 1 s; off again likewise', async () => {
    assert.equal((await send(two, alice, 'PUT', `/${bucket()}`)).status, 200);
    await admin(one, root).setReadOnly(true);
    const took = await within(1000, 'node 2 refusing a write', async () => {
      const r = await send(two, alice, 'PUT', `/${bucket()}`);
      return refusedReadOnly(r) || code(r);
    });
    assert.ok(took <= 1000);
    assert.equal((await admin(two, root).getReadOnly()).read_only, true);
    await admin(one, root).setReadOnly(false);
    await within(1000, 'node 2 accepting writes again', async () => (await send(two, alice, 'PUT', `/${bucket()}`)).status === 200);
  });

  it('a key revoked through node 2 fails on node 1 on its very next request', async () => {
    const made = await admin(one, root).createCredential({ user: 'bob' });
    const bob = { accessKey: made.access_key, secretKey: made.secret_key };
    // Created through node 1, usable on node 2 at once.
    assert.equal((await send(two, bob, 'GET', '/')).status, 200);
    assert.equal((await send(one, bob, 'GET', '/')).status, 200);
    await admin(two, root).revokeCredential(bob.accessKey);
    const r = await send(one, bob, 'GET', '/');
    assert.equal(`${r.status} ${code(r)}`, '403 InvalidAccessKeyId');
  });

  it('a key rotated through node 1 (no grace) fails on node 2 on its next request; the new one works there', async () => {
    const made = await admin(one, root).createCredential({ user: 'carol' });
    const carol = { accessKey: made.access_key, secretKey: made.secret_key };
    assert.equal((await send(two, carol, 'GET', '/')).status, 200);
    const rotated = await admin(one, root).rotateCredential(carol.accessKey);
    assert.equal(code(await send(two, carol, 'GET', '/')), 'InvalidAccessKeyId');
    const fresh = { accessKey: rotated.credential.access_key, secretKey: rotated.credential.secret_key };
    assert.equal((await send(two, fresh, 'GET', '/')).status, 200);
  });

  it('a blocklist entry added on node 1 blocks on node 2 within 1 s; removing it unblocks', async () => {
    // Requests "from" 127.0.0.2: the test's own 127.0.0.1 stays free to administer.
    assert.equal((await send(two, alice, 'GET', '/', '127.0.0.2')).status, 200);
    await admin(one, root).addBlock('127.0.0.2/32');
    const took = await within(1000, 'node 2 refusing 127.0.0.2', async () => {
      const r = await send(two, alice, 'GET', '/', '127.0.0.2');
      return (r.status === 403 && code(r) === 'AccessDenied') || code(r);
    });
    assert.ok(took <= 1000);
    assert.equal((await send(two, alice, 'GET', '/')).status, 200, '127.0.0.1 is not blocked');
    assert.deepEqual((await admin(two, root).listBlocklist()).cidrs, ['127.0.0.2/32']);
    // An entry added on node 2 right after keeps node 1's (the list is read from the store);
    // node 1 answers from its own copy, which the change feed brings up to date within 1 s.
    const added = await admin(two, root).addBlock('127.0.0.3/32');
    assert.deepEqual([...added.cidrs].sort(), ['127.0.0.2/32', '127.0.0.3/32']);
    await within(1000, 'node 1 listing both entries', async () => {
      const cidrs = [...(await admin(one, root).listBlocklist()).cidrs].sort();
      return (cidrs.length === 2 && cidrs[0] === '127.0.0.2/32' && cidrs[1] === '127.0.0.3/32') || cidrs.join(',');
    });
    await admin(two, root).removeBlock('127.0.0.2/32');
    await admin(two, root).removeBlock('127.0.0.3/32');
    await within(1000, 'node 1 unblocking', async () => (await send(one, alice, 'GET', '/', '127.0.0.2')).status === 200);
  });

  it('the periodic re-read brings in a change no NOTIFY announced, and one made while LISTEN was killed', async () => {
    // Behind the nodes' backs: a plain UPDATE, no pg_notify. Only the re-read can see it.
    await cluster.superQuery(
      `INSERT INTO settings (name, value) VALUES ('read_only_since', $1) ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
      [new Date().toISOString()],
      database,
    );
    await within(7000, 'node 2 read-only from the periodic re-read', async () =>
      refusedReadOnly(await send(two, alice, 'PUT', `/${bucket()}`)),
    );
    await cluster.superQuery(`DELETE FROM settings WHERE name = 'read_only_since'`, [], database);
    await within(7000, 'node 2 writable again', async () => (await send(two, alice, 'PUT', `/${bucket()}`)).status === 200);

    // Kill every LISTEN connection, then change state through node 1 at once.
    const killed = await cluster.superQuery<{ n: string }>(
      `SELECT count(pg_terminate_backend(pid))::text AS n FROM pg_stat_activity WHERE application_name = 'anode-listen' AND datname = $1`,
      [database],
    );
    assert.equal(killed[0]?.n, '2', 'both nodes had a LISTEN connection');
    await admin(one, root).setReadOnly(true);
    await within(7000, 'node 2 read-only after its LISTEN connection was killed', async () =>
      refusedReadOnly(await send(two, alice, 'PUT', `/${bucket()}`)),
    );
    // The feed reconnected: announcements arrive within a second again.
    await within(5000, 'LISTEN connections back', async () => {
      const rows = await cluster.superQuery<{ n: string }>(
        `SELECT count(*)::text AS n FROM pg_stat_activity WHERE application_name = 'anode-listen' AND datname = $1`,
        [database],
      );
      return rows[0]?.n === '2' || `${rows[0]?.n ?? 0} listening`;
    });
    await admin(one, root).setReadOnly(false);
    await within(
      1000,
      'node 2 writable again over the new LISTEN connection',
      async () => (await send(two, alice, 'PUT', `/${bucket()}`)).status === 200,
    );
    assert.match(two.output(), /change feed connection .* lost/);
    assert.doesNotMatch(two.output(), /password|apppass/i);
  });

  it('lockdown through node 2: node 1 is read-only within 1 s and every other key fails there', async () => {
    const made = await admin(one, root).createCredential({ user: 'dave', role: 'admin' });
    const dave = { accessKey: made.access_key, secretKey: made.secret_key };
    assert.equal((await send(one, alice, 'PUT', `/${bucket()}`)).status, 200);
    await admin(two, dave).lockdown({ reason: 'cluster-state test' });
    const took = await within(1000, 'node 1 refusing writes after lockdown', async () => {
      const r = await send(one, dave, 'PUT', `/${bucket()}`);
      return refusedReadOnly(r) || code(r);
    });
    assert.ok(took <= 1000);
    assert.equal(code(await send(one, alice, 'GET', '/')), 'InvalidAccessKeyId');
    assert.equal(code(await send(one, root, 'GET', '/')), 'InvalidAccessKeyId');
    assert.equal((await send(one, dave, 'GET', '/')).status, 200, 'the caller keeps its key');
    const status = await admin(one, dave).getIncidentStatus();
    assert.equal(status.read_only, true);
    assert.equal(status.last_lockdown?.reason, 'cluster-state test');
  });
});
