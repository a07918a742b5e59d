/**
 * Every top-level noun of anodectl. To add one: create commands/<noun>/index.ts that
 * exports a function returning its Command (one file per verb beside it), add it to
 * NOUNS, and document it in man/anodectl.1 (test/cli/man.test.ts fails until you do).
 */
import type { Command } from 'commander';
import type { CliIo } from '../context.js';
import { certsCommand } from './certs/index.js';
import { firewallCommand } from './firewall/index.js';
import { loginCommand, logoutCommand } from './login/index.js';
import { profileCommand } from './profile/index.js';
import { credentialsCommand } from './credentials/index.js';
import { readonlyCommand } from './readonly/index.js';
import { gcCommand } from './gc/index.js';
import { statusCommand } from './status/index.js';
import { bucketsCommand } from './buckets/index.js';
import { aclCommand } from './acl/index.js';
import { policyCommand } from './policy/index.js';
import { incidentCommand } from './incident/index.js';
import { blockCommand } from './block/index.js';
import { auditCommand } from './audit/index.js';
import { keysCommand } from './keys/index.js';
import { versionCommand } from './version/index.js';
import { completionCommand } from './completion/index.js';
import { clusterCommand } from './cluster/index.js';

const NOUNS: readonly ((io: CliIo) => Command)[] = [
  certsCommand,
  firewallCommand,
  // Admin API nouns (login/profile store the connection; the rest drive the node).
  loginCommand,
  logoutCommand,
  profileCommand,
  credentialsCommand,
  readonlyCommand,
  gcCommand,
  statusCommand,
  bucketsCommand,
  aclCommand,
  policyCommand,
  incidentCommand,
  blockCommand,
  auditCommand,
  keysCommand,
  clusterCommand,
];

export function registerCommands(program: Command, io: CliIo, version: string): void {
  for (const noun of NOUNS) program.addCommand(noun(io));
  program.addCommand(versionCommand(io, version));
  program.addCommand(completionCommand(io));
}
