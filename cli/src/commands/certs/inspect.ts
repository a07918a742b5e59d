/** `anodectl certs inspect FILE`: what a certificate says and how long it has left. */
import { snakeCaseKeys } from '../../output.js';
import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { contextFor, type CliIo } from '../../context.js';
import { fileError, UserError } from '../../errors.js';
import { countPemCertificates, inspectCertificate, NotACertificateError, type CertificateInfo } from '../../pki/inspect.js';

export function inspectCommand(io: CliIo): Command {
  return new Command('inspect')
    .description('show subject, SANs, issuer, validity, key usage and CA flag of a certificate (PEM or DER)')
    .argument('<file>', 'certificate file; for a PEM bundle the first certificate is shown')
    .action(async (file: string, _flags: Record<string, never>, command: Command) => {
      const { out } = contextFor(command, io);
      let data: Buffer;
      try {
        data = await readFile(file);
      } catch (err) {
        throw fileError(err, file);
      }
      let info: CertificateInfo;
      try {
        info = inspectCertificate(data);
      } catch (err) {
        if (err instanceof NotACertificateError) throw new UserError(`${file}: ${err.message}`, { cause: err });
        throw err;
      }
      const count = countPemCertificates(data.toString('latin1'));
      if (count > 1) out.warn(`${file} holds ${count} certificates; showing the first`);
      // JSON keys are snake_case like every other command's (the types here are camelCase).
      out.result(snakeCaseKeys(info), () =>
        ((i: typeof info) => {
          const left = i.expired
            ? out.style.red(`expired ${-i.daysLeft} days ago`)
            : i.daysLeft < 30
              ? out.style.yellow(`${i.daysLeft} days left`)
              : `${i.daysLeft} days left`;
          const sans = [...i.dnsNames.map((d) => `DNS:${d}`), ...i.ipAddresses.map((a) => `IP:${a}`)];
          return out.details([
            ['Subject', i.subject],
            ['Issuer', i.selfSigned ? `${i.issuer} (self-signed)` : i.issuer],
            ['Serial', i.serialNumber],
            ['SANs', sans.join(', ')],
            ['Not before', i.notBefore],
            ['Not after', `${i.notAfter} (${left})`],
            ['Key', i.publicKey],
            ['Key usage', i.keyUsage.join(', ')],
            ['Ext key usage', i.extKeyUsage.join(', ')],
            ['CA', i.isCA ? 'yes' : 'no'],
            ['SHA-256', i.fingerprintSha256],
          ]);
        })(info),
      );
    });
}
