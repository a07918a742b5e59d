import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnodeError } from '@anode/shared';
import {
  AuditFailedError,
  ConflictError,
  errorForHttpStatus,
  ExitCode,
  exitCodeFor,
  fileError,
  InternalError,
  isTransportError,
  NotFoundError,
  PermissionDeniedError,
  UnreachableError,
  unreachable,
  UsageError,
  UserError,
} from './errors.js';

test('every error class carries its documented exit code', () => {
  assert.equal(exitCodeFor(new UserError('x')), 1);
  assert.equal(exitCodeFor(new UsageError('x')), 2);
  assert.equal(exitCodeFor(new NotFoundError('x')), 3);
  assert.equal(exitCodeFor(new PermissionDeniedError('x')), 4);
  assert.equal(exitCodeFor(new ConflictError('x')), 5);
  assert.equal(exitCodeFor(new UnreachableError('x')), 6);
  assert.equal(exitCodeFor(new AuditFailedError('x')), 10);
  assert.equal(exitCodeFor(new InternalError('x')), 1);
  assert.equal(exitCodeFor(new Error('bug')), ExitCode.General);
  assert.equal(exitCodeFor('thrown string'), 1);
  assert.ok(new UsageError('x') instanceof AnodeError, 'CLI errors extend the shared base class');
  assert.ok(new UsageError('x') instanceof UserError);
  assert.ok(!(new InternalError('x') instanceof UserError));
});

test('transport failures are recognised through undici-style cause chains', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8081'), { code: 'ECONNREFUSED' });
  assert.ok(isTransportError(refused));
  assert.ok(isTransportError(new TypeError('fetch failed', { cause: refused })));
  assert.ok(isTransportError(new TypeError('fetch failed', { cause: new AggregateError([refused]) })));
  assert.ok(!isTransportError(new Error('400 Bad Request')));
  const err = unreachable('http://127.0.0.1:8081', new TypeError('fetch failed', { cause: refused }));
  assert.equal(err.exitCode, 6);
  assert.match(err.message, /cannot reach http:\/\/127\.0\.0\.1:8081 \(ECONNREFUSED\)/);
});

test('HTTP statuses map to exit codes', () => {
  assert.equal(errorForHttpStatus(401, 'InvalidAccessKeyId').exitCode, 4);
  assert.equal(errorForHttpStatus(403, 'AccessDenied').exitCode, 4);
  assert.equal(errorForHttpStatus(404, 'NoSuchBucket').exitCode, 3);
  assert.equal(errorForHttpStatus(409, 'BucketNotEmpty').exitCode, 5);
  assert.equal(errorForHttpStatus(400, 'InvalidArgument').exitCode, 1);
  assert.equal(errorForHttpStatus(500, 'InternalError').exitCode, 1);
});

test('file errors become not-found / permission errors that name the path', () => {
  const mapped = fileError(Object.assign(new Error('x'), { code: 'ENOENT' }), '/nope');
  assert.ok(mapped instanceof NotFoundError);
  assert.match((mapped as Error).message, /\/nope: no such file/);
  assert.ok(fileError(Object.assign(new Error('x'), { code: 'EACCES' }), '/root/x') instanceof PermissionDeniedError);
  const other = new Error('other');
  assert.equal(fileError(other, '/x'), other);
});
