// --help as an operator reads it: examples on every command, the global flags on every
// subcommand, the exit codes on the top level; and shell completion generated from the
// same command tree, loaded by real shells.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram, commandPaths, run } from '../../cli/src/program.js';
import { ExitCode } from '../../cli/src/errors.js';
import { EXAMPLES } from '../../cli/src/help.js';
import { testIo } from '../../cli/src/test-io.js';
import { missingTool } from '../helpers/missing-tool.js';
import { runCli } from './run-cli.js';

async function help(path: string[]): Promise<string> {
  const io = testIo();
  const code = await run(buildProgram(io), ['node', 'anodectl', ...path, '--help'], io);
  assert.equal(code, 0);
  return io.stdout.text();
}

test('every command has examples in --help, and every subcommand lists the global flags', async () => {
  const paths = commandPaths(buildProgram(testIo()));
  for (const path of paths) {
    assert.ok((EXAMPLES[path.join(' ')] ?? []).length > 0, `no examples for anodectl ${path.join(' ')} (cli/src/help.ts)`);
    const text = await help(path);
    assert.match(text, /\nExamples:\n  \$ \S/, `anodectl ${path.join(' ')} --help`);
    for (const example of EXAMPLES[path.join(' ')]!) assert.ok(text.includes(example), example);
    for (const flag of ['--json', '--yes', '--endpoint', '--profile', '--output'])
      assert.ok(text.includes(flag), `anodectl ${path.join(' ')} --help lacks the global ${flag}`);
  }
  for (const key of Object.keys(EXAMPLES))
    assert.ok(key === '' || paths.some((p) => p.join(' ') === key), `EXAMPLES has "${key}", which is not a command`);
});

test('every example runs the command it is listed under (or one of its subcommands)', () => {
  const program = buildProgram(testIo());
  const paths = new Set(commandPaths(program).map((p) => p.join(' ')));
  for (const [key, lines] of Object.entries(EXAMPLES))
    for (const line of lines) {
      // The command path: the words that extend a real path, as the completion scripts find it.
      let cmd = '';
      for (const w of line.replace(/#.*$/, '').split(/\s+/).slice(1)) {
        const next = cmd === '' ? w : `${cmd} ${w}`;
        if (paths.has(next)) cmd = next;
      }
      if (key !== '' && line.startsWith('anodectl '))
        assert.ok(cmd === key || cmd.startsWith(`${key} `), `example under "${key}" runs "${cmd}": ${line}`);
    }
});

test('the top-level --help lists every exit code', async () => {
  const text = await help([]);
  assert.match(text, /\nExit codes:\n/);
  for (const code of Object.values(ExitCode)) assert.match(text, new RegExp(`^  ${code} +\\S`, 'm'), `exit code ${code}`);
  for (const line of text.split('\n')) assert.ok(line.length <= 100, line);
});

const dir = mkdtempSync(join(tmpdir(), 'anodectl-completion-'));

async function script(shell: string): Promise<string> {
  const r = await runCli(['completion', shell]);
  assert.equal(r.code, 0, r.stderr);
  const file = join(dir, `anodectl.${shell}`);
  writeFileSync(file, r.stdout);
  return file;
}

test('completion bash: complete -p after sourcing, and it completes nouns, verbs and -o values', async () => {
  const file = await script('bash');
  const sh = (body: string) => spawnSync('bash', ['--noprofile', '--norc', '-c', `source ${file}\n${body}`], { encoding: 'utf8' });
  const p = sh('complete -p anodectl');
  assert.equal(p.status, 0, p.stderr);
  assert.equal(p.stdout.trim(), 'complete -F _anodectl anodectl');
  const reply = (words: string[]) =>
    sh(`COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _anodectl; printf '%s\\n' "\${COMPREPLY[@]}"`)
      .stdout.trim()
      .split('\n');
  assert.ok(reply(['anodectl', 'buc']).includes('buckets'));
  const verbs = reply(['anodectl', 'buckets', '']);
  for (const v of ['create', 'delete', 'list', 'permissions', '--json']) assert.ok(verbs.includes(v), v);
  assert.deepEqual(reply(['anodectl', '-o', '']), ['table', 'wide', 'json', 'yaml']);
  assert.ok(reply(['anodectl', '--profile', 'prod', 'buckets', 'delete', '--']).includes('--force'), 'a flag value is not a command word');
  assert.deepEqual(
    reply(['anodectl', 'completion', '']).filter((w) => !w.startsWith('-')),
    [],
  );
});

test('completion zsh parses (zsh -n) and defines _anodectl', { skip: missingTool('zsh') }, async () => {
  const file = await script('zsh');
  const n = spawnSync('zsh', ['-n', file], { encoding: 'utf8' });
  assert.equal(n.status, 0, n.stderr);
  const r = spawnSync('zsh', ['-f', '-c', `autoload -U compinit && compinit -u -D && source ${file} && whence -w _anodectl`], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /_anodectl: function/);
});

test('completion fish parses (fish -n) and completes verbs', { skip: missingTool('fish') }, async () => {
  const file = await script('fish');
  const n = spawnSync('fish', ['--no-execute', file], { encoding: 'utf8' });
  assert.equal(n.status, 0, n.stderr);
  const r = spawnSync('fish', ['--no-config', '-c', `source ${file}; complete -C 'anodectl buckets '`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  for (const v of ['create', 'delete', 'list']) assert.match(r.stdout, new RegExp(`^${v}\\t`, 'm'));
});
