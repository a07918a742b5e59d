import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdminApiError } from '@anode/shared/admin-api/index';
import { ConflictError, NotFoundError, PermissionDeniedError, UnreachableError, UsageError } from '../../errors.js';
import { testIo } from '../../test-io.js';
import { cliErrorFor, parseDuration, s3EndpointFor } from './session.js';
import { parseCredentialsFile } from './index.js';

test('parseDuration reads s/m/h/d/w and bare seconds, and refuses the rest', () => {
  assert.equal(parseDuration('90'), 90);
  assert.equal(parseDuration('90s'), 90);
  assert.equal(parseDuration('30m'), 1800);
  assert.equal(parseDuration('1h'), 3600);
  assert.equal(parseDuration('2d'), 172800);
  assert.equal(parseDuration('1w'), 604800);
  for (const bad of ['', '1.5h', '-1h', 'h', '1y', '1h30m']) assert.throws(() => parseDuration(bad), UsageError, bad);
});

test('the S3 endpoint: flag, then ANODE_S3_ENDPOINT, then the admin host on port 8080', () => {
  const io = testIo();
  assert.equal(s3EndpointFor({ endpoint: 'http://10.0.0.5:8081' }, undefined, io), 'http://10.0.0.5:8080');
  assert.equal(s3EndpointFor({ endpoint: 'https://anode.example:8081' }, undefined, io), 'https://anode.example:8080');
  assert.equal(s3EndpointFor({ endpoint: 'http://10.0.0.5:8081' }, 'http://s3.example:9000/', io), 'http://s3.example:9000');
  const withEnv = { ...io, env: { ANODE_S3_ENDPOINT: 'http://127.0.0.1:9100' } };
  assert.equal(s3EndpointFor({ endpoint: 'http://10.0.0.5:8081' }, undefined, withEnv), 'http://127.0.0.1:9100');
  assert.equal(s3EndpointFor({ endpoint: 'http://10.0.0.5:8081', s3Endpoint: 'https://s3.example' }, undefined, io), 'https://s3.example');
});

test('server answers map to exit-code errors; transport failures to unreachable', () => {
  assert.ok(cliErrorFor('x', new AdminApiError(403, 'AccessDenied', 'no')) instanceof PermissionDeniedError);
  assert.ok(cliErrorFor('x', new AdminApiError(404, 'NoSuchCredential', 'no')) instanceof NotFoundError);
  assert.ok(cliErrorFor('x', new AdminApiError(409, 'ReadOnlyMode', 'no')) instanceof ConflictError);
  assert.match(
    String((cliErrorFor('x', new AdminApiError(409, 'ReadOnlyMode', 'read-only')) as Error).message),
    /read-only \(ReadOnlyMode, HTTP 409\)/,
  );
  assert.ok(cliErrorFor('http://h', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })) instanceof UnreachableError);
  const other = new Error('bug');
  assert.equal(cliErrorFor('x', other), other);
});

test('parseCredentialsFile reads the AWS credentials format the node writes', () => {
  const text =
    '# Anode root credential\n[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n';
  assert.deepEqual(parseCredentialsFile(text), {
    accessKey: 'AKIAIOSFODNN7EXAMPLE',
    secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  });
  assert.deepEqual(parseCredentialsFile('[default]\n'), {});
});
