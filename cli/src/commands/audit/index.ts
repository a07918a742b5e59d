/**
 * `anodectl audit`: `log` reads the node's audit trail (admin API). The security
 * checklist (`audit checklist`) belongs to another module and is added beside it.
 */
import { Command } from 'commander';
import type { CliIo } from '../../context.js';
import { auditLogCommand } from './log.js';

export function auditCommand(io: CliIo): Command {
  return new Command('audit').description("read the node's audit log").addCommand(auditLogCommand(io));
}
