/**
 * Whether unsigned requests are honoured at all: `[auth] anonymous = false` turns them off
 * for good, an incident lockdown until `anodectl incident unlock`. The lockdown record is
 * the metadata setting `incident_lockdown` (the admin plane writes it); this keeps the
 * active one in memory so the S3 hot path reads a field, not the store.
 */
import type { LockdownRecord } from '@anode/shared/admin-api/index';
import type { ChangeFeed, MetadataStore } from '../metadata/types.js';
import { followSettings } from './follow-feed.js';

export const LOCKDOWN_SETTING = 'incident_lockdown';

/** The stored record is what the admin API shows (`active` absent on records from before unlock existed = not active). */
export type StoredLockdown = LockdownRecord;

export class LockdownState {
  private current: StoredLockdown | null = null;

  private constructor(private readonly metadata: MetadataStore) {}

  static async load(metadata: MetadataStore): Promise<LockdownState> {
    const state = new LockdownState(metadata);
    state.current = await state.read();
    return state;
  }

  private async read(): Promise<StoredLockdown | null> {
    const text = await this.metadata.getSetting(LOCKDOWN_SETTING);
    if (text === null) return null;
    try {
      return JSON.parse(text) as StoredLockdown;
    } catch {
      return null;
    }
  }

  /** Follows lockdowns and unlocks made through any node sharing the store. */
  follow(feed: ChangeFeed, onError: (err: unknown) => void): () => void {
    return followSettings(
      feed,
      async () => {
        this.current = await this.read();
      },
      onError,
    );
  }

  /** The last lockdown record, active or lifted. */
  get last(): StoredLockdown | null {
    return this.current;
  }

  get active(): boolean {
    return this.current?.active === true;
  }

  async engage(record: Omit<StoredLockdown, 'active' | 'lifted_at' | 'lifted_by'>): Promise<StoredLockdown> {
    const next: StoredLockdown = { ...record, active: true, lifted_at: null, lifted_by: null };
    await this.metadata.putSetting(LOCKDOWN_SETTING, JSON.stringify(next));
    this.current = next;
    return next;
  }

  /** Lifts an active lockdown; returns the lifted record, or null when none was active. */
  async lift(by: string, at: Date): Promise<StoredLockdown | null> {
    const cur = await this.read();
    if (cur?.active !== true) {
      this.current = cur;
      return null;
    }
    const next: StoredLockdown = { ...cur, active: false, lifted_at: at.toISOString(), lifted_by: by };
    await this.metadata.putSetting(LOCKDOWN_SETTING, JSON.stringify(next));
    this.current = next;
    return next;
  }
}

/** Why unsigned requests are refused right now, or null when they are judged by ACLs and policies. */
export function anonymousDisabledReason(anonymousConfig: boolean, lockdown: LockdownState | undefined): string | null {
  if (!anonymousConfig) return '[auth] anonymous = false';
  if (lockdown?.active === true) return `incident lockdown since ${lockdown.last?.at ?? '?'} (anodectl incident unlock lifts it)`;
  return null;
}
