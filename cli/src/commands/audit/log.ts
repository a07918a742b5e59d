/** `anodectl audit log [--since 1h|ISO] [--follow]`: the node's audit trail, newest last. */
import { Command } from 'commander';
import type { AuditEntry } from '@anode/shared/admin-api/index';
import type { CliIo } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { Output } from '../../output.js';
import { intInRange } from '../../parse.js';
import { adminSession, parseDuration } from '../login/session.js';

const FOLLOW_POLL_MS = 2000;
const WHO = new Set(['timestamp', 'action', 'user', 'access_key', 'remote_addr', 'request_id']);
/** Hash-chain fields: checked by `audit verify`, noise in a listing (--json keeps them). */
const CHAIN = new Set(['seq', 'prev', 'public_key', 'signature', 'head_hash']);

/** "1h" (relative to now) or an ISO timestamp → ISO timestamp. */
export function sinceToIso(text: string, now = new Date()): string {
  if (/^\d+\s*[smhdw]?$/.test(text.trim())) return new Date(now.getTime() - parseDuration(text) * 1000).toISOString();
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new UsageError(`invalid --since ${JSON.stringify(text)}: use a duration (30m, 1h, 7d) or an ISO timestamp`);
  return new Date(t).toISOString();
}

function line(out: Output, e: AuditEntry): string {
  const details = Object.entries(e)
    .filter(([k]) => !WHO.has(k) && !CHAIN.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const who = `${String(e['user'] ?? '-')}${e['access_key'] !== undefined ? `(${String(e['access_key'])})` : ''}${e['remote_addr'] !== undefined ? `@${String(e['remote_addr'])}` : ''}`;
  return `${e.timestamp}  ${out.style.bold(e.action.padEnd(24))} ${who}  ${details}`;
}

export function auditLogCommand(io: CliIo): Command {
  return new Command('log')
    .description('print audit-log entries (admin actions, GC, break-glass), oldest first')
    .option('--since <when>', 'only entries since a duration ago (30m, 1h, 7d) or an ISO timestamp')
    .option('--limit <n>', 'at most the newest N entries (1-10000)', intInRange(1, 10000), 100)
    .option('--follow', 'keep polling and print new entries as they arrive (Ctrl-C stops)')
    .action(async (flags: { since?: string; limit: number; follow?: boolean }, command: Command) => {
      const s = await adminSession(command, io);
      const { out } = s.ctx;
      let since = flags.since === undefined ? undefined : sinceToIso(flags.since);
      const first = await s.call((c) => c.getAudit({ ...(since !== undefined ? { since } : {}), limit: flags.limit }));
      if (flags.follow !== true) {
        out.result(first, (r) =>
          r.entries.length === 0
            ? 'no audit entries'
            : `${r.truncated ? out.style.dim(`(older entries left out; raise --limit)\n`) : ''}${r.entries.map((e) => line(out, e)).join('\n')}`,
        );
        return;
      }
      // Follow: JSON lines with -o json, a YAML document per entry with -o yaml, one line per
      // entry otherwise. The poll asks for entries at or after the last timestamp seen and
      // drops the ones already printed.
      const print = (e: AuditEntry) =>
        out.raw(out.format === 'yaml' ? `---\n${out.document(e)}` : `${out.json ? JSON.stringify(e) : line(out, e)}\n`);
      let seenAtLast = new Set<string>();
      const emit = (entries: AuditEntry[]) => {
        for (const e of entries) {
          const key = JSON.stringify(e);
          if (e.timestamp === since && seenAtLast.has(key)) continue;
          if (e.timestamp !== since) {
            since = e.timestamp;
            seenAtLast = new Set();
          }
          seenAtLast.add(key);
          print(e);
        }
      };
      emit(first.entries);
      // Nothing yet: follow from now on, not from the start of the file.
      if (since === undefined) since = new Date().toISOString();
      for (;;) {
        await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
        const next = await s.call((c) => c.getAudit({ ...(since !== undefined ? { since } : {}), limit: 10000 }));
        emit(next.entries);
      }
    });
}
