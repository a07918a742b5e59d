/** Record → wire shape conversions for admin answers (snake_case, ISO dates, no secrets). */
import type { CredentialInfo, GcStatsJson, GcStatusResponse } from '@anode/shared/admin-api/index';
import type { CredentialRecord } from '../metadata/types.js';
import type { GcStats } from '../model/gc.js';
import type { GcStatus } from '../model/gc-scheduler.js';

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export function credentialStatus(c: CredentialRecord, now: Date): CredentialInfo['status'] {
  if (c.revokedAt !== null) return 'revoked';
  if (c.expiresAt !== null) return c.expiresAt <= now ? 'expired' : 'expiring';
  return 'active';
}

export function isActive(c: CredentialRecord, now: Date): boolean {
  const s = credentialStatus(c, now);
  return s === 'active' || s === 'expiring';
}

/** Never includes the sealed secret. */
export function credentialInfo(c: CredentialRecord, now = new Date()): CredentialInfo {
  return {
    access_key: c.accessKey,
    user: c.user,
    role: c.role,
    permissions: [...c.permissions],
    created: c.createdAt.toISOString(),
    last_used: iso(c.lastUsedAt),
    revoked: iso(c.revokedAt),
    expires: iso(c.expiresAt),
    status: credentialStatus(c, now),
  };
}

export function gcStatsJson(s: GcStats): GcStatsJson {
  return {
    chunks_scanned: s.chunksScanned,
    chunks_removed: s.chunksRemoved,
    bytes_freed: s.bytesFreed,
    uploads_expired: s.uploadsExpired,
    trashed: s.trashed,
    orphans_removed: s.orphansRemoved,
    temporary_removed: s.temporaryRemoved,
    errors: s.errors,
    pending:
      s.pending === null
        ? null
        : {
            trash_in_use: s.pending.trashInUse,
            trash_delayed: s.pending.trashDelayed,
            trash_failed: s.pending.trashFailed,
            orphans_in_grace: s.pending.orphansInGrace,
            orphans_in_use: s.pending.orphansInUse,
            truncated: s.pending.truncated,
          },
    started_at: s.startedAt.toISOString(),
    finished_at: iso(s.finishedAt),
    duration_ms: s.durationMs,
  };
}

export function gcStatusJson(s: GcStatus): GcStatusResponse {
  return {
    running: s.running,
    current: s.current === null ? null : gcStatsJson(s.current),
    last: s.last === null ? null : gcStatsJson(s.last),
    last_error: s.lastError,
    next_scheduled_at: s.nextScheduledAt,
  };
}
