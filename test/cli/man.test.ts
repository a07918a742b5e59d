// The man pages render without warnings, and they cover what exists: every anodectl
// command and option (walking the real commander tree), every exit code, and every
// server configuration key with its default and environment variable.
import { missingTool } from '../helpers/missing-tool.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CONFIG_SCHEMA } from '../../server/src/config/schema.js';
import { ExitCode } from '../../cli/src/errors.js';
import { buildProgram, commandPaths } from '../../cli/src/program.js';
import { testIo } from '../../cli/src/test-io.js';
import { REPO } from './run-cli.js';

const PAGES = ['anodectl.1', 'anode.8', 'anode-config.5'];
const page = (name: string): string => join(REPO, 'man', name);

/** roff source -> the words a reader sees (escapes for dashes, quotes and fonts removed). */
function plain(roff: string): string {
  return roff
    .split('\n')
    .filter((l) => !l.startsWith('.\\"'))
    .join('\n')
    .replace(/\\-/g, '-')
    .replace(/\\\(dq/g, '"')
    .replace(/\\%|\\\||\\&/g, '')
    .replace(/\\f[BIRP]/g, '')
    .replace(/\\e/g, '\\');
}

/** Title -> body of each .SS subsection (up to the next .SS or .SH), normalised. */
function subsections(roff: string): Map<string, string> {
  const map = new Map<string, string>();
  let title: string | undefined;
  let body: string[] = [];
  const flush = (): void => {
    if (title !== undefined) map.set(title, plain(body.join('\n')));
  };
  for (const line of roff.split('\n')) {
    const ss = /^\.SS\s+"?(.*?)"?\s*$/.exec(line);
    if (ss !== null || line.startsWith('.SH')) {
      flush();
      title = ss === null ? undefined : plain(ss[1] ?? '');
      // Two people documenting the same command at once must not both land.
      assert.ok(title === undefined || !map.has(title), `duplicate .SS "${title ?? ''}"`);
      body = [];
    } else body.push(line);
  }
  flush();
  return map;
}

function section(roff: string, name: string): string {
  const start = roff.indexOf(`\n.SH ${name}\n`);
  assert.ok(start >= 0, `section ${name}`);
  const end = roff.indexOf('\n.SH ', start + 1);
  return plain(roff.slice(start, end === -1 ? undefined : end));
}

function findCommand(root: Command, path: string[]): Command {
  let cmd = root;
  for (const name of path) {
    const next = cmd.commands.find((c) => c.name() === name);
    assert.ok(next !== undefined, path.join(' '));
    cmd = next;
  }
  return cmd;
}

const longFlags = (cmd: Command): string[] => cmd.options.map((o) => o.long).filter((l): l is string => l !== undefined && l !== '--help');

for (const name of PAGES) {
  test(`${name} renders with groff -ww without a warning`, { skip: missingTool('groff') }, () => {
    const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z', page(name)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
  });

  test(`man -l ${name} formats the page`, { skip: missingTool('man') }, () => {
    const r = spawnSync('man', ['-l', page(name)], {
      encoding: 'utf8',
      env: { ...process.env, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '80' },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^NAME\n/m);
    assert.match(r.stdout, /^SEE ALSO\n/m);
  });
}

test('anodectl.1 has a section for every command in the tree, and no section for a command that does not exist', () => {
  const roff = readFileSync(page('anodectl.1'), 'utf8');
  const sections = subsections(roff);
  const program = buildProgram(testIo());
  const paths = commandPaths(program);
  assert.ok(paths.length >= 5);
  for (const path of paths) assert.ok(sections.has(`anodectl ${path.join(' ')}`), `man/anodectl.1 lacks .SS "anodectl ${path.join(' ')}"`);
  const real = new Set(paths.map((p) => `anodectl ${p.join(' ')}`));
  for (const title of sections.keys())
    if (title.startsWith('anodectl ')) assert.ok(real.has(title), `man/anodectl.1 documents "${title}", which is not a command`);
});

test('anodectl.1 mentions every option of every command in its section, and every global option', () => {
  const roff = readFileSync(page('anodectl.1'), 'utf8');
  const sections = subsections(roff);
  const program = buildProgram(testIo());
  for (const path of commandPaths(program)) {
    const body = sections.get(`anodectl ${path.join(' ')}`) ?? '';
    for (const flag of longFlags(findCommand(program, path)))
      assert.ok(body.includes(flag), `anodectl ${path.join(' ')}: ${flag} is not documented`);
  }
  const globals = section(roff, 'GLOBAL OPTIONS');
  for (const flag of [...longFlags(program), '--help']) assert.ok(globals.includes(flag), `global ${flag} is not documented`);
});

test('anodectl.1 and docs/cli.md list every exit code', () => {
  const exits = section(readFileSync(page('anodectl.1'), 'utf8'), 'EXIT STATUS');
  const doc = readFileSync(join(REPO, 'docs', 'cli.md'), 'utf8');
  for (const [name, code] of Object.entries(ExitCode)) {
    assert.match(exits, new RegExp(`^\\.B ${code}$`, 'm'), `anodectl.1 EXIT STATUS lacks ${code} (${name})`);
    assert.match(doc, new RegExp(`^\\| ${code} +\\|`, 'm'), `docs/cli.md lacks exit code ${code} (${name})`);
  }
});

test('anode-config.5 documents every configuration key with its default and environment variable', () => {
  const roff = readFileSync(page('anode-config.5'), 'utf8');
  const text = plain(roff);
  const sections = subsections(roff);
  const literal = (v: unknown): string =>
    typeof v === 'string' ? `"${v}"` : Array.isArray(v) ? `[${v.map((x) => `"${String(x)}"`).join(', ')}]` : String(v);
  for (const [name, keys] of Object.entries(CONFIG_SCHEMA)) {
    const body = sections.get(`[${name}]`);
    assert.ok(body !== undefined, `anode-config.5 lacks .SS "[${name}]"`);
    for (const [key, spec] of Object.entries(keys as Record<string, { default: unknown }>)) {
      assert.ok(body.includes(`.B ${key} = ${literal(spec.default)}`), `[${name}] ${key} = ${literal(spec.default)} is not documented`);
      assert.ok(
        body.includes(`ANODE_${name.toUpperCase()}_${key.toUpperCase()}`),
        `ANODE_${name.toUpperCase()}_${key.toUpperCase()} is not documented`,
      );
    }
  }
  assert.ok(text.includes('--data'));
});

test('anode.8 documents the server and break-glass commands and their options', () => {
  const text = plain(readFileSync(page('anode.8'), 'utf8'));
  for (const needle of [
    '.B server',
    'admin reset-root',
    '--config',
    '--data',
    'SIGHUP',
    'SIGTERM',
    'ANODE_ROOT_ACCESS_KEY',
    'ANODE_ROOT_SECRET_KEY',
    'master.key',
    'root-credentials',
  ]) {
    assert.ok(text.includes(needle), needle);
  }
});
