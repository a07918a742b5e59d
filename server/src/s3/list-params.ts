/** Query parameters shared by the listing operations (objects, uploads, parts). */
import { queryParam } from '../http/target.js';
import type { RequestContext } from './context.js';
import { S3Error } from './errors.js';

/** max-keys / max-uploads / max-parts: an integer ≥ 0, capped at 1000 as AWS does. */
export function maxParam(ctx: RequestContext, name: string, fallback = 1000): number {
  const raw = queryParam(ctx.target!, name);
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw) || Number(raw) < 0) {
    throw new S3Error('InvalidArgument', {
      message: `Provided ${name} not an integer or within integer range`,
      extra: { ArgumentName: name, ArgumentValue: raw },
    });
  }
  return Math.min(Number(raw), 1000);
}

/** encoding-type=url: the response percent-encodes keys (for keys XML cannot carry). */
export function urlEncoder(ctx: RequestContext): (s: string) => string {
  const type = queryParam(ctx.target!, 'encoding-type');
  if (type === undefined) return (s) => s;
  if (type.toLowerCase() !== 'url') {
    throw new S3Error('InvalidArgument', {
      message: 'Invalid Encoding Method specified in Request',
      extra: { ArgumentName: 'encoding-type', ArgumentValue: type },
    });
  }
  return (s) =>
    encodeURIComponent(s)
      .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
      .replace(/%2F/g, '/');
}
