/**
 * `anodectl firewall`: prints host or cluster firewall rules for an Anode node
 * (offline; nothing is applied). IPv4 rules in iptables format, IPv6 in ip6tables
 * format, both in one nftables `inet` table, or a Kubernetes NetworkPolicy.
 */
import { snakeCaseKeys } from '../../output.js';
import { Command, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import { contextFor, type CliIo } from '../../context.js';
import { fileError, UsageError } from '../../errors.js';
import { renderIptables } from '../../firewall/iptables.js';
import { buildK8sSpec, DEFAULT_ADMIN_NAMESPACES, renderNetworkPolicy } from '../../firewall/k8s.js';
import { renderNftables } from '../../firewall/nftables.js';
import { portsFromConfig } from '../../firewall/ports-from-config.js';
import { buildSpec, cidrsOf, DEFAULT_PORTS, InvalidSpecError, type AnodePorts, type FirewallSpec } from '../../firewall/spec.js';
import { InvalidAddressError, type IpFamily } from '../../net/ip.js';
import { parsePort } from '../../parse.js';

export const FORMATS = ['iptables', 'ip6tables', 'nftables', 'k8s'] as const;
export type FirewallFormat = (typeof FORMATS)[number];

interface FirewallFlags {
  format: FirewallFormat;
  clusterCidr?: string[];
  adminCidr?: string[];
  adminNamespace?: string[];
  config?: string;
  s3Port?: number;
  adminPort?: number;
  grpcPort?: number;
}

export interface FirewallResult {
  format: FirewallFormat;
  ports: AnodePorts;
  clusterCidrs: string[];
  adminCidrs: string[];
  /** k8s only: namespaces allowed to the admin port. */
  adminNamespaces?: string[];
  output: string;
}

export function render(spec: FirewallSpec, format: Exclude<FirewallFormat, 'k8s'>): string {
  switch (format) {
    case 'iptables':
      return renderIptables(spec, 4);
    case 'ip6tables':
      return renderIptables(spec, 6);
    case 'nftables':
      return renderNftables(spec);
  }
}

export function firewallCommand(io: CliIo): Command {
  return new Command('firewall')
    .description(
      'print firewall rules for an Anode node: S3 open, gRPC from the cluster CIDRs, admin from the admin CIDRs ' +
        '(k8s: gRPC from anode pods, admin from the --admin-namespace pods)',
    )
    .addOption(
      new Option('--format <format>', 'iptables (IPv4), ip6tables (IPv6), nftables (both) or k8s (NetworkPolicy)')
        .choices(FORMATS)
        .makeOptionMandatory(),
    )
    .option('--cluster-cidr <cidr...>', 'peers allowed to the gRPC port (repeatable; IPv4 or IPv6; required but for k8s)')
    .option(
      '--admin-cidr <cidr...>',
      'clients allowed to the admin port (repeatable; IPv4 or IPv6; required but for k8s, where it is optional)',
    )
    .option(
      '--admin-namespace <name...>',
      `k8s: namespaces whose pods may reach the admin port (repeatable; default ${DEFAULT_ADMIN_NAMESPACES.join(', ')})`,
    )
    .option('--config <file>', 'anode config (TOML): ports from [server] s3_listen, admin_listen, [cluster] grpc_listen')
    .option('--s3-port <port>', `S3 API port (default ${DEFAULT_PORTS.s3}, or from --config)`, parsePort)
    .option('--admin-port <port>', `admin API port (default ${DEFAULT_PORTS.admin}, or from --config)`, parsePort)
    .option('--grpc-port <port>', `cluster gRPC port (default ${DEFAULT_PORTS.grpc}, or from --config)`, parsePort)
    .action(async (flags: FirewallFlags, command: Command) => {
      const { out } = contextFor(command, io);
      let ports: AnodePorts = { ...DEFAULT_PORTS };
      if (flags.config !== undefined) {
        let text: string;
        try {
          text = await readFile(flags.config, 'utf8');
        } catch (err) {
          throw fileError(err, flags.config);
        }
        try {
          ports = portsFromConfig(text, flags.config);
        } catch (err) {
          if (err instanceof InvalidSpecError) throw new UsageError(err.message, { cause: err });
          throw err;
        }
      }
      // Explicit flags beat the config file.
      ports = { s3: flags.s3Port ?? ports.s3, admin: flags.adminPort ?? ports.admin, grpc: flags.grpcPort ?? ports.grpc };
      if (flags.format === 'k8s') {
        if (flags.clusterCidr !== undefined)
          throw new UsageError('--format k8s admits gRPC from the anode pods by label; --cluster-cidr is for host firewalls');
        if (new Set([ports.s3, ports.admin, ports.grpc]).size !== 3)
          throw new UsageError(`the S3 (${ports.s3}), admin (${ports.admin}) and gRPC (${ports.grpc}) ports must differ`);
        let k8s;
        try {
          k8s = buildK8sSpec({
            ports,
            adminNamespaces: flags.adminNamespace ?? [...DEFAULT_ADMIN_NAMESPACES],
            adminCidrs: flags.adminCidr ?? [],
          });
        } catch (err) {
          throw new UsageError((err as Error).message, { cause: err });
        }
        const output = renderNetworkPolicy(k8s);
        if (out.json) {
          const result: FirewallResult = {
            format: 'k8s',
            ports: k8s.ports,
            clusterCidrs: [],
            adminCidrs: k8s.adminCidrs,
            adminNamespaces: k8s.adminNamespaces,
            output,
          };
          out.result(result, () => '');
        } else out.raw(output);
        return;
      }
      if (flags.adminNamespace !== undefined) throw new UsageError('--admin-namespace is for --format k8s');
      let spec: FirewallSpec;
      try {
        spec = buildSpec({ ports, clusterCidrs: flags.clusterCidr ?? [], adminCidrs: flags.adminCidr ?? [] });
      } catch (err) {
        if (err instanceof InvalidSpecError || err instanceof InvalidAddressError) throw new UsageError(err.message, { cause: err });
        throw err;
      }
      warnAboutFamilies(spec, flags.format, (m) => out.warn(m));
      const output = render(spec, flags.format);
      if (out.json) {
        const result: FirewallResult = {
          format: flags.format,
          ports: spec.ports,
          clusterCidrs: spec.clusterCidrs.map((c) => c.text),
          adminCidrs: spec.adminCidrs.map((c) => c.text),
          output,
        };
        out.result(snakeCaseKeys(result), () => '');
      } else {
        out.raw(output);
      }
    });
}

/** iptables and ip6tables each see one address family: say when CIDRs of the other are left out. */
function warnAboutFamilies(spec: FirewallSpec, format: FirewallFormat, warn: (message: string) => void): void {
  if (format !== 'iptables' && format !== 'ip6tables') return;
  const family: IpFamily = format === 'iptables' ? 4 : 6;
  const other = format === 'iptables' ? 'ip6tables' : 'iptables';
  for (const [name, cidrs, port] of [
    ['--cluster-cidr', spec.clusterCidrs, 'gRPC'],
    ['--admin-cidr', spec.adminCidrs, 'admin'],
  ] as const) {
    const skipped = cidrsOf(cidrs, family === 4 ? 6 : 4);
    if (skipped.length > 0)
      warn(`${name} ${skipped.join(', ')} left out of ${format} output; generate --format ${other} (or nftables) for them`);
    if (cidrsOf(cidrs, family).length === 0)
      warn(`no IPv${family} ${name}: the ${port} port is closed to every IPv${family} source except loopback`);
  }
}
