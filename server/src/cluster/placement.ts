/**
 * Rendezvous (highest random weight) hashing: every node gets a score per chunk id and the
 * highest scores hold the replicas. Adding or losing a node moves only the chunks it wins
 * or held. Zone-aware: the walk down the ranking first takes nodes of zones not yet used,
 * then fills up from the rest, so replicas land in distinct zones where there are enough.
 */
import { createHash } from 'node:crypto';

export interface PlacementNode {
  nodeId: string;
  zone: string;
}

/** The 64-bit score of `nodeId` for `chunkId`. */
export function score(chunkId: string, nodeId: string): bigint {
  return createHash('sha256').update(chunkId).update('\0').update(nodeId).digest().readBigUInt64BE(0);
}

/** Every node ranked for `chunkId`, best first (ties, practically impossible, by node id). */
export function rank<N extends PlacementNode>(chunkId: string, nodes: readonly N[]): N[] {
  return nodes
    .map((n) => ({ n, s: score(chunkId, n.nodeId) }))
    .sort((a, b) => (a.s === b.s ? (a.n.nodeId < b.n.nodeId ? -1 : 1) : a.s > b.s ? -1 : 1))
    .map((x) => x.n);
}

/** The `r` nodes (or fewer, if there are fewer) that hold `chunkId`, in preference order. */
export function place<N extends PlacementNode>(chunkId: string, nodes: readonly N[], r: number): N[] {
  const ranked = rank(chunkId, nodes);
  const chosen: N[] = [];
  const zones = new Set<string>();
  for (const n of ranked) {
    if (chosen.length >= r) break;
    if (n.zone !== '' && zones.has(n.zone)) continue;
    chosen.push(n);
    if (n.zone !== '') zones.add(n.zone);
  }
  for (const n of ranked) {
    if (chosen.length >= r) break;
    if (!chosen.includes(n)) chosen.push(n);
  }
  return chosen;
}
