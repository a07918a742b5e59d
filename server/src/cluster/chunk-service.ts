/**
 * The server side of the gRPC plane: anode.cluster.v1.ChunkService over this node's own
 * chunk files. Every call is checked first (peer-check.ts): the TLS handshake already
 * proved the certificate chains to tls_ca; the call is refused unless the certificate has
 * the clientAuth EKU and names a member that is not removed or isolated.
 */
import { createHash } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { statfs } from 'node:fs/promises';
import {
  Server,
  status,
  type sendUnaryData,
  type ServerCredentials,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import { isChunkId } from '../chunks/chunk-id.js';
import { ChunkNotFoundError, ChunkUnreadableError } from '../chunks/errors.js';
import type { LocalReplica } from './local-replica.js';
import type {
  DeleteChunksRequest,
  DeleteChunksResponse,
  GetChunkRequest,
  GetChunkResponse,
  HealthResponse,
  ListChunksResponse,
  NodeInfoResponse,
  PutChunkRequest,
  PutChunkResponse,
  VerifyChunkRequest,
  VerifyChunkResponse,
} from './messages.js';
import { chunkServiceDefinition } from './proto.js';
import { GRPC_CHANNEL_OPTIONS } from './peers.js';
import { raiseServerWindows } from './flow-control.js';

/** Largest data message this side sends (the receive limit is larger). */
export const MAX_DATA_MESSAGE = 1 << 20;

/** What a call tells about its peer (grpc-js AuthContext, not exported by the package). */
export interface AuthenticatedCall {
  getAuthContext(): { sslPeerCertificate?: PeerCertificate | undefined };
  getPeer(): string;
}

export interface CallAuthority {
  /** Resolves null if the call may go on, or the error to answer it with. */
  check(call: AuthenticatedCall): Promise<ServiceError | null>;
}

export interface ChunkServiceOptions {
  nodeId: string;
  version: string;
  dataDir: string;
  local: LocalReplica;
  authority: CallAuthority;
  onCallError?: (method: string, err: unknown) => void;
}

export function serviceError(code: status, details: string): ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new Metadata() });
}

function chunkErrorToStatus(err: unknown): ServiceError {
  if (err instanceof ChunkNotFoundError) return serviceError(status.NOT_FOUND, 'chunk not found');
  if (err instanceof ChunkUnreadableError) return serviceError(status.FAILED_PRECONDITION, err.message);
  if (err instanceof RangeError) return serviceError(status.OUT_OF_RANGE, err.message);
  if ((err as { code?: unknown }).code !== undefined && typeof (err as ServiceError).code === 'number') return err as ServiceError;
  return serviceError(status.INTERNAL, err instanceof Error ? err.message : String(err));
}

export class ChunkServiceServer {
  readonly #o: ChunkServiceOptions;
  readonly #server: Server;
  #usageCache: { at: number; chunks: number; bytes: number } | null = null;
  readonly #windowsRaised = new WeakSet<object>();
  #windowsOk = false;

  constructor(options: ChunkServiceOptions) {
    this.#o = options;
    this.#server = new Server(GRPC_CHANNEL_OPTIONS);
    this.#server.addService(chunkServiceDefinition(), this.#implementation());
  }

  /** False if the HTTP/2 receive windows could not be raised (flow-control.ts): a node logs it. */
  get windowsRaised(): boolean {
    return this.#windowsOk;
  }

  /** Binds host:port; resolves with the port bound (useful with port 0). */
  listen(host: string, port: number, credentials: ServerCredentials): Promise<number> {
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    return new Promise((resolve, reject) => {
      this.#server.bindAsync(address, credentials, (err, bound) => {
        if (err) return reject(err);
        this.#windowsOk = raiseServerWindows(this.#server, this.#windowsRaised);
        resolve(bound);
      });
    });
  }

  /** Stops taking calls; waits up to `graceMs` for the ones in flight, then cuts them. */
  async close(graceMs: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#server.forceShutdown();
        resolve();
      }, graceMs);
      timer.unref();
      this.#server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #implementation(): UntypedServiceImplementation {
    const guardUnary =
      <Req, Res>(name: string, fn: (call: ServerUnaryCall<Req, Res>) => Promise<Res>) =>
      (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
        void (async () => {
          const refused = await this.#o.authority.check(call);
          if (refused !== null) return callback(refused);
          try {
            callback(null, await fn(call));
          } catch (err) {
            this.#o.onCallError?.(name, err);
            callback(chunkErrorToStatus(err));
          }
        })();
      };
    return {
      PutChunk: (call: ServerReadableStream<PutChunkRequest, PutChunkResponse>, callback: sendUnaryData<PutChunkResponse>) =>
        void this.#putChunk(call, callback),
      GetChunk: (call: ServerWritableStream<GetChunkRequest, GetChunkResponse>) => void this.#getChunk(call),
      ListChunks: (call: ServerWritableStream<Record<string, never>, ListChunksResponse>) => void this.#listChunks(call),
      DeleteChunks: guardUnary<DeleteChunksRequest, DeleteChunksResponse>('DeleteChunks', async (call) => {
        let freed = 0;
        for (const id of call.request.chunk_ids) {
          if (!isChunkId(id)) throw serviceError(status.INVALID_ARGUMENT, 'invalid chunk id');
          freed += await this.#o.local.delete(id);
        }
        this.#usageCache = null;
        return { bytes_freed: freed };
      }),
      VerifyChunk: guardUnary<VerifyChunkRequest, VerifyChunkResponse>('VerifyChunk', async (call) => {
        const id = call.request.chunk_id;
        if (!isChunkId(id)) throw serviceError(status.INVALID_ARGUMENT, 'invalid chunk id');
        let stream;
        try {
          stream = await this.#o.local.read(id);
        } catch (err) {
          if (err instanceof ChunkNotFoundError) return { found: false, size: 0, sha256: Buffer.alloc(0) };
          throw err;
        }
        const hash = createHash('sha256');
        let size = 0;
        for await (const piece of stream) {
          hash.update(piece as Buffer);
          size += (piece as Buffer).length;
        }
        return { found: true, size, sha256: hash.digest() };
      }),
      NodeInfo: guardUnary<Record<string, never>, NodeInfoResponse>('NodeInfo', async () => {
        const usage = await this.#usage();
        let free = 0;
        try {
          const s = await statfs(this.#o.dataDir);
          free = s.bavail * s.bsize;
        } catch {
          /* 0 */
        }
        return { node_id: this.#o.nodeId, version: this.#o.version, chunks: usage.chunks, bytes: usage.bytes, free_disk_bytes: free };
      }),
      Health: guardUnary<Record<string, never>, HealthResponse>('Health', async () => ({ serving: true })),
    };
  }

  async #usage(): Promise<{ chunks: number; bytes: number }> {
    if (this.#usageCache !== null && Date.now() - this.#usageCache.at < 10_000) return this.#usageCache;
    const u = await this.#o.local.usage();
    this.#usageCache = { at: Date.now(), ...u };
    return u;
  }

  async #putChunk(call: ServerReadableStream<PutChunkRequest, PutChunkResponse>, callback: sendUnaryData<PutChunkResponse>): Promise<void> {
    const refused = await this.#o.authority.check(call);
    if (refused !== null) {
      callback(refused);
      return;
    }
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort(new Error('PutChunk cancelled by the caller')));
    const iterator = call[Symbol.asyncIterator]() as AsyncIterator<PutChunkRequest>;
    try {
      const first = await iterator.next();
      if (first.done === true || first.value.part !== 'begin' || !('begin' in first.value))
        throw serviceError(status.INVALID_ARGUMENT, 'PutChunk must start with begin');
      const id = first.value.begin.chunk_id;
      if (!isChunkId(id)) throw serviceError(status.INVALID_ARGUMENT, 'invalid chunk id');
      const hash = createHash('sha256');
      let ended = false;
      async function* data(): AsyncGenerator<Uint8Array> {
        for (;;) {
          const next = await iterator.next();
          if (next.done === true) throw serviceError(status.INVALID_ARGUMENT, 'PutChunk ended without end');
          const msg = next.value;
          if (msg.part === 'data' && 'data' in msg) {
            hash.update(msg.data);
            yield msg.data;
          } else if (msg.part === 'end' && 'end' in msg) {
            // Checked before the chunk is renamed into place: a torn or corrupted transfer
            // leaves nothing behind and is never acknowledged.
            if (!hash.digest().equals(msg.end.sha256)) throw serviceError(status.DATA_LOSS, 'SHA-256 of the received bytes does not match');
            ended = true;
            return;
          } else throw serviceError(status.INVALID_ARGUMENT, 'unexpected PutChunk message');
        }
      }
      const ref = await this.#o.local.writeAs(id, data(), { signal: abort.signal });
      if (!ended) throw serviceError(status.INVALID_ARGUMENT, 'PutChunk ended without end');
      this.#usageCache = null;
      callback(null, { chunk_id: ref.id, size: ref.size });
    } catch (err) {
      this.#o.onCallError?.('PutChunk', err);
      callback(chunkErrorToStatus(err));
    }
  }

  async #getChunk(call: ServerWritableStream<GetChunkRequest, GetChunkResponse>): Promise<void> {
    const refused = await this.#o.authority.check(call);
    if (refused !== null) return void call.emit('error', refused);
    const req = call.request;
    try {
      if (!isChunkId(req.chunk_id)) throw serviceError(status.INVALID_ARGUMENT, 'invalid chunk id');
      const range = req.has_range ? { start: req.start, end: req.end } : undefined;
      const stream = await this.#o.local.read(req.chunk_id, range);
      const size = (await this.#o.local.size(req.chunk_id)) ?? 0;
      let cancelled = false;
      call.on('cancelled', () => {
        cancelled = true;
        stream.destroy();
      });
      call.write({ part: 'header', header: { size } });
      for await (const piece of stream) {
        if (cancelled) break;
        const buf = piece as Buffer;
        for (let off = 0; off < buf.length; off += MAX_DATA_MESSAGE) {
          if (!call.write({ part: 'data', data: buf.subarray(off, off + MAX_DATA_MESSAGE) })) await drained(call);
        }
      }
      call.end();
    } catch (err) {
      this.#o.onCallError?.('GetChunk', err);
      call.emit('error', chunkErrorToStatus(err));
    }
  }

  async #listChunks(call: ServerWritableStream<Record<string, never>, ListChunksResponse>): Promise<void> {
    const refused = await this.#o.authority.check(call);
    if (refused !== null) return void call.emit('error', refused);
    try {
      let batch: ListChunksResponse['chunks'] = [];
      for await (const c of this.#o.local.list()) {
        batch.push({ chunk_id: c.id, size: c.size, mtime_ms: c.mtimeMs });
        if (batch.length >= 1000) {
          if (!call.write({ chunks: batch })) await drained(call);
          batch = [];
        }
      }
      if (batch.length > 0) call.write({ chunks: batch });
      call.end();
    } catch (err) {
      call.emit('error', chunkErrorToStatus(err));
    }
  }
}

/** Resolves when `call` can take more, or when it will never (cancelled, closed). */
function drained(call: ServerWritableStream<unknown, unknown>): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      call.off('drain', done);
      call.off('cancelled', done);
      call.off('close', done);
      resolve();
    };
    call.on('drain', done);
    call.on('cancelled', done);
    call.on('close', done);
  });
}
