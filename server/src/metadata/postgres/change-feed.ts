import pg from 'pg';
import type { ChangeFeed, StateChange } from '../types.js';
import { redactPostgresUrl } from './redact-url.js';

/** The NOTIFY channel every node LISTENs on. */
export const STATE_CHANNEL = 'anode_state';
/** application_name of the LISTEN connection (so an operator, or a test, can find it). */
export const LISTEN_APPLICATION_NAME = 'anode-listen';
/** The periodic re-read that covers announcements lost while the LISTEN connection was down. */
export const DEFAULT_RESYNC_INTERVAL_MS = 5_000;
const RECONNECT_MIN_MS = 200;
const RECONNECT_MAX_MS = 5_000;

/** Sends an announcement on `q` (a pool or a client); delivered to listeners when the write commits. */
export async function notifyChange(q: Pick<pg.ClientBase, 'query'>, change: Exclude<StateChange, { kind: 'resync' }>): Promise<void> {
  await q.query('SELECT pg_notify($1, $2)', [STATE_CHANNEL, JSON.stringify(change)]);
}

function parseChange(payload: string | undefined): StateChange {
  try {
    const v = JSON.parse(payload ?? '') as StateChange;
    if (v.kind === 'setting' && typeof v.name === 'string') return { kind: 'setting', name: v.name };
    if (v.kind === 'credentials') return { kind: 'credentials' };
  } catch {
    // fall through: an unreadable announcement still means "something changed"
  }
  return { kind: 'resync' };
}

export interface PostgresChangeFeedOptions {
  resyncIntervalMs?: number;
  /** The LISTEN connection failed or could not be re-established (it keeps retrying). */
  onError?: (message: string) => void;
  /** The LISTEN connection is (back) up. */
  onListening?: () => void;
}

/**
 * LISTEN on one dedicated connection (not from the pool: a pooled connection is shared and
 * may be dropped when idle). When it breaks — server restart, network cut,
 * pg_terminate_backend — it reconnects with backoff and announces 'resync', since
 * whatever was sent meanwhile is lost.
 */
export class PostgresChangeFeed implements ChangeFeed {
  readonly resyncIntervalMs: number;
  readonly #url: string;
  readonly #options: PostgresChangeFeedOptions;
  readonly #listeners = new Set<(change: StateChange) => void>();
  #client: pg.Client | null = null;
  #closed = false;
  #retryMs = RECONNECT_MIN_MS;
  #timer: NodeJS.Timeout | null = null;

  private constructor(url: string, options: PostgresChangeFeedOptions) {
    this.#url = url;
    this.#options = options;
    this.resyncIntervalMs = options.resyncIntervalMs ?? DEFAULT_RESYNC_INTERVAL_MS;
  }

  /** Connects and LISTENs; a failure here is reported and retried, never thrown (the store is already open). */
  static async open(url: string, options: PostgresChangeFeedOptions = {}): Promise<PostgresChangeFeed> {
    const feed = new PostgresChangeFeed(url, options);
    await feed.#connect();
    return feed;
  }

  subscribe(listener: (change: StateChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => undefined);
  }

  #emit(change: StateChange): void {
    for (const l of this.#listeners) {
      try {
        l(change);
      } catch {
        // a listener's bug must not stop the others
      }
    }
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({
      connectionString: this.#url,
      application_name: LISTEN_APPLICATION_NAME,
      connectionTimeoutMillis: 10_000,
    });
    let lost = false;
    const onLost = (why: string): void => {
      if (lost) return;
      lost = true;
      if (this.#client === client) this.#client = null;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (this.#closed) return;
      this.#options.onError?.(`change feed connection to ${redactPostgresUrl(this.#url)} lost (${why}); reconnecting`);
      this.#schedule();
    };
    client.on('error', (err) => onLost(err.message));
    client.on('end', () => onLost('connection ended'));
    client.on('notification', (msg) => {
      if (msg.channel === STATE_CHANNEL) this.#emit(parseChange(msg.payload));
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${STATE_CHANNEL}`);
    } catch (err) {
      onLost((err as Error).message);
      return;
    }
    if (lost) return;
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#retryMs = RECONNECT_MIN_MS;
    this.#options.onListening?.();
    // Whatever was announced before LISTEN took effect is lost: have everyone re-read.
    this.#emit({ kind: 'resync' });
  }

  #schedule(): void {
    if (this.#closed || this.#timer) return;
    const wait = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, RECONNECT_MAX_MS);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#connect();
    }, wait);
    this.#timer.unref();
  }
}
