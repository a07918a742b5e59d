import { createRequire } from 'node:module';

/** The server's version, from its package.json (one source for `anode --version` and /admin/status). */
export const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
