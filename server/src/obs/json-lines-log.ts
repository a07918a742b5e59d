import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

/**
 * An append-only JSON-lines file (access log, audit log). reopen() is called on SIGHUP so
 * logrotate can move the file away. Writes are buffered by the stream, never awaited on the
 * request path.
 */
export class JsonLinesLog {
  private stream: WriteStream | null = null;

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
    this.stream?.write(`${JSON.stringify(entry)}\n`);
  }

  reopen(): void {
    const old = this.stream;
    this.open();
    old?.end();
  }

  async close(): Promise<void> {
    const s = this.stream;
    this.stream = null;
    if (s) await new Promise<void>((resolve) => s.end(resolve));
  }
}
