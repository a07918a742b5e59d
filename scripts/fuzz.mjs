#!/usr/bin/env node
// Long fuzz runs of every target in test/fuzz/targets.ts (the same ones CI runs briefly).
// Usage: npm run fuzz -- [--seconds N] [--seed S] [target-name...]
// Prints one JSON line per target (executions, rate, findings, hangs) and exits 1 on any
// finding, with fast-check's counterexample and the seed/path to replay it.
import fc from 'fast-check';
import { HANG_MS, TARGETS } from '../test/fuzz/targets.ts';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const seconds = opt('--seconds', 10);
const seed = opt('--seed', Date.now() % 2 ** 31);
const names = args.filter((a, i) => !a.startsWith('--') && !['--seconds', '--seed'].includes(args[i - 1]));
const targets = names.length === 0 ? TARGETS : TARGETS.filter((t) => names.includes(t.name));
if (targets.length === 0) {
  console.error(`no such target; targets: ${TARGETS.map((t) => t.name).join(', ')}`);
  process.exit(2);
}

let failed = false;
for (const target of targets) {
  const deadline = Date.now() + seconds * 1000;
  let executions = 0;
  let hangs = 0;
  let slowest = 0;
  let finding = null;
  for (let round = 0; Date.now() < deadline && finding === null; round++) {
    const result = await fc.check(
      fc.asyncProperty(target.input, async (input) => {
        executions++;
        const started = performance.now();
        await target.run(input);
        const took = performance.now() - started;
        slowest = Math.max(slowest, took);
        if (took > HANG_MS) {
          hangs++;
          throw new Error(`one input took ${Math.round(took)} ms`);
        }
      }),
      { seed: seed + round, numRuns: 5000, interruptAfterTimeLimit: Math.max(1, deadline - Date.now()), markInterruptAsFailure: false },
    );
    if (result.failed)
      finding = {
        seed: result.seed,
        path: result.counterexamplePath,
        error: String(result.errorInstance ?? result.error),
        counterexample: fc.stringify(result.counterexample),
      };
  }
  const rate = Math.round(executions / seconds);
  console.log(
    JSON.stringify({
      target: target.name,
      seconds,
      executions,
      per_second: rate,
      slowest_ms: Math.round(slowest),
      hangs,
      findings: finding === null ? 0 : 1,
    }),
  );
  if (finding !== null) {
    failed = true;
    console.error(
      `FINDING in ${target.name}: ${finding.error}\n  replay: seed ${finding.seed}, path ${finding.path}\n  input: ${finding.counterexample.slice(0, 2000)}`,
    );
  }
}
process.exit(failed ? 1 : 0);
