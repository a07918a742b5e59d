/**
 * The per-invocation context: global options, I/O, and — for commands that talk to a
 * server — the resolved admin endpoint and credentials.
 *
 * Resolution order (first wins):
 *   endpoint:    --endpoint, ANODE_ENDPOINT, the profile's endpoint, http://127.0.0.1:8081
 *   credentials: ANODE_ACCESS_KEY + ANODE_SECRET_KEY (they take the place of a profile),
 *                else the profile (--profile, ANODE_PROFILE, current_profile in config.yaml)
 *                with its secret from the OS keyring or the 0600 file fallback
 *   CA bundle:   --ca, ANODE_CA, the profile's ca
 */
import { ConflictError, NotFoundError, PermissionDeniedError, UsageError } from './errors.js';
import { configDir, type Env } from './config/paths.js';
import { loadCliConfig, validateProfileName, type Profile } from './config/profiles.js';
import { openSecretStore, type SecretStore, type SecretStoreKind } from './config/secret-store.js';
import type { Command } from 'commander';
import { Output, type OutputFormat } from './output.js';
import type { PromptStreams } from './prompts.js';

/** The admin API's default listen address (DESIGN.md: 127.0.0.1:8081). */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8081';

/** Options every command accepts (program.ts declares them). */
export interface GlobalOptions {
  endpoint?: string;
  profile?: string;
  /** -o json or yaml (or --json): a result for a program. */
  json: boolean;
  /** -o, with --json meaning json; default table. */
  output: OutputFormat;
  yes: boolean;
  ca?: string;
  /** false with --no-color. */
  color: boolean;
}

export type OutStream = NodeJS.WritableStream & { isTTY?: boolean };

/** The process's streams and environment, injectable for tests. */
export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: PromptStreams['input'];
  env: Env;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

/** What a command gets: its global options, an Output, and the streams for prompts. */
export interface CommandContext {
  globals: GlobalOptions;
  io: CliIo;
  out: Output;
  prompt: { yes: boolean; streams: PromptStreams };
}

export function commandContext(globals: GlobalOptions, io: CliIo): CommandContext {
  return {
    globals,
    io,
    out: new Output(io.stdout, io.stderr, { json: globals.json, format: globals.output, color: globals.color, env: io.env }),
    prompt: { yes: globals.yes, streams: { input: io.stdin, output: io.stderr } },
  };
}

/** Reads the global options off any command in the tree (commander keeps them on the root). */
export function globalsOf(command: Command): GlobalOptions {
  const all = command.optsWithGlobals<Record<string, unknown>>();
  const str = (key: string): string | undefined => (typeof all[key] === 'string' ? all[key] : undefined);
  const flagJson = all['json'] === true;
  const asked = typeof all['output'] === 'string' ? (all['output'] as OutputFormat) : undefined;
  if (flagJson && asked !== undefined && asked !== 'json')
    throw new UsageError(`--json and -o ${asked} ask for two formats; --json is short for -o json`);
  const output: OutputFormat = asked ?? (flagJson ? 'json' : 'table');
  const globals: GlobalOptions = {
    json: output === 'json' || output === 'yaml',
    output,
    yes: all['yes'] === true,
    color: all['color'] !== false,
  };
  const endpoint = str('endpoint');
  if (endpoint !== undefined) globals.endpoint = endpoint;
  const profile = str('profile');
  if (profile !== undefined) globals.profile = profile;
  const ca = str('ca');
  if (ca !== undefined) globals.ca = ca;
  return globals;
}

/** The context for the command now running (call from an action handler). */
export function contextFor(command: Command, io: CliIo): CommandContext {
  return commandContext(globalsOf(command), io);
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export type CredentialSource = 'env' | SecretStoreKind | 'none';

export interface AdminTarget {
  /** Base URL of the admin API, no trailing slash. */
  endpoint: string;
  /** The profile used, if any (undefined when env credentials replaced it). */
  profile: string | undefined;
  credentials: Credentials | undefined;
  /** Where the secret came from: env, keyring, file — or none. */
  credentialSource: CredentialSource;
  /** CA bundle file for an https endpoint with a private CA. */
  ca: string | undefined;
  /** The S3 API endpoint stored in the profile (acl and policy commands use the S3 API). */
  s3Endpoint?: string | undefined;
}

export interface ResolveOptions {
  /** Throw (exit 4) when no credentials can be found. */
  requireCredentials?: boolean;
  /** Overrides the config directory (default: XDG_CONFIG_HOME/anode). */
  configDir?: string;
  /** Overrides the secret store (default: keyring, or the file fallback). */
  secretStore?: SecretStore;
}

/** Checks an endpoint is a plain http(s) base URL; returns it without a trailing slash. */
export function normalizeEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`invalid endpoint ${JSON.stringify(raw)}: expected a URL such as ${DEFAULT_ENDPOINT}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`invalid endpoint ${JSON.stringify(raw)}: only http and https are supported`);
  // Credentials in a URL end up in shell history and process lists.
  if (url.username !== '' || url.password !== '')
    throw new UsageError('the endpoint must not contain credentials; use a profile or ANODE_ACCESS_KEY/ANODE_SECRET_KEY');
  if (url.search !== '' || url.hash !== '') throw new UsageError(`invalid endpoint ${JSON.stringify(raw)}: no query or fragment allowed`);
  return url.href.replace(/\/+$/, '');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

export async function resolveAdminTarget(globals: GlobalOptions, env: Env, options: ResolveOptions = {}): Promise<AdminTarget> {
  const envAccess = nonEmpty(env['ANODE_ACCESS_KEY']);
  const envSecret = nonEmpty(env['ANODE_SECRET_KEY']);
  const flagOrEnvEndpoint = globals.endpoint ?? nonEmpty(env['ANODE_ENDPOINT']);
  const flagOrEnvCa = globals.ca ?? nonEmpty(env['ANODE_CA']);

  if (envAccess !== undefined || envSecret !== undefined) {
    if (envAccess === undefined || envSecret === undefined)
      throw new UsageError('set both ANODE_ACCESS_KEY and ANODE_SECRET_KEY, or neither');
    if (globals.profile !== undefined) {
      throw new ConflictError('--profile was given but ANODE_ACCESS_KEY/ANODE_SECRET_KEY are set and take the place of a profile', {
        hint: 'unset the environment variables or drop --profile',
      });
    }
    return {
      endpoint: normalizeEndpoint(flagOrEnvEndpoint ?? DEFAULT_ENDPOINT),
      profile: undefined,
      credentials: { accessKeyId: envAccess, secretAccessKey: envSecret },
      credentialSource: 'env',
      ca: flagOrEnvCa,
    };
  }

  const dir = options.configDir ?? configDir(env);
  const config = await loadCliConfig(dir);
  const explicit = globals.profile ?? nonEmpty(env['ANODE_PROFILE']);
  const name = explicit ?? config.currentProfile;
  let profile: Profile | undefined;
  if (name !== undefined) {
    validateProfileName(name);
    profile = config.profiles[name];
    if (profile === undefined && explicit !== undefined)
      throw new NotFoundError(`no profile named "${name}" in ${dir}/config.yaml`, { hint: 'anodectl login creates one' });
  }

  let credentials: Credentials | undefined;
  let credentialSource: CredentialSource = 'none';
  if (profile?.accessKey !== undefined && name !== undefined) {
    const store = options.secretStore ?? openSecretStore(dir, env);
    const secret = await store.get(name);
    if (secret === undefined) {
      throw new PermissionDeniedError(`profile "${name}" has no stored secret (looked in ${store.describe(name)})`, {
        hint: 'log in again to store it',
      });
    }
    credentials = { accessKeyId: profile.accessKey, secretAccessKey: secret };
    credentialSource = store.kind;
  }
  if (credentials === undefined && options.requireCredentials === true) {
    throw new PermissionDeniedError('no credentials: no profile is configured and ANODE_ACCESS_KEY/ANODE_SECRET_KEY are not set', {
      hint: 'run anodectl login, or set ANODE_ACCESS_KEY and ANODE_SECRET_KEY',
    });
  }
  return {
    endpoint: normalizeEndpoint(flagOrEnvEndpoint ?? profile?.endpoint ?? DEFAULT_ENDPOINT),
    profile: profile === undefined ? undefined : name,
    credentials,
    credentialSource,
    ca: flagOrEnvCa ?? profile?.ca,
    s3Endpoint: profile?.s3Endpoint,
  };
}
