/**
 * Supply chain (hardening issue 12): scripts/supply-chain.sh (run by .ci/run) writes a
 * CycloneDX SBOM of the runtime dependencies and runs `npm audit --omit=dev`, carrying on
 * with a clear note when the registry does not answer; SECURITY.md says how to report and
 * which versions are supported; and every runtime dependency is imported by shipped code.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../helpers/anode-node.js';

const run = promisify(execFile);
const SCRIPT = join(REPO_ROOT, 'scripts', 'supply-chain.sh');

async function sourceFiles(dir: string, out: string[] = []): Promise<string[]> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await sourceFiles(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

describe('supply chain', () => {
  it('writes a CycloneDX SBOM of the runtime dependencies; an unreachable registry skips the audit with a note, exit 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'anode-sbom-'));
    try {
      const out = join(dir, 'sbom.cdx.json');
      // A registry on a port nothing listens on: the advisory endpoint cannot answer.
      const { stdout } = await run('bash', [SCRIPT, out], {
        env: { ...process.env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0' },
        timeout: 120_000,
      });
      assert.match(stdout, /NOTE: npm audit NOT DONE: the registry's advisory endpoint did not answer/);
      const bom = JSON.parse(await readFile(out, 'utf8')) as { bomFormat: string; components: { name: string }[] };
      assert.equal(bom.bomFormat, 'CycloneDX');
      const names = new Set(bom.components.map((c) => c.name));
      for (const dep of ['pino', 'pg', 'pg-protocol', 'commander', 'node-forge']) assert.ok(names.has(dep), `${dep} in the SBOM`);
      for (const dev of ['typescript', 'eslint', 'fast-check']) assert.ok(!names.has(dev), `dev dependency ${dev} not in the SBOM`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('.ci/run runs it and the SBOM file is git-ignored', async () => {
    assert.match(await readFile(join(REPO_ROOT, '.ci', 'run'), 'utf8'), /scripts\/supply-chain\.sh sbom\.cdx\.json/);
    assert.match(await readFile(join(REPO_ROOT, '.gitignore'), 'utf8'), /^sbom\.cdx\.json$/m);
  });

  it('SECURITY.md says how to report and which versions are supported', async () => {
    const text = await readFile(join(REPO_ROOT, 'SECURITY.md'), 'utf8');
    assert.match(text, /## Reporting a vulnerability/);
    assert.match(text, /## Supported versions/);
    const version = (JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    assert.ok(text.includes(version.replace(/\.\d+$/, '.x')), `the current ${version} line is listed`);
  });

  for (const ws of ['server', 'cli', 'shared']) {
    it(`every dependency of ${ws}/package.json is imported by ${ws}/src`, async () => {
      const pkg = JSON.parse(await readFile(join(REPO_ROOT, ws, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      const code = (await Promise.all((await sourceFiles(join(REPO_ROOT, ws, 'src'))).map((f) => readFile(f, 'utf8')))).join('\n');
      for (const dep of Object.keys(pkg.dependencies ?? {})) {
        const esc = dep.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
        assert.match(code, new RegExp(`from '${esc}(/[^']*)?'|import\\('${esc}(/[^']*)?'\\)`), `${dep} is listed but nothing imports it`);
      }
    });
  }
});
