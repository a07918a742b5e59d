import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colorLevel, Output, snakeCaseKeys } from './output.js';
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

test('-o yaml prints the result as YAML; -o wide shows the wide columns and full timestamps', () => {
  const stdout = capture();
  new Output(stdout, capture(), { json: false, format: 'yaml', color: true, env: {} }).result({ name: 'b1', tags: ['x'] }, () => 'HUMAN');
  assert.equal(stdout.text(), 'name: b1\ntags:\n  - x\n');

  const cols = (out: Output) => [
    { header: 'name', value: (r: { name: string; at: string }) => r.name },
    { header: 'created', value: (r: { name: string; at: string }) => out.when(r.at) },
    { header: 'region', value: () => 'us-east-1', wide: true },
  ];
  const rows = [{ name: 'b1', at: '2026-12-02T01:50:17.123Z' }];
  const narrow = new Output(capture(), capture(), { json: false, color: false, env: {} });
  assert.equal(narrow.table(cols(narrow), rows), 'NAME  CREATED\nb1    2026-12-02 01:50');
  const wide = new Output(capture(), capture(), { json: false, format: 'wide', color: false, env: {} });
  assert.equal(wide.table(cols(wide), rows), 'NAME  CREATED                   REGION\nb1    2026-12-02T01:50:17.123Z  us-east-1');
});

test('a default table wraps its widest column to fit 80 columns; -o wide never wraps', () => {
  const long = 'word '.repeat(40).trim();
  const rows = [{ id: 'A1', text: long }];
  const columns = [
    { header: 'id', value: (r: { id: string; text: string }) => r.id },
    { header: 'finding', value: (r: { id: string; text: string }) => r.text },
  ];
  const narrow = new Output(capture(), capture(), { json: false, color: false, env: {} }).table(columns, rows);
  for (const line of narrow.split('\n')) assert.ok(line.length <= 80, `${line.length}: ${line}`);
  assert.equal(narrow.replace(/\s+/g, ' ').includes(long), true, 'nothing is cut, only wrapped');
  const wide = new Output(capture(), capture(), { json: false, format: 'wide', color: false, env: {} }).table(columns, rows);
  assert.ok(wide.split('\n').some((l) => l.length > 80));
});

test('snakeCaseKeys turns camelCase keys into snake_case, deeply, and leaves values alone', () => {
  assert.deepEqual(snakeCaseKeys({ certPath: 'a', isCA: true, fingerprintSha256: 'x', list: [{ dnsNames: ['fooBar'] }] }), {
    cert_path: 'a',
    is_ca: true,
    fingerprint_sha256: 'x',
    list: [{ dns_names: ['fooBar'] }],
  });
});
