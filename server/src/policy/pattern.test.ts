import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, matchPattern, PatternSyntaxError, resolveText } from './pattern.js';

const vars: Record<string, string> = { 'aws:username': 'bob', 's3:prefix': 'a*b' };
const lookup = (k: string): string | undefined => vars[k];
const W = { wildcards: true, variables: true };

const matchCases: [string, string, boolean, boolean?][] = [
  ['arn:aws:s3:::b/*', 'arn:aws:s3:::b/x/y/z', true],
  ['arn:aws:s3:::b/*', 'arn:aws:s3:::b/', true],
  ['arn:aws:s3:::b/*', 'arn:aws:s3:::b', false],
  ['arn:aws:s3:::b/?', 'arn:aws:s3:::b/x', true],
  ['arn:aws:s3:::b/?', 'arn:aws:s3:::b/xy', false],
  ['arn:aws:s3:::b/a*c*e', 'arn:aws:s3:::b/abcde', true],
  ['arn:aws:s3:::b/a*c*e', 'arn:aws:s3:::b/abcdf', false],
  ['arn:aws:s3:::b/*.jpg', 'arn:aws:s3:::b/x.JPG', false],
  ['arn:aws:s3:::b/*.jpg', 'arn:aws:s3:::b/x.JPG', true, true],
  ['a**b', 'ab', true],
  ['*', '', true],
  ['?', '', false],
  ['x?z', 'x€z', true], // ? is one character, not one byte
  ['home/${aws:username}/*', 'home/bob/file', true],
  ['home/${aws:username}/*', 'home/alice/file', false],
  ['home/${aws:missing}/*', 'home//file', false],
  ["home/${aws:missing, 'nobody'}/*", 'home/nobody/f', true],
  ['literal/${*}', 'literal/*', true],
  ['literal/${*}', 'literal/x', false],
  ['q${?}', 'q?', true],
  ['cost${$}', 'cost$', true],
  ['p/${s3:prefix}', 'p/a*b', true], // a substituted * is literal
  ['p/${s3:prefix}', 'p/axxb', false],
];
for (const [pattern, subject, want, ignoreCase] of matchCases) {
  test(`pattern ${pattern} ${want ? 'matches' : 'does not match'} ${subject}`, () => {
    assert.equal(matchPattern(compilePattern(pattern, W), subject, lookup, ignoreCase ?? false), want);
  });
}

test('without wildcards * and ? are literal', () => {
  const p = compilePattern('a*?', { wildcards: false, variables: false });
  assert.equal(matchPattern(p, 'a*?', lookup), true);
  assert.equal(matchPattern(p, 'abc', lookup), false);
});

test('without variables ${...} is literal (2008-10-17)', () => {
  const p = compilePattern('home/${aws:username}', { wildcards: true, variables: false });
  assert.equal(matchPattern(p, 'home/${aws:username}', lookup), true);
  assert.equal(matchPattern(p, 'home/bob', lookup), false);
});

test('resolveText substitutes or gives null for a missing variable', () => {
  assert.equal(resolveText(compilePattern('u-${aws:username}', W), lookup), 'u-bob');
  assert.equal(resolveText(compilePattern('u-${aws:nope}', W), lookup), null);
});

test('malformed variables are syntax errors', () => {
  for (const bad of ['x${aws:username', '${}', '${a b}', '${k, default}', '${k,}']) {
    assert.throws(() => compilePattern(bad, W), PatternSyntaxError, bad);
  }
});

test('matching is fast on hostile patterns', () => {
  const p = compilePattern(`${'*a'.repeat(200)}b`, W);
  const started = Date.now();
  assert.equal(matchPattern(p, 'a'.repeat(5000), lookup), false);
  assert.ok(Date.now() - started < 1000);
});
