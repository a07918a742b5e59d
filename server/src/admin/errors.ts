/**
 * The admin API's error table: every client-visible admin failure is an AdminError with
 * a code from here (S3's names where S3 has one) and goes out as the JSON envelope
 * `{"error": {"code", "message", "request_id"}}`. Messages never hold a secret.
 */
import { S3Error } from '../s3/errors.js';

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
  /** The node is read-only and this call would change something. */
  ReadOnlyMode: 409,
  InternalError: 500,
} as const satisfies Record<string, number>;

export type AdminErrorCode = keyof typeof ADMIN_ERRORS;

export class AdminError extends Error {
  override readonly name = 'AdminError';
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(
    readonly code: AdminErrorCode | S3Error['code'],
    message: string,
    options: { status?: number; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status ?? (ADMIN_ERRORS as Record<string, number>)[code] ?? 400;
    this.headers = options.headers ?? {};
  }
}

/** Signature failures come out of the shared verifier as S3Errors: keep their AWS code and status. */
export function fromS3Error(err: S3Error): AdminError {
  return new AdminError(err.code, err.message, { status: err.status });
}

export function invalid(message: string): AdminError {
  return new AdminError('InvalidRequest', message);
}
