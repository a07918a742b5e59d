/**
 * Repair and scrub. A repair pass walks every chunk's replica list and, for a chunk with
 * fewer than R healthy replicas (a holder removed, isolated, or down past the grace time;
 * a replica a write missed; one scrub found rotten), copies it from a good replica to the
 * nodes placement picks, verifying its SHA-256 on the way, then records the new holder.
 * It also retries the deletes that missed a node. Scheduled passes on each node repair
 * only the chunks that node ranks first for (so nodes do not copy the same chunk twice);
 * a pass an operator starts repairs everything. A scrub re-hashes this node's own replicas
 * and drops (and so gets repaired) any whose SHA-256 no longer matches. Both are rate-limited.
 */
import { createHash } from 'node:crypto';
import type { ClusterMember, ClusterStore } from '../metadata/cluster-types.js';
import type { LocalReplica } from './local-replica.js';
import type { Membership } from './membership.js';
import type { RepairStatsJson } from '@anode/shared/admin-api/index';
import type { PeerClients } from './peers.js';
import { place, rank } from './placement.js';
import { localSink, type ReplicatedChunkStore } from './replicated-chunk-store.js';
import { rpcDeleteChunks, rpcPutChunk, type ReplicaSink, type RpcTimeouts } from './rpc.js';

/** One repair or scrub pass's figures, as the admin API reports them. */
export type RepairStats = RepairStatsJson;

export interface RepairMetrics {
  underReplicated(n: number): void;
  copied(bytes: number): void;
  failed(): void;
  corrupt(): void;
}

export interface RepairOptions {
  nodeId: string;
  local: LocalReplica;
  chunks: ReplicatedChunkStore;
  membership: Membership;
  peers: PeerClients;
  store: ClusterStore;
  replicationFactor: number;
  maxChunkBytes: number;
  timeouts: RpcTimeouts;
  graceMs: number;
  bytesPerSecond: number;
  metrics?: RepairMetrics;
  onError?: (what: string, err: unknown) => void;
}

export interface RepairStatus {
  running: boolean;
  current: RepairStats | null;
  last: RepairStats | null;
  last_error: string | null;
}

function newStats(kind: RepairStats['kind']): RepairStats {
  return {
    kind,
    started_at: new Date().toISOString(),
    finished_at: null,
    chunks_scanned: 0,
    under_replicated: 0,
    replicas_copied: 0,
    copy_failures: 0,
    bytes_copied: 0,
    deletes_retried: 0,
    corrupt_found: 0,
  };
}

/** Sleeps as needed so that `bytes` read since `start` stay under the rate. */
class Throttle {
  readonly #rate: number;
  readonly #start = Date.now();
  #bytes = 0;
  constructor(bytesPerSecond: number) {
    this.#rate = bytesPerSecond;
  }
  async took(bytes: number): Promise<void> {
    if (this.#rate <= 0) return;
    this.#bytes += bytes;
    const due = this.#start + (this.#bytes / this.#rate) * 1000;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

export class RepairService {
  readonly #o: RepairOptions;
  #current: RepairStats | null = null;
  #last: RepairStats | null = null;
  #lastError: string | null = null;
  #running: Promise<RepairStats> | null = null;
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(options: RepairOptions) {
    this.#o = options;
  }

  status(): RepairStatus {
    return { running: this.#running !== null, current: this.#current, last: this.#last, last_error: this.#lastError };
  }

  /** Starts a pass (or joins the one running); resolves when it ends. */
  run(opts: { all: boolean; scrub?: boolean }): { started: boolean; done: Promise<RepairStats> } {
    if (this.#running !== null) return { started: false, done: this.#running };
    const done = (async () => {
      const corrupt = opts.scrub === true ? (await this.#scrub()).corrupt_found : 0;
      const stats = await this.#repair(opts.all);
      stats.corrupt_found += corrupt;
      return stats;
    })();
    this.#running = done.finally(() => (this.#running = null));
    this.#running.catch((err: unknown) => {
      this.#lastError = err instanceof Error ? err.message : String(err);
      this.#o.onError?.('repair', err);
    });
    return { started: true, done: this.#running };
  }

  schedule(repairEveryMs: number, scrubEveryMs: number): void {
    if (repairEveryMs > 0) {
      const t = setInterval(() => void this.run({ all: false }).done.catch(() => {}), repairEveryMs);
      t.unref();
      this.#timers.push(t);
    }
    if (scrubEveryMs > 0) {
      const t = setInterval(() => void this.run({ all: false, scrub: true }).done.catch(() => {}), scrubEveryMs);
      t.unref();
      this.#timers.push(t);
    }
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    await this.#running?.catch(() => {});
  }

  /** Whether `nodeId` still counts as holding its replicas. */
  #healthy(nodeId: string, now: number): boolean {
    const m = this.#o.membership.get(nodeId);
    if (m === undefined) return false;
    if (m.state === 'active' || m.state === 'draining' || m.state === 'joining') return true;
    if (m.state === 'down') return now - m.lastHeartbeat.getTime() < this.#o.graceMs;
    return false;
  }

  async #repair(all: boolean): Promise<RepairStats> {
    const o = this.#o;
    const stats = newStats('repair');
    this.#current = stats;
    this.#lastError = null;
    await o.membership.refresh();
    const placeable = o.membership.placeable();
    const throttle = new Throttle(o.bytesPerSecond);
    const misses = await o.store.listMisses(1_000_000);
    const writeMissed = new Set(misses.filter((m) => m.kind === 'write').map((m) => m.chunkId));

    for await (const rec of o.store.listChunks()) {
      stats.chunks_scanned++;
      const now = Date.now();
      const healthy = rec.nodes.filter((n) => this.#healthy(n, now));
      const r = Math.min(o.replicationFactor, placeable.length + healthy.filter((n) => !placeable.some((p) => p.nodeId === n)).length);
      const need = r - healthy.length;
      if (need <= 0) {
        if (writeMissed.has(rec.chunkId)) await o.store.clearMisses(rec.chunkId, null);
        continue;
      }
      stats.under_replicated++;
      // Scheduled passes split the work: the first placeable node in the chunk's ranking does it.
      if (!all && rank(rec.chunkId, placeable)[0]?.nodeId !== o.nodeId) continue;
      const candidates = place(
        rec.chunkId,
        placeable.filter((p) => !rec.nodes.includes(p.nodeId)),
        need,
      );
      let copied = 0;
      for (const target of candidates) {
        try {
          await this.#copy(rec.chunkId, rec.sha256, target);
          await o.store.updateReplicaNodes(
            rec.chunkId,
            [target.nodeId],
            rec.nodes.filter((n) => !this.#healthy(n, now)),
          );
          await o.store.clearMisses(rec.chunkId, target.nodeId);
          stats.replicas_copied++;
          stats.bytes_copied += rec.size;
          o.metrics?.copied(rec.size);
          copied++;
          await throttle.took(rec.size);
        } catch (err) {
          stats.copy_failures++;
          o.metrics?.failed();
          o.onError?.(`copy of chunk ${rec.chunkId} to ${target.nodeId}`, err);
        }
      }
      if (copied >= need) {
        stats.under_replicated--;
        await o.store.clearMisses(rec.chunkId, null);
      }
    }

    // Deletes that missed a node: retried once it answers.
    for (const m of misses.filter((x) => x.kind === 'delete')) {
      const member = o.membership.get(m.nodeId);
      if (member === undefined || member.state === 'removed' || member.state === 'isolated') {
        await o.store.clearMisses(m.chunkId, m.nodeId);
        continue;
      }
      if (member.state === 'down') continue;
      try {
        if (m.nodeId === o.nodeId) await o.local.delete(m.chunkId);
        else await rpcDeleteChunks(o.peers.client(member), m.nodeId, [m.chunkId], o.timeouts);
        await o.store.clearMisses(m.chunkId, m.nodeId);
        stats.deletes_retried++;
      } catch (err) {
        o.onError?.(`delete of chunk ${m.chunkId} on ${m.nodeId}`, err);
      }
    }
    o.metrics?.underReplicated(stats.under_replicated);
    stats.finished_at = new Date().toISOString();
    this.#last = stats;
    this.#current = null;
    return stats;
  }

  /** Streams a chunk from its replicas (failover included) to `target`, checking its SHA-256. */
  async #copy(id: string, sha256: Buffer, target: ClusterMember): Promise<void> {
    const o = this.#o;
    const source = await o.chunks.read(id);
    const sink: ReplicaSink =
      target.nodeId === o.nodeId
        ? localSink(o.local, o.nodeId, id)
        : rpcPutChunk(o.peers.client(target), target.nodeId, id, o.maxChunkBytes, o.timeouts);
    const hash = createHash('sha256');
    try {
      for await (const piece of source) {
        hash.update(piece as Buffer);
        await sink.write(piece as Buffer);
      }
      const digest = hash.digest();
      // A source that rotted must not be spread: the copy is refused before it is kept.
      if (!digest.equals(sha256)) throw new Error('the source replica does not match the recorded SHA-256');
      await sink.end(digest);
    } catch (err) {
      sink.abort(err);
      source.destroy();
      throw err;
    }
  }

  /** Re-hashes this node's replicas; a mismatch drops the replica so repair makes a new one. */
  async #scrub(): Promise<RepairStats> {
    const o = this.#o;
    const stats = newStats('scrub');
    this.#current = stats;
    const throttle = new Throttle(o.bytesPerSecond);
    for await (const c of o.local.list()) {
      stats.chunks_scanned++;
      const rec = await o.store.chunkReplicas(c.id);
      if (rec === null || !rec.nodes.includes(o.nodeId)) continue; // not (yet) ours to check
      const hash = createHash('sha256');
      try {
        for await (const piece of await o.local.read(c.id)) hash.update(piece as Buffer);
      } catch (err) {
        o.onError?.(`scrub read of ${c.id}`, err);
        continue;
      }
      await throttle.took(c.size);
      if (hash.digest().equals(rec.sha256)) continue;
      stats.corrupt_found++;
      o.metrics?.corrupt();
      o.onError?.(`scrub: chunk ${c.id} on ${o.nodeId} no longer matches its SHA-256 (bit rot); dropped for repair`, null);
      await o.store.updateReplicaNodes(c.id, [], [o.nodeId]);
      await o.store.recordMisses([{ chunkId: c.id, nodeId: o.nodeId, kind: 'write', reason: 'scrub: SHA-256 mismatch' }]);
      await o.local.delete(c.id);
    }
    stats.finished_at = new Date().toISOString();
    this.#current = null;
    return stats;
  }
}
