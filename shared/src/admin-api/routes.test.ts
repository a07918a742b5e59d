import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_ROUTES, matchRoute, routePath, type AdminRouteName } from './routes.js';

test('every route builds a path that matches back to itself', () => {
  for (const name of Object.keys(ADMIN_ROUTES) as AdminRouteName[]) {
    const path = routePath(name, { accessKey: 'AKIAIOSFODNN7EXAMPLE', bucket: 'my-bucket', requestId: '0123456789ABCDEF', node: 'node1' });
    const m = matchRoute(ADMIN_ROUTES[name].method, path);
    assert.equal(m.kind, 'match', `${name} ${path}`);
    if (m.kind === 'match') assert.equal(m.name, name);
  }
});

test('literal segments win over parameters, and methods pick among routes on one path', () => {
  assert.deepEqual(matchRoute('POST', '/admin/credentials/revoke-all'), { kind: 'match', name: 'revokeAllCredentials', params: {} });
  assert.deepEqual(matchRoute('DELETE', '/admin/credentials/AKIAIOSFODNN7EXAMPLE'), {
    kind: 'match',
    name: 'revokeCredential',
    params: { accessKey: 'AKIAIOSFODNN7EXAMPLE' },
  });
  assert.deepEqual(matchRoute('POST', '/admin/credentials/AKIA1/rotate'), {
    kind: 'match',
    name: 'rotateCredential',
    params: { accessKey: 'AKIA1' },
  });
  assert.equal((matchRoute('GET', '/admin/blocklist') as { name: string }).name, 'listBlocklist');
  assert.equal((matchRoute('DELETE', '/admin/blocklist') as { name: string }).name, 'removeBlock');
});

test('405 lists the allowed methods; unknown paths are not found', () => {
  assert.deepEqual(matchRoute('PUT', '/admin/status'), { kind: 'method-not-allowed', allow: ['GET'] });
  assert.deepEqual(matchRoute('PATCH', '/admin/buckets/b/permissions'), { kind: 'method-not-allowed', allow: ['GET', 'PUT'] });
  assert.deepEqual(matchRoute('GET', '/admin/nope'), { kind: 'not-found' });
  assert.deepEqual(matchRoute('GET', '/admin/status/'), { kind: 'not-found' });
});

test('parameters are one decoded segment: never empty, never a slash, never malformed escapes', () => {
  assert.deepEqual(matchRoute('GET', '/admin/buckets/a%2Db/permissions'), {
    kind: 'match',
    name: 'getBucketPermissions',
    params: { bucket: 'a-b' },
  });
  assert.equal(matchRoute('GET', '/admin/buckets/a%2Fb/permissions').kind, 'not-found');
  assert.equal(matchRoute('GET', '/admin/buckets//permissions').kind, 'not-found');
  assert.equal(matchRoute('GET', '/admin/buckets/%E0%A4%A/permissions').kind, 'not-found');
  assert.equal(routePath('getBucketPermissions', { bucket: 'a/b' }), '/admin/buckets/a%2Fb/permissions');
  assert.throws(() => routePath('revokeCredential', {}), /missing path parameter accessKey/);
});

test('every mutating route names its audit action; reads have none', () => {
  for (const [name, spec] of Object.entries(ADMIN_ROUTES)) {
    // A POST may be a read whose input does not fit a query string (policy simulate).
    if (spec.method === 'GET' || spec.readOnly === 'read') {
      assert.equal(spec.readOnly, 'read', name);
      assert.equal(spec.audit, null, name);
    } else {
      assert.notEqual(spec.readOnly, 'read', name);
      assert.match(spec.audit ?? '', /^[a-z_]+(\.[a-z_]+)+$/, name);
    }
  }
});
