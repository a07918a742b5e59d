// The README runs as written: every shell block marked `<!-- readme-test -->` runs, in
// order, in one shell session (exports carry over), against a real node. The block marked
// `<!-- readme-test: env -->` names the variables that say where the node is; the test
// sets exactly those to its own node instead of running it. The working directory is a
// fresh one holding what a checkout has (bin/, docs/) and the node's anode-data/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { isolatedEnv, REPO } from './run-cli.js';

interface Block {
  kind: 'run' | 'env';
  line: number;
  text: string;
}

/** The shell blocks right after a `<!-- readme-test -->` (or `<!-- readme-test: env -->`) comment. */
export function markedBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^<!-- readme-test(: env)? -->$/.exec(lines[i]!.trim());
    if (!m) continue;
    let fence = i + 1;
    while ((lines[fence] ?? 'x').trim() === '') fence++; // prettier puts a blank line after the comment
    assert.match(lines[fence] ?? '', /^```(sh|bash)$/, `README.md:${i + 1}: a readme-test comment must be followed by a sh block`);
    const end = lines.indexOf('```', fence + 1);
    assert.ok(end > fence, `README.md:${fence + 1}: unterminated block`);
    blocks.push({ kind: m[1] === undefined ? 'run' : 'env', line: fence + 2, text: lines.slice(fence + 1, end).join('\n') });
    i = end;
  }
  return blocks;
}

const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
const blocks = markedBlocks(readme);
let node: AnodeNode;
let work: string;
let env: Record<string, string>;

before(async () => {
  for (const built of ['cli/dist/bin.js', 'server/dist/main.js'])
    assert.ok(existsSync(join(REPO, built)), `${built} is missing: run npm run build first`);
  node = await startNode();
  work = mkdtempSync(join(tmpdir(), 'anode-readme-'));
  symlinkSync(join(REPO, 'bin'), join(work, 'bin'));
  symlinkSync(join(REPO, 'docs'), join(work, 'docs'));
  // What the node's first start writes (the test node was given its root key instead).
  mkdirSync(join(work, 'anode-data'));
  writeFileSync(
    join(work, 'anode-data', 'root-credentials'),
    `[default]\naws_access_key_id = ${node.accessKey}\naws_secret_access_key = ${node.secretKey}\n`,
    { mode: 0o600 },
  );
  env = isolatedEnv({ ANODE_KEYRING: 'file', LANG: 'C.UTF-8' });
});

after(async () => {
  await node?.cleanup();
});

test('the README marks its runnable blocks, and the env block names the variables the steps use', () => {
  assert.ok(blocks.filter((b) => b.kind === 'run').length >= 3, 'at least the aws-cli, anodectl and certs blocks');
  const envBlocks = blocks.filter((b) => b.kind === 'env');
  assert.equal(envBlocks.length, 1);
  const names = [...envBlocks[0]!.text.matchAll(/\b([A-Z_][A-Z0-9_]*)=/g)].map((m) => m[1]).sort();
  assert.deepEqual(names, ['ANODE_ENDPOINT', 'ANODE_S3_ENDPOINT']);
  const defaults = Object.fromEntries([...envBlocks[0]!.text.matchAll(/\b([A-Z_][A-Z0-9_]*)=(\S+)/g)].map((m) => [m[1], m[2]]));
  assert.equal(defaults['ANODE_ENDPOINT'], 'http://127.0.0.1:8081', "the README's endpoint is anodectl's default");
  assert.equal(defaults['ANODE_S3_ENDPOINT'], 'http://127.0.0.1:8080');
  for (const b of blocks.filter((x) => x.kind === 'run'))
    for (const m of b.text.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)/g))
      if (m[1]!.startsWith('ANODE_')) assert.ok(names.includes(m[1]!), `README.md:${b.line}: $${m[1]} is not set by the env block`);
  // Every file a step names exists in the repository.
  for (const m of readme.matchAll(/(?:--file|--config) (docs\/\S+)/g)) assert.ok(existsSync(join(REPO, m[1]!)), `${m[1]} is shipped`);
});

test('the README blocks run in order against a real node', { timeout: 240_000 }, () => {
  const state = join(work, '.readme-state');
  writeFileSync(state, '');
  const nodeEnv = { ...env, ANODE_ENDPOINT: node.adminUrl, ANODE_S3_ENDPOINT: node.s3Url };
  const transcript: string[] = [];
  for (const block of blocks.filter((b) => b.kind === 'run')) {
    // One shell session across blocks: each starts from the variables the one before exported.
    const script = `set -eo pipefail\nsource ${JSON.stringify(state)}\n${block.text}\nexport -p > ${JSON.stringify(state)}\n`;
    const r = spawnSync('bash', ['--noprofile', '--norc', '-c', script], {
      cwd: work,
      env: nodeEnv,
      encoding: 'utf8',
      timeout: 180_000,
      input: '',
    });
    transcript.push(`--- README.md:${block.line}\n${r.stdout}${r.stderr}`);
    assert.equal(r.status, 0, `the block at README.md:${block.line} failed (exit ${r.status}):\n${transcript.join('\n').slice(-6000)}`);
  }
  const all = transcript.join('\n');
  // The steps did what they say.
  assert.match(all, /created bucket photos/);
  assert.match(all, /GC finished/);
  assert.match(all, /deleted bucket photos/);
  assert.ok(existsSync(join(work, 'ca', 'ca.crt')), 'certs init-ca wrote ca/');
  assert.ok(existsSync(join(work, 'big.copy')), 'the presigned URL downloaded the object');
  assert.ok(!all.includes(node.secretKey), 'no step printed the root secret');
});
