/** Option-value parsers for commander: they throw InvalidArgumentError, which commander reports as a usage error (exit 2). */
import { InvalidArgumentError } from 'commander';

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
