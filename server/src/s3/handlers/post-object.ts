/**
 * POST Object: a browser form upload (multipart/form-data) to the bucket URL. Fields come
 * first and are held (small, bounded); the file is streamed straight into the object write,
 * never buffered. The caller is who signed the policy (or anonymous without one), and is
 * authorized for s3:PutObject on the key like any other writer.
 */
import busboy from 'busboy';
import { PassThrough, type Readable } from 'node:stream';
import { MAX_KEY_BYTES } from '@anode/shared';
import { S3Error } from '../errors.js';
import type { RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { emptyResult, xmlResult, type S3Result } from '../result.js';
import { objectVersionHeader } from './versioning.js';
import { el } from '../xml.js';
import { MAX_OBJECT_SIZE, tooLarge } from '../body.js';
import { sendContinue } from '../../http/expect-continue.js';
import { authorize } from '../../policy/authorize.js';
import { aclFromHeaders, privateAcl } from '../../policy/acl.js';
import { conditionContext } from '../conditions.js';
import { checkPostPolicy, parsePostPolicy, postCredential, postSignatureMatches } from '../post-policy.js';
import { parseTaggingBody } from '../tagging.js';
import { refuseAclUnderEnforcedOwnership, refusePublicAcl } from '../bucket-guards.js';
import type { ObjectHeaders } from '../../metadata/types.js';
import { STORAGE_CLASSES } from './object-fields.js';
import { sseRequestFrom, sseResponseHeaders } from './sse.js';
import { requestedLockFrom } from './object-lock.js';

/** Limits on the non-file part of the form: a policy and its fields are a few KB. */
const MAX_FIELD_BYTES = 20 * 1024;
const MAX_FIELDS = 100;
const MAX_USER_METADATA = 2048;
const UNSUPPORTED_FIELDS = ['x-amz-website-redirect-location'];

interface FormStart {
  fields: Map<string, string>;
  file: { stream: Readable; filename: string; contentType: string } | null;
}

/** Reads fields until the file part starts (or the form ends); the file stream is left unread. */
function readUntilFile(ctx: RequestContext): Promise<FormStart> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: ctx.req.headers,
        preservePath: true,
        limits: { fieldSize: MAX_FIELD_BYTES, fields: MAX_FIELDS, files: 1, parts: MAX_FIELDS + 1, fileSize: MAX_OBJECT_SIZE + 1 },
      });
    } catch {
      reject(new S3Error('InvalidArgument', { message: 'POST requires exactly one file upload per request.' }));
      return;
    }
    const fields = new Map<string, string>();
    let settled = false;
    const done = (value: FormStart) => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      reject(err instanceof S3Error ? err : new S3Error('MalformedPOSTRequest'));
    };
    bb.on('field', (name, value, info) => {
      if (settled) return;
      if (info.valueTruncated) return fail(new S3Error('MaxMessageLengthExceeded', { message: 'Your POST form field is too large.' }));
      const lower = name.toLowerCase();
      if (lower === 'file') {
        // A text field named file is the object's content (curl -F file=text).
        const stream = new PassThrough();
        stream.end(Buffer.from(value, 'utf8'));
        return done({ fields, file: { stream, filename: '', contentType: '' } });
      }
      if (!fields.has(lower)) fields.set(lower, value);
    });
    bb.on('file', (name, stream, info) => {
      if (settled || name.toLowerCase() !== 'file') {
        stream.resume();
        return;
      }
      done({ fields, file: { stream, filename: info.filename ?? '', contentType: info.mimeType } });
    });
    bb.on('fieldsLimit', () => fail(new S3Error('MaxMessageLengthExceeded', { message: 'Your POST form has too many fields.' })));
    bb.on('error', (err) => fail(new S3Error('MalformedPOSTRequest', { cause: err })));
    bb.on('close', () => done({ fields, file: null }));
    // A client that goes away before the file part starts leaves nothing to wait for.
    ctx.req.once('close', () => {
      if (!ctx.req.complete) fail(new S3Error('IncompleteBody', { message: 'The request body terminated unexpectedly' }));
    });
    sendContinue(ctx.req, ctx.res);
    ctx.req.pipe(bb);
  });
}

/** The file's bytes, counted against the policy's content-length-range as they stream. */
async function* boundedFile(stream: Readable, min: number, max: number): AsyncGenerator<Uint8Array> {
  let size = 0;
  try {
    for await (const buf of stream as AsyncIterable<Buffer>) {
      size += buf.length;
      if (size > max) throw tooLarge(size, max);
      yield buf;
    }
  } catch (err) {
    // busboy's "Unexpected end of form" and friends: the form itself is broken.
    if (err instanceof S3Error || typeof (err as NodeJS.ErrnoException | undefined)?.code === 'string') throw err;
    throw new S3Error('MalformedPOSTRequest', { cause: err });
  }
  if ((stream as Readable & { truncated?: boolean }).truncated) throw tooLarge(size, max);
  if (size < min) throw new S3Error('EntityTooSmall', { extra: { ProposedSize: size, MinSizeAllowed: min } });
}

function headersFromFields(fields: ReadonlyMap<string, string>, fileType: string): ObjectHeaders {
  const out: ObjectHeaders = {};
  const type = fields.get('content-type') ?? (fileType !== '' && fileType !== 'application/octet-stream' ? fileType : undefined);
  if (type !== undefined && type !== '') out.contentType = type;
  const map: [string, keyof ObjectHeaders][] = [
    ['content-encoding', 'contentEncoding'],
    ['content-disposition', 'contentDisposition'],
    ['content-language', 'contentLanguage'],
    ['cache-control', 'cacheControl'],
    ['expires', 'expires'],
  ];
  for (const [field, name] of map) {
    const v = fields.get(field);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** The condition keys a form's encryption fields set, as their headers do on PUT (conditions.ts). */
function formConditionKeys(fields: ReadonlyMap<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const names: [string, string][] = [
    ['x-amz-server-side-encryption', 's3:x-amz-server-side-encryption'],
    ['x-amz-server-side-encryption-aws-kms-key-id', 's3:x-amz-server-side-encryption-aws-kms-key-id'],
  ];
  for (const [field, key] of names) {
    const v = fields.get(field);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function metadataFromFields(fields: ReadonlyMap<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  let size = 0;
  for (const [name, value] of fields) {
    if (!name.startsWith('x-amz-meta-')) continue;
    const key = name.slice('x-amz-meta-'.length);
    out[key] = value;
    size += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (size > MAX_USER_METADATA) throw new S3Error('MetadataTooLarge', { extra: { Size: size, MaxSizeAllowed: MAX_USER_METADATA } });
  return out;
}

export async function handlePostObject(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const type = ctx.req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    throw new S3Error('InvalidArgument', {
      message: 'Conflicting query string parameters or a POST that is not multipart/form-data.',
      extra: { ArgumentName: 'Content-Type', ArgumentValue: type.slice(0, 64) },
    });
  }
  try {
    const { fields, file } = await readUntilFile(ctx);
    if (file === null) {
      throw new S3Error('InvalidArgument', {
        message: 'POST requires exactly one file upload per request.',
        extra: { ArgumentName: 'file', ArgumentValue: '0' },
      });
    }
    return await store(deps, ctx, fields, file);
  } catch (err) {
    // A refused form is not read on: the error answer decides (drain a small rest, or close).
    ctx.req.unpipe();
    throw err;
  }
}

async function store(
  deps: S3Deps,
  ctx: RequestContext,
  fields: Map<string, string>,
  file: NonNullable<FormStart['file']>,
): Promise<S3Result> {
  const bucket = ctx.bucket!;
  const now = new Date();
  const rawKey = fields.get('key');
  if (rawKey === undefined) {
    throw new S3Error('InvalidArgument', {
      message: "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
      extra: { ArgumentName: 'key', ArgumentValue: '' },
    });
  }
  // Signature → who is asking; the policy → what this upload may be.
  const policyText = fields.get('policy');
  let range = { minLength: 0, maxLength: MAX_OBJECT_SIZE };
  if (fields.has('x-amz-signature') || fields.has('x-amz-credential')) {
    const { scope, signature } = postCredential(fields, deps.config.server.region, now);
    if (policyText === undefined) throw new S3Error('InvalidArgument', { message: 'Bucket POST must contain a field named policy.' });
    const found = await deps.credentials.resolve(scope.accessKeyId, now);
    if (!found) {
      deps.metrics.authFailures.inc({ reason: 'InvalidAccessKeyId' });
      deps.clientLimits.authFailures.take(ctx.remoteAddr);
      throw new S3Error('InvalidAccessKeyId', { extra: { AWSAccessKeyId: scope.accessKeyId } });
    }
    if (!postSignatureMatches(found.secret, scope, policyText, signature)) {
      deps.metrics.authFailures.inc({ reason: 'SignatureDoesNotMatch' });
      deps.clientLimits.authFailures.take(ctx.remoteAddr);
      throw new S3Error('SignatureDoesNotMatch', { extra: { AWSAccessKeyId: scope.accessKeyId } });
    }
    ctx.principal = found.principal;
    deps.credentials.touch(scope.accessKeyId, now);
    const checked = checkPostPolicy(parsePostPolicy(policyText), fields, bucket.name, now);
    if (checked !== null) range = { minLength: checked.minLength, maxLength: Math.min(checked.maxLength, MAX_OBJECT_SIZE) };
  } else if (policyText !== undefined) {
    throw new S3Error('AccessDenied', { message: 'Bucket POST with a policy must be signed.' });
  }

  const key = rawKey.replace(/\$\{filename\}/g, file.filename.split(/[\\/]/).pop() ?? '');
  if (key === '') throw new S3Error('InvalidArgument', { message: 'User key must have a length greater than 0.' });
  if (Buffer.byteLength(key) > MAX_KEY_BYTES)
    throw new S3Error('KeyTooLongError', { extra: { Size: Buffer.byteLength(key), MaxSizeAllowed: MAX_KEY_BYTES } });
  // The key this request writes: the access log names it.
  if (ctx.target) ctx.target = { ...ctx.target, key };

  // Fields that would change what is stored in ways not built here: refused, never ignored.
  for (const name of fields.keys()) {
    if (UNSUPPORTED_FIELDS.some((f) => name === f || name.startsWith(`${f}-`))) {
      throw new S3Error('NotImplemented', { message: `The ${name} form field is not implemented by this server.` });
    }
  }
  const storageClass = fields.get('x-amz-storage-class') ?? 'STANDARD';
  if (!STORAGE_CLASSES.has(storageClass)) throw new S3Error('InvalidStorageClass', { extra: { StorageClassRequested: storageClass } });
  const tagging = fields.get('tagging');
  const tags = tagging === undefined ? [] : parseTaggingBody(tagging, 'object');
  ctx.requestTags = tags;
  const aclHeaders: Record<string, string | undefined> = {};
  for (const [name, value] of fields) {
    if (name === 'acl') aclHeaders['x-amz-acl'] = value;
    else if (name.startsWith('x-amz-grant-')) aclHeaders[name] = value;
  }
  refuseAclUnderEnforcedOwnership(bucket, aclHeaders);
  refusePublicAcl(bucket, aclHeaders);

  const context: Record<string, string | string[]> = { ...conditionContext(ctx, 'PostObject'), 's3:authType': 'POST' };
  if (aclHeaders['x-amz-acl'] !== undefined) context['s3:x-amz-acl'] = aclHeaders['x-amz-acl'];
  Object.assign(context, formConditionKeys(fields));
  const decision = authorize({ principal: ctx.principal, action: 's3:PutObject', bucket, key, context });
  if (!decision.allowed) {
    deps.metrics.permissionDenied.inc();
    throw new S3Error('AccessDenied');
  }

  // Encryption and object lock read from the form by the same code PUT reads its headers with
  // (the signed policy has already had to name each of these fields).
  const fromForm = (name: string) => fields.get(name);
  const sse = await sseRequestFrom(deps, ctx, fromForm);
  const lock = requestedLockFrom(ctx, fromForm);

  const enforced = bucket.settings?.ownership === 'BucketOwnerEnforced';
  const preferred = bucket.settings?.ownership === 'BucketOwnerPreferred' && aclHeaders['x-amz-acl'] === 'bucket-owner-full-control';
  const owner = enforced || preferred || ctx.principal.kind !== 'user' ? bucket.owner : ctx.principal.user;
  const acl = enforced
    ? privateAcl(bucket.owner)
    : (aclFromHeaders({ headers: aclHeaders, owner, bucketOwner: bucket.owner, resource: 'object' }) ?? privateAcl(owner));

  const { etag, record } = await deps.objects.putObject({
    ...(lock ? { lock } : {}),
    sse,
    bucket,
    key,
    owner,
    headers: headersFromFields(fields, file.contentType),
    userMetadata: metadataFromFields(fields),
    storageClass,
    acl,
    tags,
    conditions: { ifMatch: undefined, ifNoneMatch: undefined },
    openBody: () => ({
      payload: {
        stream: boundedFile(file.stream, range.minLength, range.maxLength),
        declaredLength: range.maxLength,
        verify: () => undefined,
      },
      checksumAlgorithm: null,
      needsSha256: false,
    }),
  });

  const location = `${ctx.secure ? 'https' : 'http'}://${ctx.req.headers.host ?? ''}/${encodeURIComponent(bucket.name)}/${key
    .split('/')
    .map(encodeURIComponent)
    .join('/')}`;
  const headers = {
    etag,
    location,
    ...sseResponseHeaders(record.encryption, sse?.mode === 'SSE-C' ? sse.customer : null),
    ...objectVersionHeader(bucket, record),
  };
  const redirect = fields.get('success_action_redirect') ?? fields.get('redirect');
  if (redirect !== undefined && /^https?:\/\//i.test(redirect)) {
    const url = new URL(redirect);
    url.searchParams.set('bucket', bucket.name);
    url.searchParams.set('key', key);
    url.searchParams.set('etag', etag);
    return emptyResult(303, { ...headers, location: url.toString() });
  }
  const status = fields.get('success_action_status');
  if (status === '201') {
    return xmlResult(
      el('PostResponse', [el('Location', location), el('Bucket', bucket.name), el('Key', key), el('ETag', etag)]),
      headers,
      201,
    );
  }
  return emptyResult(status === '200' ? 200 : 204, headers);
}
