import { S3Error } from './errors.js';
import type { Target } from '../http/target.js';

/** S3 operations we serve, named as AWS names them. */
export type Operation =
  | 'ListBuckets'
  | 'CreateBucket'
  | 'HeadBucket'
  | 'DeleteBucket'
  | 'GetBucketLocation'
  | 'GetBucketVersioning'
  | 'ListObjects'
  | 'ListObjectsV2'
  | 'ListMultipartUploads'
  | 'DeleteObjects'
  | 'GetBucketAcl'
  | 'PutBucketAcl'
  | 'GetBucketPolicy'
  | 'PutBucketPolicy'
  | 'DeleteBucketPolicy'
  | 'GetBucketPolicyStatus'
  | 'GetBucketEncryption'
  | 'PutBucketEncryption'
  | 'DeleteBucketEncryption'
  | 'PutObject'
  | 'CopyObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject'
  | 'GetObjectAcl'
  | 'PutObjectAcl'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'UploadPartCopy'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'GetObjectTagging'
  | 'PutObjectTagging'
  | 'DeleteObjectTagging'
  | 'GetBucketTagging'
  | 'PutBucketTagging'
  | 'DeleteBucketTagging'
  | 'GetBucketCors'
  | 'PutBucketCors'
  | 'DeleteBucketCors'
  | 'OptionsObject'
  | 'PostObject'
  | 'GetPublicAccessBlock'
  | 'PutPublicAccessBlock'
  | 'DeletePublicAccessBlock'
  | 'GetBucketOwnershipControls'
  | 'PutBucketOwnershipControls'
  | 'DeleteBucketOwnershipControls'
  | 'GetObjectAttributes'
  | 'GetBucketLogging'
  | 'PutBucketLogging'
  | 'PutBucketVersioning'
  | 'ListObjectVersions'
  | 'GetObjectLockConfiguration'
  | 'PutObjectLockConfiguration'
  | 'GetObjectRetention'
  | 'PutObjectRetention'
  | 'GetObjectLegalHold'
  | 'PutObjectLegalHold'
  | 'GetBucketLifecycleConfiguration'
  | 'PutBucketLifecycleConfiguration'
  | 'DeleteBucketLifecycle';

export interface OperationSpec {
  /** The IAM action the operation needs (what policies, grants and ACLs are checked against). */
  action: string;
  /** Changes state, so it is refused in read-only mode. Required: a new write cannot slip through by omission. */
  mutating: boolean;
}

/** What the request path needs to know about each operation, in one exhaustive table. */
export const OPERATIONS: Readonly<Record<Operation, OperationSpec>> = {
  ListBuckets: { action: 's3:ListAllMyBuckets', mutating: false },
  CreateBucket: { action: 's3:CreateBucket', mutating: true },
  HeadBucket: { action: 's3:ListBucket', mutating: false },
  DeleteBucket: { action: 's3:DeleteBucket', mutating: true },
  GetBucketLocation: { action: 's3:GetBucketLocation', mutating: false },
  GetBucketVersioning: { action: 's3:GetBucketVersioning', mutating: false },
  ListObjects: { action: 's3:ListBucket', mutating: false },
  ListObjectsV2: { action: 's3:ListBucket', mutating: false },
  ListMultipartUploads: { action: 's3:ListBucketMultipartUploads', mutating: false },
  DeleteObjects: { action: 's3:DeleteObject', mutating: true },
  GetBucketAcl: { action: 's3:GetBucketAcl', mutating: false },
  PutBucketAcl: { action: 's3:PutBucketAcl', mutating: true },
  GetBucketPolicy: { action: 's3:GetBucketPolicy', mutating: false },
  PutBucketPolicy: { action: 's3:PutBucketPolicy', mutating: true },
  DeleteBucketPolicy: { action: 's3:DeleteBucketPolicy', mutating: true },
  GetBucketPolicyStatus: { action: 's3:GetBucketPolicyStatus', mutating: false },
  GetBucketEncryption: { action: 's3:GetEncryptionConfiguration', mutating: false },
  PutBucketEncryption: { action: 's3:PutEncryptionConfiguration', mutating: true },
  DeleteBucketEncryption: { action: 's3:PutEncryptionConfiguration', mutating: true },
  PutObject: { action: 's3:PutObject', mutating: true },
  CopyObject: { action: 's3:PutObject', mutating: true },
  GetObject: { action: 's3:GetObject', mutating: false },
  HeadObject: { action: 's3:GetObject', mutating: false },
  DeleteObject: { action: 's3:DeleteObject', mutating: true },
  GetObjectAcl: { action: 's3:GetObjectAcl', mutating: false },
  PutObjectAcl: { action: 's3:PutObjectAcl', mutating: true },
  CreateMultipartUpload: { action: 's3:PutObject', mutating: true },
  UploadPart: { action: 's3:PutObject', mutating: true },
  UploadPartCopy: { action: 's3:PutObject', mutating: true },
  CompleteMultipartUpload: { action: 's3:PutObject', mutating: true },
  AbortMultipartUpload: { action: 's3:AbortMultipartUpload', mutating: true },
  ListParts: { action: 's3:ListMultipartUploadParts', mutating: false },
  GetObjectTagging: { action: 's3:GetObjectTagging', mutating: false },
  PutObjectTagging: { action: 's3:PutObjectTagging', mutating: true },
  DeleteObjectTagging: { action: 's3:DeleteObjectTagging', mutating: true },
  GetBucketTagging: { action: 's3:GetBucketTagging', mutating: false },
  PutBucketTagging: { action: 's3:PutBucketTagging', mutating: true },
  // AWS: deleting a configuration needs the Put permission.
  DeleteBucketTagging: { action: 's3:PutBucketTagging', mutating: true },
  GetBucketCors: { action: 's3:GetBucketCORS', mutating: false },
  PutBucketCors: { action: 's3:PutBucketCORS', mutating: true },
  DeleteBucketCors: { action: 's3:PutBucketCORS', mutating: true },
  // A CORS preflight is never authorized: the bucket's CORS rules alone answer it.
  OptionsObject: { action: 's3:PreflightRequest', mutating: false },
  // Authorized by the handler once the signed policy in the form says who is asking.
  PostObject: { action: 's3:PutObject', mutating: true },
  GetPublicAccessBlock: { action: 's3:GetBucketPublicAccessBlock', mutating: false },
  PutPublicAccessBlock: { action: 's3:PutBucketPublicAccessBlock', mutating: true },
  DeletePublicAccessBlock: { action: 's3:PutBucketPublicAccessBlock', mutating: true },
  GetBucketOwnershipControls: { action: 's3:GetBucketOwnershipControls', mutating: false },
  PutBucketOwnershipControls: { action: 's3:PutBucketOwnershipControls', mutating: true },
  DeleteBucketOwnershipControls: { action: 's3:PutBucketOwnershipControls', mutating: true },
  GetObjectAttributes: { action: 's3:GetObjectAttributes', mutating: false },
  GetBucketLogging: { action: 's3:GetBucketLogging', mutating: false },
  PutBucketLogging: { action: 's3:PutBucketLogging', mutating: true },
  PutBucketVersioning: { action: 's3:PutBucketVersioning', mutating: true },
  ListObjectVersions: { action: 's3:ListBucketVersions', mutating: false },
  GetObjectLockConfiguration: { action: 's3:GetBucketObjectLockConfiguration', mutating: false },
  PutObjectLockConfiguration: { action: 's3:PutBucketObjectLockConfiguration', mutating: true },
  GetObjectRetention: { action: 's3:GetObjectRetention', mutating: false },
  PutObjectRetention: { action: 's3:PutObjectRetention', mutating: true },
  GetObjectLegalHold: { action: 's3:GetObjectLegalHold', mutating: false },
  PutObjectLegalHold: { action: 's3:PutObjectLegalHold', mutating: true },
  GetBucketLifecycleConfiguration: { action: 's3:GetLifecycleConfiguration', mutating: false },
  PutBucketLifecycleConfiguration: { action: 's3:PutLifecycleConfiguration', mutating: true },
  // AWS checks s3:PutLifecycleConfiguration for DeleteBucketLifecycle too.
  DeleteBucketLifecycle: { action: 's3:PutLifecycleConfiguration', mutating: true },
};

/** The IAM action each operation needs; derived from OPERATIONS. */
export const OPERATION_ACTION = Object.fromEntries(Object.entries(OPERATIONS).map(([op, spec]) => [op, spec.action])) as Readonly<
  Record<Operation, string>
>;

/** Operations that change state (refused in read-only mode); derived from OPERATIONS. */
export const MUTATING: ReadonlySet<Operation> = new Set((Object.keys(OPERATIONS) as Operation[]).filter((op) => OPERATIONS[op].mutating));
// Subresources of real S3 that we do not serve yet: answered 501, never a wrong success.
const UNSUPPORTED = [
  'accelerate',
  'analytics',
  'intelligent-tiering',
  'inventory',
  'metadataConfiguration',
  'metrics',
  'notification',
  'replication',
  'requestPayment',
  'restore',
  'select',
  'torrent',
  'website',
  'renameObject',
];

function notImplemented(what: string): S3Error {
  return new S3Error('NotImplemented', { message: `${what} is not implemented by this server.` });
}

/** Operations that take ?versionId= (others answer 501 for it rather than ignore it). */
const VERSIONED: ReadonlySet<Operation> = new Set<Operation>([
  'GetObject',
  'HeadObject',
  'DeleteObject',
  'GetObjectRetention',
  'PutObjectRetention',
  'GetObjectLegalHold',
  'PutObjectLegalHold',
  'GetObjectTagging',
  'PutObjectTagging',
  'DeleteObjectTagging',
  'GetObjectAcl',
  'PutObjectAcl',
  'GetObjectAttributes',
]);

/** Picks the operation from method, bucket/key presence, subresources and headers. */
export function route(method: string, target: Target, headers: Record<string, string | string[] | undefined>): Operation {
  const op = routeOperation(method, target, headers);
  if (target.query.has('versionId') && !VERSIONED.has(op) && !target.query.get('versionId')?.every((v) => v === 'null')) {
    throw notImplemented(`?versionId on ${op}`);
  }
  return op;
}

function routeOperation(method: string, target: Target, headers: Record<string, string | string[] | undefined>): Operation {
  const has = (name: string) => target.query.has(name);
  const { bucket, key } = target;
  if (method === 'OPTIONS' && bucket !== null) return 'OptionsObject';
  for (const sub of UNSUPPORTED) {
    if (has(sub)) throw notImplemented(`The ?${sub} subresource`);
  }
  if (bucket === null) {
    if (method === 'GET') return 'ListBuckets';
    throw new S3Error('MethodNotAllowed');
  }
  if (key === null) {
    switch (method) {
      case 'GET':
        if (has('location')) return 'GetBucketLocation';
        if (has('tagging')) return 'GetBucketTagging';
        if (has('cors')) return 'GetBucketCors';
        if (has('publicAccessBlock')) return 'GetPublicAccessBlock';
        if (has('ownershipControls')) return 'GetBucketOwnershipControls';
        if (has('logging')) return 'GetBucketLogging';
        if (has('versioning')) return 'GetBucketVersioning';
        if (has('versions')) return 'ListObjectVersions';
        if (has('object-lock')) return 'GetObjectLockConfiguration';
        if (has('lifecycle')) return 'GetBucketLifecycleConfiguration';
        if (has('acl')) return 'GetBucketAcl';
        if (has('policyStatus')) return 'GetBucketPolicyStatus';
        if (has('policy')) return 'GetBucketPolicy';
        if (has('encryption')) return 'GetBucketEncryption';
        if (has('uploads')) return 'ListMultipartUploads';
        if (target.query.get('list-type')?.[0] === '2') return 'ListObjectsV2';
        return 'ListObjects';
      case 'HEAD':
        return 'HeadBucket';
      case 'PUT':
        if (has('acl')) return 'PutBucketAcl';
        if (has('policy')) return 'PutBucketPolicy';
        if (has('tagging')) return 'PutBucketTagging';
        if (has('cors')) return 'PutBucketCors';
        if (has('publicAccessBlock')) return 'PutPublicAccessBlock';
        if (has('ownershipControls')) return 'PutBucketOwnershipControls';
        if (has('logging')) return 'PutBucketLogging';
        if (has('encryption')) return 'PutBucketEncryption';
        if (has('versioning')) return 'PutBucketVersioning';
        if (has('object-lock')) return 'PutObjectLockConfiguration';
        if (has('lifecycle')) return 'PutBucketLifecycleConfiguration';
        return 'CreateBucket';
      case 'DELETE':
        if (has('policy')) return 'DeleteBucketPolicy';
        if (has('tagging')) return 'DeleteBucketTagging';
        if (has('cors')) return 'DeleteBucketCors';
        if (has('publicAccessBlock')) return 'DeletePublicAccessBlock';
        if (has('ownershipControls')) return 'DeleteBucketOwnershipControls';
        if (has('encryption')) return 'DeleteBucketEncryption';
        if (has('lifecycle')) return 'DeleteBucketLifecycle';
        return 'DeleteBucket';
      case 'POST':
        if (has('delete')) return 'DeleteObjects';
        return 'PostObject';
      default:
        throw new S3Error('MethodNotAllowed');
    }
  }
  const copy = headers['x-amz-copy-source'] !== undefined;
  switch (method) {
    case 'GET':
      if (has('uploadId')) return 'ListParts';
      if (has('acl')) return 'GetObjectAcl';
      if (has('tagging')) return 'GetObjectTagging';
      if (has('attributes')) return 'GetObjectAttributes';
      if (has('retention')) return 'GetObjectRetention';
      if (has('legal-hold')) return 'GetObjectLegalHold';
      return 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'PUT':
      if (has('uploadId') || has('partNumber')) return copy ? 'UploadPartCopy' : 'UploadPart';
      if (has('acl')) return 'PutObjectAcl';
      if (has('tagging')) return 'PutObjectTagging';
      if (has('retention')) return 'PutObjectRetention';
      if (has('legal-hold')) return 'PutObjectLegalHold';
      return copy ? 'CopyObject' : 'PutObject';
    case 'DELETE':
      if (has('uploadId')) return 'AbortMultipartUpload';
      if (has('tagging')) return 'DeleteObjectTagging';
      return 'DeleteObject';
    case 'POST':
      if (has('uploads')) return 'CreateMultipartUpload';
      if (has('uploadId')) return 'CompleteMultipartUpload';
      throw notImplemented('This POST request');
    default:
      throw new S3Error('MethodNotAllowed');
  }
}
