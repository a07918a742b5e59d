/**
 * What `--help` adds to commander's own text: examples for every command (one table, so a
 * command without examples fails test/cli/help.test.ts), and the exit codes on the
 * top-level help. Commands added later need an entry in EXAMPLES.
 */
import type { Command } from 'commander';
import { ExitCode } from './errors.js';

/** Command path ("buckets delete") → example command lines, each with an optional "# comment". */
export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  '': ['anodectl login --credentials-file anode-data/root-credentials', 'anodectl status', 'anodectl buckets list -o wide'],
  certs: ['anodectl certs init-ca --out ca/', 'anodectl certs issue node1 --ca ca/ --dns node1.example --ip 10.0.0.11'],
  'certs init-ca': ['anodectl certs init-ca --out ca/', 'anodectl certs init-ca --out ca/ --cn "Example Anode CA" --days 3650'],
  'certs issue': [
    'anodectl certs issue node1 --ca ca/ --dns node1.example --ip 10.0.0.11',
    'anodectl certs issue node2 --ca ca/ --dns node2.example --out /etc/anode/certs --days 90',
  ],
  'certs inspect': ['anodectl certs inspect anode-certs/node1.crt', 'anodectl certs inspect ca/ca.crt -o json'],
  firewall: [
    'anodectl firewall --format nftables --cluster-cidr 10.0.0.0/24 --admin-cidr 192.168.10.0/24',
    'anodectl firewall --format iptables --config /etc/anode/config.toml --cluster-cidr 10.0.0.0/24 --admin-cidr 192.168.10.0/24',
    'anodectl firewall --format kubernetes --cluster-cidr 10.42.0.0/16 --admin-cidr 10.0.5.0/24',
  ],
  login: [
    'anodectl login --credentials-file anode-data/root-credentials',
    'anodectl --endpoint https://node1.example:8081 --ca ca/ca.crt --profile prod login --access-key AKIA...',
    'printf %s "$SECRET" | anodectl login --access-key AKIA... --secret-stdin',
  ],
  logout: ['anodectl logout', 'anodectl --profile prod logout'],
  profile: ['anodectl profile list', 'anodectl profile use prod'],
  'profile list': ['anodectl profile list', 'anodectl profile list -o wide'],
  'profile use': ['anodectl profile use prod'],
  'profile delete': ['anodectl profile delete old-lab', 'anodectl profile delete old-lab --yes'],
  credentials: ['anodectl credentials create --user alice --role user', 'anodectl credentials list --all'],
  'credentials create': [
    'anodectl credentials create --user alice --role user',
    'anodectl credentials create --user backup --role user --permission read -o json',
  ],
  'credentials list': [
    'anodectl credentials list',
    'anodectl credentials list --all -o wide',
    "anodectl credentials list -o json | jq -r '.[].access_key'",
  ],
  'credentials rotate': [
    'anodectl credentials rotate AKIA... --grace 1h',
    'anodectl credentials rotate AKIA...   # the old key stops at once',
  ],
  'credentials revoke': ['anodectl credentials revoke AKIA...', 'anodectl credentials revoke AKIA... --yes'],
  'credentials revoke-all': [
    'anodectl credentials revoke-all --except AKIA...',
    'anodectl credentials revoke-all --yes   # including your own key',
  ],
  readonly: ['anodectl readonly on', 'anodectl readonly status'],
  'readonly on': ['anodectl readonly on', 'anodectl readonly on --yes'],
  'readonly off': ['anodectl readonly off'],
  'readonly status': ['anodectl readonly status', 'anodectl readonly status -o json'],
  gc: ['anodectl gc run --wait', 'anodectl gc status'],
  'gc run': ['anodectl gc run', 'anodectl gc run --wait', 'anodectl gc run --wait -o json'],
  'gc status': ['anodectl gc status', 'anodectl gc status -o yaml'],
  status: ['anodectl status', 'anodectl --profile prod status -o json'],
  version: ['anodectl version', 'anodectl version -o json'],
  completion: [
    'source <(anodectl completion bash)',
    'anodectl completion zsh > "${fpath[1]}/_anodectl"',
    'anodectl completion fish > ~/.config/fish/completions/anodectl.fish',
  ],
  buckets: ['anodectl buckets create photos', 'anodectl buckets list', 'anodectl buckets delete photos'],
  'buckets list': ['anodectl buckets list', 'anodectl buckets list -o wide', 'anodectl buckets list -o yaml'],
  'buckets create': ['anodectl buckets create photos', 'anodectl buckets create team-data --owner alice'],
  'buckets delete': ['anodectl buckets delete photos', 'anodectl buckets delete photos --force --yes   # every object first'],
  'buckets permissions': [
    'anodectl buckets permissions get photos',
    'anodectl buckets permissions set photos --grant user:alice=read,write',
  ],
  'buckets permissions get': ['anodectl buckets permissions get photos', 'anodectl buckets permissions get photos -o json'],
  'buckets permissions set': [
    'anodectl buckets permissions set photos --grant user:alice=read,write --grant user:bob=read',
    'anodectl buckets permissions set photos --file grants.json',
  ],
  acl: ['anodectl acl get photos', 'anodectl acl set photos --canned private'],
  'acl get': ['anodectl acl get photos', 'anodectl acl get photos 2026/beach.jpg -o json'],
  'acl set': ['anodectl acl set photos --canned private', 'anodectl acl set photos 2026/beach.jpg --canned public-read --yes'],
  policy: [
    'anodectl policy validate photos --file docs/examples/policy.json',
    'anodectl policy set photos --file docs/examples/policy.json',
  ],
  'policy get': ['anodectl policy get photos', 'anodectl policy get photos > photos-policy.json'],
  'policy set': ['anodectl policy set photos --file docs/examples/policy.json', 'cat policy.json | anodectl policy set photos --file -'],
  'policy delete': ['anodectl policy delete photos', 'anodectl policy delete photos --yes'],
  'policy validate': ['anodectl policy validate photos --file docs/examples/policy.json'],
  incident: ['anodectl incident lockdown --reason "leaked key"', 'anodectl incident status'],
  'incident lockdown': ['anodectl incident lockdown --reason "leaked key"', 'anodectl incident lockdown --reason "leaked key" --yes'],
  'incident status': ['anodectl incident status', 'anodectl incident status -o json'],
  block: ['anodectl block add 203.0.113.0/24', 'anodectl block list'],
  'block add': ['anodectl block add 203.0.113.7', 'anodectl block add 2001:db8::/32'],
  'block remove': ['anodectl block remove 203.0.113.0/24', 'anodectl block remove 203.0.113.0/24 --yes'],
  'block list': ['anodectl block list', 'anodectl block list -o json'],
  audit: ['anodectl audit log --since 1h', 'anodectl audit checklist'],
  'audit log': [
    'anodectl audit log --since 1h',
    'anodectl audit log --since 2026-12-01T00:00:00Z --limit 1000',
    'anodectl audit log --follow -o json',
  ],
  'audit verify': [
    'anodectl audit verify --node',
    'anodectl audit verify --file /var/log/anode/audit.log --rotated --public-key audit-ed25519.pub',
    'anodectl audit verify --file audit.log --from-seq 5000 -o json',
  ],
  'credentials report': ['anodectl credentials report', 'anodectl credentials report --strict -o json   # exit 10 on any finding'],
  'credentials reseal': ['anodectl credentials reseal --yes'],
  'policy simulate': [
    'anodectl policy simulate photos --principal user:alice --action s3:GetObject --key a.jpg',
    'anodectl policy simulate photos --principal "*" --action s3:ListBucket --condition aws:SourceIp=203.0.113.7 -o json',
  ],
  'policy explain': ['anodectl policy explain 5A7277FE20664E27'],
  'incident unlock': ['anodectl incident unlock --reason "key rotated, access reviewed" --yes'],
  'incident collect': [
    'anodectl incident collect --out /root/evidence --since 24h',
    'anodectl incident collect --out /root/evidence --since 2026-12-01T00:00:00Z --config /etc/anode/config.toml',
  ],
  keys: ['anodectl keys list', 'anodectl keys create tenant-a', 'anodectl keys rotate'],
  'keys generate': ['anodectl keys generate --out /etc/anode/encryption.key'],
  'keys create': ['anodectl keys create tenant-a'],
  'keys list': ['anodectl keys list', 'anodectl keys list -o json'],
  'keys rotate': ['anodectl keys rotate', 'anodectl keys rotate tenant-a'],
  'keys rewrap': ['anodectl keys rewrap --wait', 'anodectl keys rewrap tenant-a'],
  'keys retire': ['anodectl keys retire tenant-a --version 1'],
  cluster: ['anodectl cluster status', 'anodectl cluster repair --wait'],
  'cluster status': ['anodectl cluster status', 'anodectl cluster status -o json'],
  'cluster drain': ['anodectl cluster drain node3 --reason "disk replacement"'],
  'cluster remove': ['anodectl cluster remove node3 --reason "decommissioned" --yes'],
  'cluster repair': ['anodectl cluster repair --wait', 'anodectl cluster repair --scrub --wait -o json'],
  'incident isolate': ['anodectl incident isolate node2 --reason "suspected compromise" --yes'],
  'audit checklist': [
    'anodectl audit checklist',
    'anodectl audit checklist --config /etc/anode/config.toml --data /var/lib/anode/data',
    'anodectl audit checklist --strict -o json',
  ],
};

const EXIT_MEANINGS: Readonly<Record<keyof typeof ExitCode, string>> = {
  Ok: 'success',
  General: 'failure (the message says why), or an internal error',
  Usage: 'bad flags or arguments, checked before any request',
  NotFound: 'no such bucket, key, credential, profile or file',
  PermissionDenied: 'the node refused the credentials or the action; or no credentials',
  Conflict: 'refused: exists, would overwrite, not empty, answered no, or no terminal to ask (--yes)',
  Unreachable: 'cannot reach the node (wrong endpoint, wrong port or scheme, node down)',
  AuditFailed: 'audit checklist found a FAIL',
  AuditChainBroken: 'audit verify found a broken link, a bad signature or a gap in the sequence (it names the line)',
};

/** The "Exit codes:" block of the top-level help. */
export function exitCodesText(): string {
  const lines = Object.entries(ExitCode).map(
    ([name, code]) => `  ${String(code).padEnd(3)} ${EXIT_MEANINGS[name as keyof typeof ExitCode]}`,
  );
  return `\nExit codes:\n${lines.join('\n')}\n`;
}

export function pathOf(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c !== null && c.parent !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Adds the examples (and, on the root, the exit codes) to every command's --help. */
export function addHelpTexts(command: Command): void {
  const examples = EXAMPLES[pathOf(command)] ?? [];
  const parts: string[] = [];
  if (examples.length > 0) parts.push(`Examples:\n${examples.map((e) => `  $ ${e}`).join('\n')}`);
  if (command.parent === null) parts.push(exitCodesText().trim());
  // One block, one blank line before each part; commander adds the final newline.
  if (parts.length > 0) command.addHelpText('after', `\n${parts.join('\n\n')}`);
  for (const sub of command.commands) addHelpTexts(sub);
}
