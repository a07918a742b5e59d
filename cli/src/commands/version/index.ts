/** `anodectl version`: this client's version and, when the node answers, the node's. */
import { Command } from 'commander';
import { contextFor, resolveAdminTarget, type CliIo } from '../../context.js';
import { AdminClient } from '@anode/shared/admin-api/index';
import { readCa, cliErrorFor, regionOf } from '../login/session.js';

export interface VersionResult {
  client: { version: string; node_runtime: string };
  /** null when the node could not be asked; node_error says why. */
  node: { endpoint: string; version: string; region: string } | null;
  node_error: string | null;
}

export function versionCommand(io: CliIo, clientVersion: string): Command {
  return new Command('version')
    .description("print anodectl's version and, when the node is reachable with the current credentials, the node's")
    .action(async (_flags: unknown, command: Command) => {
      const ctx = contextFor(command, io);
      const result: VersionResult = { client: { version: clientVersion, node_runtime: process.version }, node: null, node_error: null };
      try {
        // The version is in the signed status answer (never on the open /health): it needs credentials.
        const target = await resolveAdminTarget(ctx.globals, io.env, { requireCredentials: true });
        const ca = await readCa(target.ca);
        const client = new AdminClient({
          endpoint: target.endpoint,
          credentials: target.credentials!,
          region: regionOf(io),
          timeoutMs: 5000,
          ...(ca !== undefined ? { ca } : {}),
        });
        try {
          const st = await client.getStatus();
          result.node = { endpoint: target.endpoint, version: st.version, region: st.region };
        } catch (err) {
          const e = cliErrorFor(target.endpoint, err);
          result.node_error = e instanceof Error ? e.message : String(e);
        }
      } catch (err) {
        result.node_error = err instanceof Error ? err.message : String(err);
      }
      ctx.out.result(result, (r) =>
        ctx.out.details([
          ['Client', `anodectl ${r.client.version} (Node.js ${r.client.node_runtime})`],
          [
            'Node',
            r.node !== null ? `anode ${r.node.version} at ${r.node.endpoint} (${r.node.region})` : `unknown: ${r.node_error ?? '-'}`,
          ],
        ]),
      );
    });
}
