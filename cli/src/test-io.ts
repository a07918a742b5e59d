/** In-memory CliIo for tests: captured stdout/stderr, a stdin that is or is not a TTY. */
import { PassThrough, Writable } from 'node:stream';
import type { CliIo, OutStream } from './context.js';

export interface Capture extends OutStream {
  text(): string;
}

export function capture(isTTY = false): Capture {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  }) as Writable & { isTTY?: boolean; text(): string };
  stream.isTTY = isTTY;
  stream.text = () => chunks.join('');
  return stream;
}

export interface TestIo extends CliIo {
  stdout: Capture;
  stderr: Capture;
}

export function testIo(env: Record<string, string | undefined> = {}, options: { stdinTTY?: boolean } = {}): TestIo {
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = options.stdinTTY ?? false;
  return { stdout: capture(), stderr: capture(), stdin, env };
}
