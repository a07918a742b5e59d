/**
 * The cluster's ChunkStore: each chunk goes to the R nodes rendezvous hashing picks among
 * the active members, streamed to all of them in parallel (this node's own copy straight
 * to its disk). write() resolves once W of them made it durable; the replicas that missed
 * it are recorded for repair, and the nodes that hold it are recorded in PostgreSQL, so a
 * later read finds them whatever membership has become. A read tries the replicas in
 * order and moves to the next before any byte if one fails to open, or resumes from the
 * next byte on another if one breaks mid-stream. A delete reaches every replica.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { status } from '@grpc/grpc-js';
import type { ChunkInfo, ChunkRange, ChunkRef, ChunkUsage, ChunkWriteOptions, ManagedChunkStore } from '../chunks/chunk-store.js';
import { assertChunkId, newChunkId } from '../chunks/chunk-id.js';
import { assertChunkRange } from '../chunks/chunk-range.js';
import { abortable } from '../chunks/abortable.js';
import { ChunkNotFoundError, ChunkUnreadableError } from '../chunks/errors.js';
import type { ClusterMember, ClusterStore, ReplicaMiss } from '../metadata/cluster-types.js';
import { QuorumError } from './errors.js';
import type { LocalReplica } from './local-replica.js';
import type { Membership } from './membership.js';
import type { PeerClients } from './peers.js';
import { place } from './placement.js';
import { Batcher, REPLICA_WINDOW_BYTES, SEND_BATCH_BYTES, SinkQueue } from './replica-queue.js';
import { grpcCodeOf, rpcDeleteChunks, rpcGetChunk, rpcListChunks, rpcPutChunk, type ReplicaSink, type RpcTimeouts } from './rpc.js';

export interface ReplicatedChunkStoreOptions {
  nodeId: string;
  local: LocalReplica;
  membership: Membership;
  peers: PeerClients;
  store: ClusterStore;
  replicationFactor: number;
  writeQuorum: number;
  /** The largest chunk a write may produce (sets a transfer's deadline). */
  maxChunkBytes: number;
  timeouts: RpcTimeouts;
  /** A silent coordinator's chunks pass to the other nodes' GC after this long. */
  orphanHandoverMs: number;
  /** A replica failed (logged by the caller; never fatal on its own). */
  onReplicaError?: (nodeId: string, op: string, err: unknown) => void;
}

export class ReplicatedChunkStore implements ManagedChunkStore {
  readonly #o: ReplicatedChunkStoreOptions;
  #shortWarnedAt = 0;

  constructor(options: ReplicatedChunkStoreOptions) {
    this.#o = options;
  }

  async write(source: AsyncIterable<Uint8Array>, options?: ChunkWriteOptions): Promise<ChunkRef> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    const id = newChunkId();
    options?.onId?.(id);
    const { replicationFactor: r, writeQuorum: w } = this.#o;
    let targets = place(id, this.#o.membership.placeable(), r);
    if (targets.length < r && Date.now() - this.#shortWarnedAt > 10_000) {
      // Under-replicated from the start (repair fixes it later): worth a line, not one per chunk.
      this.#shortWarnedAt = Date.now();
      this.#o.onReplicaError?.(
        this.#o.nodeId,
        'place',
        new Error(
          `only ${targets.length} of ${r} replicas placeable (active nodes: ${this.#o.membership
            .placeable()
            .map((m) => m.nodeId)
            .join(', ')})`,
        ),
      );
    }
    if (targets.length < r) {
      // The view may be a heartbeat old (a node that just joined): look again before settling
      // for fewer replicas (at most one re-read per 250 ms, however many writes ask).
      await this.#o.membership.refreshIfOlder(250).catch(() => undefined);
      targets = place(id, this.#o.membership.placeable(), r);
    }
    if (targets.length < w) throw new QuorumError(`only ${targets.length} active node(s), the write quorum is ${w}`, 0, w);
    const sinks = targets.map((m) => ({ sink: this.#sink(m, id), failed: null as unknown, queue: null as unknown as SinkQueue }));
    const fail = (s: (typeof sinks)[number], err: unknown): void => {
      if (s.failed !== null) return;
      s.failed = err;
      s.sink.abort(err);
      s.queue.fail(err);
      this.#o.onReplicaError?.(s.sink.nodeId, 'write', err);
    };
    for (const s of sinks) s.queue = new SinkQueue(s.sink, REPLICA_WINDOW_BYTES, (err) => fail(s, err));
    const live = () => sinks.filter((s) => s.failed === null);
    const hash = createHash('sha256');
    const batcher = new Batcher(SEND_BATCH_BYTES);
    let size = 0;
    // Each replica has its own bounded queue: a replica may run up to REPLICA_WINDOW_BYTES
    // behind the fastest instead of pacing every piece, and memory stays bounded by that window.
    const send = async (batch: Buffer): Promise<void> => {
      await Promise.all(live().map((s) => s.queue.push(batch)));
      if (live().length < w) throw quorumLost(sinks, w);
    };
    try {
      for await (const piece of abortable(source, signal)) {
        if (piece.byteLength === 0) continue;
        hash.update(piece);
        size += piece.byteLength;
        const batch = batcher.add(piece);
        if (batch !== null) await send(batch);
      }
      const tail = batcher.flush();
      if (tail !== null) await send(tail);
      signal?.throwIfAborted();
      const digest = hash.digest();
      await Promise.all(live().map((s) => s.queue.drained()));
      await Promise.all(live().map((s) => s.sink.end(digest).catch((err: unknown) => fail(s, err))));
      const acked = live().map((s) => s.sink.nodeId);
      if (acked.length < w) throw quorumLost(sinks, w);
      await this.#o.store.recordChunk({ chunkId: id, size, sha256: digest, nodes: acked, coordinator: this.#o.nodeId });
      const misses: Array<Omit<ReplicaMiss, 'recordedAt'>> = sinks
        .filter((s) => s.failed !== null)
        .map((s) => ({ chunkId: id, nodeId: s.sink.nodeId, kind: 'write', reason: messageOf(s.failed) }));
      await this.#o.store.recordMisses(misses).catch((err: unknown) => this.#o.onReplicaError?.(this.#o.nodeId, 'record-miss', err));
      return { id, size };
    } catch (err) {
      for (const s of sinks)
        if (s.failed === null) {
          s.sink.abort(err);
          s.queue.fail(err);
        }
      // Replicas that made it durable anyway (an abort that came after their fsync) would be
      // orphans: once every replica's write is over, take them back (best effort, in the background).
      void Promise.all(sinks.map((s) => s.sink.settled()))
        .then(() =>
          this.#deleteEverywhere(
            id,
            sinks.map((s) => s.sink.nodeId),
            [],
          ),
        )
        .catch(() => {});
      throw err;
    }
  }

  #sink(member: ClusterMember, id: string): ReplicaSink {
    if (member.nodeId === this.#o.nodeId) return localSink(this.#o.local, member.nodeId, id);
    return rpcPutChunk(this.#o.peers.client(member), member.nodeId, id, this.#o.maxChunkBytes, this.#o.timeouts);
  }

  /** Every chunk is durable when write() resolves: nothing is left for sync(). */
  async sync(ids: readonly string[]): Promise<void> {
    for (const id of ids) assertChunkId(id);
  }

  /** Replicas in the order reads try them: this node, then live members, then silent ones. */
  #readOrder(nodes: readonly string[]): string[] {
    const rankOf = (nodeId: string): number => {
      if (nodeId === this.#o.nodeId) return 0;
      const state = this.#o.membership.get(nodeId)?.state;
      if (state === 'active' || state === 'draining') return 1;
      if (state === 'removed' || state === 'isolated') return 9;
      return 2;
    };
    return [...nodes].filter((n) => rankOf(n) < 9).sort((a, b) => rankOf(a) - rankOf(b));
  }

  async #open(nodeId: string, id: string, range: ChunkRange | undefined): Promise<AsyncIterable<Buffer>> {
    if (nodeId === this.#o.nodeId) return (await this.#o.local.read(id, range)) as AsyncIterable<Buffer>;
    const member = this.#o.membership.get(nodeId);
    if (member === undefined) throw new ChunkUnreadableError(id, `replica node ${nodeId} is not a member`);
    return (await rpcGetChunk(this.#o.peers.client(member), nodeId, id, range, this.#o.timeouts)).body;
  }

  async read(id: string, range?: ChunkRange): Promise<Readable> {
    assertChunkId(id);
    if (range !== undefined) assertChunkRange(range);
    const rec = await this.#o.store.chunkReplicas(id);
    if (rec === null) throw new ChunkNotFoundError(id);
    if (range !== undefined && range.end >= rec.size)
      throw new ChunkUnreadableError(id, `range ends at byte ${range.end} of a ${rec.size}-byte chunk`);
    const end = range?.end ?? rec.size - 1;
    const order = this.#readOrder(rec.nodes);
    let next = 0;
    let pos = range?.start ?? 0;
    const openFrom = async (from: number): Promise<AsyncIterable<Buffer>> => {
      const errors: unknown[] = [];
      while (next < order.length) {
        const nodeId = order[next]!;
        try {
          // An empty chunk has no byte range to ask for.
          return await this.#open(nodeId, id, rec.size === 0 ? undefined : { start: from, end });
        } catch (err) {
          errors.push(err);
          this.#o.onReplicaError?.(nodeId, 'read', err);
          next++;
        }
      }
      const allMissing = errors.length > 0 && errors.every((e) => e instanceof ChunkNotFoundError || grpcCodeOf(e) === status.NOT_FOUND);
      if (allMissing) throw new ChunkNotFoundError(id, { cause: errors[0] });
      throw new ChunkUnreadableError(id, `no replica could be read (${order.length} tried)`, { cause: errors[errors.length - 1] });
    };
    // Opened before read() resolves: a caller learns of an unreadable chunk before it sends a header.
    const first = await openFrom(pos);
    const onError = this.#o.onReplicaError;
    async function* bytes(): AsyncGenerator<Buffer> {
      let body = first;
      for (;;) {
        try {
          for await (const piece of body) {
            pos += piece.length;
            yield piece;
          }
          if (pos <= end) throw new Error(`replica ended at byte ${pos} of ${end + 1}`);
          return;
        } catch (err) {
          if (pos > end) return;
          onError?.(order[next] ?? '?', 'read-resume', err);
          next++;
          // Resume from the next byte on another replica: the caller sees one unbroken body.
          body = await openFrom(pos);
        }
      }
    }
    return Readable.from(bytes(), { objectMode: false, highWaterMark: 1 << 20 });
  }

  async delete(id: string): Promise<number> {
    assertChunkId(id);
    const rec = await this.#o.store.chunkReplicas(id);
    if (rec === null) return 0;
    // Every member that might hold a copy (a lost acknowledgement can leave one off the
    // list), then the record: a crash in between leaves a record GC deletes again.
    const candidates = this.#o.membership
      .members()
      .filter((m) => m.state !== 'removed' && m.state !== 'isolated')
      .map((m) => m.nodeId);
    for (const n of rec.nodes) if (!candidates.includes(n) && this.#o.membership.get(n)?.state !== 'removed') candidates.push(n);
    await this.#deleteEverywhere(id, candidates, rec.nodes);
    await this.#o.store.forgetChunk(id);
    return rec.size;
  }

  /** Deletes `id` on each of `nodes`; a holder that could not be reached is recorded for repair. */
  async #deleteEverywhere(id: string, nodes: readonly string[], holders: readonly string[] = nodes): Promise<void> {
    const misses: Array<Omit<ReplicaMiss, 'recordedAt'>> = [];
    await Promise.all(
      nodes.map(async (nodeId) => {
        try {
          if (nodeId === this.#o.nodeId) {
            await this.#o.local.delete(id);
            return;
          }
          const member = this.#o.membership.get(nodeId);
          if (member === undefined) throw new Error('not a member');
          if (member.state === 'down') throw new Error('node is down');
          await rpcDeleteChunks(this.#o.peers.client(member), nodeId, [id], this.#o.timeouts);
        } catch (err) {
          if (holders.includes(nodeId)) misses.push({ chunkId: id, nodeId, kind: 'delete', reason: messageOf(err) });
          this.#o.onReplicaError?.(nodeId, 'delete', err);
        }
      }),
    );
    await this.#o.store.recordMisses(misses);
  }

  /**
   * The chunks this node's GC may judge: the ones it wrote (its in-flight registry knows
   * which of those a write still needs), and those of a coordinator that can no longer be
   * writing (removed, isolated, or silent for longer than `orphanHandoverMs`).
   */
  async *list(): AsyncIterable<ChunkInfo> {
    const now = Date.now();
    const mine = (coordinator: string): boolean => {
      if (coordinator === this.#o.nodeId) return true;
      const m = this.#o.membership.get(coordinator);
      if (m === undefined || m.state === 'removed' || m.state === 'isolated') return true;
      return m.state === 'down' && now - m.lastHeartbeat.getTime() > this.#o.orphanHandoverMs;
    };
    for await (const c of this.#o.store.listChunks())
      if (mine(c.coordinator)) yield { id: c.chunkId, size: c.size, mtimeMs: c.createdAt.getTime() };
  }

  /**
   * How old an unrecorded replica must be before it can only be a stray: a coordinator
   * records a chunk's holders once every replica's transfer is over (at most the transfer
   * deadline of the largest chunk), and one more call's deadline for the commit itself.
   */
  strayFloorMs(): number {
    const t = this.#o.timeouts;
    return 2 * t.callMs + (this.#o.maxChunkBytes / (1 << 20)) * t.perMiBMs;
  }

  /**
   * Replicas that no chunk_replicas row names, on every reachable member (this node's disk
   * directly, the others through ListChunks): the coordinator died after its peers made
   * them durable and before it recorded them. One is deleted (DeleteChunks on its holder)
   * only when it is older than both `olderThanMs` and strayFloorMs(), no row names it (read
   * after the listing), metadata does not reference it, and no write in flight on this node
   * holds it. Members that are down, removed or isolated are skipped (their disks are swept
   * when they answer again). `everyNode: false` sweeps this node's own disk only (what a
   * scheduled run does: every node runs its own, so nobody lists the whole cluster hourly).
   */
  async sweepStrays(opts: {
    olderThanMs: number;
    everyNode: boolean;
    isKnown: (id: string) => Promise<boolean>;
    inFlight?: { has(id: string): boolean };
    signal?: AbortSignal;
  }): Promise<{ scanned: number; removed: number; bytesFreed: number; inGrace: number; inUse: number; errors: number; nodes: number }> {
    const minAge = Math.max(opts.olderThanMs, this.strayFloorMs());
    const out = { scanned: 0, removed: 0, bytesFreed: 0, inGrace: 0, inUse: 0, errors: 0, nodes: 0 };
    const members = this.#o.membership
      .members()
      .filter((m) => m.state === 'active' || m.state === 'draining' || m.state === 'joining')
      .filter((m) => opts.everyNode || m.nodeId === this.#o.nodeId);
    for (const member of members) {
      if (opts.signal?.aborted === true) break;
      const local = member.nodeId === this.#o.nodeId;
      const listing: AsyncIterable<{ id: string; mtimeMs: number }> = local
        ? this.#o.local.list()
        : mapEntries(rpcListChunks(this.#o.peers.client(member), member.nodeId, this.#o.timeouts));
      const strays: string[] = [];
      try {
        for await (const c of listing) {
          out.scanned++;
          const young = Date.now() - c.mtimeMs < minAge;
          if (!young && opts.inFlight?.has(c.id) === true) {
            if ((await this.#o.store.chunkReplicas(c.id)) === null) out.inUse++;
            continue;
          }
          if ((await this.#o.store.chunkReplicas(c.id)) !== null) continue;
          if (young) {
            out.inGrace++;
            continue;
          }
          // Referenced but unrecorded cannot come from a crash; kept (and left to an operator) rather than guessed at.
          if (await opts.isKnown(c.id)) continue;
          strays.push(c.id);
        }
      } catch (err) {
        out.errors++;
        this.#o.onReplicaError?.(member.nodeId, 'list-strays', err);
        continue;
      }
      out.nodes++;
      for (let i = 0; i < strays.length; i += 100) {
        const batch = strays.slice(i, i + 100);
        // Looked up again just before the delete: a record made since the listing wins.
        const still: string[] = [];
        for (const id of batch) if ((await this.#o.store.chunkReplicas(id)) === null && opts.inFlight?.has(id) !== true) still.push(id);
        if (still.length === 0) continue;
        try {
          if (local) for (const id of still) out.bytesFreed += await this.#o.local.delete(id);
          else out.bytesFreed += await rpcDeleteChunks(this.#o.peers.client(member), member.nodeId, still, this.#o.timeouts);
          out.removed += still.length;
        } catch (err) {
          out.errors++;
          this.#o.onReplicaError?.(member.nodeId, 'delete-strays', err);
        }
      }
    }
    return out;
  }

  /** Each node sweeps its own temporaries (its GC runs this). */
  sweepTemporary(olderThanMs: number): Promise<number> {
    return this.#o.local.sweepTemporary(olderThanMs);
  }

  /** Logical usage: every chunk counted once, whatever its number of replicas. */
  usage(): Promise<ChunkUsage> {
    return this.#o.store.chunkUsage();
  }
}

async function* mapEntries(
  entries: AsyncIterable<{ chunk_id: string; mtime_ms: number }>,
): AsyncGenerator<{ id: string; mtimeMs: number }> {
  for await (const e of entries) yield { id: e.chunk_id, mtimeMs: e.mtime_ms };
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 500);
}

function quorumLost(sinks: Array<{ sink: ReplicaSink; failed: unknown }>, w: number): QuorumError {
  const durable = sinks.filter((s) => s.failed === null).length;
  const firstFailure = sinks.find((s) => s.failed !== null)?.failed;
  return new QuorumError(`only ${durable} replica(s) left, the write quorum is ${w}: ${messageOf(firstFailure)}`, durable, w, {
    cause: firstFailure,
  });
}

/**
 * This node's own replica: the pieces are handed to LocalChunkStore.writeAs through a
 * one-slot pipe. No second hash here: the digest end() gets was computed by write() over
 * these very buffers in this process (a peer, which receives them over the network, checks).
 */
export function localSink(local: LocalReplica, nodeId: string, id: string): ReplicaSink {
  const pipe = new Pipe();
  const abort = new AbortController();
  const done = local.writeAs(id, pipe, { signal: abort.signal });
  done.catch(() => {});
  const endedEarly = done.then(() => Promise.reject(new Error('local write ended early')));
  endedEarly.catch(() => {});
  return {
    nodeId,
    async write(piece) {
      await Promise.race([pipe.push(piece), endedEarly]);
    },
    async end() {
      pipe.end();
      await done;
    },
    abort(reason) {
      abort.abort(reason);
      pipe.fail(reason);
    },
    settled: () =>
      done.then(
        () => undefined,
        () => undefined,
      ),
  };
}

/** A single-consumer async queue holding at most one piece: push() waits until it is taken. */
class Pipe implements AsyncIterable<Uint8Array> {
  #item: Uint8Array | null = null;
  #ended = false;
  #error: { e: unknown } | null = null;
  #wakeConsumer: (() => void) | null = null;
  #wakeProducer: (() => void) | null = null;

  push(piece: Uint8Array): Promise<void> {
    if (this.#error !== null) return Promise.reject(this.#error.e);
    this.#item = piece;
    this.#wakeConsumer?.();
    return new Promise((resolve) => (this.#wakeProducer = resolve));
  }

  end(): void {
    this.#ended = true;
    this.#wakeConsumer?.();
  }

  fail(e: unknown): void {
    this.#error ??= { e };
    this.#wakeConsumer?.();
    this.#wakeProducer?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      while (this.#item === null && !this.#ended && this.#error === null) await new Promise<void>((r) => (this.#wakeConsumer = r));
      this.#wakeConsumer = null;
      if (this.#error !== null) throw this.#error.e;
      if (this.#item !== null) {
        const piece = this.#item;
        this.#item = null;
        const wake = this.#wakeProducer;
        this.#wakeProducer = null;
        wake?.();
        yield piece;
        continue;
      }
      return;
    }
  }
}
