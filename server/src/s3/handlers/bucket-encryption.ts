/** Put/Get/DeleteBucketEncryption: a bucket's default server-side encryption, kept in its row. */
import { S3Error } from '../errors.js';
import type { RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { emptyResult, xmlResult, type S3Result } from '../result.js';
import { el, S3_XMLNS } from '../xml.js';
import { readSmallBody } from '../body.js';
import { listOf, parseXmlBody, textOf } from '../../util/xml-parse.js';
import type { BucketEncryption } from '../../metadata/types.js';
import { kmsKeyName } from './sse.js';

const MAX_BODY = 64 * 1024;

export async function handlePutBucketEncryption(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const body = await readSmallBody(ctx, MAX_BODY);
  const doc = parseXmlBody(body.toString('utf8'), 'ServerSideEncryptionConfiguration');
  const rules = listOf(doc, 'Rule');
  if (rules.length !== 1) throw new S3Error('MalformedXML', { message: 'A ServerSideEncryptionConfiguration holds exactly one Rule.' });
  const rule = rules[0]!;
  const apply = listOf(rule, 'ApplyServerSideEncryptionByDefault')[0];
  const algorithm = apply === undefined ? undefined : textOf(apply, 'SSEAlgorithm')?.trim();
  if (apply === undefined || algorithm === undefined) throw new S3Error('MalformedXML');
  if (algorithm !== 'AES256' && algorithm !== 'aws:kms') {
    throw new S3Error('InvalidArgument', {
      message: 'The encryption method specified is not supported',
      extra: { ArgumentName: 'SSEAlgorithm' },
    });
  }
  const kmsRaw = textOf(apply, 'KMSMasterKeyID')?.trim();
  if (kmsRaw !== undefined && kmsRaw !== '' && algorithm !== 'aws:kms') {
    throw new S3Error('InvalidArgument', {
      message: 'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse',
      extra: { ArgumentName: 'ApplyServerSideEncryptionByDefault' },
    });
  }
  const bucketKey = textOf(rule, 'BucketKeyEnabled')?.trim();
  if (bucketKey !== undefined && bucketKey !== 'true' && bucketKey !== 'false') throw new S3Error('MalformedXML');
  const config: BucketEncryption = {
    algorithm,
    ...(kmsRaw !== undefined && kmsRaw !== '' ? { kmsKeyId: kmsKeyName(kmsRaw) } : {}),
    bucketKeyEnabled: bucketKey === 'true',
  };
  // A default naming a key that does not exist would fail every later write: refuse it now.
  await deps.objects.crypto.checkBucketDefault(config);
  await deps.metadata.setBucketEncryption(ctx.bucket!.id, config);
  deps.audit.write(ctx, 'bucket.encryption.set', {
    bucket: ctx.bucket!.name,
    algorithm,
    ...(config.kmsKeyId ? { kms_key_id: config.kmsKeyId } : {}),
  });
  return emptyResult(200);
}

export async function handleGetBucketEncryption(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const config = ctx.bucket!.encryption;
  if (!config) throw new S3Error('ServerSideEncryptionConfigurationNotFoundError', { extra: { BucketName: ctx.bucket!.name } });
  return xmlResult(
    el(
      'ServerSideEncryptionConfiguration',
      [
        el('Rule', [
          el('ApplyServerSideEncryptionByDefault', [
            el('SSEAlgorithm', config.algorithm),
            config.kmsKeyId !== undefined ? el('KMSMasterKeyID', config.kmsKeyId) : null,
          ]),
          el('BucketKeyEnabled', config.bucketKeyEnabled),
        ]),
      ],
      { xmlns: S3_XMLNS },
    ),
  );
}

export async function handleDeleteBucketEncryption(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  await deps.metadata.setBucketEncryption(ctx.bucket!.id, null);
  deps.audit.write(ctx, 'bucket.encryption.delete', { bucket: ctx.bucket!.name });
  return emptyResult(204);
}
