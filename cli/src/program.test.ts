import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { globalsOf } from './context.js';
import { ConflictError } from './errors.js';
import { buildProgram, commandPaths, run, VERSION } from './program.js';
import { testIo } from './test-io.js';

const argv = (...args: string[]): string[] => ['node', 'anodectl', ...args];

test('--help and --version exit 0 and print to stdout', async () => {
  const io = testIo();
  assert.equal(await run(buildProgram(io), argv('--help'), io), 0);
  assert.match(io.stdout.text(), /Usage: anodectl/);
  assert.match(io.stdout.text(), /--endpoint <url>[\s\S]*--profile <name>[\s\S]*--json[\s\S]*--yes[\s\S]*--ca <path>[\s\S]*--no-color/);
  const v = testIo();
  assert.equal(await run(buildProgram(v), argv('--version'), v), 0);
  assert.equal(v.stdout.text().trim(), VERSION);
});

test("usage errors exit 2 with commander's message on stderr", async () => {
  for (const args of [
    ['bogus'],
    ['--bogus'],
    ['certs', 'issue'],
    ['certs', 'init-ca', '--days', '0'],
    ['certs', 'init-ca', '--days', '1.5'],
    ['certs'],
    ['certs', 'inspect', 'a', 'b'],
  ]) {
    const io = testIo();
    assert.equal(await run(buildProgram(io), argv(...args), io), 2, args.join(' '));
    assert.notEqual(io.stderr.text(), '', args.join(' '));
    assert.equal(io.stdout.text(), '', `${args.join(' ')}: nothing on stdout`);
  }
  const io = testIo();
  await run(buildProgram(io), argv('certs', 'init-ca', '--days', 'ten'), io);
  assert.match(io.stderr.text(), /expected a whole number from 1 to 36500/);
});

test('global options are accepted before or after the subcommand', async () => {
  let seen: ReturnType<typeof globalsOf> | undefined;
  for (const args of [
    ['--json', '--yes', '--endpoint', 'http://h:1', '--no-color', 'probe'],
    ['probe', '--json', '--yes', '--endpoint', 'http://h:1', '--no-color'],
  ]) {
    const io = testIo();
    const program = buildProgram(io);
    program.addCommand(new Command('probe').action((_o, cmd: Command) => void (seen = globalsOf(cmd))));
    assert.equal(await run(program, argv(...args), io), 0);
    assert.deepEqual(seen, { json: true, output: 'json', yes: true, color: false, endpoint: 'http://h:1' });
  }
});

test('-o picks the format, --json is -o json, and two different formats are a usage error', async () => {
  for (const [args, output] of [
    [['-o', 'yaml', 'probe'], 'yaml'],
    [['probe', '--output', 'wide'], 'wide'],
    [['probe', '--json', '-o', 'json'], 'json'],
    [['probe'], 'table'],
  ] as const) {
    const io = testIo();
    const program = buildProgram(io);
    let seen: ReturnType<typeof globalsOf> | undefined;
    program.addCommand(new Command('probe').action((_o, cmd: Command) => void (seen = globalsOf(cmd))));
    assert.equal(await run(program, argv(...args), io), 0);
    assert.equal(seen?.output, output);
    assert.equal(seen?.json, output === 'json' || output === 'yaml');
  }
  const io = testIo();
  const program = buildProgram(io);
  program.addCommand(new Command('probe').action((_o, cmd: Command) => void globalsOf(cmd)));
  assert.equal(await run(program, argv('probe', '--json', '-o', 'yaml'), io), 2);
  assert.equal(await run(buildProgram(testIo()), argv('-o', 'xml', 'status'), testIo()), 2);
});

test('user errors print their message and exit with their code; other errors are internal (exit 1)', async () => {
  const io = testIo();
  const program = buildProgram(io);
  program.addCommand(
    new Command('refuse').action(() => {
      throw new ConflictError('would overwrite x', { hint: 'pass --force' });
    }),
  );
  program.addCommand(
    new Command('crash').action(() => {
      throw new TypeError('undefined is not a function');
    }),
  );
  assert.equal(await run(program, argv('refuse'), io), 5);
  assert.equal(io.stderr.text(), 'error: would overwrite x\nhint: pass --force\n');
  const io2 = testIo();
  const program2 = buildProgram(io2);
  program2.addCommand(
    new Command('crash').action(() => {
      throw new TypeError('undefined is not a function');
    }),
  );
  assert.equal(await run(program2, argv('crash'), io2), 1);
  assert.match(io2.stderr.text(), /internal error: undefined is not a function\nhint: this is a bug/);
  assert.doesNotMatch(io2.stderr.text(), /at .*\.ts:/, 'no stack trace unless ANODE_DEBUG is set');
});

test('commandPaths walks the whole tree', () => {
  const paths = commandPaths(buildProgram(testIo())).map((p) => p.join(' '));
  for (const expected of ['certs', 'certs init-ca', 'certs issue', 'certs inspect', 'firewall'])
    assert.ok(paths.includes(expected), expected);
});
