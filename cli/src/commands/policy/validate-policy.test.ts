import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceNamesBucket, validatePolicy } from './validate-policy.js';

const ok = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::b1/*', 'arn:aws:s3:::b1'] }],
};

test('a well-formed policy has no problems; a single Statement object is accepted', () => {
  assert.deepEqual(validatePolicy(JSON.stringify(ok), 'b1'), []);
  assert.deepEqual(validatePolicy(JSON.stringify({ ...ok, Statement: ok.Statement[0] }), 'b1'), []);
  assert.deepEqual(
    validatePolicy(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', NotPrincipal: { AWS: 'x' }, NotAction: 's3:*', NotResource: 'arn:aws:s3:::b1/k' }],
      }),
      'b1',
    ),
    [],
  );
});

test('each missing or wrong field is named, with the statement at fault', () => {
  assert.match(validatePolicy('{', 'b1')[0]!, /not valid JSON/);
  assert.deepEqual(validatePolicy('[]', 'b1'), ['the policy must be a JSON object']);
  const p = validatePolicy(
    JSON.stringify({
      Version: '2020-01-01',
      Statement: [{ Sid: 's', Effect: 'allow', Action: 'GetObject', Resource: 'arn:aws:s3:::b2/*' }],
    }),
    'b1',
  );
  assert.equal(p.length, 5, p.join('\n'));
  assert.match(p[0]!, /Version/);
  assert.ok(p.every((x, i) => i === 0 || x.startsWith('Statement 0 (s)')));
  assert.deepEqual(validatePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [] }), 'b1'), ['Statement is missing or empty']);
  assert.match(
    validatePolicy(
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Resource: 'arn:aws:s3:::b1' }] }),
      'b1',
    )[0]!,
    /Action is missing/,
  );
});

test('resources must name the bucket itself, not a prefix-sharing neighbour or a wildcard', () => {
  assert.equal(resourceNamesBucket('arn:aws:s3:::b1', 'b1'), true);
  assert.equal(resourceNamesBucket('arn:aws:s3:::b1/a/*', 'b1'), true);
  assert.equal(resourceNamesBucket('arn:aws:s3:::b10/*', 'b1'), false);
  assert.equal(resourceNamesBucket('arn:aws:s3:::*', 'b1'), false);
  assert.equal(resourceNamesBucket('*', 'b1'), false);
});
