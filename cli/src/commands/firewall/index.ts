import { Command } from 'commander';
import type { CliIo } from '../../context.js';

export function firewallCommand(_io: CliIo): Command {
  return new Command('firewall').description('print firewall rules for an Anode node (iptables, ip6tables, nftables, Kubernetes NetworkPolicy)');
}
