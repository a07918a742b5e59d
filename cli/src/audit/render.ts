/** The checklist report for people: one table per section, the fix under every finding that needs one. */
import type { ChalkInstance } from 'chalk';
import type { Output } from '../output.js';
import { SECTIONS, STATUSES, type CheckResult, type CheckStatus } from './checks.js';
import type { ChecklistReport } from './run-checklist.js';

export function statusText(status: CheckStatus, style: ChalkInstance): string {
  switch (status) {
    case 'PASS':
      return style.green(status);
    case 'WARN':
      return style.yellow(status);
    case 'FAIL':
      return style.red.bold(status);
    case 'SKIP':
      return style.dim(status);
    case 'MANUAL':
      return style.cyan(status);
  }
}

function finding(r: CheckResult, style: ChalkInstance): string {
  const head = `${r.title}\n${style.dim(r.reason)}`;
  return r.status === 'WARN' || r.status === 'FAIL' || r.status === 'MANUAL' ? `${head}\n${style.dim('fix:')} ${r.fix}` : head;
}

export function renderReport(report: ChecklistReport, out: Output): string {
  const s = out.style;
  const parts: string[] = [];
  for (const section of SECTIONS) {
    const rows = report.items.filter((r) => r.section === section);
    if (rows.length === 0) continue;
    parts.push(s.bold.underline(section.toUpperCase()));
    parts.push(
      out.table<CheckResult>(
        [
          { header: 'status', value: (r) => statusText(r.status, s) },
          { header: 'id', value: (r) => r.id },
          { header: 'finding', value: (r) => finding(r, s) },
        ],
        rows,
      ),
    );
    parts.push('');
  }
  const counts = STATUSES.map((st) => `${report.summary[st]} ${statusText(st, s)}`).join(', ');
  parts.push(`${s.bold('Summary:')} ${report.items.length} items: ${counts}`);
  parts.push(`${s.bold('Host:')}    ${report.sources.host}`);
  parts.push(`${s.bold('Config:')}  ${report.sources.config}`);
  parts.push(`${s.bold('Live:')}    ${report.sources.live}`);
  return parts.join('\n');
}
