/**
 * `anodectl credentials report [--strict]`: least privilege, key by key — owner, role,
 * age, last use, the buckets each key reaches, and findings (never used, unused 90 days,
 * older than 90 days, grants on every bucket, admin role unused). `--strict` ends with
 * exit 10 when any finding is present, like `audit checklist`.
 */
import { Command } from 'commander';
import type { CredentialsReportResponse } from '@anode/shared/admin-api/index';
import type { CliIo } from '../../context.js';
import { AuditFailedError } from '../../errors.js';
import type { Output } from '../../output.js';
import { adminSession } from '../login/session.js';

export function reportText(out: Output, r: CredentialsReportResponse): string {
  if (r.credentials.length === 0) return 'no active credentials';
  const table = out.table(
    [
      { header: 'access key', value: (c) => c.access_key },
      { header: 'user', value: (c) => c.user },
      { header: 'role', value: (c) => c.role },
      { header: 'age', value: (c) => `${c.age_days}d` },
      { header: 'last used', value: (c) => c.last_used ?? 'never' },
      { header: 'buckets', value: (c) => (c.buckets.length === 0 ? '-' : c.buckets.join(',')) },
      { header: 'findings', value: (c) => (c.findings.length === 0 ? out.style.green('none') : out.style.yellow(c.findings.join(','))) },
    ],
    r.credentials,
  );
  const details = r.credentials.flatMap((c) => c.finding_text.map((t) => `  ${c.access_key} (${c.user}): ${t}`));
  return [table, '', r.findings === 0 ? 'no findings' : `${r.findings} finding(s):`, ...details].join('\n');
}

export function reportCommand(io: CliIo): Command {
  return new Command('report')
    .description('least-privilege report: every active key with owner, role, age, last use, buckets it reaches and findings')
    .option('--strict', 'exit 10 when any finding is present')
    .action(async (flags: { strict?: boolean }, command: Command) => {
      const s = await adminSession(command, io);
      const r = await s.call((c) => c.call('credentialsReport'));
      s.ctx.out.result(r, (x) => reportText(s.ctx.out, x));
      if (flags.strict === true && r.findings > 0) {
        throw new AuditFailedError(`credentials report: ${r.findings} finding(s)`, { hint: 'each finding above names its fix' });
      }
    });
}
