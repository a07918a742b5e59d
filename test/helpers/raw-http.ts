/**
 * Sends hand-built bytes over a TCP socket and parses the one HTTP response that
 * comes back. SDKs refuse to build most hostile requests, so the bad-input tests
 * write the request line and headers themselves.
 */
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  statusText: string;
  /** Lowercased header names; repeats joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  /** True when the server closed the connection without any response bytes. */
  closedWithoutResponse: boolean;
}

export interface RawOptions {
  timeoutMs?: number;
  /** Request was HEAD: the response has no body whatever Content-Length says. */
  head?: boolean;
  /** Bytes to write after the head, possibly fewer than Content-Length announced. */
  body?: Buffer | string;
  /** Half-close our side after writing (signals a short body to the server). */
  endAfterWrite?: boolean;
}

/** Builds request bytes from a request line and header pairs (CRLF, no normalisation). */
export function buildHead(requestLine: string, headers: ReadonlyArray<readonly [string, string]>): Buffer {
  const lines = [requestLine, ...headers.map(([k, v]) => `${k}: ${v}`), '', ''];
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

export function rawRequest(port: number, head: Buffer | string, opts: RawOptions = {}): Promise<RawResponse> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err !== undefined) {
        reject(err);
        return;
      }
      const parsed = parse(Buffer.concat(chunks), opts.head === true, true);
      if (parsed === undefined) {
        resolve({ status: 0, statusText: '', headers: {}, body: Buffer.alloc(0), closedWithoutResponse: true });
      } else resolve(parsed);
    };
    const timer = setTimeout(() => {
      const partial = Buffer.concat(chunks).toString('latin1').slice(0, 500);
      finish(new Error(`no complete response within ${timeoutMs} ms; got: ${JSON.stringify(partial)}`));
    }, timeoutMs);
    sock.on('connect', () => {
      sock.write(head);
      if (opts.body !== undefined) sock.write(opts.body);
      if (opts.endAfterWrite === true) sock.end();
    });
    sock.on('data', (b: Buffer) => {
      chunks.push(b);
      // Resolve as soon as one full response is in, even if the server keeps the socket open.
      if (parse(Buffer.concat(chunks), opts.head === true, false) !== undefined) finish();
    });
    sock.on('end', () => finish());
    sock.on('close', () => finish());
    // A reset after a complete response is normal when the server refuses the rest of a body.
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (parse(Buffer.concat(chunks), opts.head === true, true) !== undefined || e.code === 'ECONNRESET' || e.code === 'EPIPE') finish();
      else finish(e);
    });
  });
}

/** Parses one response; undefined when it is not complete yet (or `atEof` and nothing came). */
function parse(buf: Buffer, head: boolean, atEof: boolean): RawResponse | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const statusLine = lines[0] ?? '';
  const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(statusLine);
  if (m === null) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const status = Number(m[1]);
  const rest = buf.subarray(end + 4);
  const base = { status, statusText: m[2] ?? '', headers, closedWithoutResponse: false };
  if (head || status === 204 || status === 304 || (status >= 100 && status < 200)) {
    return { ...base, body: Buffer.alloc(0) };
  }
  const te = headers['transfer-encoding'];
  if (te !== undefined && te.toLowerCase().includes('chunked')) {
    const body = dechunk(rest);
    if (body !== undefined) return { ...base, body };
    return atEof ? { ...base, body: rest } : undefined;
  }
  const cl = headers['content-length'];
  if (cl !== undefined) {
    const n = Number(cl);
    if (rest.length >= n) return { ...base, body: rest.subarray(0, n) };
    return atEof ? { ...base, body: rest } : undefined;
  }
  return atEof ? { ...base, body: rest } : undefined;
}

function dechunk(buf: Buffer): Buffer | undefined {
  const out: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', pos);
    if (eol < 0) return undefined;
    const size = parseInt(buf.subarray(pos, eol).toString('latin1').split(';')[0] ?? '', 16);
    if (Number.isNaN(size)) return undefined;
    if (size === 0) return Buffer.concat(out);
    if (buf.length < eol + 2 + size + 2) return undefined;
    out.push(buf.subarray(eol + 2, eol + 2 + size));
    pos = eol + 2 + size + 2;
  }
}

/** The <Code> of an S3 XML error body, or undefined. */
export function errorCode(body: Buffer | string): string | undefined {
  const m = /<Code>([^<]*)<\/Code>/.exec(body.toString());
  return m?.[1];
}

/** The text of the first <Name> element in an XML body, or undefined. */
export function xmlElement(body: Buffer | string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(body.toString());
  return m?.[1];
}
