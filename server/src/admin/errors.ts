/**
 * The admin API's error table: every client-visible admin failure is an AdminError with
 * a code from here (S3's names where S3 has one) and goes out as the JSON envelope
 * `{"error": {"code", "message", "request_id"}}`. Messages never hold a secret.
 */
import type { LayerError, LayerErrorCode } from '../layer-errors.js';

export const ADMIN_ERRORS = {
  AccessDenied: 403,
  InvalidRequest: 400,
  MalformedJSON: 400,
  MaxMessageLengthExceeded: 400,
  XAmzContentSHA256Mismatch: 400,
  NoSuchBucket: 404,
  NoSuchCredential: 404,
  NotFound: 404,
  MethodNotAllowed: 405,
  BucketAlreadyExists: 409,
  BucketNotEmpty: 409,
  /** The node is read-only and this call would change something. */
  ReadOnlyMode: 409,
  /** A key action on a node with no key provider configured. */
  NoKeyProvider: 409,
  /** A key version still referenced (retire), or the current one. */
  KeyInUse: 409,
  /** A rewrap of another key is running (one at a time per node). */
  RewrapRunning: 409,
  InternalError: 500,
} as const satisfies Record<string, number>;

export type AdminErrorCode = keyof typeof ADMIN_ERRORS;

export class AdminError extends Error {
  override readonly name = 'AdminError';
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(
    readonly code: AdminErrorCode | LayerErrorCode,
    message: string,
    options: { status?: number; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status ?? (ADMIN_ERRORS as Record<string, number>)[code] ?? 400;
    this.headers = options.headers ?? {};
  }
}

/**
 * Status of each lower-layer error on the admin plane: the one S3 gives it (signature
 * failures from the shared verifier, bucket-policy parse errors), so a client sees the
 * same code, status and message on both planes.
 */
const LAYER_STATUS: Readonly<Record<LayerErrorCode, number>> = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  IncompleteBody: 400,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidChunkSizeError: 403,
  InvalidDigest: 400,
  InvalidRequest: 400,
  InvalidURI: 400,
  KeyTooLongError: 400,
  KeyNotFound: 400,
  KeyProviderUnavailable: 503,
  KeyUnwrapFailed: 500,
  MalformedACLError: 400,
  MalformedPolicy: 400,
  MalformedTrailerError: 400,
  MalformedXML: 400,
  NotImplemented: 501,
  RequestTimeTooSkewed: 403,
  SignatureDoesNotMatch: 403,
  XAmzContentSHA256Mismatch: 400,
};

/** A lower layer's error keeps its code and message on the admin plane. */
export function fromLayerError(err: LayerError): AdminError {
  return new AdminError(err.code, err.message, { status: LAYER_STATUS[err.code], cause: err });
}

export function invalid(message: string): AdminError {
  return new AdminError('InvalidRequest', message);
}
