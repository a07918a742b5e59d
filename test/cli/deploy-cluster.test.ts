// The Helm chart's 3 pods, run as 3 real anode processes on loopback: the Secrets made by
// deploy/k8s/make-secrets.sh (anodectl certs), each pod's init container script run for
// real against its projected Secrets, each pod's rendered config (env resolved as the
// kubelet does) with only its paths, ports and the advertised names mapped to this
// machine. Proves the shipped config forms a cluster: three active members named after
// their pods, an object written through anode-0 read back through anode-1 and anode-2,
// three replicas on three disks, and the checklist's live gRPC probe PASSes both on the
// node's host and from elsewhere through the advertised address.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent, get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { stringify as stringifyToml } from 'smol-toml';
import { freePort, generateCredentials, REGION, SERVER_MAIN } from '../helpers/anode-node.js';
import { startPostgresCluster, type PostgresCluster } from '../helpers/postgres.js';
import {
  anodeContainer,
  containerEnv,
  deploy,
  effectiveToml,
  helmObjects,
  one,
  podOf,
  yamlDocs,
  type Obj,
  type Secrets,
} from './deploy-render.js';
import { isolatedEnv, REPO, runCli } from './run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'anode-k8s-pods-'));
const objects = helmObjects();
const sts = one(objects, 'StatefulSet');
const podSpec = sts['spec']['template']['spec'] as Obj;
const root = generateCredentials();
let pg: PostgresCluster | undefined;
const secretFiles: Record<string, Record<string, Buffer>> = {};
interface RunningPod {
  name: string;
  dir: string;
  config: string;
  s3Port: number;
  adminPort: number;
  grpcPort: number;
  child: ChildProcess;
  log: () => string;
}
const pods: RunningPod[] = [];
let caFile = '';

const mountOf = (container: Obj, volume: string): string =>
  (container['volumeMounts'] as Obj[]).find((m) => m['name'] === volume)!['mountPath'] as string;

/** What the kubelet puts in a Secret or projected volume: the listed keys at their paths, mode 0440. */
function materialize(volume: Obj, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const sources: Obj[] =
    volume['projected'] !== undefined
      ? (volume['projected']['sources'] as Obj[]).map((s) => s['secret'] as Obj)
      : [{ name: volume['secret']['secretName'] as string }];
  for (const src of sources) {
    const data = secretFiles[src['name'] as string];
    if (data === undefined) {
      assert.equal(src['optional'], true, `Secret ${src['name'] as string} missing and not optional`);
      continue;
    }
    const items = (src['items'] as Obj[] | undefined) ?? Object.keys(data).map((key) => ({ key, path: key }));
    for (const item of items) {
      const file = join(dir, item['path'] as string);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, data[item['key'] as string]!);
      chmodSync(file, 0o440);
    }
  }
}

async function waitHealthy(pod: RunningPod, ca: Buffer): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    assert.equal(pod.child.exitCode, null, `${pod.name} exited:\n${pod.log()}`);
    const status = await new Promise<number>((resolve) => {
      const req = httpsGet({ host: '127.0.0.1', port: pod.adminPort, path: '/health', ca, agent: false, timeout: 2000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
    });
    if (status === 200) return;
    assert.ok(Date.now() < deadline, `${pod.name}: no /health over TLS:\n${pod.log()}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const cliEnv = () => isolatedEnv({ ANODE_ACCESS_KEY: root.accessKey, ANODE_SECRET_KEY: root.secretKey });
const cli = (pod: RunningPod, args: string[]) =>
  runCli(['--endpoint', `https://127.0.0.1:${pod.adminPort}`, '--ca', caFile, ...args], { env: cliEnv() });

function s3(pod: RunningPod): S3Client {
  return new S3Client({
    endpoint: `https://127.0.0.1:${pod.s3Port}`,
    region: REGION,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: root.accessKey, secretAccessKey: root.secretKey },
    requestHandler: { httpsAgent: new Agent({ ca: readFileSync(caFile) }) },
  });
}

function chunkFiles(dir: string): number {
  let n = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.isFile() && !e.name.endsWith('.tmp')) n++;
    }
  };
  walk(dir);
  return n;
}

before(async () => {
  pg = await startPostgresCluster();
  const database = await pg.createDatabase('anode_k8s');
  writeFileSync(join(work, 'pg.url'), pg.url(database), { mode: 0o600 });
  // The operator's step: make-secrets.sh (anodectl certs + keys), the Service cert also naming
  // the address the test's clients use.
  const made = spawnSync(
    deploy('k8s', 'make-secrets.sh'),
    ['--replicas', '3', '--namespace', 'default', '--ca', join(work, 'ca'), '--out', join(work, 'secrets'), '--days', '5'].concat([
      '--s3-name',
      '127.0.0.1',
      '--postgres-url-file',
      join(work, 'pg.url'),
    ]),
    { env: { ...isolatedEnv(), ANODECTL: `${process.execPath} ${join(REPO, 'cli', 'dist', 'bin.js')}` }, encoding: 'utf8' },
  );
  assert.equal(made.status, 0, made.stderr);
  caFile = join(work, 'ca', 'ca.crt');
  for (const s of yamlDocs(readFileSync(join(work, 'secrets', 'secrets.yaml'), 'utf8'), 'secrets.yaml'))
    secretFiles[s['metadata']['name'] as string] = Object.fromEntries(
      Object.entries(s['data'] as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
    );
  const envSecrets: Secrets = Object.fromEntries(
    Object.entries(secretFiles).map(([name, data]) => [name, Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.toString()]))]),
  );

  const container = anodeContainer(sts);
  const init = (podSpec['initContainers'] as Obj[])[0]!;
  const volumes = podSpec['volumes'] as Obj[];
  const volume = (name: string) => volumes.find((v) => v['name'] === name)!;
  const grpcPorts = await Promise.all([0, 1, 2].map(() => freePort()));
  const headless = sts['spec']['serviceName'] as string;
  for (let i = 0; i < 3; i++) {
    const pod = podOf(sts, i, '127.0.0.1');
    const dir = join(work, pod.name);
    // The volumes as the kubelet makes them, then the init container's own script.
    const dirs = { peer: join(dir, 'peer-secrets'), node: join(dir, 'node-secrets'), tls: join(dir, 'tls'), pv: join(dir, 'pv') };
    materialize(volume('peer-secrets'), dirs.peer);
    materialize(volume('tls'), dirs.tls);
    mkdirSync(dirs.node, { recursive: true, mode: 0o700 });
    mkdirSync(dirs.pv, { recursive: true, mode: 0o750 });
    assert.deepEqual(init['command'], ['/bin/sh', '-ec']);
    const script = (init['args'][0] as string)
      .split(mountOf(init, 'peer-secrets'))
      .join(dirs.peer)
      .split(mountOf(init, 'node-secrets'))
      .join(dirs.node);
    const ran = spawnSync('/bin/sh', ['-ec', script], { env: { PATH: '/usr/bin:/bin', ...containerEnv(init, pod) }, encoding: 'utf8' });
    assert.equal(ran.status, 0, ran.stderr);
    assert.deepEqual(readdirSync(dirs.node).sort(), ['ca.crt', 'master.key', 'tls.crt', 'tls.key'], `${pod.name}: only its own files`);
    for (const f of readdirSync(dirs.node)) assert.equal(statSync(join(dirs.node, f)).mode & 0o777, 0o400, f);
    assert.match(new X509Certificate(readFileSync(join(dirs.node, 'tls.crt'))).subject, new RegExp(`CN=${pod.name}(\n|$)`));

    // The pod's config, with its paths, ports and advertised name mapped to this machine.
    const s3Port = await freePort();
    const adminPort = await freePort();
    const grpcPort = grpcPorts[i]!;
    const config = effectiveToml(objects, pod, envSecrets);
    const cluster = config['cluster'] as Record<string, string>;
    assert.equal(cluster['node_id'], pod.name);
    let text = stringifyToml(config);
    for (const [from, to] of [
      [mountOf(container, 'tls'), dirs.tls],
      [mountOf(container, 'node-secrets'), dirs.node],
      [mountOf(container, 'data'), dirs.pv],
      ['"0.0.0.0:8080"', `"127.0.0.1:${s3Port}"`],
      ['"127.0.0.1:8081"', `"127.0.0.1:${adminPort}"`],
      ['"0.0.0.0:9090"', `"127.0.0.1:${grpcPort}"`],
    ] as const)
      text = text.split(from).join(to);
    // The peers' headless names (<pod>.<headless>.default.svc:9090) are this machine's gRPC ports.
    for (let j = 0; j < 3; j++)
      text = text.split(`"${sts['metadata']['name'] as string}-${j}.${headless}.default.svc:9090"`).join(`"127.0.0.1:${grpcPorts[j]!}"`);
    assert.doesNotMatch(text, /\/etc\/anode|\/var\/lib\/anode|\.svc:/, 'everything mapped');
    const file = join(dir, 'config.toml');
    writeFileSync(file, text);
    let log = '';
    const child = spawn(process.execPath, [SERVER_MAIN, 'server', '--config', file], {
      cwd: dir,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: dir,
        ANODE_ROOT_ACCESS_KEY: root.accessKey,
        ANODE_ROOT_SECRET_KEY: root.secretKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    process.once('exit', () => child.kill('SIGKILL'));
    child.stdout?.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-100_000)));
    child.stderr?.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-100_000)));
    pods.push({ name: pod.name, dir, config: file, s3Port, adminPort, grpcPort, child, log: () => log });
  }
  const ca = readFileSync(caFile);
  await Promise.all(pods.map((p) => waitHealthy(p, ca)));
});

after(async () => {
  await Promise.all(
    pods.map(async (p) => {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        const exited = once(p.child, 'exit');
        p.child.kill('SIGTERM');
        const t = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
    }),
  );
  await pg?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('the three pods form a cluster: every member active, named after its pod, at its advertised address', async () => {
  const deadline = Date.now() + 20_000;
  let nodes: { node_id: string; advertise: string; state: string }[] = [];
  for (;;) {
    const r = await cli(pods[0]!, ['--json', 'cluster', 'status']);
    assert.equal(r.code, 0, r.stderr);
    nodes = (JSON.parse(r.stdout) as { nodes: typeof nodes }).nodes;
    if (nodes.length === 3 && nodes.every((n) => n.state === 'active')) break;
    assert.ok(Date.now() < deadline, JSON.stringify(nodes));
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.deepEqual(
    nodes.map((n) => [n.node_id, n.advertise]).sort(),
    pods.map((p) => [p.name, `127.0.0.1:${p.grpcPort}`]),
  );
});

test('an object written through anode-0 reads back byte-identical through anode-1 and anode-2, with a replica on each disk', async () => {
  const bucket = `k8s-${Date.now().toString(36)}`;
  const body = randomBytes(3 << 20);
  const c0 = s3(pods[0]!);
  await c0.send(new CreateBucketCommand({ Bucket: bucket }));
  const before = pods.map((p) => chunkFiles(join(p.dir, 'pv', 'data', 'chunks')));
  await c0.send(new PutObjectCommand({ Bucket: bucket, Key: 'blob', Body: body }));
  for (const p of pods.slice(1)) {
    const got = await s3(p).send(new GetObjectCommand({ Bucket: bucket, Key: 'blob' }));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(body), `${p.name} reads the same bytes`);
  }
  // chunk_size_mib 8: one chunk, R=3 → one more chunk file on every pod's volume.
  const afterPut = pods.map((p) => chunkFiles(join(p.dir, 'pv', 'data', 'chunks')));
  assert.deepEqual(
    afterPut.map((n, i) => n - before[i]!),
    [1, 1, 1],
  );
});

test("the checklist's live gRPC probe PASSes on a pod's host (grpc_listen) and from elsewhere (the advertised address)", async () => {
  const item = async (config: string) => {
    const r = await runCli(['--json', 'audit', 'checklist', '--config', config], { env: isolatedEnv() });
    return (JSON.parse(r.stdout) as { items: { id: string; status: string; reason: string }[] }).items.find(
      (i) => i.id === 'network.cluster-mtls',
    )!;
  };
  const onHost = await item(pods[0]!.config);
  assert.equal(onHost.status, 'PASS', onHost.reason);
  assert.match(onHost.reason, new RegExp(`127\\.0\\.0\\.1:${pods[0]!.grpcPort}`));
  // Another machine (no data dir here), grpc_listen on every interface as in the pod, and
  // the advertised name resolving to the node (localhost here, anode-1.anode-peers... there).
  const elsewhere = join(work, 'elsewhere.toml');
  writeFileSync(
    elsewhere,
    readFileSync(pods[1]!.config, 'utf8')
      .replace(/data_dir = "[^"]*"/, `data_dir = "${join(work, 'not-here')}"`)
      .replace(`grpc_listen = "127.0.0.1:${pods[1]!.grpcPort}"`, `grpc_listen = "0.0.0.0:${pods[1]!.grpcPort}"`)
      .replace(`advertise = "127.0.0.1:${pods[1]!.grpcPort}"`, `advertise = "localhost:${pods[1]!.grpcPort}"`),
  );
  const off = await item(elsewhere);
  assert.equal(off.status, 'PASS', off.reason);
  assert.match(off.reason, new RegExp(`localhost:${pods[1]!.grpcPort}`));
});
