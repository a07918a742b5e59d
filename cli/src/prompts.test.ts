import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ConflictError } from './errors.js';
import { confirm, confirmOrAbort } from './prompts.js';

/** Types an answer once the prompt is listening (it attaches to stdin asynchronously). */
function typeLater(input: PassThrough, answer: string): void {
  setTimeout(() => {
    input.write(answer);
    input.write('\r');
  }, 50);
}

function streams(isTTY: boolean) {
  const input = new PassThrough() as PassThrough & { isTTY?: boolean };
  input.isTTY = isTTY;
  return { input, output: new PassThrough() };
}

test('--yes proceeds without reading stdin', async () => {
  assert.equal(await confirm('delete bucket b1?', { yes: true, streams: streams(false) }), true);
  await confirmOrAbort('delete?', { yes: true, streams: streams(false) });
});

test('no TTY and no --yes: refused at once with exit 5 and a hint to pass --yes', async () => {
  const started = Date.now();
  await assert.rejects(confirm('delete bucket b1?', { yes: false, streams: streams(false) }), (err: unknown) => {
    assert.ok(err instanceof ConflictError);
    assert.equal(err.exitCode, 5);
    assert.match(err.message, /delete bucket b1\?/);
    assert.match(err.hint ?? '', /--yes/);
    return true;
  });
  assert.ok(Date.now() - started < 1000, 'must not wait for input');
});

test('on a terminal the answer is read: "y" proceeds, "n" aborts with exit 5', async () => {
  const yes = streams(true);
  const asked = confirm('go?', { yes: false, streams: yes });
  typeLater(yes.input, 'y');
  assert.equal(await asked, true);

  const no = streams(true);
  const aborted = confirmOrAbort('go?', { yes: false, streams: no });
  typeLater(no.input, 'n');
  await assert.rejects(aborted, (err: unknown) => err instanceof ConflictError && /answered no/.test(err.message));
});
