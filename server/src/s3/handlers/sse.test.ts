/** SSE request headers as handlers read them: SSE-C key checks, mode/key-id combinations, TLS rule. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { loadConfig } from '../../config/load.js';
import { FileKeyProvider } from '../../keys/file-key-provider.js';
import { StaticKeyRing } from '../../keys/static-key-ring.js';
import { ObjectCrypto } from '../../model/object-crypto.js';
import type { RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { S3Error } from '../errors.js';
import { customerKeyFrom, kmsKeyName, sseRequestFrom, sseResponseHeaders } from './sse.js';

function ctx(headers: Record<string, string>, secure = true): RequestContext {
  const req = new IncomingMessage(new Socket());
  req.headers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    requestId: 'TESTREQUEST00001',
    startedAt: process.hrtime.bigint(),
    req,
    res: new ServerResponse(req),
    remoteAddr: '127.0.0.1',
    secure,
    principal: { kind: 'anonymous' },
    bytesSent: 0,
  };
}

async function depsWith(requireTls: boolean): Promise<S3Deps> {
  const config = await loadConfig({
    file: undefined,
    dataDir: '/tmp/unused',
    env: { ANODE_STORAGE_SSE_C_REQUIRE_TLS: String(requireTls) },
  });
  const crypto = new ObjectCrypto({ keyRing: new StaticKeyRing(FileKeyProvider.fromSecret(randomBytes(32))), encryptByDefault: false });
  return { config, objects: { crypto } } as unknown as S3Deps;
}

const key = randomBytes(32);
const ssec = (k = key, md5 = createHash('md5').update(k).digest('base64')) => ({
  'x-amz-server-side-encryption-customer-algorithm': 'AES256',
  'x-amz-server-side-encryption-customer-key': k.toString('base64'),
  'x-amz-server-side-encryption-customer-key-MD5': md5,
});

function refused(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof S3Error && e.code === code && message.test(e.message));
}

test('SSE-C key headers: a good key parses; bad algorithm, key length, missing or wrong MD5 are InvalidArgument', async () => {
  const deps = await depsWith(true);
  assert.deepEqual(customerKeyFrom(deps, ctx({})), null);
  assert.deepEqual(customerKeyFrom(deps, ctx(ssec()))?.key, key);
  refused(
    () => customerKeyFrom(deps, ctx({ ...ssec(), 'x-amz-server-side-encryption-customer-algorithm': 'AES128' })),
    'InvalidArgument',
    /algorithm/,
  );
  refused(() => customerKeyFrom(deps, ctx(ssec(randomBytes(16)))), 'InvalidArgument', /secret key was invalid/);
  refused(() => customerKeyFrom(deps, ctx(ssec(key, 'AAAAAAAAAAAAAAAAAAAAAA=='))), 'InvalidArgument', /MD5/);
  const { 'x-amz-server-side-encryption-customer-key-MD5': _, ...noMd5 } = ssec();
  refused(() => customerKeyFrom(deps, ctx(noMd5)), 'InvalidArgument', /MD5/);
  // The copy-source form is read from its own headers.
  const copy = Object.fromEntries(Object.entries(ssec()).map(([k, v]) => [k.replace('x-amz-', 'x-amz-copy-source-'), v]));
  assert.equal(customerKeyFrom(deps, ctx(copy)), null);
  assert.deepEqual(customerKeyFrom(deps, ctx(copy), true)?.key, key);
});

test('SSE-C over plain HTTP is InvalidRequest unless sse_c_require_tls is off', async () => {
  const strict = await depsWith(true);
  refused(() => customerKeyFrom(strict, ctx(ssec(), false)), 'InvalidRequest', /secure connection/);
  assert.ok(customerKeyFrom(await depsWith(false), ctx(ssec(), false)));
});

test('write requests: AES256, aws:kms with a known key or an ARN of one, unknown key, and refused combinations', async () => {
  const deps = await depsWith(true);
  assert.equal(await sseRequestFrom(deps, ctx({})), null);
  assert.deepEqual(await sseRequestFrom(deps, ctx({ 'x-amz-server-side-encryption': 'AES256' })), {
    mode: 'AES256',
    bucketKeyEnabled: false,
  });
  assert.deepEqual(
    await sseRequestFrom(
      deps,
      ctx({
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:us-east-1:000000000000:key/default',
        'x-amz-server-side-encryption-bucket-key-enabled': 'true',
      }),
    ),
    { mode: 'aws:kms', keyId: 'default', bucketKeyEnabled: true },
  );
  await assert.rejects(
    sseRequestFrom(deps, ctx({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': 'nope' })),
    (e: unknown) => e instanceof S3Error && e.code === 'KMS.NotFoundException' && e.status === 400,
  );
  for (const bad of [
    { 'x-amz-server-side-encryption': 'aws:kms:dsse' },
    { 'x-amz-server-side-encryption': 'AES256', 'x-amz-server-side-encryption-aws-kms-key-id': 'default' },
    { 'x-amz-server-side-encryption-aws-kms-key-id': 'default' },
    { ...ssec(), 'x-amz-server-side-encryption': 'AES256' },
    { 'x-amz-server-side-encryption': 'AES256', 'x-amz-server-side-encryption-bucket-key-enabled': 'maybe' },
  ]) {
    await assert.rejects(
      sseRequestFrom(deps, ctx(bad)),
      (e: unknown) => e instanceof S3Error && e.code === 'InvalidArgument',
      JSON.stringify(bad),
    );
  }
  assert.equal(kmsKeyName('tenant-a'), 'tenant-a');
});

test('response headers per mode', () => {
  const base = {
    sealedFor: { bucketId: 'b', key: 'k', id: 'i', multipart: false },
    wrappedKey: { provider: 'file', keyId: 'k1', version: 1, wrapped: '' },
  };
  assert.deepEqual(sseResponseHeaders(null), {});
  assert.deepEqual(sseResponseHeaders({ ...base, mode: 'AES256', bucketKeyEnabled: false }), { 'x-amz-server-side-encryption': 'AES256' });
  assert.deepEqual(sseResponseHeaders({ ...base, mode: 'aws:kms', bucketKeyEnabled: true }), {
    'x-amz-server-side-encryption': 'aws:kms',
    'x-amz-server-side-encryption-aws-kms-key-id': 'k1',
    'x-amz-server-side-encryption-bucket-key-enabled': 'true',
  });
  assert.deepEqual(sseResponseHeaders({ ...base, mode: 'SSE-C', bucketKeyEnabled: false }, { key, keyMd5: 'bWQ1' }), {
    'x-amz-server-side-encryption-customer-algorithm': 'AES256',
    'x-amz-server-side-encryption-customer-key-MD5': 'bWQ1',
  });
});
