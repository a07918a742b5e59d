// Progress output under a real pseudo-terminal (util-linux `script`), the way an operator's
// terminal or a CI log runner sees it. A pty whose size nobody set reports 0 columns: ora
// used to divide by it and print escape codes forever, deaf to SIGTERM.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { isolatedEnv, REPO } from './run-cli.js';

const TSX = import.meta.resolve('tsx');
const BIN = join(REPO, 'cli/src/bin.ts');
const MAX_OUTPUT = 16 * 1024;
let node: AnodeNode;

function sh(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

interface PtyResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  ms: number;
}

/** Runs a shell command inside `script` (a new pty); script's own stdin is /dev/null, so the pty has no size. */
function underPty(command: string, env: Record<string, string>, timeoutMs: number, onStart?: () => void): Promise<PtyResult> {
  const t0 = Date.now();
  return new Promise((done, fail) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    let output = '';
    const add = (b: Buffer): void => {
      if (output.length < 10 * MAX_OUTPUT) output += b.toString('latin1');
    };
    child.stdout.on('data', add);
    child.stderr.on('data', add);
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, output, ms: Date.now() - t0 }));
    onStart?.();
  });
}

before(async () => {
  node = await startNode();
});

after(async () => {
  await node.cleanup();
});

function cliEnv(): Record<string, string> {
  return isolatedEnv({
    TERM: 'xterm',
    ANODE_ENDPOINT: node.adminUrl,
    ANODE_ACCESS_KEY: node.accessKey,
    ANODE_SECRET_KEY: node.secretKey,
  });
}

const gcWait = `${sh(process.execPath)} --import ${sh(TSX)} ${sh(BIN)} gc run --wait`;

test('gc run --wait in a pty of width 0 prints plain lines and ends', async () => {
  const r = await underPty(`stty cols 0 rows 0; stty size; ${gcWait}`, cliEnv(), 60_000);
  assert.equal(r.signal, null, `killed by the timeout: ${r.output.slice(0, 500)}`);
  assert.equal(r.code, 0, r.output.slice(0, 2000));
  assert.match(r.output, /^0 0\r?$/m, 'the pty really reported 0 columns');
  assert.ok(r.output.length < MAX_OUTPUT, `output is bounded (${r.output.length} bytes)`);
  assert.match(r.output, /GC running/);
  assert.match(r.output, /GC finished/);
  // No cursor movement or line erasing: the plain-line fallback.
  assert.doesNotMatch(r.output, /\x1b\[\d*[AGK]/);
});

test('gc run --wait in a pty of width 100 animates and still ends with bounded output', async () => {
  const r = await underPty(`stty cols 100 rows 30; ${gcWait}`, cliEnv(), 60_000);
  assert.equal(r.signal, null, `killed by the timeout: ${r.output.slice(0, 500)}`);
  assert.equal(r.code, 0, r.output.slice(0, 2000));
  assert.ok(r.output.length < MAX_OUTPUT, `output is bounded (${r.output.length} bytes)`);
  assert.match(r.output, /GC finished/);
});

for (const [cols, signal] of [
  [0, 'SIGTERM'],
  [100, 'SIGTERM'],
  [100, 'SIGINT'],
] as const) {
  test(`a spinner in a pty of width ${cols} stops on ${signal} and the process ends`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anodectl-spin-'));
    const pidFile = join(dir, 'pid');
    const script = join(dir, 'spin.ts');
    writeFileSync(
      script,
      [
        `import { writeFileSync } from 'node:fs';`,
        `import { startSpinner } from ${JSON.stringify(join(REPO, 'cli/src/spinner.ts'))};`,
        `const s = startSpinner({ text: 'working', stream: process.stderr, silent: false });`,
        `let n = 0;`,
        `setInterval(() => s.update('working ' + ++n), 50);`,
        `writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));`,
      ].join('\n'),
    );
    let sent = false;
    const r = await underPty(
      `stty cols ${cols} rows 30; ${sh(process.execPath)} --import ${sh(TSX)} ${sh(script)}; echo "exit=$?"`,
      cliEnv(),
      30_000,
      () => {
        const poll = setInterval(() => {
          if (!existsSync(pidFile)) return;
          const pid = Number(readFileSync(pidFile, 'utf8'));
          if (!(pid > 0)) return;
          clearInterval(poll);
          setTimeout(() => {
            process.kill(pid, signal);
            sent = true;
          }, 300);
        }, 50);
      },
    );
    assert.ok(sent, 'the signal was sent');
    assert.equal(r.signal, null, `still running at the timeout: ${r.output.slice(0, 300)}`);
    assert.match(r.output, new RegExp(`exit=${signal === 'SIGTERM' ? 143 : 130}`), r.output.slice(-300));
    assert.ok(r.output.length < MAX_OUTPUT, `output is bounded (${r.output.length} bytes)`);
  });
}
