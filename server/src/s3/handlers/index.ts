import type { RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import type { Operation } from '../router.js';
import type { S3Result } from '../result.js';
import { handleCreateBucket, handleDeleteBucket, handleGetBucketLocation, handleHeadBucket, handleListBuckets } from './buckets.js';
import { handleListObjects, handleListObjectsV2 } from './list-objects.js';
import { handleDeleteObject, handleGetObject, handleHeadObject } from './get-object.js';
import { handlePutObject } from './put-object.js';
import { handleCopyObject } from './copy-object.js';
import { handleDeleteObjects } from './delete-objects.js';
import {
  handleAbortMultipartUpload,
  handleCompleteMultipartUpload,
  handleCreateMultipartUpload,
  handleListMultipartUploads,
  handleListParts,
  handleUploadPart,
  handleUploadPartCopy,
} from './multipart.js';
import { handleGetBucketAcl, handleGetObjectAcl, handlePutBucketAcl, handlePutObjectAcl } from './acl.js';
import { handleDeleteBucketEncryption, handleGetBucketEncryption, handlePutBucketEncryption } from './bucket-encryption.js';
import { handleDeleteBucketPolicy, handleGetBucketPolicy, handleGetBucketPolicyStatus, handlePutBucketPolicy } from './bucket-policy.js';

import {
  handleDeleteBucketTagging,
  handleDeleteObjectTagging,
  handleGetBucketTagging,
  handleGetObjectTagging,
  handlePutBucketTagging,
  handlePutObjectTagging,
} from './tagging.js';
import { handleDeleteBucketCors, handleGetBucketCors, handlePreflight, handlePutBucketCors } from './cors.js';
import { handlePostObject } from './post-object.js';
import {
  handleDeleteBucketOwnershipControls,
  handleDeletePublicAccessBlock,
  handleGetBucketLogging,
  handleGetBucketOwnershipControls,
  handleGetPublicAccessBlock,
  handlePutBucketLogging,
  handlePutBucketOwnershipControls,
  handlePutPublicAccessBlock,
} from './bucket-config.js';
import { handleGetObjectAttributes } from './object-attributes.js';
import { handleGetBucketVersioning, handleListObjectVersions, handlePutBucketVersioning } from './versioning.js';
import {
  handleGetObjectLegalHold,
  handleGetObjectLockConfiguration,
  handleGetObjectRetention,
  handlePutObjectLegalHold,
  handlePutObjectLockConfiguration,
  handlePutObjectRetention,
} from './object-lock.js';

import { handleDeleteBucketLifecycle, handleGetBucketLifecycleConfiguration, handlePutBucketLifecycleConfiguration } from './lifecycle.js';

/** Parses the request, calls the model, and returns what handle.ts writes. */
export type Handler = (deps: S3Deps, ctx: RequestContext) => Promise<S3Result>;

/** One handler per S3 operation. */
export const HANDLERS: Record<Operation, Handler> = {
  ListBuckets: handleListBuckets,
  CreateBucket: handleCreateBucket,
  HeadBucket: handleHeadBucket,
  DeleteBucket: handleDeleteBucket,
  GetBucketLocation: handleGetBucketLocation,
  GetBucketVersioning: handleGetBucketVersioning,
  ListObjects: handleListObjects,
  ListObjectsV2: handleListObjectsV2,
  ListMultipartUploads: handleListMultipartUploads,
  DeleteObjects: handleDeleteObjects,
  GetBucketAcl: handleGetBucketAcl,
  PutBucketAcl: handlePutBucketAcl,
  GetBucketPolicy: handleGetBucketPolicy,
  PutBucketPolicy: handlePutBucketPolicy,
  DeleteBucketPolicy: handleDeleteBucketPolicy,
  GetBucketPolicyStatus: handleGetBucketPolicyStatus,
  GetBucketEncryption: handleGetBucketEncryption,
  PutBucketEncryption: handlePutBucketEncryption,
  DeleteBucketEncryption: handleDeleteBucketEncryption,
  PutObject: handlePutObject,
  CopyObject: handleCopyObject,
  GetObject: handleGetObject,
  HeadObject: handleHeadObject,
  DeleteObject: handleDeleteObject,
  GetObjectAcl: handleGetObjectAcl,
  PutObjectAcl: handlePutObjectAcl,
  CreateMultipartUpload: handleCreateMultipartUpload,
  UploadPart: handleUploadPart,
  UploadPartCopy: handleUploadPartCopy,
  CompleteMultipartUpload: handleCompleteMultipartUpload,
  AbortMultipartUpload: handleAbortMultipartUpload,
  ListParts: handleListParts,
  GetObjectTagging: handleGetObjectTagging,
  PutObjectTagging: handlePutObjectTagging,
  DeleteObjectTagging: handleDeleteObjectTagging,
  GetBucketTagging: handleGetBucketTagging,
  PutBucketTagging: handlePutBucketTagging,
  DeleteBucketTagging: handleDeleteBucketTagging,
  GetBucketCors: handleGetBucketCors,
  PutBucketCors: handlePutBucketCors,
  DeleteBucketCors: handleDeleteBucketCors,
  OptionsObject: handlePreflight,
  PostObject: handlePostObject,
  GetPublicAccessBlock: handleGetPublicAccessBlock,
  PutPublicAccessBlock: handlePutPublicAccessBlock,
  DeletePublicAccessBlock: handleDeletePublicAccessBlock,
  GetBucketOwnershipControls: handleGetBucketOwnershipControls,
  PutBucketOwnershipControls: handlePutBucketOwnershipControls,
  DeleteBucketOwnershipControls: handleDeleteBucketOwnershipControls,
  GetObjectAttributes: handleGetObjectAttributes,
  GetBucketLogging: handleGetBucketLogging,
  PutBucketLogging: handlePutBucketLogging,
  PutBucketVersioning: handlePutBucketVersioning,
  ListObjectVersions: handleListObjectVersions,
  GetObjectLockConfiguration: handleGetObjectLockConfiguration,
  PutObjectLockConfiguration: handlePutObjectLockConfiguration,
  GetObjectRetention: handleGetObjectRetention,
  PutObjectRetention: handlePutObjectRetention,
  GetObjectLegalHold: handleGetObjectLegalHold,
  PutObjectLegalHold: handlePutObjectLegalHold,
  GetBucketLifecycleConfiguration: handleGetBucketLifecycleConfiguration,
  PutBucketLifecycleConfiguration: handlePutBucketLifecycleConfiguration,
  DeleteBucketLifecycle: handleDeleteBucketLifecycle,
};
