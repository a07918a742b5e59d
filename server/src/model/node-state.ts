import type { MetadataStore } from '../metadata/types.js';
import { parseCidr, anyContains, type Cidr } from '../util/cidr.js';

/**
 * Node-wide switches that every request consults: read-only mode and the IP blocklist.
 * Kept in memory for the hot path and persisted in the metadata store so they survive a
 * restart.
 */
export class NodeState {
  private readOnlySince: Date | null = null;
  private blocked: { text: string; cidr: Cidr }[] = [];

  private constructor(private readonly metadata: MetadataStore) {}

  static async load(metadata: MetadataStore): Promise<NodeState> {
    const state = new NodeState(metadata);
    const ro = await metadata.getSetting('read_only_since');
    state.readOnlySince = ro === null ? null : new Date(ro);
    const list = await metadata.getSetting('ip_blocklist');
    for (const text of list === null ? [] : (JSON.parse(list) as string[])) {
      const cidr = parseCidr(text);
      if (cidr) state.blocked.push({ text, cidr });
    }
    return state;
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
    if (this.blocked.some((b) => b.text === text)) return false;
    const next = [...this.blocked, { text, cidr }];
    await this.metadata.putSetting('ip_blocklist', JSON.stringify(next.map((b) => b.text)));
    this.blocked = next;
    return true;
  }

  async unblock(text: string): Promise<boolean> {
    const next = this.blocked.filter((b) => b.text !== text);
    if (next.length === this.blocked.length) return false;
    await this.metadata.putSetting('ip_blocklist', JSON.stringify(next.map((b) => b.text)));
    this.blocked = next;
    return true;
  }
}
