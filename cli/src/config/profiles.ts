/**
 * anodectl's profiles: config.yaml under the config directory. It holds endpoints and
 * access key ids only; secrets live in the SecretStore.
 *
 *   current_profile: prod
 *   profiles:
 *     prod:
 *       endpoint: https://anode.example.com:8081
 *       access_key: AKIAIOSFODNN7EXAMPLE
 *       ca: /etc/anode/certs/ca.crt      # optional: CA bundle for the admin endpoint
 *       s3_endpoint: https://s3.example.com # optional: the S3 API (default: admin host, port 8080)
 */
import { mkdir, readFile } from 'node:fs/promises';
import { parse, stringify } from 'yaml';
import { UsageError, UserError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { configFile } from './paths.js';

export interface Profile {
  endpoint: string;
  accessKey?: string;
  ca?: string;
  s3Endpoint?: string;
}

export interface CliConfig {
  currentProfile?: string;
  profiles: Record<string, Profile>;
}

/** Profile names become file names and keyring accounts: keep them plain. */
export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function validateProfileName(name: string): string {
  if (!PROFILE_NAME.test(name)) {
    throw new UsageError(`invalid profile name ${JSON.stringify(name)}: use letters, digits, '.', '_' and '-' (max 64)`);
  }
  return name;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(obj: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new UserError(`${where}.${key} must be a string`);
  return value;
}

/** Validates the parsed YAML; errors name the bad key. */
export function parseCliConfig(text: string, source: string): CliConfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new UserError(`${source}: not valid YAML (${err instanceof Error ? err.message.split('\n')[0] : 'parse error'})`, { cause: err });
  }
  if (doc === null || doc === undefined) return { profiles: {} };
  if (!isRecord(doc)) throw new UserError(`${source}: expected a mapping at the top level`);
  const config: CliConfig = { profiles: {} };
  const current = optionalString(doc, 'current_profile', source);
  if (current !== undefined) config.currentProfile = current;
  const profiles = doc['profiles'];
  if (profiles !== undefined && profiles !== null) {
    if (!isRecord(profiles)) throw new UserError(`${source}: profiles must be a mapping`);
    for (const [name, raw] of Object.entries(profiles)) {
      const where = `${source}: profiles.${name}`;
      if (!isRecord(raw)) throw new UserError(`${where} must be a mapping`);
      const endpoint = optionalString(raw, 'endpoint', where);
      if (endpoint === undefined) throw new UserError(`${where}.endpoint is required`);
      const profile: Profile = { endpoint };
      const accessKey = optionalString(raw, 'access_key', where);
      if (accessKey !== undefined) profile.accessKey = accessKey;
      const ca = optionalString(raw, 'ca', where);
      if (ca !== undefined) profile.ca = ca;
      const s3Endpoint = optionalString(raw, 's3_endpoint', where);
      if (s3Endpoint !== undefined) profile.s3Endpoint = s3Endpoint;
      config.profiles[name] = profile;
    }
  }
  return config;
}

export async function loadCliConfig(dir: string): Promise<CliConfig> {
  const path = configFile(dir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return { profiles: {} };
    throw err;
  }
  return parseCliConfig(text, path);
}

export async function saveCliConfig(dir: string, config: CliConfig): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const doc: Record<string, unknown> = {};
  if (config.currentProfile !== undefined) doc['current_profile'] = config.currentProfile;
  doc['profiles'] = Object.fromEntries(
    Object.entries(config.profiles).map(([name, p]) => [
      name,
      {
        endpoint: p.endpoint,
        ...(p.accessKey === undefined ? {} : { access_key: p.accessKey }),
        ...(p.ca === undefined ? {} : { ca: p.ca }),
        ...(p.s3Endpoint === undefined ? {} : { s3_endpoint: p.s3Endpoint }),
      },
    ]),
  );
  // 0600: access key ids and endpoints are not secrets, but they are nobody else's business.
  await writeFileAtomic(configFile(dir), stringify(doc), 0o600);
}

/** Adds or replaces one profile; makes it current when asked or when it is the only one. */
export async function saveProfile(
  dir: string,
  name: string,
  profile: Profile,
  options: { makeCurrent?: boolean } = {},
): Promise<CliConfig> {
  validateProfileName(name);
  const config = await loadCliConfig(dir);
  config.profiles[name] = profile;
  if (options.makeCurrent === true || config.currentProfile === undefined) config.currentProfile = name;
  await saveCliConfig(dir, config);
  return config;
}
