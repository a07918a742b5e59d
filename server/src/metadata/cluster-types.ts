/**
 * What an Anode cluster keeps in the shared metadata database besides objects: the
 * members and where each chunk's replicas live. Implemented by the PostgreSQL backend only
 * (metadata/postgres/cluster-store.ts); cluster mode refuses to start on SQLite.
 */

/** Stored states; `down` is derived (last heartbeat older than the configured time). */
export type StoredNodeState = 'joining' | 'active' | 'draining' | 'removed' | 'isolated';
export type NodeState = StoredNodeState | 'down';
export const NODE_STATES: readonly NodeState[] = ['joining', 'active', 'draining', 'down', 'removed', 'isolated'];

export interface ClusterMember {
  nodeId: string;
  /** host:port other nodes dial for gRPC. */
  advertise: string;
  zone: string;
  /** The effective state: the stored one, or `down` for a silent joining/active/draining node. */
  state: NodeState;
  storedState: StoredNodeState;
  stateChangedAt: Date;
  stateReason: string | null;
  startedAt: Date;
  lastHeartbeat: Date;
  chunks: number;
  bytes: number;
  freeDiskBytes: number;
  version: string;
}

export interface Heartbeat {
  nodeId: string;
  advertise: string;
  zone: string;
  version: string;
  chunks: number;
  bytes: number;
  freeDiskBytes: number;
  /** A joining node becomes active with this heartbeat (its gRPC server is listening). */
  activate: boolean;
}

/** Where one chunk's durable replicas are (the nodes that acknowledged its write). */
export interface ChunkReplicas {
  chunkId: string;
  size: number;
  sha256: Buffer;
  nodes: string[];
  /** The node that wrote it: its GC alone collects it while it is alive (its in-flight registry protects the write). */
  coordinator: string;
  createdAt: Date;
}

export interface ReplicaMiss {
  chunkId: string;
  nodeId: string;
  /** `write`: the replica never got the chunk; `delete`: it may still hold a deleted one. */
  kind: 'write' | 'delete';
  reason: string;
  recordedAt: Date;
}

export interface ClusterStore {
  /**
   * Registers the node (as joining: first time, or an active node restarting) or refreshes its heartbeat and counters.
   * Never revives a removed or isolated node, nor ends a drain. Returns the row after it.
   */
  heartbeat(h: Heartbeat): Promise<ClusterMember>;
  /** Every member, `down` derived against the database clock. */
  listMembers(downAfterMs: number): Promise<ClusterMember[]>;
  /** Sets a member's stored state (an operator's drain, remove, isolate); null if no such node. */
  setState(nodeId: string, state: StoredNodeState, reason: string | null, downAfterMs: number): Promise<ClusterMember | null>;

  recordChunk(c: Omit<ChunkReplicas, 'createdAt'>): Promise<void>;
  chunkReplicas(chunkId: string): Promise<ChunkReplicas | null>;
  /** Forgets a chunk; resolves with the record it removed (null if none). */
  forgetChunk(chunkId: string): Promise<ChunkReplicas | null>;
  listChunks(): AsyncIterable<ChunkReplicas>;
  chunkUsage(): Promise<{ bytes: number; chunks: number }>;

  /** Adds `add` to a chunk's replica list and takes `drop` off it (repair, scrub); false if the chunk is gone. */
  updateReplicaNodes(chunkId: string, add: readonly string[], drop: readonly string[]): Promise<boolean>;

  recordMisses(misses: Array<Omit<ReplicaMiss, 'recordedAt'>>): Promise<void>;
  /** Forgets misses of a chunk: of one node, or (nodeId null) every write miss of it. */
  clearMisses(chunkId: string, nodeId: string | null): Promise<void>;
  listMisses(limit: number): Promise<ReplicaMiss[]>;
  close(): Promise<void>;
}
