/**
 * Version ids: 32 URL-safe characters, opaque to clients, and ordered newest first within a
 * key (an ascending sort of the ids is newest-first). The first 10 characters are the
 * inverted version sequence (microseconds, monotonic in this process) in base 62 over an
 * ASCII-ordered alphabet; the other 22 are random, so ids never collide across nodes.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const TOP = 62 ** 10 - 1;
let lastSeq = 0;

/** The next version sequence: microseconds since the epoch, strictly increasing here. */
export function nextVersionSeq(now = Date.now()): number {
  lastSeq = Math.max(now * 1000, lastSeq + 1);
  return lastSeq;
}

function base62(n: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = ALPHABET[n % 62]! + out;
    n = Math.floor(n / 62);
  }
  return out;
}

export function newVersionId(seq: number): string {
  const bytes = randomBytes(22);
  let random = '';
  for (const b of bytes) random += ALPHABET[b % 62]!;
  return base62(TOP - seq, 10) + random;
}

/** What a client may send as a versionId: 'null' or an id of ours (anything else names no version). */
export function isWellFormedVersionId(v: string): boolean {
  return v === 'null' || /^[0-9A-Za-z]{32}$/.test(v);
}
