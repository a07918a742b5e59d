/**
 * The calls one node makes to another, each named rpc…: a deadline on every one, retries
 * with backoff only for the idempotent ones (delete, list, verify, info, health, and the
 * opening of a read). A chunk transfer's deadline grows with its size.
 */
import { Metadata, status, type Client, type ClientReadableStream, type ClientWritableStream, type ServiceError } from '@grpc/grpc-js';
import { PeerError } from './errors.js';
import type {
  ChunkEntry,
  DeleteChunksResponse,
  GetChunkRequest,
  GetChunkResponse,
  HealthResponse,
  ListChunksResponse,
  NodeInfoResponse,
  PutChunkRequest,
  PutChunkResponse,
  VerifyChunkResponse,
} from './messages.js';

export interface RpcTimeouts {
  /** Deadline of a call without a body. */
  callMs: number;
  /** Added to a transfer's deadline per MiB moved. */
  perMiBMs: number;
}

type UnaryFn = (req: unknown, md: Metadata, opts: { deadline: Date }, cb: (err: ServiceError | null, res: unknown) => void) => void;
type ServerStreamFn = (req: unknown, md: Metadata, opts: { deadline: Date }) => ClientReadableStream<unknown>;
type ClientStreamFn = (
  md: Metadata,
  opts: { deadline: Date },
  cb: (err: ServiceError | null, res: unknown) => void,
) => ClientWritableStream<unknown>;

function method<T>(client: Client, name: string): T {
  const fn = (client as unknown as Record<string, unknown>)[name];
  if (typeof fn !== 'function') throw new TypeError(`ChunkService has no method ${name}`);
  return (fn as (...a: unknown[]) => unknown).bind(client) as T;
}

const RETRYABLE = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.RESOURCE_EXHAUSTED]);
const ATTEMPTS = 3;
const BACKOFF_MS = 50;

function peerError(nodeId: string, err: unknown): PeerError {
  const code = (err as Partial<ServiceError>).code;
  const details = (err as Partial<ServiceError>).details ?? (err instanceof Error ? err.message : String(err));
  return new PeerError(nodeId, details, typeof code === 'number' ? code : undefined, { cause: err });
}

/** Runs an idempotent call up to ATTEMPTS times on UNAVAILABLE / DEADLINE_EXCEEDED, with jittered backoff. */
async function retrying<T>(nodeId: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const code = (err as Partial<ServiceError>).code;
      if (attempt >= ATTEMPTS || typeof code !== 'number' || !RETRYABLE.has(code)) throw peerError(nodeId, err);
      const delay = BACKOFF_MS * 2 ** (attempt - 1) * (0.5 + Math.random());
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

function unary<T>(client: Client, name: string, req: unknown, timeoutMs: number): Promise<T> {
  const fn = method<UnaryFn>(client, name);
  return new Promise((resolve, reject) => {
    fn(req, new Metadata(), { deadline: new Date(Date.now() + timeoutMs) }, (err, res) => (err ? reject(err) : resolve(res as T)));
  });
}

export function rpcDeleteChunks(client: Client, nodeId: string, ids: string[], t: RpcTimeouts): Promise<number> {
  return retrying(
    nodeId,
    async () => (await unary<DeleteChunksResponse>(client, 'DeleteChunks', { chunk_ids: ids }, t.callMs)).bytes_freed,
  );
}

export function rpcVerifyChunk(client: Client, nodeId: string, id: string, sizeHint: number, t: RpcTimeouts): Promise<VerifyChunkResponse> {
  return retrying(nodeId, () =>
    unary<VerifyChunkResponse>(client, 'VerifyChunk', { chunk_id: id }, t.callMs + (sizeHint / (1 << 20)) * t.perMiBMs),
  );
}

export function rpcNodeInfo(client: Client, nodeId: string, t: RpcTimeouts): Promise<NodeInfoResponse> {
  return retrying(nodeId, () => unary<NodeInfoResponse>(client, 'NodeInfo', {}, t.callMs));
}

export function rpcHealth(client: Client, nodeId: string, t: RpcTimeouts): Promise<HealthResponse> {
  return retrying(nodeId, () => unary<HealthResponse>(client, 'Health', {}, t.callMs));
}

/** Every chunk a peer holds (deadline: long, a listing walks the whole disk). */
export async function* rpcListChunks(client: Client, nodeId: string, t: RpcTimeouts): AsyncGenerator<ChunkEntry> {
  const call = method<ServerStreamFn>(client, 'ListChunks')({}, new Metadata(), { deadline: new Date(Date.now() + t.callMs * 60) });
  try {
    for await (const msg of call as AsyncIterable<ListChunksResponse>) yield* msg.chunks;
  } catch (err) {
    throw peerError(nodeId, err);
  } finally {
    call.cancel();
  }
}

/** One replica being written: pieces go in with backpressure; end() resolves once the peer made it durable. */
export interface ReplicaSink {
  readonly nodeId: string;
  write(piece: Uint8Array): Promise<void>;
  end(sha256: Buffer): Promise<void>;
  abort(reason: unknown): void;
  /** Resolves once this replica's write is over, whichever way (never rejects). */
  settled(): Promise<void>;
}

/** Bytes of one transfer written to the call but not yet taken by HTTP/2 before write() waits. */
const MAX_UNSENT_BYTES = 4 << 20;

/** Starts a PutChunk to `nodeId`. Never retried: the source cannot be replayed. */
export function rpcPutChunk(client: Client, nodeId: string, chunkId: string, maxBytes: number, t: RpcTimeouts): ReplicaSink {
  let settle!: { resolve: (r: PutChunkResponse) => void; reject: (e: unknown) => void };
  const answered = new Promise<PutChunkResponse>((resolve, reject) => (settle = { resolve, reject }));
  answered.catch(() => {});
  const deadline = new Date(Date.now() + t.callMs + (maxBytes / (1 << 20)) * t.perMiBMs);
  const call = method<ClientStreamFn>(client, 'PutChunk')(new Metadata(), { deadline }, (err, res) =>
    err ? settle.reject(peerError(nodeId, err)) : settle.resolve(res as PutChunkResponse),
  );
  call.on('error', () => {}); // reported through the callback
  let failed: unknown = null;
  answered.catch((err: unknown) => (failed ??= err));
  // grpc-js's writable counts messages (16 before it says wait), not bytes: with 1 MiB
  // messages that would let 16 MiB pile up per transfer, so bytes not yet handed to HTTP/2
  // are bounded here too.
  let unsent = 0;
  let wakeSender: (() => void) | null = null;
  const send = (msg: PutChunkRequest): Promise<void> => {
    if (failed !== null) return Promise.reject(failed);
    const bytes = 'data' in msg && msg.data !== undefined ? msg.data.length : 0;
    unsent += bytes;
    const more = call.write(msg, () => {
      unsent -= bytes;
      if (unsent <= MAX_UNSENT_BYTES) wakeSender?.();
    });
    if (more && unsent <= MAX_UNSENT_BYTES) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (): void => {
        if (!more && call.writableNeedDrain) return;
        if (unsent > MAX_UNSENT_BYTES) return;
        call.off('drain', done);
        wakeSender = null;
        resolve();
      };
      wakeSender = done;
      if (!more) call.on('drain', done);
      answered.then(
        () => {},
        (err: unknown) => {
          call.off('drain', done);
          wakeSender = null;
          reject(err);
        },
      );
    });
  };
  const first = send({ begin: { chunk_id: chunkId, size: 0 } } as PutChunkRequest);
  first.catch(() => {});
  // A batch from ReplicatedChunkStore is about 1 MiB (a little more): one message, not two.
  const MAX = 2 << 20;
  return {
    nodeId,
    async write(piece) {
      const buf = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      for (let off = 0; off < buf.length; off += MAX) await send({ data: buf.subarray(off, off + MAX) } as PutChunkRequest);
    },
    async end(sha256) {
      await send({ end: { sha256 } } as PutChunkRequest);
      call.end();
      const res = await answered;
      if (res.chunk_id !== chunkId) throw new PeerError(nodeId, 'acknowledged another chunk id', undefined);
    },
    abort(reason) {
      failed ??= reason;
      call.cancel();
    },
    settled: () =>
      answered.then(
        () => undefined,
        () => undefined,
      ),
  };
}

/**
 * Opens a chunk (or an inclusive range of it) on a peer: resolves once the peer has it open
 * (its header arrived), so a caller can try another replica before any byte is used; the
 * iterable then yields the bytes and throws a PeerError if the stream breaks.
 */
export async function rpcGetChunk(
  client: Client,
  nodeId: string,
  chunkId: string,
  range: { start: number; end: number } | undefined,
  t: RpcTimeouts,
): Promise<{ size: number; body: AsyncIterable<Buffer>; cancel: () => void }> {
  const length = range === undefined ? 64 << 20 : range.end - range.start + 1;
  const req: GetChunkRequest =
    range === undefined ? { chunk_id: chunkId, has_range: false, start: 0, end: 0 } : { chunk_id: chunkId, has_range: true, ...range };
  const open = async () => {
    const call = method<ServerStreamFn>(client, 'GetChunk')(req, new Metadata(), {
      deadline: new Date(Date.now() + t.callMs + (length / (1 << 20)) * t.perMiBMs),
    });
    const it = (call as AsyncIterable<GetChunkResponse>)[Symbol.asyncIterator]();
    try {
      const first = await it.next();
      if (first.done === true || !('header' in first.value) || first.value.header == null)
        throw new PeerError(nodeId, 'GetChunk sent no header', undefined);
      return { call, it, size: first.value.header.size };
    } catch (err) {
      call.cancel();
      throw err;
    }
  };
  const { call, it, size } = await retrying(nodeId, open);
  async function* body(): AsyncGenerator<Buffer> {
    try {
      for (;;) {
        const next = await it.next();
        if (next.done === true) return;
        if ('data' in next.value && next.value.data != null) yield next.value.data;
      }
    } catch (err) {
      throw peerError(nodeId, err);
    } finally {
      call.cancel();
    }
  }
  return { size, body: body(), cancel: () => call.cancel() };
}

/** gRPC status code of an error from these calls, if any. */
export function grpcCodeOf(err: unknown): number | undefined {
  if (err instanceof PeerError) return err.grpcCode;
  const code = (err as Partial<ServiceError>).code;
  return typeof code === 'number' ? code : undefined;
}
