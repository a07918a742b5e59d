/**
 * The tamper-evident audit log's format, shared by the node (which writes it) and
 * `anodectl audit verify` (which checks it).
 *
 * Every line is one JSON object whose first two fields are `seq` (0, 1, 2, … with no gap,
 * across rotated files too) and `prev`: the SHA-256 (hex) of the exact bytes of the line
 * before, without its newline. Line 0 is the anchor (`action: "audit.anchor"`, `prev` 64
 * zeros) and names the node and its Ed25519 audit public key. At an interval and on
 * shutdown the node writes a checkpoint (`action: "audit.checkpoint"`) whose signature
 * covers the seq and hash of the line before it, i.e. the whole chain up to there.
 */
import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

export const ZERO_HASH = '0'.repeat(64);
export const ANCHOR_ACTION = 'audit.anchor';
export const CONTINUE_ACTION = 'audit.continue';
export const CHECKPOINT_ACTION = 'audit.checkpoint';

export function lineHash(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The bytes a checkpoint signs: a domain tag, the node, the head's seq and hash. */
export function checkpointMessage(nodeId: string, headSeq: number, headHash: string): Buffer {
  return Buffer.from(`anode-audit-checkpoint/v1\n${nodeId}\n${headSeq}\n${headHash}`, 'utf8');
}

export function verifyCheckpointSignature(key: KeyObject, nodeId: string, headSeq: number, headHash: string, signature: string): boolean {
  try {
    return cryptoVerify(null, checkpointMessage(nodeId, headSeq, headHash), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** SHA-256 fingerprint of a PEM public key's DER bytes, for short display. */
export function keyFingerprint(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64').replace(/=+$/, '')}`;
}

export interface RawLine {
  /** 1-based line number within its file. */
  line: number;
  bytes: Buffer;
  /** False for a last line with no newline (a torn write). */
  complete: boolean;
}

/** The lines of a file as raw bytes (never re-encoded, so hashes see what is on disk); `.gz` files are gunzipped. */
export async function* readRawLines(path: string): AsyncGenerator<RawLine> {
  const raw = createReadStream(path);
  const input = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  let pending: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, start);
        if (nl < 0) break;
        pending.push(chunk.subarray(start, nl));
        yield { line: ++n, bytes: Buffer.concat(pending), complete: true };
        pending = [];
        start = nl + 1;
      }
      if (start < chunk.length) pending.push(chunk.subarray(start));
    }
    if (pending.length > 0) yield { line: ++n, bytes: Buffer.concat(pending), complete: false };
  } finally {
    raw.destroy();
  }
}

/** The first line's seq of a file (a rotated file starts mid-chain), or null. */
export async function firstSeq(path: string): Promise<number | null> {
  for await (const l of readRawLines(path)) {
    const parsed = parseLine(l.bytes);
    return parsed === null ? null : parsed.seq;
  }
  return null;
}

interface ParsedLine {
  seq: number;
  prev: string;
  entry: Record<string, unknown>;
}

function parseLine(bytes: Buffer): ParsedLine | null {
  let entry: unknown;
  try {
    entry = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return null;
  const e = entry as Record<string, unknown>;
  const seq = e['seq'];
  const prev = e['prev'];
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return null;
  if (typeof prev !== 'string' || !/^[0-9a-f]{64}$/.test(prev)) return null;
  return { seq, prev, entry: e };
}

export interface VerifyProblem {
  file: string;
  line: number;
  seq: number | null;
  reason: string;
}

export interface VerifyFileSummary {
  path: string;
  lines: number;
  first_seq: number | null;
  last_seq: number | null;
}

export interface VerifyResult {
  ok: boolean;
  files: VerifyFileSummary[];
  /** Lines checked (from --from-seq on). */
  lines_checked: number;
  first_seq: number | null;
  last_seq: number | null;
  /** The chain starts at its anchor (seq 0) within the files given. */
  anchored: boolean;
  node_id: string | null;
  public_key_fingerprint: string | null;
  /** Where the key that checked the signatures came from. */
  key_source: 'given' | 'log' | null;
  checkpoints: number;
  last_checkpoint_seq: number | null;
  /** Lines after the last signed checkpoint: their order is chained but not yet signed. */
  unsigned_tail: number;
  /** The first bad line, when ok is false. */
  problem: VerifyProblem | null;
}

export interface VerifyOptions {
  files: readonly string[];
  /** Check links and signatures from this seq on (earlier lines were rotated away or are trusted). */
  fromSeq?: number;
  /** PEM (SPKI) public key that must have signed the checkpoints. */
  publicKeyPem?: string;
}

/**
 * Checks a set of audit files (ordered by their first seq, so a rotated set can be given in
 * any order): every line parses, seq rises by exactly one, every prev is the SHA-256 of
 * the line before, the anchor and every checkpoint are well formed and every checkpoint
 * signature verifies. Stops at the first bad line and names it.
 */
export async function verifyAuditChain(options: VerifyOptions): Promise<VerifyResult> {
  const ordered: { path: string; first: number | null }[] = [];
  for (const path of options.files) ordered.push({ path, first: await firstSeq(path) });
  ordered.sort((a, b) => (a.first ?? Number.MAX_SAFE_INTEGER) - (b.first ?? Number.MAX_SAFE_INTEGER));

  const given = options.publicKeyPem === undefined ? null : createPublicKey(options.publicKeyPem);
  const result: VerifyResult = {
    ok: false,
    files: [],
    lines_checked: 0,
    first_seq: null,
    last_seq: null,
    anchored: false,
    node_id: null,
    public_key_fingerprint: options.publicKeyPem === undefined ? null : keyFingerprint(options.publicKeyPem),
    key_source: given === null ? null : 'given',
    checkpoints: 0,
    last_checkpoint_seq: null,
    unsigned_tail: 0,
    problem: null,
  };
  let key: KeyObject | null = given;
  const fromSeq = options.fromSeq ?? 0;
  let prevLine: { file: string; line: number; seq: number; hash: string } | null = null;
  let started = false;

  const fail = (file: string, line: number, seq: number | null, reason: string): VerifyResult => {
    result.problem = { file, line, seq, reason };
    return result;
  };

  for (const { path } of ordered) {
    const summary: VerifyFileSummary = { path, lines: 0, first_seq: null, last_seq: null };
    result.files.push(summary);
    for await (const raw of readRawLines(path)) {
      summary.lines++;
      const hash = lineHash(raw.bytes);
      const parsed = raw.complete ? parseLine(raw.bytes) : null;
      if (parsed === null) {
        // Name the seq the damaged line still shows, if any.
        const shown = /^\{"seq":(\d+)/.exec(raw.bytes.subarray(0, 40).toString('latin1'));
        return fail(
          path,
          raw.line,
          shown === null ? null : Number(shown[1]),
          raw.complete
            ? 'not an audit chain line (no JSON object with seq and prev)'
            : 'torn last line (no newline): the write was cut off or the line was altered',
        );
      }
      const { seq, prev, entry } = parsed;
      summary.first_seq ??= seq;
      summary.last_seq = seq;
      if (!started) {
        if (seq < fromSeq) {
          prevLine = { file: path, line: raw.line, seq, hash };
          continue;
        }
        started = true;
        result.first_seq = seq;
        if (options.fromSeq === undefined && seq !== 0) {
          return fail(
            path,
            raw.line,
            seq,
            `the chain starts at seq ${seq}, not at its anchor (seq 0): earlier files are missing; pass --from-seq ${seq} to verify from here`,
          );
        }
        if (options.fromSeq !== undefined && seq !== fromSeq) {
          return fail(path, raw.line, seq, `expected seq ${fromSeq} (--from-seq), found ${seq}`);
        }
        if (prevLine !== null && prev !== prevLine.hash) {
          return fail(
            prevLine.file,
            prevLine.line,
            prevLine.seq,
            `line changed: its SHA-256 is not the prev recorded by the next line (seq ${seq})`,
          );
        }
      } else {
        const before: { file: string; line: number; seq: number; hash: string } = prevLine!;
        if (seq !== before.seq + 1) {
          const reason =
            seq > before.seq + 1
              ? `seq ${seq} follows seq ${before.seq}: ${seq - before.seq - 1} line(s) missing`
              : `seq ${seq} follows seq ${before.seq}: lines out of order or repeated`;
          return fail(path, raw.line, seq, reason);
        }
        if (prev !== before.hash) {
          // The line before was altered (or this line's prev was): name the earlier line.
          return fail(
            before.file,
            before.line,
            before.seq,
            `line changed: its SHA-256 is not the prev recorded by the next line (${path}:${raw.line}, seq ${seq})`,
          );
        }
      }
      result.lines_checked++;
      result.last_seq = seq;
      result.unsigned_tail++;
      const action = entry['action'];
      if (seq === 0 || action === ANCHOR_ACTION) {
        if (seq !== 0 || action !== ANCHOR_ACTION || prev !== ZERO_HASH) {
          return fail(path, raw.line, seq, 'a chain anchor must be seq 0 with prev of 64 zeros, and only seq 0 may be one');
        }
        result.anchored = true;
      }
      if (action === ANCHOR_ACTION || action === CONTINUE_ACTION) {
        const nodeId = entry['node_id'];
        const pem = entry['public_key'];
        if (typeof nodeId !== 'string' || typeof pem !== 'string')
          return fail(path, raw.line, seq, `${String(action)} line without node_id and public_key`);
        if (result.node_id !== null && result.node_id !== nodeId)
          return fail(path, raw.line, seq, `node id changed from ${result.node_id} to ${nodeId}`);
        result.node_id = nodeId;
        let logKey: KeyObject;
        try {
          logKey = createPublicKey(pem);
        } catch {
          return fail(path, raw.line, seq, 'public_key is not a PEM public key');
        }
        if (key === null) {
          key = logKey;
          result.key_source = 'log';
          result.public_key_fingerprint = keyFingerprint(pem);
        } else if (!key.equals(logKey)) {
          return fail(
            path,
            raw.line,
            seq,
            `names a public key (${keyFingerprint(pem)}) other than the one checking the chain (${result.public_key_fingerprint ?? '?'})`,
          );
        }
      }
      if (action === CHECKPOINT_ACTION) {
        const headSeq = entry['head_seq'];
        const headHash = entry['head_hash'];
        const nodeId = entry['node_id'];
        const signature = entry['signature'];
        if (typeof headSeq !== 'number' || typeof headHash !== 'string' || typeof nodeId !== 'string' || typeof signature !== 'string') {
          return fail(path, raw.line, seq, 'checkpoint without head_seq, head_hash, node_id and signature');
        }
        if (headSeq !== seq - 1 || headHash !== prev) return fail(path, raw.line, seq, 'checkpoint does not sign the line before it');
        if (result.node_id !== null && nodeId !== result.node_id)
          return fail(path, raw.line, seq, `checkpoint names node ${nodeId}, the chain is node ${result.node_id}`);
        if (key === null) {
          return fail(path, raw.line, seq, 'no public key to check this checkpoint: pass --public-key FILE or --node');
        }
        if (!verifyCheckpointSignature(key, nodeId, headSeq, headHash, signature)) {
          return fail(
            path,
            raw.line,
            seq,
            'checkpoint signature does not verify: the chain up to here was rewritten, or signed by another key',
          );
        }
        result.checkpoints++;
        result.last_checkpoint_seq = seq;
        result.unsigned_tail = 0;
      }
      prevLine = { file: path, line: raw.line, seq, hash };
    }
  }
  if (!started) {
    const where = ordered[0]?.path ?? '(no file)';
    if (options.fromSeq !== undefined) return fail(where, 0, null, `no line with seq ${fromSeq} or later`);
    return fail(where, 0, null, 'no audit lines');
  }
  result.ok = true;
  return result;
}
