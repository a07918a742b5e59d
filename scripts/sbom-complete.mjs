#!/usr/bin/env node
// Completes a CycloneDX SBOM written by `npm sbom --sbom-format cyclonedx --omit dev`.
// npm 11 leaves out a runtime package that a dev dependency also uses when the tree
// dedupes it (here: commander, needed by the CLI and by dependency-cruiser). The runtime
// set is taken from `npm ls --omit dev --all` (which gets it right); every package there
// but missing from the SBOM is copied in from the full SBOM (`npm sbom` without --omit),
// and the script says which ones it added. Usage: node scripts/sbom-complete.mjs FILE
import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const file = process.argv[2];
if (!file) {
  console.error('usage: sbom-complete.mjs SBOM_FILE');
  process.exit(2);
}
const npm = (args) => execFileSync('npm', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
const bom = JSON.parse(readFileSync(file, 'utf8'));
if (bom.bomFormat !== 'CycloneDX') throw new Error(`${file} is not a CycloneDX document`);

const root = process.cwd();
const runtime = new Set();
let listed = '';
try {
  listed = npm(['ls', '--omit', 'dev', '--all', '--parseable']);
} catch (err) {
  listed = err.stdout ?? ''; // npm ls exits 1 on an extraneous/invalid package but still lists the tree
}
for (const dir of listed.split('\n').filter((l) => l.startsWith(join(root, 'node_modules')))) {
  try {
    if (lstatSync(dir).isSymbolicLink()) continue; // a workspace: this project itself, the SBOM's subject
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    runtime.add(`${pkg.name}@${pkg.version}`);
  } catch {
    // a directory without a package.json is not a package
  }
}

const have = new Set(bom.components.map((c) => `${c.name}@${c.version}`));
const missing = [...runtime].filter((id) => !have.has(id));
if (missing.length > 0) {
  const full = JSON.parse(npm(['sbom', '--sbom-format', 'cyclonedx']));
  const byId = new Map(full.components.map((c) => [`${c.name}@${c.version}`, c]));
  const added = [];
  for (const id of missing) {
    const c = byId.get(id);
    if (c) {
      bom.components.push(c);
      added.push(id);
      const deps = full.dependencies?.find((d) => d.ref === c['bom-ref']);
      if (deps && Array.isArray(bom.dependencies)) bom.dependencies.push(deps);
    }
  }
  writeFileSync(file, JSON.stringify(bom, null, 2) + '\n');
  console.log(`sbom-complete: npm sbom --omit dev left out ${added.length} runtime package(s), added: ${added.join(', ')}`);
}
const stillMissing = [...runtime].filter((id) => !new Set(bom.components.map((c) => `${c.name}@${c.version}`)).has(id));
if (stillMissing.length > 0) {
  console.error(`sbom-complete: runtime packages not in the SBOM: ${stillMissing.join(', ')}`);
  process.exit(1);
}
console.log(`sbom-complete: ${bom.components.length} components, every runtime package listed`);
