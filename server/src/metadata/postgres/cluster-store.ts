/**
 * The cluster tables (schema.ts, the cluster migration) on PostgreSQL: membership with
 * heartbeats, chunk replica locations and missed replicas. Pools of its own: membership on
 * two connections, so a heartbeat never waits behind object traffic or chunk records, and
 * the chunk records on another; the metadata store migrates the schema.
 */
import pg from 'pg';
import type { ChunkReplicas, ClusterMember, ClusterStore, Heartbeat, ReplicaMiss, StoredNodeState } from '../cluster-types.js';

interface MemberRow {
  node_id: string;
  advertise: string;
  zone: string;
  state: StoredNodeState;
  effective: string;
  state_changed_at: Date;
  state_reason: string | null;
  started_at: Date;
  last_heartbeat: Date;
  chunks: string;
  bytes: string;
  free_disk_bytes: string;
  version: string;
}

interface ChunkRow {
  chunk_id: string;
  size: string;
  sha256: Buffer;
  nodes: string[];
  coordinator: string;
  created_at: Date;
}

const MEMBER_COLUMNS = `node_id, advertise, zone, state, state_changed_at, state_reason, started_at, last_heartbeat,
  chunks, bytes, free_disk_bytes, version,
  CASE WHEN state IN ('joining', 'active', 'draining') AND last_heartbeat < now() - $1::bigint * interval '1 millisecond'
    THEN 'down' ELSE state END AS effective`;

function rowToMember(r: MemberRow): ClusterMember {
  return {
    nodeId: r.node_id,
    advertise: r.advertise,
    zone: r.zone,
    state: r.effective as ClusterMember['state'],
    storedState: r.state,
    stateChangedAt: r.state_changed_at,
    stateReason: r.state_reason,
    startedAt: r.started_at,
    lastHeartbeat: r.last_heartbeat,
    chunks: Number(r.chunks),
    bytes: Number(r.bytes),
    freeDiskBytes: Number(r.free_disk_bytes),
    version: r.version,
  };
}

function rowToChunk(r: ChunkRow): ChunkReplicas {
  return {
    chunkId: r.chunk_id,
    size: Number(r.size),
    sha256: r.sha256,
    nodes: r.nodes,
    coordinator: r.coordinator,
    createdAt: r.created_at,
  };
}

export class PostgresClusterStore implements ClusterStore {
  /** Membership only: a heartbeat never queues behind chunk records (a late one looks like a dead node). */
  readonly #members: pg.Pool;
  /** Chunk replica records and misses, on the data path. */
  readonly #pool: pg.Pool;
  readonly #startedAt = new Date();

  private constructor(members: pg.Pool, data: pg.Pool) {
    this.#members = members;
    this.#pool = data;
  }

  static async open(url: string, onIdleError?: (err: Error) => void, poolSize = 10): Promise<PostgresClusterStore> {
    const members = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5000 });
    const data = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000 });
    for (const pool of [members, data]) pool.on('error', (err) => onIdleError?.(err));
    try {
      // The metadata store has migrated by now; fail early if the cluster tables are missing.
      await members.query('SELECT 1 FROM cluster_nodes LIMIT 0');
    } catch (err) {
      await Promise.all([members.end(), data.end()]);
      throw err;
    }
    return new PostgresClusterStore(members, data);
  }

  async heartbeat(h: Heartbeat): Promise<ClusterMember> {
    const { rows } = await this.#members.query<MemberRow>(
      `INSERT INTO cluster_nodes AS n (node_id, advertise, zone, state, state_changed_at, started_at, last_heartbeat,
          chunks, bytes, free_disk_bytes, version)
        VALUES ($2, $3, $4, CASE WHEN $5 THEN 'active' ELSE 'joining' END, now(), $9, now(), $6, $7, $8, $10)
        ON CONFLICT (node_id) DO UPDATE SET
          advertise = EXCLUDED.advertise, zone = EXCLUDED.zone, last_heartbeat = now(),
          started_at = EXCLUDED.started_at, version = EXCLUDED.version,
          chunks = CASE WHEN EXCLUDED.chunks >= 0 THEN EXCLUDED.chunks ELSE n.chunks END,
          bytes = CASE WHEN EXCLUDED.bytes >= 0 THEN EXCLUDED.bytes ELSE n.bytes END,
          free_disk_bytes = EXCLUDED.free_disk_bytes,
          -- A restarted node is joining again until its gRPC server listens (then active).
          state = CASE WHEN n.state = 'joining' AND $5 THEN 'active' WHEN n.state = 'active' AND NOT $5 THEN 'joining' ELSE n.state END,
          state_changed_at = CASE WHEN (n.state = 'joining' AND $5) OR (n.state = 'active' AND NOT $5) THEN now()
            ELSE n.state_changed_at END
        RETURNING ${MEMBER_COLUMNS}`,
      [0, h.nodeId, h.advertise, h.zone, h.activate, h.chunks, h.bytes, h.freeDiskBytes, this.#startedAt, h.version],
    );
    return rowToMember(rows[0]!);
  }

  async listMembers(downAfterMs: number): Promise<ClusterMember[]> {
    const { rows } = await this.#members.query<MemberRow>(`SELECT ${MEMBER_COLUMNS} FROM cluster_nodes ORDER BY node_id`, [downAfterMs]);
    return rows.map(rowToMember);
  }

  async setState(nodeId: string, state: StoredNodeState, reason: string | null, downAfterMs: number): Promise<ClusterMember | null> {
    const { rows } = await this.#members.query<MemberRow>(
      `UPDATE cluster_nodes SET state = $3, state_reason = $4, state_changed_at = now() WHERE node_id = $2
        RETURNING ${MEMBER_COLUMNS}`,
      [downAfterMs, nodeId, state, reason],
    );
    return rows[0] === undefined ? null : rowToMember(rows[0]);
  }

  async recordChunk(c: Omit<ChunkReplicas, 'createdAt'>): Promise<void> {
    await this.#pool.query(
      `INSERT INTO chunk_replicas (chunk_id, size, sha256, nodes, coordinator, created_at) VALUES ($1, $2, $3, $4, $5, now())
        ON CONFLICT (chunk_id) DO UPDATE SET nodes = EXCLUDED.nodes`,
      [c.chunkId, c.size, c.sha256, c.nodes, c.coordinator],
    );
  }

  async chunkReplicas(chunkId: string): Promise<ChunkReplicas | null> {
    const { rows } = await this.#pool.query<ChunkRow>('SELECT * FROM chunk_replicas WHERE chunk_id = $1', [chunkId]);
    return rows[0] === undefined ? null : rowToChunk(rows[0]);
  }

  async forgetChunk(chunkId: string): Promise<ChunkReplicas | null> {
    const { rows } = await this.#pool.query<ChunkRow>('DELETE FROM chunk_replicas WHERE chunk_id = $1 RETURNING *', [chunkId]);
    await this.#pool.query(`DELETE FROM chunk_repairs WHERE chunk_id = $1 AND kind = 'write'`, [chunkId]);
    return rows[0] === undefined ? null : rowToChunk(rows[0]);
  }

  async *listChunks(): AsyncIterable<ChunkReplicas> {
    // Keyset pages: memory stays flat however many chunks there are.
    let after = '';
    for (;;) {
      const { rows } = await this.#pool.query<ChunkRow>('SELECT * FROM chunk_replicas WHERE chunk_id > $1 ORDER BY chunk_id LIMIT 1000', [
        after,
      ]);
      for (const r of rows) yield rowToChunk(r);
      if (rows.length < 1000) return;
      after = rows[rows.length - 1]!.chunk_id;
    }
  }

  async chunkUsage(): Promise<{ bytes: number; chunks: number }> {
    const { rows } = await this.#pool.query<{ bytes: string; chunks: string }>(
      'SELECT COALESCE(sum(size), 0) AS bytes, count(*) AS chunks FROM chunk_replicas',
    );
    return { bytes: Number(rows[0]!.bytes), chunks: Number(rows[0]!.chunks) };
  }

  async updateReplicaNodes(chunkId: string, add: readonly string[], drop: readonly string[]): Promise<boolean> {
    // One statement: two repairers touching the same chunk cannot lose each other's change.
    const { rowCount } = await this.#pool.query(
      `UPDATE chunk_replicas SET nodes = ARRAY(
          SELECT DISTINCT n FROM unnest(nodes || $2::text[]) AS n WHERE NOT (n = ANY ($3::text[])) ORDER BY n)
        WHERE chunk_id = $1`,
      [chunkId, add, drop],
    );
    return (rowCount ?? 0) > 0;
  }

  async clearMisses(chunkId: string, nodeId: string | null): Promise<void> {
    if (nodeId === null) await this.#pool.query(`DELETE FROM chunk_repairs WHERE chunk_id = $1 AND kind = 'write'`, [chunkId]);
    else await this.#pool.query('DELETE FROM chunk_repairs WHERE chunk_id = $1 AND node_id = $2', [chunkId, nodeId]);
  }

  async recordMisses(misses: Array<Omit<ReplicaMiss, 'recordedAt'>>): Promise<void> {
    if (misses.length === 0) return;
    await this.#pool.query(
      `INSERT INTO chunk_repairs (chunk_id, node_id, kind, reason, recorded_at)
        SELECT c, n, k, r, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS m(c, n, k, r)
        ON CONFLICT (chunk_id, node_id) DO UPDATE SET kind = EXCLUDED.kind, reason = EXCLUDED.reason, recorded_at = now()`,
      [misses.map((m) => m.chunkId), misses.map((m) => m.nodeId), misses.map((m) => m.kind), misses.map((m) => m.reason)],
    );
  }

  async listMisses(limit: number): Promise<ReplicaMiss[]> {
    const { rows } = await this.#pool.query<{
      chunk_id: string;
      node_id: string;
      kind: 'write' | 'delete';
      reason: string;
      recorded_at: Date;
    }>('SELECT * FROM chunk_repairs ORDER BY recorded_at, chunk_id, node_id LIMIT $1', [limit]);
    return rows.map((r) => ({ chunkId: r.chunk_id, nodeId: r.node_id, kind: r.kind, reason: r.reason, recordedAt: r.recorded_at }));
  }

  async close(): Promise<void> {
    await Promise.all([this.#members.end(), this.#pool.end()]);
  }
}
