import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  ANCHOR_ACTION,
  CHECKPOINT_ACTION,
  CONTINUE_ACTION,
  ZERO_HASH,
  checkpointMessage,
  lineHash,
  verifyAuditChain,
} from './audit-chain.js';

const dir = mkdtempSync(join(tmpdir(), 'audit-chain-'));
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const NODE = 'node-1';

/** A chain of `n` lines with a checkpoint after every `every` lines, as the node writes it. */
function chain(n: number, every = 3, key = privateKey): string[] {
  const lines: string[] = [];
  let prev = ZERO_HASH;
  const push = (fields: Record<string, unknown>) => {
    const text = JSON.stringify({ seq: lines.length, prev, timestamp: '2026-12-01T00:00:00.000Z', ...fields });
    lines.push(text);
    prev = lineHash(text);
  };
  push({ action: ANCHOR_ACTION, node_id: NODE, public_key: pem });
  for (let i = 1; i < n; i++) {
    if (i % every === 0) {
      const headSeq = lines.length - 1;
      push({
        action: CHECKPOINT_ACTION,
        node_id: NODE,
        head_seq: headSeq,
        head_hash: prev,
        signature: sign(null, checkpointMessage(NODE, headSeq, prev), key).toString('base64'),
      });
    } else push({ action: 'readonly.set', n: i });
  }
  return lines;
}

let counter = 0;
function file(lines: string[], suffix = '', trailingNewline = true): string {
  const path = join(dir, `a${counter++}.log${suffix}`);
  const text = lines.join('\n') + (trailingNewline ? '\n' : '');
  writeFileSync(path, suffix === '.gz' ? gzipSync(text) : text);
  return path;
}

test('a well-formed chain verifies with the pinned key and counts its checkpoints', async () => {
  const r = await verifyAuditChain({ files: [file(chain(10))], publicKeyPem: pem });
  assert.equal(r.ok, true, JSON.stringify(r.problem));
  assert.equal(r.checkpoints, 3);
  assert.equal(r.last_seq, 9);
  assert.equal(r.key_source, 'given');
});

test('a set split across files (one gzipped) verifies in any order; continue lines name the key', async () => {
  const lines = chain(12);
  const second = JSON.parse(lines[6]!) as Record<string, unknown>;
  // Rewrite line 6 as a continue line and re-chain the rest.
  const rebuilt = lines.slice(0, 6);
  let prev = lineHash(rebuilt[5]!);
  const rest: string[] = [];
  for (let i = 6; i < 12; i++) {
    const e =
      i === 6
        ? { seq: 6, prev, timestamp: second['timestamp'], action: CONTINUE_ACTION, node_id: NODE, public_key: pem }
        : { seq: i, prev, action: 'x' };
    const text = JSON.stringify(e);
    rest.push(text);
    prev = lineHash(text);
  }
  const r = await verifyAuditChain({ files: [file(rest), file(rebuilt, '.gz')], publicKeyPem: pem });
  assert.equal(r.ok, true, JSON.stringify(r.problem));
  assert.equal(r.files[0]!.first_seq, 0, 'ordered by first seq');
});

test('a torn last line, a bad signature and another key are each named', async () => {
  const torn = chain(5);
  torn[4] = torn[4]!.slice(0, 10);
  const t = await verifyAuditChain({ files: [file(torn, '', false)], publicKeyPem: pem });
  assert.equal(t.problem?.line, 5);
  assert.match(t.problem!.reason, /torn/);

  const other = generateKeyPairSync('ed25519').privateKey;
  const forged = chain(4, 3, other); // checkpoint at seq 3 signed by another key
  const f = await verifyAuditChain({ files: [file(forged)], publicKeyPem: pem });
  assert.equal(f.problem?.seq, 3);
  assert.match(f.problem!.reason, /signature does not verify/);

  const noKey = chain(4).slice(1); // no anchor, so no key from the log
  const n = await verifyAuditChain({ files: [file(noKey)], fromSeq: 1 });
  assert.equal(n.problem?.seq, 3);
  assert.match(n.problem!.reason, /no public key/);
});

test('--from-seq checks from there; an empty set is a problem', async () => {
  const lines = chain(8).slice(4);
  const r = await verifyAuditChain({ files: [file(lines)], fromSeq: 4, publicKeyPem: pem });
  assert.equal(r.ok, true, JSON.stringify(r.problem));
  assert.equal(r.first_seq, 4);
  const e = await verifyAuditChain({ files: [file([], '', false)] });
  assert.equal(e.ok, false);
  assert.match(e.problem!.reason, /no audit lines/);
});
