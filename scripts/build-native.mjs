#!/usr/bin/env node
// Builds server/native (the in-place AES-GCM addon) with the node-gyp that ships with npm,
// against the running Node's own headers (so nothing is downloaded), and only when a source
// is newer than the built addon: `npm run build` calls this first, every time.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../server/native');
const addon = join(dir, 'build/Release/anode_aes_gcm.node');
const sources = readdirSync(dir)
  .filter((f) => /\.(c|h|gyp)$/.test(f))
  .map((f) => join(dir, f));
const built = existsSync(addon) ? statSync(addon).mtimeMs : 0;
if (sources.every((f) => statSync(f).mtimeMs < built)) process.exit(0);

function nodeGyp() {
  // npm tells its scripts where its node-gyp is; run directly, find it beside npm.
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return fromNpm;
  const npm = process.env.npm_execpath ?? execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
  const candidates = [
    join(dirname(realpathSync(npm)), '../node_modules/node-gyp/bin/node-gyp.js'),
    join(dirname(realpathSync(npm)), 'node_modules/node-gyp/bin/node-gyp.js'),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (found === undefined) throw new Error(`build-native: no node-gyp beside npm (${npm})`);
  return found;
}

// The headers of the Node that runs this: <prefix>/include/node, as Debian and the official
// tarballs install them.
const nodedir = resolve(dirname(process.execPath), '..');
if (!existsSync(join(nodedir, 'include/node/node_api.h'))) {
  console.error(`build-native: Node's headers are not in ${nodedir}/include/node; install them (Debian: nodejs's headers, libnode-dev)`);
  process.exit(1);
}
try {
  execFileSync(process.execPath, [nodeGyp(), 'rebuild', '--release', '--loglevel=warn', `--nodedir=${nodedir}`], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
} catch (err) {
  console.error('build-native: node-gyp could not build server/native (it needs python3, make and a C compiler)');
  throw err;
}
console.log('build-native: built server/native/build/Release/anode_aes_gcm.node');
