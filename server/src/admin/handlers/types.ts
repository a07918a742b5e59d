import type { AdminRouteName } from '@anode/shared/admin-api/index';
import type { AdminContext } from '../context.js';
import type { AdminDeps } from '../deps.js';

/** What a handler gives back: the JSON answer and, for a change, the audit details. */
export interface HandlerResult {
  status?: number;
  body: unknown;
  /** Written as exactly one audit line (the route's action unless `action` overrides it). Never a secret. */
  audit?: { action?: string; details: Record<string, unknown> };
}

export type AdminHandler = (deps: AdminDeps, ctx: AdminContext) => Promise<HandlerResult>;

export type AdminHandlers = Record<AdminRouteName, AdminHandler>;
