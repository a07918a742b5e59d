/**
 * `anodectl audit checklist`: checks a deployment against the security checklist — the
 * host (process owner, file modes, systemd unit), the config (TLS, listeners, proxies,
 * logging) and the live node (credentials, public buckets, read-only, TLS) — and ends
 * with exit 10 when anything FAILs (with --strict, also on WARN).
 */
import { access, constants } from 'node:fs/promises';
import { Command } from 'commander';
import { AdminClient } from '@anode/shared/admin-api/index';
import { contextFor, resolveAdminTarget, type CliIo, type GlobalOptions } from '../../context.js';
import { AuditFailedError, fileError, NotFoundError, UsageError, UserError } from '../../errors.js';
import { renderReport } from '../../audit/render.js';
import { ChecklistInputError, DEFAULT_UNIT_FILE, runChecklist, type LiveConnection } from '../../audit/run-checklist.js';
import { readCa, regionOf } from '../login/session.js';

interface ChecklistFlags {
  config?: string;
  data?: string;
  unit?: string;
  strict?: boolean;
}

async function mustExist(path: string | undefined): Promise<void> {
  if (path === undefined) return;
  try {
    await access(path, constants.F_OK);
  } catch (err) {
    throw fileError(err, path);
  }
}

/** Opens the admin API for the live items, or says why not (never throws for a missing credential). */
export function liveConnector(
  globals: GlobalOptions,
  io: CliIo,
): (hint: string | undefined) => Promise<LiveConnection | { skipped: string }> {
  return async (hint) => {
    const explicit = globals.endpoint ?? (io.env['ANODE_ENDPOINT'] === '' ? undefined : io.env['ANODE_ENDPOINT']);
    // On the node's host its own admin_listen beats a profile's endpoint; a flag or env beats both.
    const effective: GlobalOptions = explicit === undefined && hint !== undefined ? { ...globals, endpoint: hint } : globals;
    let target;
    try {
      target = await resolveAdminTarget(effective, io.env, { requireCredentials: false });
    } catch (err) {
      if (err instanceof UsageError || err instanceof NotFoundError) throw err;
      if (err instanceof UserError) return { skipped: err.message };
      throw err;
    }
    if (target.credentials === undefined) {
      return { skipped: `no admin credential for ${target.endpoint}: run anodectl login, or set ANODE_ACCESS_KEY and ANODE_SECRET_KEY` };
    }
    const ca = await readCa(target.ca);
    const client = new AdminClient({
      endpoint: target.endpoint,
      credentials: target.credentials,
      region: regionOf(io),
      timeoutMs: 10_000,
      ...(ca !== undefined ? { ca } : {}),
    });
    return { client, accessKey: target.credentials.accessKeyId };
  };
}

export function checklistCommand(io: CliIo): Command {
  return new Command('checklist')
    .description('check this deployment against the security checklist (host, config, live node); exit 10 on any FAIL')
    .option('--config <file>', "the node's config (TOML); default: the running node's --config, else /etc/anode/config.toml")
    .option('--data <dir>', "the node's data dir; default: the running node's, else server.data_dir")
    .option('--unit <file>', `systemd unit to check (default ${DEFAULT_UNIT_FILE})`)
    .option('--strict', 'exit 10 on WARN too, not only on FAIL')
    .action(async (flags: ChecklistFlags, command: Command) => {
      const ctx = contextFor(command, io);
      await mustExist(flags.config);
      await mustExist(flags.data);
      await mustExist(flags.unit);
      let report;
      try {
        report = await runChecklist({
          configFile: flags.config,
          dataDir: flags.data,
          unitFile: flags.unit,
          now: new Date(),
          cliUid: process.getuid?.(),
          connect: liveConnector(ctx.globals, io),
        });
      } catch (err) {
        if (err instanceof ChecklistInputError) throw new UsageError(err.message, { cause: err });
        throw err;
      }
      ctx.out.result(report, (r) => renderReport(r, ctx.out));
      const { FAIL: fails, WARN: warns } = report.summary;
      if (fails > 0 || (flags.strict === true && warns > 0)) {
        const what = flags.strict === true ? `${fails} FAIL and ${warns} WARN` : `${fails} FAIL`;
        throw new AuditFailedError(`audit checklist found ${what}`, {
          hint: 'each finding above has a fix; docs/security-checklist.md explains every item',
        });
      }
    });
}
