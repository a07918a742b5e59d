import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two strings without leaking where they differ. Both sides are hashed first so
 * that unequal lengths take the same time as equal ones.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}
