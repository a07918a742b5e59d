import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

/**
 * An append-only JSON-lines file (access log, audit log). reopen() is called on SIGHUP so
 * logrotate can move the file away. Writes are buffered by the stream, never awaited on the
 * request path; the lines of one event-loop turn go to the stream as one write (one
 * request's line each, thousands a second: one stream write per line was measurable).
 */
export class JsonLinesLog {
  private stream: WriteStream | null = null;
  private pending: string[] = [];
  private flushing: NodeJS.Immediate | null = null;

  constructor(readonly path: string | null) {
    this.open();
  }

  private open(): void {
    if (this.path === null) return;
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o750 });
    this.stream = createWriteStream(this.path, { flags: 'a', mode: 0o640 });
    this.stream.on('error', (err) => process.emitWarning(`log ${this.path}: ${err.message}`));
  }

  write(entry: Record<string, unknown>): void {
    if (this.stream === null) return;
    this.pending.push(`${JSON.stringify(entry)}\n`);
    this.flushing ??= setImmediate(() => this.flush());
  }

  /** Hands the lines written so far to the stream. */
  flush(): void {
    if (this.flushing !== null) clearImmediate(this.flushing);
    this.flushing = null;
    const lines = this.pending;
    if (lines.length === 0) return;
    this.pending = [];
    this.stream?.write(lines.length === 1 ? lines[0]! : lines.join(''));
  }

  reopen(): void {
    this.flush(); // lines written before the rotation belong to the old file
    const old = this.stream;
    this.open();
    old?.end();
  }

  async close(): Promise<void> {
    this.flush();
    const s = this.stream;
    this.stream = null;
    if (s) await new Promise<void>((resolve) => s.end(resolve));
  }
}
