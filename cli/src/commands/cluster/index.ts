/** `anodectl cluster status|drain|remove`: the members of a cluster and their lifecycle. */
import { Command } from 'commander';
import type { ClusterNodeInfo } from '@anode/shared/admin-api/index';
import type { CliIo } from '../../context.js';
import type { Output } from '../../output.js';
import { confirmOrAbort } from '../../prompts.js';
import { adminSession } from '../login/session.js';
import { repairCommand } from './repair.js';

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

function stateCell(out: Output, s: ClusterNodeInfo['state']): string {
  if (s === 'active') return out.style.green(s);
  if (s === 'down' || s === 'isolated') return out.style.red(s);
  if (s === 'removed') return s;
  return out.style.yellow(s);
}

export function nodeTable(out: Output, nodes: readonly ClusterNodeInfo[]): string {
  return out.table<ClusterNodeInfo>(
    [
      { header: 'node', value: (n) => n.node_id },
      { header: 'address', value: (n) => n.advertise },
      { header: 'zone', value: (n) => (n.zone === '' ? '-' : n.zone) },
      { header: 'state', value: (n) => stateCell(out, n.state) },
      { header: 'last seen', value: (n) => `${n.last_seen_seconds}s ago` },
      { header: 'chunks', value: (n) => n.chunks },
      { header: 'bytes', value: (n) => bytes(n.bytes) },
      { header: 'free disk', value: (n) => bytes(n.free_disk_bytes) },
    ],
    nodes,
  );
}

export function clusterCommand(io: CliIo): Command {
  const status = new Command('status')
    .description('list the cluster members: address, zone, state, last heartbeat, chunks, bytes, free disk')
    .action(async (_f: unknown, command: Command) => {
      const s = await adminSession(command, io);
      const { out } = s.ctx;
      out.result(await s.call((c) => c.getClusterStatus()), (x) =>
        !x.enabled
          ? 'cluster mode is off on this node (cluster.enabled = false)'
          : `${nodeTable(out, x.nodes)}\n\nanswered by ${x.node_id ?? '?'}; R=${x.replication_factor ?? '?'} W=${x.write_quorum ?? '?'}; replicas waiting for repair: ${x.pending_repairs}`,
      );
    });
  const drain = new Command('drain')
    .description('stop placing new chunks on NODE (it keeps serving what it holds)')
    .argument('<node>', 'node id')
    .option('--reason <text>', 'recorded in the audit log')
    .action(async (node: string, flags: { reason?: string }, command: Command) => {
      const s = await adminSession(command, io);
      const r = await s.call((c) => c.drainNode(node, flags.reason));
      s.ctx.out.result(r, (x) => `${x.node.node_id}: ${x.changed ? 'now draining' : 'already draining'} (no new chunks are placed on it)`);
    });
  const remove = new Command('remove')
    .description('take NODE out of the cluster for good: out of placement, its certificate refused by every peer')
    .argument('<node>', 'node id')
    .option('--reason <text>', 'recorded in the audit log')
    .action(async (node: string, flags: { reason?: string }, command: Command) => {
      const s = await adminSession(command, io);
      await confirmOrAbort(
        `Remove node ${node} from the cluster? It leaves placement, peers refuse its certificate, and it may not rejoin under this id.`,
        s.ctx.prompt,
      );
      const r = await s.call((c) => c.removeNode(node, flags.reason));
      s.ctx.out.result(r, (x) => `${x.node.node_id}: ${x.changed ? 'removed' : 'already removed'}; its chunks need repair elsewhere`);
    });
  return new Command('cluster')
    .description('cluster membership: status, drain and remove nodes, repair replicas')
    .addCommand(status)
    .addCommand(drain)
    .addCommand(remove)
    .addCommand(repairCommand(io));
}
