import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colorLevel, Output } from './output.js';
import { capture } from './test-io.js';

const tty = { write: () => true, isTTY: true };
const pipe = { write: () => true, isTTY: false };

test('colour only on a terminal, never with NO_COLOR or --no-color', () => {
  assert.equal(colorLevel(pipe, { color: true, env: {} }), 0);
  assert.ok(colorLevel(tty, { color: true, env: { TERM: 'xterm' } }) > 0);
  assert.equal(colorLevel(tty, { color: true, env: { NO_COLOR: '1' } }), 0);
  assert.equal(colorLevel(tty, { color: false, env: {} }), 0);
  assert.equal(colorLevel(tty, { color: true, env: { TERM: 'dumb' } }), 0);
  assert.equal(colorLevel(tty, { color: true, env: { NO_COLOR: '', TERM: 'xterm' } }), 1, 'an empty NO_COLOR does not count');
  assert.equal(colorLevel(pipe, { color: true, env: { FORCE_COLOR: '1' } }), 1);
  assert.equal(colorLevel(pipe, { color: false, env: { FORCE_COLOR: '1' } }), 0, '--no-color beats FORCE_COLOR');
});

test('--json prints one JSON document on stdout; messages stay on stderr', () => {
  const stdout = capture();
  const stderr = capture();
  const out = new Output(stdout, stderr, { json: true, color: true, env: {} });
  out.info('working...');
  out.warn('careful');
  out.result({ name: 'b1', size: 3 }, () => 'HUMAN TEXT');
  assert.deepEqual(JSON.parse(stdout.text()), { name: 'b1', size: 3 });
  assert.doesNotMatch(stdout.text(), /HUMAN|working|careful/);
  assert.match(stderr.text(), /working\.\.\.\nwarning: careful\n/);
});

test('human output: tables without ANSI codes when stdout is not a terminal', () => {
  const stdout = capture(false);
  const out = new Output(stdout, capture(), { json: false, color: true, env: {} });
  out.result(
    [
      { name: 'alpha', objects: 3 },
      { name: 'b', objects: null },
    ],
    (rows) =>
      out.table(
        [
          { header: 'name', value: (r) => r.name },
          { header: 'objects', value: (r) => r.objects },
        ],
        rows,
      ),
  );
  const text = stdout.text();
  assert.doesNotMatch(text, /\u001b\[/);
  assert.deepEqual(text.split('\n'), ['NAME   OBJECTS', 'alpha  3', 'b      -', '']);
});

test('errors and hints go to stderr, coloured only on a terminal', () => {
  const stderr = capture(true);
  const out = new Output(capture(), stderr, { json: false, color: true, env: { TERM: 'xterm' } });
  out.error('boom', 'try again');
  assert.match(stderr.text(), /\u001b\[31merror:\u001b\[39m boom\n.*hint: try again/);
});
