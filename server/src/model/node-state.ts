import { followSettings } from './follow-feed.js';
import type { ChangeFeed, MetadataStore } from '../metadata/types.js';
import { parseCidr, anyContains, type Cidr } from '../util/cidr.js';

/**
 * Node-wide switches that every request consults: read-only mode and the IP blocklist.
 * Kept in memory for the hot path and persisted in the metadata store so they survive a
 * restart. Nodes sharing one store follow each other's changes through follow(): on every
 * announcement from the change feed, and every feed.resyncIntervalMs as a fallback, the
 * mirror is re-read from the store.
 */
export class NodeState {
  private readOnlySince: Date | null = null;
  private blocked: { text: string; cidr: Cidr }[] = [];
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  private readonly onChange: ((state: NodeState) => void) | undefined;

  private constructor(
    private readonly metadata: MetadataStore,
    onChange?: (state: NodeState) => void,
  ) {
    this.onChange = onChange;
  }

  /** `onChange` runs after every re-read that changed something (e.g. to update a metric). */
  static async load(metadata: MetadataStore, onChange?: (state: NodeState) => void): Promise<NodeState> {
    const state = new NodeState(metadata, onChange);
    await state.reread();
    return state;
  }

  /**
   * Everything this node mirrors, re-read from the store: the one place to add a setting
   * that must follow other nodes (it then propagates through follow() with no more work).
   */
  private async reread(): Promise<void> {
    const ro = await this.metadata.getSetting('read_only_since');
    const list = await this.metadata.getSetting('ip_blocklist');
    const blocked: { text: string; cidr: Cidr }[] = [];
    for (const text of list === null ? [] : (JSON.parse(list) as string[])) {
      const cidr = parseCidr(text);
      if (cidr) blocked.push({ text, cidr });
    }
    const readOnlySince = ro === null ? null : new Date(ro);
    const changed =
      (readOnlySince?.getTime() ?? null) !== (this.readOnlySince?.getTime() ?? null) ||
      blocked.map((b) => b.text).join('\n') !== this.blocked.map((b) => b.text).join('\n');
    this.readOnlySince = readOnlySince;
    this.blocked = blocked;
    if (changed) this.onChange?.(this);
  }

  /**
   * Re-reads from the store. Calls that arrive while one runs are folded into one more
   * re-read after it, so the last announcement is always followed by a read that saw it.
   */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    const run = async (): Promise<void> => {
      try {
        do {
          this.refreshAgain = false;
          await this.reread();
        } while (this.refreshAgain);
      } finally {
        this.refreshing = null;
      }
    };
    this.refreshing = run();
    return this.refreshing;
  }

  /**
   * Follows changes other nodes make: re-reads on every relevant announcement and, when the
   * feed asks for it, periodically. Returns the function that stops following.
   * `onError` hears of a failed re-read (the previous values stay in force).
   */
  follow(feed: ChangeFeed, onError: (err: unknown) => void): () => void {
    return followSettings(feed, () => this.refresh(), onError);
  }

  get readOnly(): boolean {
    return this.readOnlySince !== null;
  }

  get readOnlySinceDate(): Date | null {
    return this.readOnlySince;
  }

  async setReadOnly(on: boolean): Promise<void> {
    const since = on ? (this.readOnlySince ?? new Date()) : null;
    await this.metadata.putSetting('read_only_since', since === null ? null : since.toISOString());
    this.readOnlySince = since;
    this.onChange?.(this);
  }

  isBlocked(address: string): boolean {
    return (
      this.blocked.length > 0 &&
      anyContains(
        this.blocked.map((b) => b.cidr),
        address,
      )
    );
  }

  get blocklist(): string[] {
    return this.blocked.map((b) => b.text);
  }

  /** Adds a CIDR; returns false if it was already listed. Throws on an invalid CIDR. */
  async block(text: string): Promise<boolean> {
    const cidr = parseCidr(text);
    if (!cidr) throw new Error(`invalid address or CIDR: ${text}`);
    // Start from the stored list, not this node's copy: another node may have just changed it.
    await this.refresh();
    if (this.blocked.some((b) => b.text === text)) return false;
    const next = [...this.blocked, { text, cidr }];
    await this.metadata.putSetting('ip_blocklist', JSON.stringify(next.map((b) => b.text)));
    this.blocked = next;
    return true;
  }

  async unblock(text: string): Promise<boolean> {
    await this.refresh();
    const next = this.blocked.filter((b) => b.text !== text);
    if (next.length === this.blocked.length) return false;
    await this.metadata.putSetting('ip_blocklist', JSON.stringify(next.map((b) => b.text)));
    this.blocked = next;
    return true;
  }
}
