/**
 * Server-side encryption from aws-cli v2 (/usr/bin/aws): SSE-C (put/get/head, wrong key 403,
 * missing key 400, a multipart upload and ranged parallel download by `aws s3 cp`), SSE-KMS
 * (known and unknown key ids); and SSE-C over plain HTTP, refused as AWS refuses it unless a
 * trusted proxy says the client spoke HTTPS.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { isolatedClientEnv, requireTool, runCommand, runOk, type CommandResult } from '../helpers/run-command.js';
import { expectS3Error, sdkClient, uniqueBucket } from '../helpers/s3-client.js';
import { makeRandomFile, makeRandomFileBytes, sha256File } from '../helpers/random-files.js';

const AWS = '/usr/bin/aws';
let node: AnodeNode;
let env: Record<string, string>;
let work: string;
let keyDir: string;

before(async () => {
  requireTool(AWS, 'awscli');
  keyDir = await mkdtemp(join(tmpdir(), 'anode-enc-cli-key-'));
  const keyFile = join(keyDir, 'encryption.key');
  await writeFile(keyFile, randomBytes(32), { mode: 0o600 });
  node = await startNode({
    env: { ANODE_STORAGE_ENCRYPTION: 'true', ANODE_STORAGE_ENCRYPTION_KEY: keyFile, ANODE_STORAGE_SSE_C_REQUIRE_TLS: 'false' },
  });
  env = await isolatedClientEnv(node);
  await writeFile(env['AWS_CONFIG_FILE'] ?? '', '[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n');
  work = await mkdtemp(join(tmpdir(), 'anode-enc-cli-'));
});
after(async () => {
  await node?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
  if (keyDir) await rm(keyDir, { recursive: true, force: true });
  if (env?.['HOME']) await rm(env['HOME'], { recursive: true, force: true });
});

const args = (a: string[]) => ['--endpoint-url', node.s3Url, '--output', 'json', ...a];
const aws = (a: string[]): Promise<CommandResult> => runOk(AWS, args(a), { env, timeoutMs: 300_000 });
const awsFails = async (a: string[]): Promise<string> => {
  const r = await runCommand(AWS, args(a), { env, timeoutMs: 120_000 });
  assert.notEqual(r.code, 0, `aws ${a.join(' ')} should fail`);
  return r.stderr;
};

describe('SSE from aws-cli', { timeout: 600_000 }, () => {
  test('SSE-C: s3api put/get/head with the key; wrong key 403; no key 400; s3 cp multipart up and ranged down', async () => {
    const bucket = uniqueBucket('cli-ssec');
    await aws(['s3api', 'create-bucket', '--bucket', bucket]);
    const key = 'k'.repeat(16) + randomBytes(8).toString('hex'); // 32 ASCII bytes, as aws-cli takes it
    const wrong = 'w'.repeat(32);
    const src = join(work, 'small.bin');
    await makeRandomFileBytes(src, 200_000);
    const put = JSON.parse(
      (
        await aws([
          's3api',
          'put-object',
          '--bucket',
          bucket,
          '--key',
          'c',
          '--body',
          src,
          '--sse-customer-algorithm',
          'AES256',
          '--sse-customer-key',
          key,
        ])
      ).stdout,
    ) as { SSECustomerAlgorithm?: string; SSECustomerKeyMD5?: string };
    assert.equal(put.SSECustomerAlgorithm, 'AES256');
    assert.ok(put.SSECustomerKeyMD5);
    const out = join(work, 'small.out');
    await aws([
      's3api',
      'get-object',
      '--bucket',
      bucket,
      '--key',
      'c',
      '--sse-customer-algorithm',
      'AES256',
      '--sse-customer-key',
      key,
      out,
    ]);
    assert.equal(await sha256File(out), await sha256File(src));
    const head = JSON.parse(
      (
        await aws([
          's3api',
          'head-object',
          '--bucket',
          bucket,
          '--key',
          'c',
          '--sse-customer-algorithm',
          'AES256',
          '--sse-customer-key',
          key,
        ])
      ).stdout,
    ) as { SSECustomerKeyMD5?: string };
    assert.equal(head.SSECustomerKeyMD5, put.SSECustomerKeyMD5);
    assert.match(
      await awsFails([
        's3api',
        'get-object',
        '--bucket',
        bucket,
        '--key',
        'c',
        '--sse-customer-algorithm',
        'AES256',
        '--sse-customer-key',
        wrong,
        out,
      ]),
      /AccessDenied|403/,
    );
    assert.match(await awsFails(['s3api', 'get-object', '--bucket', bucket, '--key', 'c', out]), /InvalidRequest|400/);

    const big = join(work, 'big.bin');
    await makeRandomFile(big, 20); // over aws-cli's 8 MiB multipart threshold
    await aws(['s3', 'cp', big, `s3://${bucket}/big`, '--sse-c', 'AES256', '--sse-c-key', key]);
    const down = join(work, 'big.out');
    await aws(['s3', 'cp', `s3://${bucket}/big`, down, '--sse-c', 'AES256', '--sse-c-key', key]);
    assert.equal(await sha256File(down), await sha256File(big));
    await awsFails(['s3', 'cp', `s3://${bucket}/big`, join(work, 'nokey.out')]);
  });

  test('SSE-KMS: a key the key ring has is used and reported; an unknown one is KMS.NotFoundException', async () => {
    const bucket = uniqueBucket('cli-kms');
    await aws(['s3api', 'create-bucket', '--bucket', bucket]);
    const src = join(work, 'kms.bin');
    await makeRandomFileBytes(src, 70_000);
    await aws(['s3', 'cp', src, `s3://${bucket}/k`, '--sse', 'aws:kms', '--sse-kms-key-id', 'default']);
    const head = JSON.parse((await aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'k'])).stdout) as {
      ServerSideEncryption?: string;
      SSEKMSKeyId?: string;
    };
    assert.equal(head.ServerSideEncryption, 'aws:kms');
    assert.equal(head.SSEKMSKeyId, 'default');
    const out = join(work, 'kms.out');
    await aws(['s3', 'cp', `s3://${bucket}/k`, out]);
    assert.deepEqual(await readFile(out), await readFile(src));
    assert.match(
      await awsFails([
        's3api',
        'put-object',
        '--bucket',
        bucket,
        '--key',
        'k2',
        '--body',
        src,
        '--server-side-encryption',
        'aws:kms',
        '--ssekms-key-id',
        'nope',
      ]),
      /KMS\.NotFoundException/,
    );
    // Plain SSE-S3 too.
    await aws(['s3', 'cp', src, `s3://${bucket}/s3`, '--sse', 'AES256']);
    assert.equal(
      (JSON.parse((await aws(['s3api', 'head-object', '--bucket', bucket, '--key', 's3'])).stdout) as { ServerSideEncryption?: string })
        .ServerSideEncryption,
      'AES256',
    );
  });
});

test('SSE-C over plain HTTP is refused (400 InvalidRequest) unless a trusted proxy says https; SSE-S3 needs a key ring', async () => {
  const plain = await startNode({ env: { ANODE_SERVER_TRUSTED_PROXIES: '127.0.0.1/32' } });
  try {
    const s3 = sdkClient(plain);
    const bucket = uniqueBucket('ssec-tls');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const ssec = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: randomBytes(32) as unknown as string };
    const err = await expectS3Error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x', ...ssec })), 'InvalidRequest', 400);
    assert.match(err.message, /secure connection/);
    // Behind a TLS-terminating proxy that is trusted, the client's HTTPS counts.
    const proxied = sdkClient(plain);
    proxied.middlewareStack.add(
      (next) => async (a) => {
        (a.request as { headers: Record<string, string> }).headers['x-forwarded-proto'] = 'https';
        return next(a);
      },
      { step: 'build' },
    );
    await proxied.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'via proxy', ...ssec }));
    const got = await proxied.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', ...ssec }));
    assert.equal(await got.Body!.transformToString(), 'via proxy');
    // SSE-C needs no key ring; SSE-S3 on a node without one is refused, never stored in the clear.
    await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k2', Body: 'x', ServerSideEncryption: 'AES256' })),
      'NotImplemented',
      501,
    );
  } finally {
    await plain.cleanup();
  }
});
