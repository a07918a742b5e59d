/**
 * One SigV4-signed HTTP exchange with node:http/https: used by the AdminClient and by
 * anodectl's S3 calls (ACLs, bucket policies). node:https rather than global fetch
 * because fetch cannot take a private CA without undici, and shared stays
 * dependency-free. Bodies here are small (JSON, XML): they are buffered.
 */
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { signRequest, type Credentials } from '../sigv4/signer.js';

export interface SignedRequestInput {
  method: string;
  /** Absolute URL with its path and query already percent-encoded. */
  url: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  credentials: Credentials;
  region: string;
  /** PEM CA bundle for https endpoints signed by a private CA. */
  ca?: string | Buffer;
  timeoutMs?: number;
  /** For tests: the local address to send from. */
  localAddress?: string;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Largest response body accepted (an audit page of 10000 lines fits easily). */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Signs (service s3) and sends the request; resolves with any HTTP answer, rejects on transport errors. */
export function sendSignedRequest(input: SignedRequestInput): Promise<RawResponse> {
  const body = input.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body, 'utf8');
  // Host is signed: send exactly the value that was signed rather than node's own.
  const headers: Record<string, string> = { host: new URL(input.url).host, ...(input.headers ?? {}) };
  if (body.length > 0 || input.method === 'PUT' || input.method === 'POST') headers['content-length'] = String(body.length);
  const signed = signRequest({
    method: input.method,
    url: input.url,
    headers,
    bodySha256: sha256Hex(body),
    credentials: input.credentials,
    region: input.region,
    service: 's3',
    now: new Date(),
  });
  return sendRaw({ ...input, headers: { ...headers, ...signed }, body });
}

/** Sends without signing (anonymous requests, /health). */
export function sendRaw(
  input: Omit<SignedRequestInput, 'credentials' | 'region'> & { headers?: Record<string, string> },
): Promise<RawResponse> {
  const url = new URL(input.url);
  const body = input.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body, 'utf8');
  const secure = url.protocol === 'https:';
  // The path goes out exactly as signed: take it from the string, not from URL's normalisation.
  const afterHost = input.url.replace(/^[a-z]+:\/\/[^/?#]*/i, '');
  const path = afterHost === '' ? '/' : afterHost.startsWith('?') ? `/${afterHost}` : afterHost;
  return new Promise((resolve, reject) => {
    const options = {
      method: input.method,
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      path,
      headers: input.headers ?? {},
      timeout: input.timeoutMs ?? 30_000,
      ...(input.localAddress !== undefined ? { localAddress: input.localAddress } : {}),
    };
    const req = secure ? httpsRequest({ ...options, ...(input.ca !== undefined ? { ca: input.ca } : {}) }) : httpRequest(options);
    req.on('timeout', () => req.destroy(Object.assign(new Error(`request to ${url.host} timed out`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          res.destroy(new Error(`response from ${url.host} is larger than ${MAX_RESPONSE_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.end(body);
  });
}
