/**
 * The short, fixed-seed fuzz pass that CI runs: every target of test/fuzz/targets.ts for a
 * few hundred inputs. Long runs are `npm run fuzz -- --seconds N` (scripts/fuzz.mjs).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HANG_MS, TARGETS, isExpectedError } from './targets.js';

const SEED = 20261201;
const RUNS = 300;

describe('fuzz targets (fixed seed)', () => {
  it('covers every parser of untrusted input the hardening issue names', () => {
    assert.deepEqual(
      TARGETS.map((t) => t.name),
      [
        'sigv4-authorization-header',
        'sigv4-verify-header',
        'sigv4-verify-presigned',
        'aws-chunked-decoder',
        'xml-request-bodies',
        'bucket-policy',
        'acl-xml-and-grant-headers',
        'range-and-conditional-headers',
        'request-target',
        'request-integrity-headers',
      ],
    );
  });

  it('the harness tells a typed error from a crash', () => {
    assert.equal(isExpectedError(Object.assign(new Error('x'), { code: 'MalformedXML' })), true);
    assert.equal(isExpectedError(new TypeError("Cannot read properties of undefined (reading 'x')")), false);
    assert.equal(isExpectedError(Object.assign(new RangeError('x'), { code: 'ERR_OUT_OF_RANGE' })), false);
    assert.equal(isExpectedError('a string'), false);
  });

  for (const target of TARGETS) {
    it(`${target.name}: ${RUNS} inputs, no crash, no hang`, async () => {
      await fc.assert(
        fc.asyncProperty(target.input, async (input) => {
          const started = performance.now();
          await target.run(input);
          const took = performance.now() - started;
          if (took > HANG_MS) throw new Error(`one input took ${Math.round(took)} ms`);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });
  }
});
