/** The AWS SDK v3 client pointed at a test node, plus assertions on S3 service errors. */
import assert from 'node:assert/strict';
import { S3Client, S3ServiceException, type S3ClientConfig } from '@aws-sdk/client-s3';
import { REGION, type AnodeNode } from './anode-node.js';

/** Path-style, no retries (a retried 500 would hide the first failure), default checksum behaviour. */
export function sdkClient(node: AnodeNode, overrides: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    endpoint: node.s3Url,
    region: REGION,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey },
    ...overrides,
  });
}

/** Awaits `p`, which must reject with an S3 error of this code and HTTP status. */
export async function expectS3Error(p: Promise<unknown>, code: string, status: number): Promise<S3ServiceException> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof S3ServiceException)) {
      assert.fail(`expected S3 error ${code}/${status}, got a non-service error: ${String(e)}`);
    }
    assert.equal(
      `${e.name}/${e.$metadata.httpStatusCode}`,
      `${code}/${status}`,
      `expected ${code}/${status}, got ${e.name}/${e.$metadata.httpStatusCode}: ${e.message}`,
    );
    return e;
  }
  assert.fail(`expected S3 error ${code}/${status}, but the request succeeded`);
}

/** A bucket name unique to this run, valid under the S3 naming rules. */
export function uniqueBucket(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
