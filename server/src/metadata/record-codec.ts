import type { ObjectRecord } from './types.js';

/**
 * A non-current version is kept whole as JSON (object_versions.record), so every field of
 * ObjectRecord — including ones added later, like encryption info — survives the move out
 * of and back into the objects table without a column list to keep in step. Dates and
 * Buffers are tagged so they come back as what they were.
 */
export function encodeRecord(record: ObjectRecord): string {
  return JSON.stringify(record, function (this: Record<string, unknown>, name: string, value: unknown) {
    const raw = this[name];
    if (raw instanceof Date) return { $date: raw.getTime() };
    if (Buffer.isBuffer(raw)) return { $b64: raw.toString('base64') };
    return value;
  });
}

export function decodeRecord(text: string): ObjectRecord {
  return JSON.parse(text, (_name, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const v = value as Record<string, unknown>;
      const keys = Object.keys(v);
      if (keys.length === 1 && typeof v['$date'] === 'number') return new Date(v['$date']);
      if (keys.length === 1 && typeof v['$b64'] === 'string') return Buffer.from(v['$b64'], 'base64');
    }
    return value;
  }) as ObjectRecord;
}
