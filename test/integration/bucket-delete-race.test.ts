/**
 * A DeleteBucket racing a write must never hand the write's object to the next owner of
 * the bucket name (hardening issue §1). Each round: alice creates a bucket and starts a
 * slow PUT into it; a DELETE of the bucket arrives while the body is still streaming; then
 * mallory, another non-admin user, tries to take the name and read the object.
 *
 * - One node (SQLite, and PostgreSQL): the node knows the write is in flight and refuses
 *   the DELETE (409 BucketNotEmpty); the PUT lands in alice's bucket, which keeps its name.
 * - Two nodes sharing one PostgreSQL: the DELETE goes to the node that cannot see the write,
 *   so it succeeds; the PUT's commit must then fail in its own transaction (404
 *   NoSuchBucket, its chunk removed), and mallory's new bucket of that name is empty.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { AdminClient } from '../../shared/src/admin-api/index.js';
import { masterKeyFileOf, startNode, type AnodeNode } from '../helpers/anode-node.js';
import { postgresNodeEnv, startPostgresCluster, type PostgresCluster } from '../helpers/postgres.js';
import { expectS3Error, sdkClient } from '../helpers/s3-client.js';
import { signHeaders, type Creds } from '../helpers/sigv4.js';

const ROUNDS = 20;
const PIECE = 64 * 1024;
const PIECES = 4;
/** Long enough for the node to have resolved the bucket and begun the write. */
const HEADERS_SETTLE_MS = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Reply {
  status: number;
  body: string;
}

/** Signed request with a small body sent at once. */
function send(node: AnodeNode, creds: Creds, method: string, path: string): Promise<Reply> {
  const host = `127.0.0.1:${node.s3Port}`;
  const headers = signHeaders({ method, path, headers: [['host', host]], payloadHash: 'UNSIGNED-PAYLOAD', creds });
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: node.s3Port, method, path, headers: Object.fromEntries(headers) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A PUT whose body trickles in: `started` resolves once the headers and the first piece are
 * out and the node has had time to begin; `reply` once the node has answered.
 */
function slowPut(node: AnodeNode, creds: Creds, bucket: string, key: string): { started: Promise<void>; reply: Promise<Reply> } {
  const host = `127.0.0.1:${node.s3Port}`;
  const path = `/${bucket}/${key}`;
  const body = randomBytes(PIECE * PIECES);
  const headers = signHeaders({
    method: 'PUT',
    path,
    headers: [
      ['host', host],
      ['content-length', String(body.length)],
    ],
    payloadHash: 'UNSIGNED-PAYLOAD',
    creds,
  });
  let markStarted!: () => void;
  const started = new Promise<void>((r) => (markStarted = r));
  const reply = new Promise<Reply>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: node.s3Port, method: 'PUT', path, headers: Object.fromEntries(headers) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    void (async () => {
      req.write(body.subarray(0, PIECE));
      await sleep(HEADERS_SETTLE_MS);
      markStarted();
      for (let i = 1; i < PIECES; i++) {
        await sleep(100);
        req.write(body.subarray(i * PIECE, (i + 1) * PIECE));
      }
      req.end();
    })();
  });
  return { started, reply };
}

const code = (r: Reply): string | undefined => /<Code>([^<]*)<\/Code>/.exec(r.body)?.[1];

async function userCreds(node: AnodeNode, user: string): Promise<Creds> {
  const admin = new AdminClient({ endpoint: node.adminUrl, credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey } });
  const made = await admin.createCredential({ user });
  return { accessKey: made.access_key, secretKey: made.secret_key };
}

function sdkAs(node: AnodeNode, creds: Creds): S3Client {
  return sdkClient(node, { credentials: { accessKeyId: creds.accessKey, secretAccessKey: creds.secretKey } });
}

/** Chunk files on a node (not temporaries). */
async function chunkFiles(node: AnodeNode): Promise<number> {
  const root = join(node.dataDir, 'chunks');
  let n = 0;
  for (const shard of await readdir(root).catch(() => [])) {
    if (shard.startsWith('.')) continue;
    n += (await readdir(join(root, shard))).length;
  }
  return n;
}

/** 20 rounds against one node: the DELETE is refused while the PUT streams; mallory never gets in. */
function oneNodeRounds(label: string, env: () => Record<string, string>): void {
  describe(`DeleteBucket racing a PUT on one node (${label})`, () => {
    let node: AnodeNode;
    let alice: Creds;
    let mallory: S3Client;
    before(async () => {
      node = await startNode({ env: env() });
      alice = await userCreds(node, 'alice');
      mallory = sdkAs(node, await userCreds(node, 'mallory'));
    });
    after(async () => {
      mallory?.destroy();
      await node?.cleanup();
    });

    it(`${ROUNDS} rounds: DELETE during the PUT is 409 BucketNotEmpty, the object stays alice's`, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const bucket = `ghost-${label}-${round}-${randomBytes(3).toString('hex')}`;
        assert.equal((await send(node, alice, 'PUT', `/${bucket}`)).status, 200);
        const put = slowPut(node, alice, bucket, 'payroll.csv');
        await put.started;
        const del = await send(node, alice, 'DELETE', `/${bucket}`);
        assert.equal(`${del.status} ${code(del)}`, '409 BucketNotEmpty', `round ${round}: ${del.body}`);
        assert.match(del.body, /writes in progress/);
        const reply = await put.reply;
        assert.equal(reply.status, 200, `round ${round}: ${reply.body}`);
        await expectS3Error(mallory.send(new CreateBucketCommand({ Bucket: bucket })), 'BucketAlreadyExists', 409);
        await expectS3Error(mallory.send(new GetObjectCommand({ Bucket: bucket, Key: 'payroll.csv' })), 'AccessDenied', 403);
        // Once the write is done, alice's DELETE sees the object like any other.
        const again = await send(node, alice, 'DELETE', `/${bucket}`);
        assert.equal(`${again.status} ${code(again)}`, '409 BucketNotEmpty');
      }
    });
  });
}

let cluster: PostgresCluster;
before(async () => {
  cluster = await startPostgresCluster();
});
after(async () => {
  await cluster?.stop();
});

oneNodeRounds('sqlite', () => ({}));

describe('one node on PostgreSQL', () => {
  let database = '';
  before(async () => {
    database = await cluster.createDatabase('anode_race_one');
  });
  oneNodeRounds('postgres', () => postgresNodeEnv(cluster, database));
});

describe('DeleteBucket on another node racing a PUT (two nodes, one PostgreSQL)', () => {
  let writer: AnodeNode;
  let deleter: AnodeNode;
  let alice: Creds;
  let mallory: Creds;
  let malloryOnDeleter: S3Client;
  before(async () => {
    const database = await cluster.createDatabase('anode_race_two');
    writer = await startNode({ env: postgresNodeEnv(cluster, database) });
    // Nodes sharing one metadata store share the key that seals credential secrets.
    // The writer's default place: its HOME's XDG config directory (never the data directory).
    const masterKey = masterKeyFileOf(writer);
    deleter = await startNode({ env: { ...postgresNodeEnv(cluster, database), ANODE_AUTH_MASTER_KEY_FILE: masterKey } });
    alice = await userCreds(writer, 'alice');
    mallory = await userCreds(writer, 'mallory');
    malloryOnDeleter = sdkAs(deleter, mallory);
  });
  after(async () => {
    malloryOnDeleter?.destroy();
    await writer?.cleanup();
    await deleter?.cleanup();
  });

  it(`${ROUNDS} rounds: the PUT answers 404 NoSuchBucket, its chunk is removed, the next owner's bucket is empty`, async () => {
    const chunksBefore = await chunkFiles(writer);
    for (let round = 0; round < ROUNDS; round++) {
      const bucket = `ghost-two-${round}-${randomBytes(3).toString('hex')}`;
      assert.equal((await send(writer, alice, 'PUT', `/${bucket}`)).status, 200);
      const put = slowPut(writer, alice, bucket, 'payroll.csv');
      await put.started;
      const del = await send(deleter, alice, 'DELETE', `/${bucket}`);
      assert.equal(del.status, 204, `round ${round}: ${del.body}`);
      const reply = await put.reply;
      assert.equal(`${reply.status} ${code(reply)}`, '404 NoSuchBucket', `round ${round}: ${reply.body}`);

      await malloryOnDeleter.send(new CreateBucketCommand({ Bucket: bucket }));
      const listed = await malloryOnDeleter.send(new ListObjectsV2Command({ Bucket: bucket }));
      assert.equal(listed.KeyCount, 0, `round ${round}: mallory's new bucket lists ${JSON.stringify(listed.Contents)}`);
      await expectS3Error(malloryOnDeleter.send(new GetObjectCommand({ Bucket: bucket, Key: 'payroll.csv' })), 'NoSuchKey', 404);
      // And through the writer node too, where the chunk was written.
      const viaWriter = await send(writer, mallory, 'GET', `/${bucket}/payroll.csv`);
      assert.equal(`${viaWriter.status} ${code(viaWriter)}`, '404 NoSuchKey');
    }
    assert.equal(await chunkFiles(writer), chunksBefore, 'every refused write removed its chunk');
  });
});
