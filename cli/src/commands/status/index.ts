/** `anodectl status`: one look at a node (version, uptime, read-only, listeners, keys, buckets, GC). */
import { Command } from 'commander';
import type { CliIo } from '../../context.js';
import { adminSession } from '../login/session.js';

export function statusCommand(io: CliIo): Command {
  return new Command('status')
    .description("show the node's version, uptime, read-only state, listeners, credential and bucket counts, GC, encryption and keys")
    .action(async (_f: unknown, command: Command) => {
      const s = await adminSession(command, io);
      const st = await s.call((c) => c.getStatus());
      const { out } = s.ctx;
      out.result(st, (x) =>
        out.details([
          ['Endpoint', s.target.endpoint],
          ['Version', x.version],
          ['Uptime', `${x.uptime_seconds} s (since ${x.started_at})`],
          ['Region', x.region],
          ['Read-only', x.read_only ? out.style.yellow(`ON since ${x.read_only_since ?? '?'}`) : 'off'],
          ['S3 listen', x.s3_listen],
          ['Admin listen', x.admin_listen],
          ['TLS', x.tls ? 'on' : out.style.yellow('off')],
          [
            'Credentials',
            `${x.credentials.active} active (${x.credentials.admin} admin), ${x.credentials.revoked} revoked, ${x.credentials.expired} expired`,
          ],
          ['Buckets', x.buckets],
          ['Blocked CIDRs', x.blocklist],
          [
            'GC',
            x.gc.running
              ? 'running'
              : x.gc.last === null
                ? 'not run yet'
                : `last run ${x.gc.last.finished_at ?? x.gc.last.started_at}: ${x.gc.last.chunks_removed} chunks removed`,
          ],
          ['Node id', x.audit.node_id],
          [
            'Audit chain',
            x.audit.path === null
              ? 'off'
              : `${x.audit.chain_ok ? 'ok' : out.style.red('BROKEN (run anodectl audit verify)')}, head seq ${x.audit.head_seq ?? '-'}, ${x.audit.path}`,
          ],
          ['Audit key', x.audit.public_key_fingerprint],
          ['Encryption at rest', x.encryption.enabled ? out.style.green('on') : out.style.yellow('off')],
          [
            'Key provider',
            x.encryption.provider === null
              ? 'none'
              : x.encryption.provider_reachable === false
                ? out.style.red(`${x.encryption.provider}: UNREACHABLE (${x.encryption.provider_error ?? '?'})`)
                : x.encryption.provider_reachable === null
                  ? x.encryption.provider
                  : `${x.encryption.provider} (reachable)`,
          ],
          ['Credential master key', x.encryption.master_key],
          [
            'Keys',
            x.encryption.keys.length === 0
              ? 'none'
              : x.encryption.keys
                  .map(
                    (k) =>
                      `${k.name} v${k.current_version ?? '-'} (${k.versions.map((v) => `v${v.version}${v.state === 'retired' ? ' retired' : ''}: ${v.objects}`).join(', ')})`,
                  )
                  .join('; '),
          ],
        ]),
      );
      // The public key itself, to pin for anodectl audit verify --public-key (human output only).
      if (!out.json && st.audit.public_key !== null) out.raw(`\nAudit public key (Ed25519):\n${st.audit.public_key}`);
    });
}
