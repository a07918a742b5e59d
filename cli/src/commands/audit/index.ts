/**
 * `anodectl audit`: `log` reads the node's audit trail (admin API). The security
 * checklist (`audit checklist`) belongs to another module and is added beside it.
 */
import { Command } from 'commander';
import type { CliIo } from '../../context.js';
import { auditLogCommand } from './log.js';
import { checklistCommand } from './checklist.js';
import { auditVerifyCommand } from './verify.js';

export function auditCommand(io: CliIo): Command {
  return new Command('audit')
    .description("read the node's audit log, verify its hash chain; check the deployment against the security checklist")
    .addCommand(auditLogCommand(io))
    .addCommand(checklistCommand(io))
    .addCommand(auditVerifyCommand(io));
}
