/**
 * The part of a node's configuration the checklist reads, as the node itself would see
 * it: defaults, then the TOML file, then ANODE_<SECTION>_<KEY> variables (from the running
 * process's environment when we can read it), then its --data flag.
 *
 * The CLI must not import the server, so the keys and defaults below repeat the ones in
 * server/src/config/schema.ts (documented in anode-config(5)); test/cli/checklist-config
 * .test.ts compares the two so they cannot drift apart.
 */
import { parse, TomlError } from 'smol-toml';

export interface DeploymentConfig {
  server: { s3_listen: string; admin_listen: string; data_dir: string; trusted_proxies: string[] };
  auth: { allow_sigv2: boolean; master_key_file: string };
  tls: { cert: string; key: string };
  cluster: {
    enabled: boolean;
    grpc_listen: string;
    advertise: string;
    enable_tls: boolean;
    tls_cert: string;
    tls_key: string;
    tls_ca: string;
  };
  storage: { encryption: boolean; encryption_key: string; master_key: string; key_provider: string };
  logging: { access_log: string; audit_log: string };
}

type Section = keyof DeploymentConfig;

export const CONFIG_DEFAULTS: DeploymentConfig = {
  server: { s3_listen: '0.0.0.0:8080', admin_listen: '127.0.0.1:8081', data_dir: './anode-data', trusted_proxies: [] },
  auth: { allow_sigv2: false, master_key_file: '' },
  tls: { cert: '', key: '' },
  cluster: {
    enabled: false,
    grpc_listen: '0.0.0.0:9090',
    advertise: '',
    enable_tls: true,
    tls_cert: '/etc/anode/certs/node.crt',
    tls_key: '/etc/anode/certs/node.key',
    tls_ca: '/etc/anode/certs/ca.crt',
  },
  storage: { encryption: false, encryption_key: '/etc/anode/encryption.key', master_key: '', key_provider: '' },
  logging: { access_log: '', audit_log: '' },
};

/** The config file the server reads when it is given no --config (DESIGN.md). */
export const DEFAULT_CONFIG_FILE = '/etc/anode/config.toml';

export class ConfigReadError extends Error {
  override name = 'ConfigReadError';
}

export interface LoadedConfig {
  config: DeploymentConfig;
  /** Sections that were present in the file (a [cluster] table means cluster mode is configured). */
  sectionsInFile: Set<string>;
  /** Keys set by environment variables, as "section.key". */
  fromEnv: string[];
}

function clone(c: DeploymentConfig): DeploymentConfig {
  return structuredClone(c);
}

function assign(config: DeploymentConfig, section: Section, key: string, value: unknown, where: string): void {
  const table = config[section] as unknown as Record<string, unknown>;
  if (!(key in table)) return; // a key the checklist does not read; the server validates the rest
  const current = table[key];
  const ok = Array.isArray(current) ? Array.isArray(value) && value.every((v) => typeof v === 'string') : typeof value === typeof current;
  if (!ok) throw new ConfigReadError(`${where}: ${section}.${key} has the wrong type (${JSON.stringify(value)})`);
  table[key] = value;
}

/** Parses a config file's text; throws ConfigReadError naming the file and the bad key. */
export function parseConfigText(text: string, source: string): Omit<LoadedConfig, 'fromEnv'> {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text);
  } catch (err) {
    const where = err instanceof TomlError ? ` (line ${err.line}, column ${err.column})` : '';
    throw new ConfigReadError(`${source}: invalid TOML${where}`);
  }
  const config = clone(CONFIG_DEFAULTS);
  const sectionsInFile = new Set<string>();
  for (const [section, table] of Object.entries(doc)) {
    sectionsInFile.add(section);
    if (!(section in config)) continue;
    if (typeof table !== 'object' || table === null || Array.isArray(table))
      throw new ConfigReadError(`${source}: [${section}] must be a table`);
    for (const [key, value] of Object.entries(table)) assign(config, section as Section, key, value, source);
  }
  return { config, sectionsInFile };
}

function fromEnvText(current: unknown, raw: string): unknown {
  if (typeof current === 'boolean') return raw === 'true' || raw === '1';
  if (Array.isArray(current))
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  return raw;
}

/** Applies ANODE_<SECTION>_<KEY> variables the way the server does; returns the keys it set. */
export function applyEnv(config: DeploymentConfig, env: Readonly<Record<string, string | undefined>>): string[] {
  const set: string[] = [];
  for (const section of Object.keys(config) as Section[]) {
    const table = config[section] as unknown as Record<string, unknown>;
    for (const key of Object.keys(table)) {
      const raw = env[`ANODE_${section.toUpperCase()}_${key.toUpperCase()}`];
      if (raw === undefined) continue;
      table[key] = fromEnvText(table[key], raw);
      set.push(`${section}.${key}`);
    }
  }
  return set;
}

/** The effective config: file text (or none), then env, then the --data flag. */
export function effectiveConfig(
  fileText: string | undefined,
  source: string,
  env: Readonly<Record<string, string | undefined>>,
  dataDir: string | undefined,
): LoadedConfig {
  const base =
    fileText === undefined ? { config: clone(CONFIG_DEFAULTS), sectionsInFile: new Set<string>() } : parseConfigText(fileText, source);
  const fromEnv = applyEnv(base.config, env);
  if (dataDir !== undefined) base.config.server.data_dir = dataDir;
  return { ...base, fromEnv };
}
