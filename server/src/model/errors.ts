/**
 * The model's own failures: what went wrong in the domain, with the typed details a plane
 * needs to describe it. model/ never builds an S3Error or an AdminError; each plane maps
 * these in one place (the S3 plane in s3/model-errors.ts).
 */
import type { ChecksumAlgorithm } from '../metadata/types.js';

/** The details each kind of failure carries, by code. */
export interface ModelErrorDetails {
  NoSuchBucket: { bucket: string };
  NoSuchKey: { key: string };
  NoSuchUpload: { uploadId: string };
  /** A write or copy condition did not hold. */
  PreconditionFailed: { condition: 'If-Match' | 'If-None-Match' | 'If-Unmodified-Since' };
  /** A read condition (If-None-Match, If-Modified-Since) says the client's copy is current. */
  NotModified: { etag: string; lastModified: Date };
  /** A write condition this store does not evaluate (If-None-Match other than "*"). */
  UnsupportedCondition: { condition: 'If-None-Match' };
  /** A listed part is missing, has another ETag (`etag` is the one asked for), or another checksum. */
  InvalidPart:
    { uploadId: string; partNumber: number; reason: 'etag'; etag: string } | { uploadId: string; partNumber: number; reason: 'checksum' };
  InvalidPartOrder: { uploadId: string };
  /** A part other than the last is below the minimum part size. */
  EntityTooSmall: { uploadId: string; partNumber: number; size: number; minSize: number; etag: string };
  /** A part's checksum algorithm differs from the one its upload was created with. */
  ChecksumAlgorithmMismatch: { expected: ChecksumAlgorithm; actual: ChecksumAlgorithm };
  /** SSE-S3/SSE-KMS asked of a node without a key ring ([storage] encryption = false). */
  EncryptionUnavailable: Record<string, never>;
  /** An SSE-C object or upload read or written without the customer key. */
  SseCustomerKeyMissing: Record<string, never>;
  /** The customer key given is not the one the object was written with. */
  SseCustomerKeyMismatch: Record<string, never>;
  /** Customer key headers for an object that is not SSE-C. */
  SseCustomerKeyUnexpected: Record<string, never>;
  NoSuchVersion: { key: string; versionId: string };
  /** Not a version id this server could have made (nor 'null'). */
  InvalidVersionId: { versionId: string };
  /** The version addressed (or the latest, when `byVersionId` is false) is a delete marker. */
  DeleteMarker: { key: string; versionId: string; lastModified: Date; byVersionId: boolean };
  /** Object Lock forbids destroying the version or changing its retention so. */
  ObjectLocked: { key: string; versionId: string; reason: 'legal-hold' | 'GOVERNANCE' | 'COMPLIANCE' };
  /** An object-lock request the bucket or version cannot take (no object lock, bad state). */
  InvalidLockRequest: { message: string };
  /** A bucket-state change not allowed (suspending versioning with object lock on). */
  InvalidBucketState: { message: string };
  /** The version has no retention / legal hold / the bucket has no object lock configuration. */
  NoLockConfiguration: { what: 'bucket' | 'retention' | 'legal-hold' };
}

export type ModelErrorCode = keyof ModelErrorDetails;

export class ModelError<C extends ModelErrorCode = ModelErrorCode> extends Error {
  override readonly name = 'ModelError';

  constructor(
    readonly code: C,
    readonly details: ModelErrorDetails[C],
    options: { cause?: unknown } = {},
  ) {
    // The message is for logs only; planes describe the failure from code and details.
    super(`${code}: ${JSON.stringify(details)}`, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

export function isModelError(err: unknown): err is ModelError {
  return err instanceof ModelError;
}
