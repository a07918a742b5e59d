/**
 * This node's view of the cluster: it writes its heartbeat to PostgreSQL every interval and
 * reads every member back in the same tick, so placement, peer addresses and the peer
 * check of the gRPC plane follow membership changes (drain, remove, isolate, down) within
 * one interval. The database clock decides `down`, so node clocks need not agree.
 */
import { statfs } from 'node:fs/promises';
import type { ClusterMember, ClusterStore } from '../metadata/cluster-types.js';

export interface MembershipOptions {
  store: ClusterStore;
  nodeId: string;
  advertise: string;
  zone: string;
  version: string;
  dataDir: string;
  intervalMs: number;
  downAfterMs: number;
  /** The local replica's usage (a full walk: called every USAGE_EVERY beats only). */
  usage: () => Promise<{ chunks: number; bytes: number }>;
  onError?: (err: unknown) => void;
}

const USAGE_EVERY = 10;
/** A peer name not in the cache triggers at most one re-read per this many ms. */
const MISS_REFRESH_MS = 250;

export class Membership {
  readonly #o: MembershipOptions;
  #members = new Map<string, ClusterMember>();
  #timer: NodeJS.Timeout | null = null;
  #active = false;
  #beats = 0;
  #usage = { chunks: -1, bytes: -1 };
  #usageRunning = false;
  #lastMissRefresh = 0;
  #lastRefresh = 0;
  #tick: Promise<void> | null = null;
  readonly #listeners: Array<(members: ClusterMember[]) => void> = [];

  constructor(options: MembershipOptions) {
    this.#o = options;
  }

  get nodeId(): string {
    return this.#o.nodeId;
  }

  get downAfterMs(): number {
    return this.#o.downAfterMs;
  }

  /** Registers this node (joining; a removed, isolated or draining node keeps that state) and reads the members. */
  async join(): Promise<ClusterMember> {
    await this.#beat();
    return this.self()!;
  }

  /** The gRPC server is up: the next heartbeat makes this node active, then heartbeats run on a timer. */
  async activate(): Promise<void> {
    this.#active = true;
    await this.#beat();
    this.#timer = setInterval(() => void this.tick(), this.#o.intervalMs);
    this.#timer.unref();
  }

  /** One heartbeat and re-read now (the timer's work); errors go to onError. */
  tick(): Promise<void> {
    this.#tick ??= this.#beat()
      .catch((err: unknown) => this.#o.onError?.(err))
      .finally(() => (this.#tick = null));
    return this.#tick;
  }

  async #beat(): Promise<void> {
    // The usage walk runs beside the heartbeat, never before it: a slow disk walk must not
    // make this node look down.
    if (this.#beats++ % USAGE_EVERY === 0 && !this.#usageRunning) {
      this.#usageRunning = true;
      this.#o
        .usage()
        .then((u) => (this.#usage = u))
        .catch(() => undefined)
        .finally(() => (this.#usageRunning = false));
    }
    let freeDiskBytes = 0;
    try {
      const s = await statfs(this.#o.dataDir);
      freeDiskBytes = s.bavail * s.bsize;
    } catch {
      /* reported as 0 */
    }
    await this.#o.store.heartbeat({
      nodeId: this.#o.nodeId,
      advertise: this.#o.advertise,
      zone: this.#o.zone,
      version: this.#o.version,
      chunks: this.#usage.chunks,
      bytes: this.#usage.bytes,
      freeDiskBytes,
      activate: this.#active,
    });
    await this.refresh();
  }

  /** Re-reads every member from the database. */
  async refresh(): Promise<void> {
    const list = await this.#o.store.listMembers(this.#o.downAfterMs);
    this.#lastRefresh = Date.now();
    this.#members = new Map(list.map((m) => [m.nodeId, m]));
    for (const l of this.#listeners) l(list);
  }

  /** Re-reads the members unless that was done less than `maxAgeMs` ago (rate-limits callers in a hurry). */
  async refreshIfOlder(maxAgeMs: number): Promise<void> {
    if (Date.now() - this.#lastRefresh < maxAgeMs) return;
    await this.refresh();
  }

  onChange(listener: (members: ClusterMember[]) => void): void {
    this.#listeners.push(listener);
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  members(): ClusterMember[] {
    return [...this.#members.values()];
  }

  get(nodeId: string): ClusterMember | undefined {
    return this.#members.get(nodeId);
  }

  self(): ClusterMember | undefined {
    return this.#members.get(this.#o.nodeId);
  }

  /** Nodes new chunks may be placed on: active and heard from recently. */
  placeable(): ClusterMember[] {
    return this.members().filter((m) => m.state === 'active');
  }

  /**
   * Whether a peer presenting one of `names` may call this node: a registered member that
   * is not removed or isolated. An unknown name re-reads membership (rate-limited) once, so
   * a node that just joined is not refused for a whole heartbeat interval.
   */
  async allowsPeer(names: readonly string[]): Promise<ClusterMember | null> {
    const found = (): ClusterMember | null => {
      for (const n of names) {
        const m = this.#members.get(n);
        if (m !== undefined) return m;
      }
      return null;
    };
    let m = found();
    if (m === null && Date.now() - this.#lastMissRefresh > MISS_REFRESH_MS) {
      this.#lastMissRefresh = Date.now();
      await this.refresh().catch((err: unknown) => this.#o.onError?.(err));
      m = found();
    }
    if (m === null || m.state === 'removed' || m.state === 'isolated') return null;
    return m;
  }
}
