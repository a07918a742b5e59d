import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { CONFIG_SCHEMA, type Config, type KeySpec } from './schema.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface LoadOptions {
  /** Path to a TOML file; when absent no file is read. */
  file?: string | undefined;
  /** --data DIR: overrides server.data_dir. */
  dataDir?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

/** Reads defaults, then the TOML file, then ANODE_<SECTION>_<KEY> variables, then --data. */
export async function loadConfig(options: LoadOptions = {}): Promise<Config> {
  const env = options.env ?? process.env;
  const values: Record<string, Record<string, unknown>> = {};
  for (const [section, keys] of Object.entries(CONFIG_SCHEMA)) {
    values[section] = {};
    for (const [key, spec] of Object.entries(keys)) values[section]![key] = (spec as KeySpec).default;
  }

  if (options.file !== undefined) {
    let text: string;
    try {
      text = await readFile(options.file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${options.file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    let doc: Record<string, unknown>;
    try {
      doc = parseToml(text) as Record<string, unknown>;
    } catch (err) {
      const where = err instanceof TomlError ? ` (line ${err.line}, column ${err.column})` : '';
      throw new ConfigError(`${options.file}: invalid TOML${where}: ${err instanceof Error ? err.message.split('\n')[0] : ''}`);
    }
    for (const [section, table] of Object.entries(doc)) {
      const specs = (CONFIG_SCHEMA as Record<string, Record<string, KeySpec>>)[section];
      if (specs === undefined) throw new ConfigError(`${options.file}: unknown section [${section}]`);
      if (typeof table !== 'object' || table === null || Array.isArray(table)) {
        throw new ConfigError(`${options.file}: [${section}] must be a table`);
      }
      for (const [key, value] of Object.entries(table)) {
        const spec = specs[key];
        if (spec === undefined) throw new ConfigError(`${options.file}: unknown key ${section}.${key}`);
        values[section]![key] = checkType(`${section}.${key}`, spec, value);
      }
    }
  }

  for (const [section, keys] of Object.entries(CONFIG_SCHEMA)) {
    for (const [key, spec] of Object.entries(keys)) {
      const name = `ANODE_${section.toUpperCase()}_${key.toUpperCase()}`;
      const raw = env[name];
      if (raw !== undefined) values[section]![key] = fromEnv(name, spec as KeySpec, raw);
    }
  }
  if (options.dataDir !== undefined) values['server']!['data_dir'] = options.dataDir;

  values['server']!['data_dir'] = resolve(String(values['server']!['data_dir']));
  const config = values as unknown as Config;
  validate(config);
  return config;
}

function checkType(name: string, spec: KeySpec, value: unknown): unknown {
  const ok =
    spec.type === 'string[]'
      ? Array.isArray(value) && value.every((v) => typeof v === 'string')
      : spec.type === 'integer'
        ? typeof value === 'number' && Number.isInteger(value)
        : typeof value === spec.type;
  if (!ok) throw new ConfigError(`${name} must be ${describe(spec.type)}, got ${JSON.stringify(value)}`);
  return value;
}

function fromEnv(name: string, spec: KeySpec, raw: string): unknown {
  switch (spec.type) {
    case 'string':
      return raw;
    case 'boolean':
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw new ConfigError(`${name} must be true or false`);
    case 'integer':
      if (!/^-?\d+$/.test(raw)) throw new ConfigError(`${name} must be an integer`);
      return Number(raw);
    case 'string[]':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
  }
}

function describe(type: string): string {
  return type === 'string[]' ? 'an array of strings' : type === 'integer' ? 'an integer' : `a ${type}`;
}

/** 1 GiB: a larger chunk defeats the point (piecewise replication, repair and encryption). */
const MAX_CHUNK_SIZE_MIB = 1024;
/** An inline body is read into memory whole and lives in one metadata row: keep it small. */
const MAX_INLINE_KIB = 1024;

function validate(config: Config): void {
  for (const key of ['s3_listen', 'admin_listen'] as const) parseListen(`server.${key}`, config.server[key]);
  if (!/^[a-z0-9-]+$/.test(config.server.region)) throw new ConfigError('server.region must look like us-east-1');
  if ((config.tls.cert === '') !== (config.tls.key === '')) throw new ConfigError('tls.cert and tls.key must be set together');
  if (!['sqlite', 'postgres'].includes(config.storage.metadata_backend)) {
    throw new ConfigError('storage.metadata_backend must be "sqlite" or "postgres"');
  }
  if (!['', 'file', 'pkcs11'].includes(config.storage.key_provider)) {
    throw new ConfigError('storage.key_provider must be "file" or "pkcs11" (or empty)');
  }
  const chunkMib = config.storage.chunk_size_mib;
  if (chunkMib < 1 || chunkMib > MAX_CHUNK_SIZE_MIB) {
    throw new ConfigError(`storage.chunk_size_mib must be between 1 and ${MAX_CHUNK_SIZE_MIB}, got ${chunkMib}`);
  }
  const inlineKib = config.storage.inline_max_kib;
  if (inlineKib < 0 || inlineKib > MAX_INLINE_KIB) {
    throw new ConfigError(`storage.inline_max_kib must be between 0 and ${MAX_INLINE_KIB}, got ${inlineKib}`);
  }
  if (config.storage.encryption_algorithm !== 'AES-256-GCM') {
    throw new ConfigError(`storage.encryption_algorithm must be "AES-256-GCM", got ${JSON.stringify(config.storage.encryption_algorithm)}`);
  }
  if (config.logging.access_log_format !== 'json') throw new ConfigError('logging.access_log_format must be "json"');
  for (const cidr of config.server.trusted_proxies) {
    if (!/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(cidr)) throw new ConfigError(`server.trusted_proxies: bad CIDR ${JSON.stringify(cidr)}`);
  }
  for (const key of ['request_timeout_seconds', 'shutdown_timeout_seconds', 'max_connections', 'max_connections_per_client'] as const) {
    if (config.server[key] <= 0) throw new ConfigError(`server.${key} must be positive`);
  }
  for (const [rate, burst] of [
    ['auth_failures_per_second', 'auth_failure_burst'],
    ['anonymous_per_second', 'anonymous_burst'],
  ] as const) {
    if (config.limits[rate] < 0) throw new ConfigError(`limits.${rate} must be 0 (no limit) or positive`);
    if (config.limits[rate] > 0 && config.limits[burst] < 1) throw new ConfigError(`limits.${burst} must be at least 1`);
  }
  validateCluster(config);
  if (config.server.request_deadline_seconds < 0) throw new ConfigError('server.request_deadline_seconds must be 0 (none) or positive');
}

/** The [cluster] rules that need no file access (certificate files are checked at start-up). */
function validateCluster(config: Config): void {
  const c = config.cluster;
  parseListen('cluster.grpc_listen', c.grpc_listen);
  if (c.advertise !== '') parseListen('cluster.advertise', c.advertise);
  if (c.node_id !== '' && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(c.node_id))
    throw new ConfigError(`cluster.node_id must be 1-63 letters, digits, '.', '_' or '-', got ${JSON.stringify(c.node_id)}`);
  if (c.replication_factor < 1 || c.replication_factor > 16) throw new ConfigError('cluster.replication_factor must be between 1 and 16');
  if (c.write_quorum < 0 || c.write_quorum > c.replication_factor)
    throw new ConfigError('cluster.write_quorum must be 0 (a majority) or between 1 and cluster.replication_factor');
  if (c.heartbeat_interval_ms < 100) throw new ConfigError('cluster.heartbeat_interval_ms must be at least 100');
  if (c.down_after_seconds * 1000 < 2 * c.heartbeat_interval_ms)
    throw new ConfigError('cluster.down_after_seconds must be at least two heartbeat intervals');
  if (c.rpc_timeout_ms < 100) throw new ConfigError('cluster.rpc_timeout_ms must be at least 100');
  if (!c.enabled) return;
  if (config.storage.metadata_backend !== 'postgres')
    throw new ConfigError(
      'cluster.enabled = true needs storage.metadata_backend = "postgres" (every node shares one metadata database); SQLite is one node only',
    );
  if (!c.enable_tls && !c.insecure_dev)
    throw new ConfigError(
      'cluster.enable_tls = false is refused: nodes would talk in plaintext. Set cluster.insecure_dev = true for development only',
    );
  if (c.enable_tls) {
    for (const key of ['tls_cert', 'tls_key', 'tls_ca'] as const)
      if (c[key] === '') throw new ConfigError(`cluster.${key} must name a PEM file when cluster.enable_tls = true`);
  } else if (c.node_id === '')
    throw new ConfigError('cluster.node_id is required when cluster.enable_tls = false (no certificate CN to take it from)');
}

/** Write quorum in effect: the configured one, or a majority of R. */
export function writeQuorumOf(config: Config): number {
  const r = config.cluster.replication_factor;
  return config.cluster.write_quorum > 0 ? config.cluster.write_quorum : Math.floor(r / 2) + 1;
}

/** "host:port" or "[v6]:port" → parts; throws ConfigError naming the key. */
export function parseListen(name: string, value: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new ConfigError(`${name} must be host:port, got ${JSON.stringify(value)}`);
  return { host: m[1] ?? m[2]!, port };
}
