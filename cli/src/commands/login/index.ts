/**
 * `anodectl login`: checks a credential against the admin API and stores it as a profile
 * (endpoint and access key in config.yaml, the secret in the OS keyring or a 0600 file).
 */
import { Command } from 'commander';
import { password, input } from '@inquirer/prompts';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AdminClient } from '@anode/shared/admin-api/index';
import { contextFor, DEFAULT_ENDPOINT, normalizeEndpoint, type CliIo } from '../../context.js';
import { configDir } from '../../config/paths.js';
import { loadCliConfig, saveCliConfig, saveProfile, validateProfileName, type Profile } from '../../config/profiles.js';
import { openSecretStore } from '../../config/secret-store.js';
import { fileError, NotFoundError, UsageError } from '../../errors.js';
import { cliErrorFor, readCa, regionOf } from './session.js';

interface LoginFlags {
  accessKey?: string;
  secretStdin?: boolean;
  credentialsFile?: string;
  s3Endpoint?: string;
  verify: boolean;
}

/** Reads aws_access_key_id / aws_secret_access_key from an AWS credentials file (the node's root-credentials). */
export function parseCredentialsFile(text: string): { accessKey?: string; secretKey?: string } {
  const get = (name: string) => new RegExp(`^\\s*${name}\\s*=\\s*(\\S+)\\s*$`, 'm').exec(text)?.[1];
  const out: { accessKey?: string; secretKey?: string } = {};
  const ak = get('aws_access_key_id');
  const sk = get('aws_secret_access_key');
  if (ak !== undefined) out.accessKey = ak;
  if (sk !== undefined) out.secretKey = sk;
  return out;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
  return text;
}

export function loginCommand(io: CliIo): Command {
  return new Command('login')
    .description('check a credential against the admin API and save it as a profile (secret in the OS keyring, or a 0600 file)')
    .option('--access-key <id>', 'access key id (prompted for on a terminal)')
    .option('--secret-stdin', 'read the secret access key from stdin (for scripts)')
    .option('--credentials-file <path>', 'read both keys from an AWS credentials file, e.g. <data>/root-credentials')
    .option('--s3-endpoint <url>', 'the S3 API endpoint to store in the profile (default: the admin host, port 8080)')
    .option('--no-verify', 'save without checking the credential against the server')
    .addHelpText(
      'after',
      '\nThe profile name is --profile (default "default"); the endpoint is --endpoint (default http://127.0.0.1:8081).\nThe secret is never accepted as a flag: flags end up in shell history and process lists.',
    )
    .action(async (flags: LoginFlags, command: Command) => {
      const ctx = contextFor(command, io);
      const { out, globals } = ctx;
      const name = validateProfileName(globals.profile ?? 'default');
      const endpoint = normalizeEndpoint(globals.endpoint ?? (io.env['ANODE_ENDPOINT'] || DEFAULT_ENDPOINT));
      const tty = io.stdin.isTTY === true;
      let accessKey = flags.accessKey;
      let secret: string | undefined;
      if (flags.credentialsFile !== undefined) {
        let text: string;
        try {
          text = await readFile(flags.credentialsFile, 'utf8');
        } catch (err) {
          throw fileError(err, flags.credentialsFile);
        }
        const parsed = parseCredentialsFile(text);
        if (parsed.accessKey === undefined || parsed.secretKey === undefined)
          throw new UsageError(`${flags.credentialsFile}: no aws_access_key_id / aws_secret_access_key found`);
        accessKey = parsed.accessKey;
        secret = parsed.secretKey;
      }
      if (accessKey === undefined) {
        if (!tty) throw new UsageError('--access-key is required when stdin is not a terminal');
        accessKey = (await input({ message: 'Access key id:' }, { input: io.stdin, output: io.stderr })).trim();
      }
      if (secret === undefined) {
        if (flags.secretStdin === true) secret = (await readAll(io.stdin)).trim();
        else if (tty) secret = await password({ message: 'Secret access key:', mask: '*' }, { input: io.stdin, output: io.stderr });
        else throw new UsageError('no secret: pass --secret-stdin and pipe it in, or use --credentials-file');
      }
      if (accessKey === '' || secret === '') throw new UsageError('the access key id and the secret must not be empty');

      const ca = await readCa(globals.ca);
      if (flags.verify) {
        const client = new AdminClient({
          endpoint,
          credentials: { accessKeyId: accessKey, secretAccessKey: secret },
          region: regionOf(io),
          ...(ca !== undefined ? { ca } : {}),
        });
        try {
          await client.getStatus();
        } catch (err) {
          throw cliErrorFor(endpoint, err);
        }
      }
      const dir = configDir(io.env);
      const store = openSecretStore(dir, io.env);
      await store.set(name, secret);
      const profile: Profile = {
        endpoint,
        accessKey,
        // Absolute: the profile is used from any working directory later.
        ...(globals.ca !== undefined ? { ca: resolve(globals.ca) } : {}),
        ...(flags.s3Endpoint !== undefined ? { s3Endpoint: normalizeEndpoint(flags.s3Endpoint) } : {}),
      };
      await saveProfile(dir, name, profile, { makeCurrent: true });
      const result = {
        profile: name,
        endpoint,
        access_key: accessKey,
        verified: flags.verify,
        secret_store: store.kind,
        secret_location: store.describe(name),
      };
      out.result(
        result,
        (r) => `logged in to ${r.endpoint} as ${r.access_key} (profile "${r.profile}", now current)\nsecret stored in ${r.secret_location}`,
      );
    });
}

/** `anodectl logout`: forget the secret and access key of a profile (its endpoint stays, for the next login). */
export function logoutCommand(io: CliIo): Command {
  return new Command('logout')
    .description('remove the stored secret and access key of the current profile (or --profile); the endpoint is kept')
    .action(async (_flags: unknown, command: Command) => {
      const { out, globals } = contextFor(command, io);
      const dir = configDir(io.env);
      const config = await loadCliConfig(dir);
      const name = globals.profile ?? (io.env['ANODE_PROFILE'] || undefined) ?? config.currentProfile;
      if (name === undefined)
        throw new NotFoundError('no current profile to log out of', { hint: 'anodectl profile list shows the profiles' });
      validateProfileName(name);
      const profile = config.profiles[name];
      if (profile === undefined)
        throw new NotFoundError(`no profile named "${name}"`, { hint: 'anodectl profile list shows the profiles' });
      const store = openSecretStore(dir, io.env);
      const secretDeleted = await store.delete(name);
      const hadKey = profile.accessKey !== undefined;
      delete profile.accessKey;
      await saveCliConfig(dir, config);
      if (io.env['ANODE_ACCESS_KEY'] !== undefined && io.env['ANODE_ACCESS_KEY'] !== '')
        out.warn('ANODE_ACCESS_KEY / ANODE_SECRET_KEY are set in the environment and still work: unset them too');
      out.result({ profile: name, secret_deleted: secretDeleted, access_key_removed: hadKey }, (r) =>
        r.secret_deleted || r.access_key_removed
          ? `logged out of profile "${r.profile}" (secret removed from ${store.describe(name)}); anodectl login signs in again`
          : `profile "${r.profile}" held no credential`,
      );
    });
}
