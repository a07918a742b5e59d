import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdminRouteName } from '@anode/shared/admin-api/index';
import type { Principal } from '../policy/principal.js';
import type { AuditActor } from '../obs/audit-log.js';

/** One admin request as handlers see it: who asks, what route, the parsed JSON body. */
export interface AdminContext extends AuditActor {
  req: IncomingMessage;
  res: ServerResponse;
  startedAt: bigint;
  route: AdminRouteName | null;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body; undefined when the request had none. */
  body: unknown;
  principal: Principal;
  /** The caller's access key (every /admin/* request is signed). */
  accessKey: string;
}
