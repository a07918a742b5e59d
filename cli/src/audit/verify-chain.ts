/**
 * The file side of `anodectl audit verify`: which files make up a rotated set, and a
 * one-line verdict. The chain rules themselves live in shared/src/audit-chain.ts, the
 * code the node writes the chain with.
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { verifyAuditChain, type VerifyResult } from '@anode/shared/audit-chain';
import { result, type CheckItem, type CheckResult } from './checks.js';

/** `audit.log` plus its rotated siblings (`audit.log.1`, `audit.log.2.gz`, `audit.log-20260101`). */
export async function rotatedSet(path: string): Promise<string[]> {
  const dir = dirname(path);
  const name = basename(path);
  const out = [path];
  let entries: string[] = [];
  try {
    entries = await readdir(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e === name || !e.startsWith(name)) continue;
    if (/^[.-][0-9]+(\.gz)?$/.test(e.slice(name.length))) out.push(join(dir, e));
  }
  return out;
}

export interface VerifyInput {
  files: string[];
  fromSeq?: number;
  publicKeyPem?: string;
}

export async function verifyFiles(input: VerifyInput): Promise<VerifyResult> {
  return verifyAuditChain({
    files: input.files,
    ...(input.fromSeq !== undefined ? { fromSeq: input.fromSeq } : {}),
    ...(input.publicKeyPem !== undefined ? { publicKeyPem: input.publicKeyPem } : {}),
  });
}

export function verdictLine(r: VerifyResult): string {
  if (r.problem !== null) {
    const seq = r.problem.seq === null ? '' : `, seq ${r.problem.seq}`;
    return `BROKEN at ${r.problem.file}:${r.problem.line}${seq}: ${r.problem.reason}`;
  }
  const key = r.key_source === 'given' ? 'pinned key' : "the log's own key (not pinned: pass --public-key or --node)";
  return `OK: seq ${r.first_seq ?? '-'}..${r.last_seq ?? '-'} (${r.lines_checked} lines in ${r.files.length} file(s)), ${r.checkpoints} signed checkpoint(s) verified with ${key}${r.unsigned_tail > 0 ? `; ${r.unsigned_tail} line(s) after the last checkpoint not signed yet` : ''}`;
}

export const CHAIN_ITEMS = {
  auditChain: {
    id: 'monitoring.audit-chain',
    section: 'monitoring',
    title: 'the audit log hash chain and its signed checkpoints verify',
    fix: 'anodectl audit verify --node names the first bad line; keep the files as evidence (anodectl incident collect) and find out who changed them',
  },
} as const satisfies Record<string, CheckItem>;

/** The checklist item: verify the node's audit log (and rotated set) on this host. */
export async function auditChainCheck(input: {
  auditLog: string | undefined;
  publicKeyPem: string | undefined;
  skipped?: string;
}): Promise<CheckResult> {
  const item = CHAIN_ITEMS.auditChain;
  if (input.skipped !== undefined) return result(item, 'SKIP', input.skipped);
  if (input.auditLog === undefined) return result(item, 'SKIP', 'audit logging is off');
  const files = await rotatedSet(input.auditLog);
  let first: number | null = null;
  try {
    const probe = await verifyFiles({ files, ...(input.publicKeyPem !== undefined ? { publicKeyPem: input.publicKeyPem } : {}) });
    if (probe.ok) return result(item, input.publicKeyPem === undefined ? 'WARN' : 'PASS', `${verdictLine(probe)}`);
    first = Math.min(...probe.files.map((f) => f.first_seq ?? Number.MAX_SAFE_INTEGER));
    if (first > 0 && first !== Number.MAX_SAFE_INTEGER && /not at its anchor/.test(probe.problem?.reason ?? '')) {
      const again = await verifyFiles({
        files,
        fromSeq: first,
        ...(input.publicKeyPem !== undefined ? { publicKeyPem: input.publicKeyPem } : {}),
      });
      if (again.ok)
        return result(item, input.publicKeyPem === undefined ? 'WARN' : 'PASS', `${verdictLine(again)} (older files rotated away)`);
      return result(item, 'FAIL', verdictLine(again));
    }
    return result(item, 'FAIL', verdictLine(probe));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT') return result(item, 'SKIP', `${input.auditLog} does not exist yet`);
    return result(item, 'SKIP', `cannot read ${input.auditLog}: ${code ?? (err instanceof Error ? err.message : String(err))}`);
  }
}
