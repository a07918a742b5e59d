import { test } from 'node:test';
import assert from 'node:assert/strict';
import { granteeLabel, parseAclXml } from './acl-xml.js';

const XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
  '<Owner><ID>abc123</ID><DisplayName>alice &amp; co</DisplayName></Owner><AccessControlList>' +
  '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>abc123</ID><DisplayName>alice</DisplayName></Grantee><Permission>FULL_CONTROL</Permission></Grant>' +
  '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>' +
  '</AccessControlList></AccessControlPolicy>';

test('parses owner and grants of an AccessControlPolicy, entities decoded', () => {
  const acl = parseAclXml(XML);
  assert.deepEqual(acl.owner, { id: 'abc123', display_name: 'alice & co' });
  assert.equal(acl.grants.length, 2);
  assert.deepEqual(acl.grants[0], { grantee: { type: 'CanonicalUser', id: 'abc123', display_name: 'alice' }, permission: 'FULL_CONTROL' });
  assert.equal(acl.grants[1]?.permission, 'READ');
  assert.match(granteeLabel(acl.grants[1]!.grantee), /^AllUsers/);
  assert.equal(granteeLabel(acl.grants[0]!.grantee), 'alice');
});

test('an empty ACL has no grants', () => {
  assert.deepEqual(
    parseAclXml('<AccessControlPolicy><Owner><ID>x</ID></Owner><AccessControlList></AccessControlList></AccessControlPolicy>'),
    { owner: { id: 'x', display_name: null }, grants: [] },
  );
});
