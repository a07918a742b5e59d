/**
 * `anodectl certs issue NODE --ca DIR --dns NAME... --ip ADDR...`: a node key and
 * certificate for cluster mTLS, signed by the CA in DIR.
 *
 * --ca is the global option (the Anode CA: a file or the init-ca directory); commander
 * cannot have a subcommand redefine a global flag, and here it names the CA directory.
 */
import { snakeCaseKeys } from '../../output.js';
import { Command } from 'commander';
import { contextFor, type CliIo } from '../../context.js';
import { ConflictError, fileError, UsageError, UserError } from '../../errors.js';
import { InvalidAddressError } from '../../net/ip.js';
import { intInRange } from '../../parse.js';
import { DEFAULT_CERT_DIR, readCaDir, WouldOverwriteError, writePemPair } from '../../pki/cert-files.js';
import { InvalidNameError } from '../../pki/names.js';
import { CaUnusableError, issueNodeCertificate } from '../../pki/node-cert.js';

interface IssueFlags {
  dns?: string[];
  ip?: string[];
  out: string;
  days: number;
  force?: true;
}

export interface IssueResult {
  node: string;
  certPath: string;
  keyPath: string;
  dnsNames: string[];
  ipAddresses: string[];
  serialNumber: string;
  notAfter: string;
}

export function issueCommand(io: CliIo): Command {
  return new Command('issue')
    .description('issue a node certificate (RSA 2048, serverAuth + clientAuth) signed by the CA given with --ca DIR')
    .usage('<node> --ca <dir> [--dns <name...>] [--ip <addr...>] [options]')
    .argument('<node>', 'node name: certificate CN and file name (<node>.crt, <node>.key)')
    .option('--dns <name...>', 'DNS subjectAltName (repeatable)')
    .option('--ip <addr...>', 'IP address subjectAltName, IPv4 or IPv6 (repeatable)')
    .option('--out <dir>', 'directory for <node>.crt and <node>.key', DEFAULT_CERT_DIR)
    .option('--days <n>', "validity in days (never beyond the CA's)", intInRange(1, 3650), 365)
    .option('--force', 'replace existing <node>.crt / <node>.key')
    .addHelpText('after', '\nThe global --ca <dir> is required here: the directory holding ca.crt and ca.key from `certs init-ca`.')
    .action(async (node: string, flags: IssueFlags, command: Command) => {
      const {
        out,
        globals,
        io: { env },
      } = contextFor(command, io);
      const caDir = globals.ca ?? env['ANODE_CA'];
      if (caDir === undefined || caDir === '')
        throw new UsageError('--ca <dir> is required: the directory with ca.crt and ca.key from `anodectl certs init-ca`');
      let ca;
      try {
        ca = await readCaDir(caDir);
      } catch (err) {
        throw fileError(err, caDir);
      }
      for (const warning of ca.warnings) out.warn(warning);
      let issued;
      try {
        issued = issueNodeCertificate({ ca: ca.pair, node, dnsNames: flags.dns ?? [], ipAddresses: flags.ip ?? [], days: flags.days });
      } catch (err) {
        if (err instanceof InvalidNameError || err instanceof InvalidAddressError) throw new UsageError(err.message, { cause: err });
        if (err instanceof CaUnusableError) throw new UserError(err.message, { cause: err });
        throw err;
      }
      for (const warning of issued.warnings) out.warn(warning);
      let written;
      try {
        written = await writePemPair(flags.out, node, issued, { force: flags.force === true });
      } catch (err) {
        if (err instanceof WouldOverwriteError) throw new ConflictError(err.message, { hint: 'pass --force to replace them' });
        throw fileError(err, flags.out);
      }
      const result: IssueResult = {
        node,
        ...written,
        dnsNames: [...new Set((flags.dns ?? []).map((d) => d.toLowerCase().replace(/\.$/, '')))],
        ipAddresses: flags.ip ?? [],
        serialNumber: issued.serialHex,
        notAfter: issued.notAfter.toISOString(),
      };
      // JSON keys are snake_case like every other command's (the types here are camelCase).
      out.result(snakeCaseKeys(result), () =>
        ((r: typeof result) =>
          [
            `${out.style.green('✓')} certificate ${r.certPath}`,
            `${out.style.green('✓')} key         ${r.keyPath} (mode 0600)`,
            `  names ${[...r.dnsNames.map((d) => `DNS:${d}`), ...r.ipAddresses.map((i) => `IP:${i}`)].join(', ')}; valid until ${r.notAfter}`,
          ].join('\n'))(result),
      );
    });
}
