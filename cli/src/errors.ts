/**
 * The CLI's typed errors. Each carries the exit code bin.ts ends with, so a command only
 * has to throw the right class. UserError and its subclasses are expected failures
 * (bad input, refused, not found): bin.ts prints their message alone. Anything else is
 * an internal error: printed with a hint to report it, exit 1.
 */
import { AnodeError } from '@anode/shared';

/** The documented exit codes (docs/cli.md, anodectl(1) EXIT STATUS). */
export const ExitCode = {
  Ok: 0,
  General: 1,
  Usage: 2,
  NotFound: 3,
  PermissionDenied: 4,
  Conflict: 5,
  Unreachable: 6,
  AuditFailed: 10,
  AuditChainBroken: 11,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface CliErrorOptions {
  cause?: unknown;
  /** A next step for the operator, printed under the message. */
  hint?: string;
}

/** Base of every error the CLI raises on purpose. */
export abstract class CliError extends AnodeError {
  abstract readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  constructor(message: string, options: CliErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
  }
}

/** An expected failure caused by input, state or the server's answer; exit 1 unless a subclass says more. */
export class UserError extends CliError {
  override name = 'UserError';
  readonly exitCode: ExitCode = ExitCode.General;
}

/** Bad flags or arguments (commander's own parse errors also end with 2). */
export class UsageError extends UserError {
  override name = 'UsageError';
  override readonly exitCode = ExitCode.Usage;
}

export class NotFoundError extends UserError {
  override name = 'NotFoundError';
  override readonly exitCode = ExitCode.NotFound;
}

/** The server refused our credentials or the action (401/403), or a local file is not ours to read. */
export class PermissionDeniedError extends UserError {
  override name = 'PermissionDeniedError';
  override readonly exitCode = ExitCode.PermissionDenied;
}

/** Refused: would overwrite, already exists, the operator said no, or a prompt with no TTY. */
export class ConflictError extends UserError {
  override name = 'ConflictError';
  override readonly exitCode = ExitCode.Conflict;
}

export class UnreachableError extends UserError {
  override name = 'UnreachableError';
  override readonly exitCode = ExitCode.Unreachable;
}

/** `anodectl audit` found at least one FAIL; the report itself was printed normally. */
export class AuditFailedError extends UserError {
  override name = 'AuditFailedError';
  override readonly exitCode = ExitCode.AuditFailed;
}

/** `anodectl audit verify` found a changed, missing or reordered line, or a bad signature. */
export class AuditChainError extends UserError {
  override name = 'AuditChainError';
  override readonly exitCode = ExitCode.AuditChainBroken;
}

/** A bug or an unexpected state inside the CLI. */
export class InternalError extends CliError {
  override name = 'InternalError';
  readonly exitCode = ExitCode.General;
}

/** Node's error codes that mean "could not reach the server" rather than "it said no". */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

function codeOf(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

/** True when err (or its cause chain, as undici wraps socket errors in "fetch failed") is a transport failure. */
export function isTransportError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const code = codeOf(e);
    if (code !== undefined && UNREACHABLE_CODES.has(code)) return true;
    if (e instanceof AggregateError && e.errors.some((inner) => isTransportError(inner))) return true;
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}

/** Wraps a failed request to endpoint as UnreachableError (exit 6) when it never got an answer. */
export function unreachable(endpoint: string, err: unknown): UnreachableError {
  const code = codeOf(err) ?? codeOf(err instanceof Error ? err.cause : undefined);
  return new UnreachableError(`cannot reach ${endpoint}${code === undefined ? '' : ` (${code})`}`, {
    cause: err,
    hint: 'check --endpoint / ANODE_ENDPOINT and that the server is running',
  });
}

/**
 * An https:// endpoint whose server answered in plain HTTP: OpenSSL reads the HTTP reply
 * as a TLS record and fails with "wrong version number" (EPROTO). Returns the operator's
 * explanation, or undefined for any other error.
 */
export function tlsMismatch(endpoint: string, err: unknown): UnreachableError | undefined {
  if (!endpoint.startsWith('https:')) return undefined;
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const code = codeOf(e);
    const message = e instanceof Error ? e.message : '';
    if ((code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER') && /wrong version number|packet length too long/i.test(message)) {
      return new UnreachableError(`${endpoint} does not speak TLS: the node there serves plain HTTP`, {
        cause: err,
        hint: `use ${endpoint.replace(/^https:/, 'http:')} in --endpoint / ANODE_ENDPOINT, or give the node [tls] cert and key`,
      });
    }
    e = e instanceof Error ? e.cause : undefined;
  }
  return undefined;
}

/** The two planes of a node; each answers errors in its own format (admin: JSON, S3: XML). */
export type ApiPlane = 'admin' | 's3';

/** An endpoint that answered as the other plane: the admin endpoint pointed at the S3 port, or the reverse. */
export function wrongPlane(endpoint: string, expected: ApiPlane, cause?: unknown): UnreachableError {
  return expected === 'admin'
    ? new UnreachableError(`${endpoint} answered as the S3 API, not the admin API`, {
        cause,
        hint: 'point --endpoint / ANODE_ENDPOINT at the admin listener (server.admin_listen, default 127.0.0.1:8081), not the S3 port',
      })
    : new UnreachableError(`${endpoint} answered as the admin API, not the S3 API`, {
        cause,
        hint: 'point --s3-endpoint / ANODE_S3_ENDPOINT at the S3 listener (server.s3_listen, default port 8080), not the admin port',
      });
}

/**
 * The CLI error for an HTTP error answer from the admin API. The message is the
 * server's (an S3-style Code and Message), never the request's credentials.
 */
export function errorForHttpStatus(status: number, message: string): UserError {
  if (status === 401 || status === 403) return new PermissionDeniedError(message);
  if (status === 404) return new NotFoundError(message);
  if (status === 409 || status === 412) return new ConflictError(message);
  return new UserError(message);
}

/** Exit code for anything thrown out of a command. */
export function exitCodeFor(err: unknown): ExitCode {
  return err instanceof CliError ? err.exitCode : ExitCode.General;
}

/** Maps a file-system error on path to the CLI error an operator understands; other errors pass through. */
export function fileError(err: unknown, path: string): unknown {
  const code = codeOf(err);
  if (code === 'ENOENT') return new NotFoundError(`${path}: no such file or directory`, { cause: err });
  if (code === 'EACCES' || code === 'EPERM') return new PermissionDeniedError(`${path}: permission denied`, { cause: err });
  if (code === 'EISDIR') return new UsageError(`${path} is a directory`, { cause: err });
  if (code === 'ENOTDIR') return new UsageError(`${path}: not a directory`, { cause: err });
  return err;
}
