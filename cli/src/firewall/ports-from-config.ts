/**
 * Reads the listen ports from an anode config file (TOML): [server] s3_listen and
 * admin_listen, [cluster] grpc_listen. Missing keys keep the defaults.
 */
import { parse } from 'smol-toml';
import { DEFAULT_PORTS, InvalidSpecError, type AnodePorts } from './spec.js';

const KEYS = [
  ['s3', 'server', 's3_listen'],
  ['admin', 'server', 'admin_listen'],
  ['grpc', 'cluster', 'grpc_listen'],
] as const;

/** The port of "host:port", "[v6]:port" or ":port". */
export function portOfListen(listen: string, key: string): number {
  const match = /^(?:\[[0-9A-Fa-f:.]+\]|[^:[\]]*):(\d{1,5})$/.exec(listen);
  const port = match?.[1] === undefined ? NaN : Number(match[1]);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new InvalidSpecError(`${key} = ${JSON.stringify(listen)}: expected "host:port"`);
  return port;
}

export function portsFromConfig(tomlText: string, source: string): AnodePorts {
  let doc: Record<string, unknown>;
  try {
    doc = parse(tomlText);
  } catch (err) {
    throw new InvalidSpecError(`${source}: not valid TOML (${err instanceof Error ? err.message.split('\n')[0] : 'parse error'})`);
  }
  const ports: AnodePorts = { ...DEFAULT_PORTS };
  for (const [port, section, key] of KEYS) {
    const table = doc[section];
    if (table === undefined) continue;
    if (typeof table !== 'object' || table === null || Array.isArray(table))
      throw new InvalidSpecError(`${source}: [${section}] must be a table`);
    const value = (table as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new InvalidSpecError(`${source}: ${section}.${key} must be a string "host:port"`);
    ports[port] = portOfListen(value, `${section}.${key}`);
  }
  return ports;
}
