/** `anodectl certs init-ca`: a new RSA-4096 CA in --out (ca.crt 0644, ca.key 0600). */
import { snakeCaseKeys } from '../../output.js';
import { Command } from 'commander';
import { X509Certificate } from 'node:crypto';
import { contextFor, type CliIo } from '../../context.js';
import { ConflictError, fileError, UsageError } from '../../errors.js';
import { intInRange } from '../../parse.js';
import { createCa } from '../../pki/ca.js';
import { assertPairAbsent, DEFAULT_CERT_DIR, WouldOverwriteError, writePemPair } from '../../pki/cert-files.js';

interface InitCaFlags {
  out: string;
  cn: string;
  days: number;
  force?: true;
}

export interface InitCaResult {
  certPath: string;
  keyPath: string;
  subject: string;
  notAfter: string;
  fingerprintSha256: string;
}

export function initCaCommand(io: CliIo): Command {
  return new Command('init-ca')
    .description('create a certificate authority for node certificates (RSA 4096, self-signed)')
    .option('--out <dir>', 'directory for ca.crt and ca.key', DEFAULT_CERT_DIR)
    .option('--cn <name>', 'common name of the CA', 'Anode CA')
    .option('--days <n>', 'validity in days', intInRange(1, 36500), 3650)
    .option('--force', 'replace an existing ca.crt / ca.key (every node certificate it signed stops verifying)')
    .action(async (flags: InitCaFlags, command: Command) => {
      const { out } = contextFor(command, io);
      if (flags.cn.trim() === '') throw new UsageError('--cn must not be empty');
      const force = flags.force === true;
      let written;
      try {
        if (!force) await assertPairAbsent(flags.out, 'ca');
        out.info('generating an RSA 4096 key (a few seconds)...');
        const pair = createCa({ commonName: flags.cn, days: flags.days });
        written = { ...(await writePemPair(flags.out, 'ca', pair, { force })), certPem: pair.certPem };
      } catch (err) {
        if (err instanceof WouldOverwriteError) {
          throw new ConflictError(err.message, {
            hint: 'pass --force to replace the CA (node certificates it signed will no longer verify)',
          });
        }
        throw fileError(err, flags.out);
      }
      const x509 = new X509Certificate(written.certPem);
      const result: InitCaResult = {
        certPath: written.certPath,
        keyPath: written.keyPath,
        subject: x509.subject.split('\n').join(', '),
        notAfter: new Date(x509.validTo).toISOString(),
        fingerprintSha256: x509.fingerprint256,
      };
      // JSON keys are snake_case like every other command's (the types here are camelCase).
      out.result(snakeCaseKeys(result), () =>
        ((r: typeof result) =>
          [
            `${out.style.green('✓')} CA certificate ${r.certPath}`,
            `${out.style.green('✓')} CA key         ${r.keyPath} (mode 0600 — keep it offline; it can mint node identities)`,
            `  subject ${r.subject}, valid until ${r.notAfter}`,
            `  SHA-256 ${r.fingerprintSha256}`,
          ].join('\n'))(result),
      );
    });
}
