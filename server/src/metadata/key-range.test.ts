import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prefixUpperBound } from './key-range.js';

const utf8Less = (a: string, b: string): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0;

test('the bound is just past every key with the prefix', () => {
  assert.equal(prefixUpperBound('photos/'), 'photos0');
  assert.equal(prefixUpperBound('a'), 'b');
  assert.equal(prefixUpperBound('é'), 'ê');
  assert.equal(prefixUpperBound('x\uD7FF'), 'x\uE000');
  assert.equal(prefixUpperBound('x\u{10FFFF}'), 'y');
  assert.equal(prefixUpperBound('\u{10FFFF}\u{10FFFF}'), null);
  assert.equal(prefixUpperBound(''), null);
});

test('keys with the prefix sort below the bound and the bound sorts below other keys after them', () => {
  for (const prefix of ['a', 'dir/', 'é', '日本', '😀', 'z\u{10FFFF}']) {
    const bound = prefixUpperBound(prefix);
    assert.ok(bound !== null);
    for (const tail of ['', 'a', '\u007f', 'é', '\uFFFD', '😀', '\u{10FFFF}\u{10FFFF}']) {
      assert.ok(utf8Less(prefix + tail, bound), `${prefix}${tail} < ${bound}`);
    }
    assert.equal(bound.startsWith(prefix), false);
  }
});
