/**
 * The checklist's vocabulary: sections, statuses and one checked item. Every rule module
 * returns CheckResult values; the runner only orders and counts them.
 */

/** The seed security checklist's sections, in the order the report prints them. */
export const SECTIONS = [
  'authentication',
  'authorization',
  'network',
  'data',
  'monitoring',
  'compliance',
  'hardening',
  'maintenance',
] as const;
export type Section = (typeof SECTIONS)[number];

/**
 * PASS/WARN/FAIL are verdicts; SKIP means the item could not be checked from here (the
 * reason says why); MANUAL means no program can check it — never reported as PASS.
 */
export const STATUSES = ['PASS', 'WARN', 'FAIL', 'SKIP', 'MANUAL'] as const;
export type CheckStatus = (typeof STATUSES)[number];

export interface CheckResult {
  /** Stable "<section>.<name>" id (docs/security-checklist.md lists every one). */
  id: string;
  section: Section;
  title: string;
  status: CheckStatus;
  /** What was found, one line. */
  reason: string;
  /** What to do about it, one line (also shown for PASS, as the standing rule). */
  fix: string;
}

/** The fixed part of an item: everything but the verdict. */
export interface CheckItem {
  id: string;
  section: Section;
  title: string;
  fix: string;
}

export function result(item: CheckItem, status: CheckStatus, reason: string): CheckResult {
  return { id: item.id, section: item.section, title: item.title, status, reason, fix: item.fix };
}

/** Marks every item of a source as not checked, with one reason. */
export function skipAll(items: readonly CheckItem[], reason: string): CheckResult[] {
  return items.map((item) => result(item, 'SKIP', reason));
}

export type StatusCounts = Record<CheckStatus, number>;

export function countStatuses(results: readonly CheckResult[]): StatusCounts {
  const counts: StatusCounts = { PASS: 0, WARN: 0, FAIL: 0, SKIP: 0, MANUAL: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}

/** Section order first, then the order the rules produced. */
export function sortBySection(results: readonly CheckResult[]): CheckResult[] {
  return results
    .map((r, i) => ({ r, i }))
    .sort((a, b) => SECTIONS.indexOf(a.r.section) - SECTIONS.indexOf(b.r.section) || a.i - b.i)
    .map(({ r }) => r);
}

/** Human list of names: "a, b and 3 more". */
export function listNames(names: readonly string[], max = 5): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
