/**
 * `anodectl incident lockdown|unlock|status|collect`: contain a compromise in one step,
 * lift it, see where things stand, and gather the evidence.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { LockdownResponse } from '@anode/shared/admin-api/index';
import type { CliIo } from '../../context.js';
import type { Output } from '../../output.js';
import { confirmOrAbort } from '../../prompts.js';
import { collectEvidence } from '../../incident/collect.js';
import { sinceToIso } from '../audit/log.js';
import { adminSession } from '../login/session.js';
import { isolateCommand } from './isolate.js';

/**
 * The steps after a lockdown, each a command that works at that point (read-only is on,
 * anonymous access off), in the order they must run.
 */
export function lockdownSteps(x: LockdownResponse, day: string): { command: string; why: string }[] {
  const kept = x.kept[0] ?? 'ACCESS_KEY';
  return [
    {
      command: `anodectl credentials rotate ${kept}`,
      why: 'the kept key may be the leaked one: a new key, the old one stops at once (allowed in lockdown); then anodectl login with the new key',
    },
    { command: 'anodectl audit verify --node', why: 'is the audit trail intact (no line changed, removed or reordered)?' },
    { command: 'anodectl audit log --since 24h', why: 'what was done, by which key, from where' },
    {
      command: `anodectl incident collect --out ./incident-${day} --since 7d`,
      why: 'evidence: logs, verify result, status, config, credentials report, blocklist',
    },
    { command: 'anodectl incident unlock', why: 'when contained: read-only off, anonymous access honoured again' },
  ];
}

function stepsText(out: Output, x: LockdownResponse): string {
  const steps = lockdownSteps(x, x.at.slice(0, 10));
  const width = Math.max(...steps.map((s) => s.command.length));
  return [
    `${out.style.red('LOCKDOWN')} at ${x.at}: ${x.revoked} credential(s) revoked, read-only ON, anonymous access OFF; still active: ${x.kept.join(', ')}`,
    `reason: ${x.reason}`,
    'next steps, in this order:',
    ...steps.map((s, i) => `  ${i + 1}. ${s.command.padEnd(width)}  (${s.why})`),
  ].join('\n');
}

export function incidentCommand(io: CliIo): Command {
  const lockdown = new Command('lockdown')
    .description(
      'revoke every credential except the one in use, switch the node to read-only and refuse anonymous access (one audit entry)',
    )
    .requiredOption('--reason <text>', 'why: recorded in the audit log')
    .action(async (flags: { reason: string }, command: Command) => {
      const s = await adminSession(command, io);
      await confirmOrAbort(
        `LOCK DOWN ${s.target.endpoint}? Every credential except ${s.credentials.accessKeyId} is revoked, the node becomes read-only and anonymous access (public ACLs, "*" policies) stops until anodectl incident unlock.`,
        s.ctx.prompt,
      );
      const r = await s.call((c) => c.lockdown({ reason: flags.reason }));
      s.ctx.out.result({ ...r, next_steps: lockdownSteps(r, r.at.slice(0, 10)) }, () => stepsText(s.ctx.out, r));
    });
  const unlock = new Command('unlock')
    .description('lift a lockdown: read-only off, anonymous access honoured again (revoked keys stay revoked; audited)')
    .option('--reason <text>', 'why: recorded in the audit log')
    .action(async (flags: { reason?: string }, command: Command) => {
      const s = await adminSession(command, io);
      await confirmOrAbort(
        `Lift the lockdown on ${s.target.endpoint}? Writes are accepted again and public ACLs and "*" policies are honoured again.`,
        s.ctx.prompt,
      );
      const r = await s.call((c) => c.call('unlock', { body: flags.reason !== undefined ? { reason: flags.reason } : {} }));
      s.ctx.out.result(
        r,
        (x) =>
          `${x.lifted ? 'lockdown lifted' : 'no lockdown was active'} at ${x.at}: read-only ${x.read_only ? 'ON' : 'off'}, anonymous access ${x.anonymous_access ? 'honoured' : 'OFF ([auth] anonymous = false)'}`,
      );
    });
  const status = new Command('status')
    .description('show read-only state, the last lockdown, active credentials and blocked addresses')
    .action(async (_f: unknown, command: Command) => {
      const s = await adminSession(command, io);
      const { out } = s.ctx;
      out.result(await s.call((c) => c.getIncidentStatus()), (x) =>
        out.details([
          ['Read-only', x.read_only ? out.style.yellow(`ON since ${x.read_only_since ?? '?'}`) : 'off'],
          ['Lockdown', x.lockdown_active ? out.style.red('ACTIVE (anodectl incident unlock lifts it)') : 'not active'],
          ['Anonymous access', x.anonymous_access ? 'honoured (public ACLs and "*" policies)' : out.style.yellow('refused')],
          [
            'Last lockdown',
            x.last_lockdown === null
              ? 'never'
              : `${x.last_lockdown.at} by ${x.last_lockdown.user} (${x.last_lockdown.access_key}), ${x.last_lockdown.revoked} revoked${x.last_lockdown.lifted_at ? `, lifted ${x.last_lockdown.lifted_at}` : ''}`,
          ],
          ['Reason', x.last_lockdown?.reason ?? null],
          ['Active credentials', x.active_credentials],
          ['Blocked', x.blocklist.join(', ')],
          ...(x.isolated_nodes === undefined
            ? []
            : [
                [
                  'Isolated nodes',
                  x.isolated_nodes.map((n) => `${n.node_id} (${n.state_reason ?? 'no reason'})`).join(', ') || 'none',
                ] as const,
              ]),
        ]),
      );
    });
  const collect = new Command('collect')
    .description(
      "gather the evidence (logs of a window, audit verify, status, redacted config, credentials report, blocklist, MANIFEST) into one 0600 tarball; run on the node's host",
    )
    .requiredOption('--out <dir>', 'directory for the tarball (created 0700 if missing)')
    .option('--since <when>', 'window start: a duration ago (30m, 1h, 7d) or an ISO timestamp (default: everything)')
    .option('--until <when>', 'window end: a duration ago or an ISO timestamp (default: now)')
    .option('--config <file>', "the node's config file, packed with secrets redacted (default /etc/anode/config.toml if present)")
    .action(async (flags: { out: string; since?: string; until?: string; config?: string }, command: Command) => {
      const now = new Date();
      const since = flags.since === undefined ? null : new Date(sinceToIso(flags.since, now));
      const until = flags.until === undefined ? null : new Date(sinceToIso(flags.until, now));
      const s = await adminSession(command, io);
      const configFile = flags.config ?? (existsSync('/etc/anode/config.toml') ? '/etc/anode/config.toml' : undefined);
      const r = await collectEvidence({ client: s.client, outDir: resolve(flags.out), since, until, configFile, now });
      s.ctx.out.result(r, (x) =>
        [
          `evidence packed in ${x.tarball} (mode 0600)`,
          ...x.files.map((f) => `  ${f.sha256}  ${f.name} (${f.bytes} bytes)`),
          ...x.notes.map((n) => s.ctx.out.style.yellow(`note: ${n}`)),
          'unpack and check: tar -xzf FILE && sha256sum -c MANIFEST',
        ].join('\n'),
      );
    });
  return new Command('incident')
    .description('incident response: lockdown, unlock, status, collect evidence, isolate a node')
    .addCommand(lockdown)
    .addCommand(unlock)
    .addCommand(status)
    .addCommand(collect)
    .addCommand(isolateCommand(io));
}
