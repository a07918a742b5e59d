/**
 * A PostgreSQL connection string fit for logs and error messages: the password (URL form
 * `postgres://user:pw@host/db`, a `password=` query parameter, or libpq `password=...`
 * key/value form) becomes "***". Everything else stays, so an operator can still see which
 * server and database were meant.
 */
export function redactPostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString().replace(/%2A%2A%2A/g, '***');
  } catch {
    // libpq key/value form: password=secret or password='sec ret'
    return url.replace(/(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)/gi, '$1***');
  }
}

/** The password a connection string carries, if any (to scrub it from driver messages). */
export function passwordOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    const pw = parsed.password !== '' ? decodeURIComponent(parsed.password) : parsed.searchParams.get('password');
    return pw === null || pw === '' ? null : pw;
  } catch {
    const m = /password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/i.exec(url);
    const raw = m?.[1];
    if (raw === undefined) return null;
    return raw.startsWith("'") ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
  }
}
