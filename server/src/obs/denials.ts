/**
 * The decision traces of recent denials, by request id, for `anodectl policy explain`.
 * Bounded (oldest dropped first) and in memory only: a restart forgets them. A trace
 * holds who, what, which statement or rule decided and the request's condition values
 * (address, user agent, ...), never a secret or a signature.
 */
import type { DecisionTrace } from '../policy/authorize.js';

export interface DenialRecord extends Omit<DecisionTrace, 'reason'> {
  /** The authorizer's reason, or `read-only` for a write refused by read-only mode. */
  reason: DecisionTrace['reason'] | 'read-only';
  request_id: string;
  at: string;
  remote_addr: string;
  operation: string;
  bucket: string | null;
  key: string | null;
}

export class DenialTraces {
  private readonly byId = new Map<string, DenialRecord>();

  constructor(readonly capacity = 1000) {}

  record(entry: DenialRecord): void {
    if (this.byId.size >= this.capacity) {
      const oldest = this.byId.keys().next();
      if (oldest.done !== true) this.byId.delete(oldest.value);
    }
    this.byId.set(entry.request_id, entry);
  }

  get(requestId: string): DenialRecord | undefined {
    return this.byId.get(requestId);
  }

  get size(): number {
    return this.byId.size;
  }
}
