/**
 * `anodectl policy simulate BUCKET --principal user:NAME|* --action s3:X [--key K]
 * [--condition key=value ...]` and `anodectl policy explain REQUEST-ID`: the node's own
 * authorizer answers, with the deciding statement, grant or ACL grant and every condition.
 */
import { Command } from 'commander';
import type { DecisionTraceJson, StatementTraceJson } from '@anode/shared/admin-api/index';
import type { CliIo } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { Output } from '../../output.js';
import { collect } from '../../parse.js';
import { adminSession } from '../login/session.js';

export function parseConditions(pairs: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--condition ${JSON.stringify(pair)}: use key=value, e.g. aws:SourceIp=192.0.2.10`);
    const key = pair.slice(0, eq);
    (out[key] ??= []).push(pair.slice(eq + 1));
  }
  return out;
}

function statementLine(out: Output, s: StatementTraceJson): string {
  const name = s.sid !== null ? `Sid "${s.sid}" (#${s.index})` : `#${s.index}`;
  const mark = (b: boolean) => (b ? 'yes' : 'no');
  const head = `  ${s.applies ? out.style.bold('applies') : 'no match'}  ${s.effect.padEnd(5)} ${name}: principal ${mark(s.principal_matches)}, action ${mark(s.action_matches)}, resource ${mark(s.resource_matches)}`;
  const conds = s.conditions.map(
    (c) =>
      `      ${c.holds ? 'holds' : 'fails'}  ${c.operator} ${c.key} [${c.policy_values.join(', ')}] vs request [${c.request_values.join(', ') || 'absent'}]`,
  );
  return [head, ...conds].join('\n');
}

export function traceText(out: Output, t: DecisionTraceJson, notes: readonly string[] = []): string {
  const verdict = t.allowed ? out.style.green('ALLOW') : out.style.red('DENY');
  const lines = [`${verdict}  ${t.principal} ${t.action} on ${t.resource}`, `why: ${t.decided_by}`];
  if (t.policy === 'absent') lines.push('bucket policy: none');
  else if (t.policy === 'unparsable') lines.push('bucket policy: stored policy no longer parses (denies everything)');
  else {
    lines.push(`bucket policy: ${t.policy === 'none' ? 'no statement matched' : t.policy}`);
    for (const s of t.statements) lines.push(statementLine(out, s));
  }
  for (const n of notes) lines.push(out.style.dim(`note: ${n}`));
  return lines.join('\n');
}

export function simulateCommand(io: CliIo): Command {
  return new Command('simulate')
    .description('answer allow or deny for a request, and why (the node evaluates it with the authorizer S3 requests use)')
    .argument('<bucket>', 'bucket name')
    .requiredOption('--principal <who>', 'user:NAME, or * for an unsigned (anonymous) caller')
    .requiredOption('--action <action>', 'S3 action, e.g. s3:GetObject, s3:PutObject, s3:ListBucket')
    .option('--key <key>', 'object key (for object actions)')
    .option('--condition <key=value...>', 'a request condition value, e.g. aws:SourceIp=192.0.2.10 (repeatable)', collect)
    .action(async (bucket: string, flags: { principal: string; action: string; key?: string; condition?: string[] }, command: Command) => {
      if (flags.principal !== '*' && !/^user:.+$/.test(flags.principal)) throw new UsageError('--principal must be user:NAME or *');
      if (!/^s3:[A-Za-z]+$/.test(flags.action))
        throw new UsageError(`--action ${JSON.stringify(flags.action)}: give an S3 action like s3:GetObject`);
      const conditions = parseConditions(flags.condition ?? []);
      const s = await adminSession(command, io);
      const r = await s.call((c) =>
        c.call('simulatePolicy', {
          body: {
            bucket,
            principal: flags.principal,
            action: flags.action,
            ...(flags.key !== undefined ? { key: flags.key } : {}),
            conditions,
          },
        }),
      );
      s.ctx.out.result(r, (x) => traceText(s.ctx.out, x, x.notes));
    });
}

export function explainCommand(io: CliIo): Command {
  return new Command('explain')
    .description('why a real request was denied: the decision trace the node kept for it (recent denials only)')
    .argument('<request-id>', 'the x-amz-request-id of the denied request (in the error answer and the access log)')
    .action(async (requestId: string, _f: unknown, command: Command) => {
      if (!/^[0-9A-Fa-f]{8,64}$/.test(requestId)) throw new UsageError(`${JSON.stringify(requestId)} is not a request id`);
      const s = await adminSession(command, io);
      const r = await s.call((c) => c.call('explainDenial', { params: { requestId } }));
      s.ctx.out.result(r, (x) =>
        [
          `request ${x.request_id} at ${x.at} from ${x.remote_addr}: ${x.operation}${x.bucket !== null ? ` ${x.bucket}` : ''}${x.key !== null ? `/${x.key}` : ''}`,
          traceText(s.ctx.out, x),
        ].join('\n'),
      );
    });
}
