/**
 * Reads the audit log back for GET /admin/audit: the newest `limit` entries at or after
 * `since`, oldest first. Streams the file line by line and keeps a ring of `limit`
 * entries, so memory stays bounded whatever the file's size.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { AuditEntry } from '@anode/shared/admin-api/index';

export async function readAudit(
  path: string | null,
  since: Date | null,
  limit: number,
): Promise<{ entries: AuditEntry[]; truncated: boolean }> {
  if (path === null) return { entries: [], truncated: false };
  let ring: AuditEntry[] = [];
  let matched = 0;
  const stream = createReadStream(path, { encoding: 'utf8' });
  try {
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.trim() === '') continue;
      let entry: unknown;
      try {
        entry = JSON.parse(line);
      } catch {
        continue; // a torn last line from a crash: skip it, keep the rest
      }
      if (typeof entry !== 'object' || entry === null) continue;
      const e = entry as Record<string, unknown>;
      if (typeof e['timestamp'] !== 'string' || typeof e['action'] !== 'string') continue;
      if (since !== null && !(Date.parse(e['timestamp']) >= since.getTime())) continue;
      ring.push(e as AuditEntry);
      matched++;
      // Trim in batches: shifting one entry per line would be quadratic.
      if (ring.length >= 2 * limit) ring = ring.slice(-limit);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], truncated: false };
    throw err;
  } finally {
    stream.destroy();
  }
  return { entries: ring.slice(-limit), truncated: matched > limit };
}
