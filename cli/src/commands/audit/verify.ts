/**
 * `anodectl audit verify [--file PATH ...] [--rotated] [--from-seq N] [--public-key PATH | --node]`:
 * checks the audit log's hash chain and signed checkpoints; exit 11 naming the first bad line.
 */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { VerifyResult } from '@anode/shared/audit-chain';
import { contextFor, type CliIo } from '../../context.js';
import { AuditChainError, fileError, UsageError } from '../../errors.js';
import { collect, intInRange } from '../../parse.js';
import { rotatedSet, verdictLine, verifyFiles } from '../../audit/verify-chain.js';
import { adminSession } from '../login/session.js';

interface VerifyFlags {
  file?: string[];
  rotated?: boolean;
  fromSeq?: number;
  publicKey?: string;
  node?: boolean;
}

export function auditVerifyCommand(io: CliIo): Command {
  return new Command('verify')
    .description('check the audit log hash chain and its signed checkpoints; exit 11 naming the first bad line')
    .option('--file <path...>', "audit log file(s) to check (repeatable; default with --node: the node's audit log)", collect)
    .option('--rotated', "also check each file's rotated siblings (FILE.1, FILE.2.gz, FILE-20260101)")
    .option('--from-seq <n>', 'check from this seq on (older lines rotated away)', intInRange(0, Number.MAX_SAFE_INTEGER))
    .option('--public-key <path>', 'PEM public key that must have signed the checkpoints (anodectl status prints it)')
    .option('--node', 'ask the node (admin API) for its audit public key, and its log path when no --file is given')
    .action(async (flags: VerifyFlags, command: Command) => {
      const ctx = contextFor(command, io);
      if (flags.publicKey !== undefined && flags.node === true) throw new UsageError('give --public-key or --node, not both');
      let files = flags.file ?? [];
      let publicKeyPem: string | undefined;
      if (flags.publicKey !== undefined) {
        try {
          publicKeyPem = await readFile(flags.publicKey, 'utf8');
        } catch (err) {
          throw fileError(err, flags.publicKey);
        }
      }
      if (flags.node === true) {
        const s = await adminSession(command, io);
        const st = await s.call((c) => c.getStatus());
        if (st.audit.public_key === null) throw new UsageError('the node reports no audit key');
        publicKeyPem = st.audit.public_key;
        if (files.length === 0) {
          if (st.audit.path === null) throw new UsageError('the node has audit logging off');
          files = [st.audit.path];
        }
      }
      if (files.length === 0) throw new UsageError("give --file PATH (repeatable), or --node to check the node's own audit log");
      if (flags.rotated === true || (flags.file === undefined && flags.node === true)) {
        files = [...new Set((await Promise.all(files.map((f) => rotatedSet(f)))).flat())];
      }
      let result: VerifyResult;
      try {
        result = await verifyFiles({
          files,
          ...(flags.fromSeq !== undefined ? { fromSeq: flags.fromSeq } : {}),
          ...(publicKeyPem !== undefined ? { publicKeyPem } : {}),
        });
      } catch (err) {
        const path = (err as { path?: string }).path;
        throw path !== undefined ? fileError(err, path) : err;
      }
      ctx.out.result(result, (r) => verdictLine(r));
      if (!result.ok) {
        throw new AuditChainError(`audit chain broken at ${result.problem?.file ?? '?'}:${result.problem?.line ?? '?'}`, {
          hint: 'the line named (or the one after it) was changed, removed or reordered; keep the files as evidence (anodectl incident collect)',
        });
      }
    });
}
