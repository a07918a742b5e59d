/**
 * Legacy Signature V2, off by default (`[auth] allow_sigv2`). Driven by real clients that
 * still sign with it: botocore's HmacV1 signer (signature_version 's3', and 's3-query' for
 * presigned URLs, what aws-cli v1's `s3 presign` makes) and s3cmd with signature_v2.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { isolatedClientEnv, requireTool, runOk } from '../helpers/run-command.js';
import { uniqueBucket } from '../helpers/s3-client.js';
import { signedFetch } from '../helpers/sigv4.js';

const PYTHON = '/usr/bin/python3';
const S3CMD = '/usr/bin/s3cmd';

/** botocore with the SigV2 signers: prints one JSON line. */
const BOTO = `
import json, sys, boto3, urllib.request
from botocore.config import Config
from botocore.exceptions import ClientError
endpoint, bucket = sys.argv[1], sys.argv[2]
s3 = boto3.client('s3', endpoint_url=endpoint, region_name='us-east-1',
                  config=Config(signature_version='s3', s3={'addressing_style': 'path'}, retries={'max_attempts': 1}))
out = {}
try:
    s3.put_object(Bucket=bucket, Key='dir/hello v2.txt', Body=b'signed with v2', ContentType='text/plain',
                  Metadata={'who': 'legacy'})
    got = s3.get_object(Bucket=bucket, Key='dir/hello v2.txt')
    out['body'] = got['Body'].read().decode()
    out['meta'] = got['Metadata'].get('who')
    # (no ?acl call: this botocore signs its sub-resource twice, '?acl?acl', which S3 refuses too)
    out['listed'] = [o['Key'] for o in s3.list_objects(Bucket=bucket, Prefix='dir/').get('Contents', [])]
except ClientError as e:
    out['error'] = e.response['Error']['Code']
q = boto3.client('s3', endpoint_url=endpoint, region_name='us-east-1',
                 config=Config(signature_version='s3-query', s3={'addressing_style': 'path'}))
url = q.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'dir/hello v2.txt'}, ExpiresIn=300)
out['presigned_has_v2'] = 'AWSAccessKeyId=' in url and 'Signature=' in url
try:
    out['presigned'] = urllib.request.urlopen(url).read().decode()
except urllib.error.HTTPError as e:
    out['presigned_status'] = e.code
print(json.dumps(out))
`;

interface BotoOut {
  body?: string;
  meta?: string;
  listed?: string[];
  error?: string;
  presigned_has_v2: boolean;
  presigned?: string;
  presigned_status?: number;
}

async function boto(node: AnodeNode, env: Record<string, string>, bucket: string): Promise<BotoOut> {
  const r = await runOk(PYTHON, ['-c', BOTO, node.s3Url, bucket], { env, timeoutMs: 120_000 });
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as BotoOut;
}

describe('Signature V2', { timeout: 300_000 }, () => {
  let on: AnodeNode;
  let off: AnodeNode;
  let envOn: Record<string, string>;
  let envOff: Record<string, string>;
  let work: string;

  before(async () => {
    requireTool(PYTHON, 'python3');
    requireTool(S3CMD, 's3cmd');
    [on, off] = await Promise.all([startNode({ env: { ANODE_AUTH_ALLOW_SIGV2: 'true' } }), startNode()]);
    envOn = await isolatedClientEnv(on);
    envOff = await isolatedClientEnv(off);
    work = await mkdtemp(join(tmpdir(), 'anode-sigv2-'));
  });
  after(async () => {
    await Promise.all([on?.cleanup(), off?.cleanup()]);
    for (const e of [envOn, envOff]) if (e?.['HOME']) await rm(e['HOME'], { recursive: true, force: true });
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('allowed: botocore signs PUT/GET/list with SigV2 and presigns a working SigV2 URL', async () => {
    const bucket = uniqueBucket('sigv2');
    assert.equal((await signedFetch(on.s3Url, { method: 'PUT', path: `/${bucket}`, creds: on })).status, 200);
    const out = await boto(on, envOn, bucket);
    assert.equal(out.error, undefined);
    assert.equal(out.body, 'signed with v2');
    assert.equal(out.meta, 'legacy');
    assert.deepEqual(out.listed, ['dir/hello v2.txt']);
    assert.equal(out.presigned_has_v2, true);
    assert.equal(out.presigned, 'signed with v2');
  });

  it('allowed: a wrong SigV2 signature and an expired SigV2 URL are refused', async () => {
    const bad = await fetch(`${on.s3Url}/some-bucket`, {
      headers: { authorization: `AWS ${on.accessKey}:AAAAAAAAAAAAAAAAAAAAAAAAAAA=`, date: new Date().toUTCString() },
    });
    assert.equal(bad.status, 403);
    assert.match(await bad.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
    const expired = await fetch(`${on.s3Url}/some-bucket/y?AWSAccessKeyId=${on.accessKey}&Expires=1000&Signature=abc`);
    assert.equal(expired.status, 403);
    assert.match(await expired.text(), /Request has expired/);
  });

  it('allowed: s3cmd with signature_v2 = True uploads and downloads', async () => {
    const bucket = uniqueBucket('sigv2cmd');
    const cfg = join(work, 's3cfg');
    const host = `127.0.0.1:${on.s3Port}`;
    await writeFile(
      cfg,
      [
        '[default]',
        `access_key = ${on.accessKey}`,
        `secret_key = ${on.secretKey}`,
        `host_base = ${host}`,
        `host_bucket = ${host}`,
        'use_https = False',
        'signature_v2 = True',
        'progress_meter = False',
        '',
      ].join('\n'),
    );
    const src = join(work, 'up.txt');
    await writeFile(src, 'from s3cmd v2');
    await runOk(S3CMD, ['-c', cfg, 'mb', `s3://${bucket}`], { env: envOn, timeoutMs: 60_000 });
    await runOk(S3CMD, ['-c', cfg, 'put', src, `s3://${bucket}/up.txt`], { env: envOn, timeoutMs: 60_000 });
    const got = await runOk(S3CMD, ['-c', cfg, 'get', `s3://${bucket}/up.txt`, '-'], { env: envOn, timeoutMs: 60_000 });
    assert.equal(got.stdout, 'from s3cmd v2');
  });

  it('off by default: the same SigV2 clients get 400 InvalidRequest naming SigV4', async () => {
    const bucket = uniqueBucket('sigv2off');
    assert.equal((await signedFetch(off.s3Url, { method: 'PUT', path: `/${bucket}`, creds: off })).status, 200);
    const out = await boto(off, envOff, bucket);
    assert.equal(out.error, 'InvalidRequest');
    assert.equal(out.presigned_status, 400);
  });
});
