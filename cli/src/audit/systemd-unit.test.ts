import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { evaluateUnit, serviceDirectives, unitSetsRootSecret } from './systemd-unit.js';

const shipped = readFileSync(new URL('../../../deploy/systemd/anode.service', import.meta.url), 'utf8');

test('the unit the project ships has every required and recommended directive', () => {
  assert.deepEqual(evaluateUnit(shipped), { missingRequired: [], missingRecommended: [] });
  assert.equal(unitSetsRootSecret(shipped), false);
});

test('a bare unit running as root misses every required directive', () => {
  const v = evaluateUnit('[Unit]\nDescription=x\n[Service]\nExecStart=/usr/bin/node main.js server\nUser=root\n');
  assert.deepEqual(v.missingRequired, [
    'User=anode (not root)',
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'PrivateTmp=yes',
    'CapabilityBoundingSet= (empty)',
  ]);
  assert.ok(v.missingRecommended.includes('UMask=0027'));
});

test('weak values count as missing; only [Service] is read; continuation lines join', () => {
  const v = evaluateUnit(
    '[Install]\nNoNewPrivileges=yes\n[Service]\nUser=anode\nNoNewPrivileges=no\nProtectSystem=full\nPrivateTmp=true\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE \\\n  CAP_SYS_ADMIN\nUMask=0022\n',
  );
  assert.deepEqual(v.missingRequired, ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'CapabilityBoundingSet= (empty)']);
  assert.ok(v.missingRecommended.includes('UMask=0027'));
  assert.equal(serviceDirectives('[Service]\nA=1\nA=2\n').get('A'), '2');
});

test('the root secret written into the unit is noticed on any Environment= line', () => {
  assert.equal(
    unitSetsRootSecret('[Service]\nEnvironment=NODE_ENV=production\nEnvironment="ANODE_ROOT_ACCESS_KEY=AKIA" ANODE_ROOT_SECRET_KEY=abc\n'),
    true,
  );
  assert.equal(unitSetsRootSecret('[Service]\nEnvironment=ANODE_ROOT_ACCESS_KEY=AKIA\n'), false);
});
