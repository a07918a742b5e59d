import type { Principal } from '../policy/principal.js';
import type { JsonLinesLog } from './json-lines-log.js';

/** Who did an audited action: an S3 request context or an admin request context. */
export interface AuditActor {
  principal: Principal;
  remoteAddr: string;
  requestId: string;
}

/**
 * The audit trail: one JSON line per administrative action (credentials, permissions,
 * ACLs, policies, read-only, GC, config, break-glass). Details must never hold a secret.
 */
export class AuditLog {
  constructor(private readonly log: JsonLinesLog) {}

  reopen(): void {
    this.log.reopen();
  }

  close(): Promise<void> {
    return this.log.close();
  }

  write(actor: AuditActor | 'system', action: string, details: Record<string, unknown> = {}): void {
    const who =
      actor === 'system'
        ? { user: 'system', access_key: undefined, remote_addr: undefined, request_id: undefined }
        : {
            user: actor.principal.kind === 'user' ? actor.principal.user : 'anonymous',
            access_key: actor.principal.kind === 'user' ? actor.principal.accessKey : undefined,
            remote_addr: actor.remoteAddr,
            request_id: actor.requestId,
          };
    this.log.write({ timestamp: new Date().toISOString(), action, ...who, ...details });
  }
}
