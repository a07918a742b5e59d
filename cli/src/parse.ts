/** Option-value parsers for commander: they throw InvalidArgumentError, which commander reports as a usage error (exit 2). */
import { InvalidArgumentError } from 'commander';
import { UsageError } from './errors.js';
import { InvalidAddressError, parseCidr, type Cidr } from './net/ip.js';

/** Integer in [min, max]; rejects "1.5", "1e3", "" and friends. */
export function intInRange(min: number, max: number): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}

export const parsePort = intInRange(1, 65535);

/** For repeatable options: `--dns a --dns b` and `--dns a b` both give [a, b]. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const UNITS = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 } as const;

/** A number of seconds in words: "30 days", "2 hours", "90 seconds". */
export function describeSeconds(seconds: number): string {
  for (const [n, name] of [
    [86400, 'days'],
    [3600, 'hours'],
    [60, 'minutes'],
  ] as const)
    if (seconds >= n && seconds % n === 0) return `${seconds / n} ${name}`;
  return `${seconds} seconds`;
}

/**
 * "90s", "30m", "1h", "7d", "2w" or a bare number of seconds → seconds, checked before
 * any request: a bad value is a usage error (exit 2) that names the flag, never the API
 * field it becomes.
 */
export function parseDurationFlag(flag: string, text: string, options: { max?: number; what?: string } = {}): number {
  const m = /^(\d+)\s*(s|m|h|d|w)?$/.exec(text.trim());
  if (!m) throw new UsageError(`invalid ${flag} ${JSON.stringify(text)}: expected a duration such as 90s, 30m, 1h or 7d`);
  const seconds = Number(m[1]) * UNITS[(m[2] ?? 's') as keyof typeof UNITS];
  if (!Number.isSafeInteger(seconds)) throw new UsageError(`invalid ${flag} ${JSON.stringify(text)}: too long`);
  if (options.max !== undefined && seconds > options.max)
    throw new UsageError(`${flag} ${text} is too long: ${options.what ?? 'the most allowed is'} ${describeSeconds(options.max)}`);
  return seconds;
}

/**
 * An address or CIDR argument (`block add|remove`), checked before any request (exit 2),
 * in the CLI's words. With hostBits, "10.0.0.1/8" (which the node may list) is accepted
 * as written and null is returned; otherwise it is refused with the network to use.
 */
export function parseCidrArg(name: string, text: string, options: { hostBits?: boolean } = {}): Cidr | null {
  try {
    return parseCidr(text.trim());
  } catch (err) {
    if (!(err instanceof InvalidAddressError)) throw err;
    if (options.hostBits === true && /host bits/.test(err.message)) return null;
    throw new UsageError(`invalid ${name}: ${err.message}`, { cause: err });
  }
}
