import { sign } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ANCHOR_ACTION, CHECKPOINT_ACTION, CONTINUE_ACTION, ZERO_HASH, checkpointMessage, lineHash } from '@anode/shared/audit-chain';
import type { Principal } from '../policy/principal.js';
import type { AuditIdentity } from './audit-key.js';

/** Who did an audited action: an S3 request context or an admin request context. */
export interface AuditActor {
  principal: Principal;
  remoteAddr: string;
  requestId: string;
}

/** What the chain reports to metrics. */
export interface AuditLogEvents {
  onCheckpoint?: (seq: number) => void;
  /** A write or a signature failed: the chain on disk may now have a hole. */
  onFailure?: (err: Error) => void;
}

interface Head {
  seq: number;
  hash: string;
}

/** The last line of an open file (read backwards), or null when the file is empty. */
function lastLine(fd: number, size: number): Buffer | null {
  if (size === 0) return null;
  const parts: Buffer[] = [];
  let end = size;
  // Skip the final newline.
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  if (last[0] === 0x0a) end = size - 1;
  let pos = end;
  while (pos > 0) {
    const len = Math.min(65536, pos);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, pos - len);
    const nl = buf.lastIndexOf(0x0a);
    if (nl >= 0) {
      parts.unshift(buf.subarray(nl + 1));
      return Buffer.concat(parts);
    }
    parts.unshift(buf);
    pos -= len;
  }
  return Buffer.concat(parts);
}

function seqOf(bytes: Buffer): number | null {
  try {
    const e = JSON.parse(bytes.toString('utf8')) as { seq?: unknown };
    return typeof e.seq === 'number' && Number.isSafeInteger(e.seq) ? e.seq : null;
  } catch {
    return null;
  }
}

/**
 * The audit trail: one JSON line per administrative action (credentials, permissions,
 * ACLs, policies, read-only, GC, config, break-glass). Details must never hold a secret.
 *
 * Tamper-evident (shared/src/audit-chain.ts): each line starts with `seq` and `prev` (the
 * SHA-256 of the line before), and signed checkpoints cover the chain head. Lines are
 * written synchronously with one write(2) each, so the chain on disk is the chain in
 * memory; audit lines are rare (admin actions), never per object read. Before each write
 * the file's size is compared with what this process wrote: if another process (the
 * break-glass `anode admin reset-root`) appended, the chain continues from its line.
 */
export class AuditLog {
  private fd: number | null = null;
  private size = 0;
  private head: Head | null = null;
  private lastCheckpointSeq = -1;
  private timer: NodeJS.Timeout | null = null;
  private failed = false;

  private constructor(
    readonly path: string | null,
    private readonly identity: AuditIdentity | null,
    private readonly events: AuditLogEvents,
  ) {}

  /** Opens (or creates) the chain at `path`; null path = audit logging off. */
  static open(path: string | null, identity: AuditIdentity, events: AuditLogEvents = {}): AuditLog {
    const log = new AuditLog(path, identity, events);
    log.openFile();
    return log;
  }

  get publicKeyPem(): string | null {
    return this.identity?.publicKeyPem ?? null;
  }

  get nodeId(): string | null {
    return this.identity?.nodeId ?? null;
  }

  /** The seq of the last line written, or null before any line. */
  get headSeq(): number | null {
    return this.head?.seq ?? null;
  }

  /** False once a write or a checkpoint failed in this process. */
  get healthy(): boolean {
    return !this.failed;
  }

  private get statePath(): string | null {
    return this.identity === null ? null : join(this.identity.dir, 'audit-head.json');
  }

  private readState(): Head | null {
    const p = this.statePath;
    if (p === null) return null;
    try {
      const s = JSON.parse(readFileSync(p, 'utf8')) as Head;
      return typeof s.seq === 'number' && typeof s.hash === 'string' ? s : null;
    } catch {
      return null;
    }
  }

  private saveState(): void {
    const p = this.statePath;
    if (p === null || this.head === null) return;
    try {
      writeFileSync(`${p}.tmp`, JSON.stringify(this.head), { mode: 0o600 });
      renameSync(`${p}.tmp`, p);
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    this.failed = true;
    this.events.onFailure?.(err instanceof Error ? err : new Error(String(err)));
    process.emitWarning(`audit log ${this.path ?? ''}: ${err instanceof Error ? err.message : String(err)}`);
  }

  private openFile(): void {
    if (this.path === null) return;
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o750 });
      this.fd = openSync(this.path, 'a+', 0o640);
      this.size = fstatSync(this.fd).size;
      this.syncHeadFromFile();
    } catch (err) {
      this.fd = null;
      this.fail(err);
      return;
    }
    if (this.size === 0) {
      const state = this.head ?? this.readState();
      if (state === null) this.append({ action: ANCHOR_ACTION, ...this.keyFields() });
      else {
        this.head = state;
        // A fresh file (rotation): its first line continues the chain and names the key again.
        this.append({ action: CONTINUE_ACTION, ...this.keyFields() });
      }
    }
  }

  /** Continues from the file's last line when the file is not empty. */
  private syncHeadFromFile(): void {
    if (this.fd === null || this.size === 0) return;
    const bytes = lastLine(this.fd, this.size);
    if (bytes === null) return;
    const seq = seqOf(bytes);
    // A torn or foreign last line: chain after it anyway (verify will name that line).
    const base = seq ?? this.head?.seq ?? this.readState()?.seq ?? -1;
    this.head = { seq: seq === null ? base + 1 : seq, hash: lineHash(bytes) };
    this.terminateTornLine();
  }

  /** Ends a torn last line so the next line starts on a line of its own. */
  private terminateTornLine(): void {
    if (this.fd === null || this.size === 0) return;
    const last = Buffer.alloc(1);
    readSync(this.fd, last, 0, 1, this.size - 1);
    if (last[0] !== 0x0a) {
      writeSync(this.fd, '\n');
      this.size += 1;
    }
  }

  private keyFields(): Record<string, unknown> {
    return {
      node_id: this.identity?.nodeId,
      public_key: this.identity?.publicKeyPem,
    };
  }

  private append(fields: Record<string, unknown>): void {
    if (this.fd === null) return;
    try {
      const size = fstatSync(this.fd).size;
      let shrank: { expected_bytes: number; found_bytes: number } | null = null;
      if (size > this.size) {
        // Someone else appended (break-glass from another process): continue after them.
        this.size = size;
        this.syncHeadFromFile();
      } else if (size < this.size) {
        // Truncated under us (logrotate copytruncate, or someone erasing lines): the chain
        // goes on from memory, so the copy and this file still verify as one set, and a
        // line says what happened before the next entry.
        shrank = { expected_bytes: this.size, found_bytes: size };
        this.size = size;
        this.terminateTornLine();
      }
      if (shrank !== null) this.appendLine({ action: 'audit.file_shrank', ...shrank, ...this.keyFields() });
      this.appendLine(fields);
    } catch (err) {
      this.fail(err);
    }
  }

  private appendLine(fields: Record<string, unknown>): void {
    if (this.fd === null) return;
    {
      const seq = this.head === null ? 0 : this.head.seq + 1;
      const prev = this.head === null ? ZERO_HASH : this.head.hash;
      const text = JSON.stringify({ seq, prev, timestamp: new Date().toISOString(), ...fields });
      const bytes = Buffer.from(`${text}\n`, 'utf8');
      let off = 0;
      while (off < bytes.length) off += writeSync(this.fd, bytes, off);
      this.size += bytes.length;
      this.head = { seq, hash: lineHash(bytes.subarray(0, bytes.length - 1)) };
    }
  }

  write(actor: AuditActor | 'system', action: string, details: Record<string, unknown> = {}): void {
    const who =
      actor === 'system'
        ? { user: 'system', access_key: undefined, remote_addr: undefined, request_id: undefined }
        : {
            user: actor.principal.kind === 'user' ? actor.principal.user : 'anonymous',
            access_key: actor.principal.kind === 'user' ? actor.principal.accessKey : undefined,
            remote_addr: actor.remoteAddr,
            request_id: actor.requestId,
          };
    // seq, prev and timestamp come first and cannot be overridden by details.
    const { seq: _s, prev: _p, timestamp: _t, ...rest } = details;
    this.append({ action, ...who, ...rest });
  }

  /** Signs the chain head (the last line) into a checkpoint line; a no-op when nothing is new. */
  checkpoint(force = false): void {
    if (this.fd === null || this.identity === null || this.head === null) return;
    if (!force && this.head.seq === this.lastCheckpointSeq) return;
    try {
      const { seq: headSeq, hash: headHash } = this.head;
      const signature = sign(null, checkpointMessage(this.identity.nodeId, headSeq, headHash), this.identity.privateKey).toString('base64');
      this.append({ action: CHECKPOINT_ACTION, node_id: this.identity.nodeId, head_seq: headSeq, head_hash: headHash, signature });
      this.lastCheckpointSeq = this.head.seq;
      this.saveState();
      this.events.onCheckpoint?.(this.head.seq);
    } catch (err) {
      this.fail(err);
    }
  }

  /** Checkpoints every `seconds` (timer unref'd: it never keeps the process alive). */
  startCheckpoints(seconds: number): void {
    if (seconds <= 0 || this.timer !== null) return;
    this.timer = setInterval(() => this.checkpoint(), seconds * 1000);
    this.timer.unref();
  }

  /** SIGHUP: sign the old file's end, then continue the chain in a fresh file at the same path. */
  reopen(): void {
    if (this.path === null) return;
    this.checkpoint();
    this.saveState();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.openFile();
  }

  /** Shutdown: a last signed checkpoint, then close. */
  close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.checkpoint();
    this.saveState();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    return Promise.resolve();
  }
}
