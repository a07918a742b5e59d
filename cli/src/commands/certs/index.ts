/** `anodectl certs`: the cluster's private CA and node certificates for mutual TLS (offline, no server needed). */
import { Command } from 'commander';
import type { CliIo } from '../../context.js';
import { initCaCommand } from './init-ca.js';
import { inspectCommand } from './inspect.js';
import { issueCommand } from './issue.js';

export function certsCommand(io: CliIo): Command {
  return new Command('certs')
    .description('create the cluster CA, issue node certificates for mTLS, inspect certificates')
    .addCommand(initCaCommand(io))
    .addCommand(issueCommand(io))
    .addCommand(inspectCommand(io));
}
