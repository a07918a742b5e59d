/** The compact ISO 8601 time SigV4 uses: "20130524T000000Z". */
export function formatAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Parses "YYYYMMDDTHHMMSSZ" strictly; undefined for anything else, including 20130231T... */
export function parseAmzDate(value: string): Date | undefined {
  const m = AMZ_DATE.exec(value);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Round-trip rejects out-of-range fields that Date.UTC would silently carry over.
  return formatAmzDate(date) === value ? date : undefined;
}
