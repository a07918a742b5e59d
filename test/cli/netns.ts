/**
 * A throwaway network namespace for checking firewall rules with the real tools, so the
 * host's own firewall is never touched. Needs root and iproute2; `available()` says
 * whether this machine can do it (tests skip with the reason otherwise).
 */
import { execFileSync, spawnSync } from 'node:child_process';

export function netnsUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root for ip netns';
  for (const tool of ['ip', 'iptables-restore', 'ip6tables-restore', 'nft']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  // Root in a container may still lack the capability to make namespaces.
  const probe = `anode-probe-${process.pid}`;
  const made = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (made.status !== 0) return `cannot create a network namespace here: ${made.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return undefined;
}

export class NetNs {
  constructor(readonly name: string) {}

  static create(prefix: string): NetNs {
    const ns = new NetNs(`${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
    execFileSync('ip', ['netns', 'add', ns.name]);
    return ns;
  }

  /** Runs a command inside the namespace with stdin; never throws. */
  run(command: string, args: readonly string[], input = ''): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync('ip', ['netns', 'exec', this.name, command, ...args], { input, encoding: 'utf8', timeout: 30_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  delete(): void {
    spawnSync('ip', ['netns', 'del', this.name]);
  }
}
