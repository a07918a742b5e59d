/**
 * Server-side encryption headers: what a write asks for (SSE-S3, SSE-KMS, SSE-C), the
 * customer key of a read or a copy source, and the headers AWS answers with for each mode.
 */
import { createHash } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import { S3Error } from '../errors.js';
import { header, type RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import type { ObjectEncryption } from '../../metadata/types.js';
import type { CustomerKey, SseRequest } from '../../model/object-crypto.js';

const SSE = 'x-amz-server-side-encryption';
const KMS_KEY = 'x-amz-server-side-encryption-aws-kms-key-id';
const BUCKET_KEY = 'x-amz-server-side-encryption-bucket-key-enabled';
const C_ALG = 'x-amz-server-side-encryption-customer-algorithm';
const C_KEY = 'x-amz-server-side-encryption-customer-key';
const C_MD5 = 'x-amz-server-side-encryption-customer-key-md5';

/** Reads one request field by its lower-case name: a header, or a POST form field. */
export type FieldReader = (name: string) => string | undefined;

const invalid = (message: string, name: string, value?: string) =>
  new S3Error('InvalidArgument', { message, extra: { ArgumentName: name, ...(value !== undefined ? { ArgumentValue: value } : {}) } });

/** "arn:aws:kms:region:account:key/NAME" and "NAME" both name the key NAME. */
export function kmsKeyName(raw: string): string {
  const m = /^arn:aws:kms:[^:]*:[^:]*:key\/(.+)$/.exec(raw);
  return m ? m[1]! : raw;
}

/**
 * The customer key under `prefix` (x-amz-server-side-encryption-customer-* or
 * x-amz-copy-source-server-side-encryption-customer-*), or null when none is given. The
 * algorithm must be AES256, the key 256 bits, its MD5 the one sent; SSE-C over plain HTTP
 * is refused unless storage.sse_c_require_tls is off.
 */
export function customerKeyFrom(
  deps: S3Deps,
  ctx: RequestContext,
  copySource = false,
  get: FieldReader = (name) => header(ctx, name),
): CustomerKey | null {
  const p = (name: string) => (copySource ? name.replace('x-amz-', 'x-amz-copy-source-') : name);
  const alg = get(p(C_ALG));
  const key = get(p(C_KEY));
  const md5 = get(p(C_MD5));
  if (alg === undefined && key === undefined && md5 === undefined) return null;
  if (!ctx.secure && deps.config.storage.sse_c_require_tls) {
    throw new S3Error('InvalidRequest', {
      message: 'Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.',
    });
  }
  if (alg === undefined) {
    throw invalid(
      'Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.',
      p(C_ALG),
    );
  }
  if (alg !== 'AES256') throw invalid('The encryption algorithm specified is not valid.', p(C_ALG), alg);
  if (key === undefined || key === '') {
    throw invalid(
      'Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.',
      p(C_KEY),
    );
  }
  const bytes = Buffer.from(key, 'base64');
  if (bytes.length !== 32 || bytes.toString('base64') !== key.trim()) {
    throw invalid('The secret key was invalid for the specified algorithm.', p(C_KEY));
  }
  const actual = createHash('md5').update(bytes).digest('base64');
  if (md5 === undefined || md5 === '') {
    throw invalid(
      'Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.',
      p(C_MD5),
    );
  }
  if (md5 !== actual) throw invalid('The calculated MD5 hash of the key did not match the hash that was provided.', p(C_MD5));
  return { key: bytes, keyMd5: actual };
}

/** What a write asks for: SSE-C, SSE-S3 (AES256), SSE-KMS (aws:kms with an optional key id), or null. */
export async function sseRequestFrom(
  deps: S3Deps,
  ctx: RequestContext,
  get: FieldReader = (name) => header(ctx, name),
): Promise<SseRequest | null> {
  const mode = get(SSE);
  const kmsKey = get(KMS_KEY);
  const bucketKey = get(BUCKET_KEY);
  const customer = customerKeyFrom(deps, ctx, false, get);
  if (customer !== null) {
    if (mode !== undefined) {
      throw invalid('Server Side Encryption with Customer provided key is incompatible with the encryption method specified', SSE, mode);
    }
    if (kmsKey !== undefined) {
      throw invalid('Server Side Encryption with Customer provided key is incompatible with the encryption method specified', KMS_KEY);
    }
    return { mode: 'SSE-C', customer };
  }
  if (bucketKey !== undefined && !/^(true|false)$/i.test(bucketKey))
    throw invalid('Invalid value for bucket key enabled', BUCKET_KEY, bucketKey);
  const bucketKeyEnabled = bucketKey?.toLowerCase() === 'true';
  if (mode === undefined) {
    if (kmsKey !== undefined) {
      throw invalid('Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms', KMS_KEY);
    }
    return null;
  }
  if (mode === 'AES256') {
    if (kmsKey !== undefined) {
      throw invalid('Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms', KMS_KEY);
    }
    return { mode: 'AES256', bucketKeyEnabled };
  }
  if (mode === 'aws:kms') {
    if (kmsKey === undefined || kmsKey === '') return { mode: 'aws:kms', bucketKeyEnabled };
    const keyId = kmsKeyName(kmsKey);
    if (!deps.objects.crypto.hasKeyRing) return { mode: 'aws:kms', keyId, bucketKeyEnabled }; // refused by the model
    if (!(await deps.objects.crypto.hasKey(keyId))) {
      throw new S3Error('KMS.NotFoundException', { message: `Invalid keyId ${kmsKey}` });
    }
    return { mode: 'aws:kms', keyId, bucketKeyEnabled };
  }
  throw invalid('The encryption method specified is not supported', SSE, mode);
}

/** The response headers AWS sends for an object (or upload) of this encryption. */
export function sseResponseHeaders(enc: ObjectEncryption | null | undefined, customer: CustomerKey | null = null): OutgoingHttpHeaders {
  if (!enc) return {};
  if (enc.mode === 'SSE-C') {
    return { [C_ALG]: 'AES256', ...(customer ? { [C_MD5.replace('md5', 'MD5')]: customer.keyMd5 } : {}) };
  }
  const h: OutgoingHttpHeaders = { [SSE]: enc.mode };
  if (enc.mode === 'aws:kms') h[KMS_KEY] = enc.wrappedKey.keyId;
  if (enc.bucketKeyEnabled) h[BUCKET_KEY] = 'true';
  return h;
}
