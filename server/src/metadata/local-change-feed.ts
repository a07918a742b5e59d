import type { ChangeFeed, StateChange } from './types.js';

/**
 * The change feed of a single node (SQLite): nobody else writes the store, and this node's
 * own writes update its memory directly, so there is never anything to announce.
 */
export class LocalChangeFeed implements ChangeFeed {
  readonly resyncIntervalMs = null;
  subscribe(_listener: (change: StateChange) => void): () => void {
    return () => undefined;
  }
  async close(): Promise<void> {}
}
