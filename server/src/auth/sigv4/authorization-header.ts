import { ALGORITHM } from '@anode/shared/sigv4/index';
import { SigV4Error } from './errors.js';
import { parseCredential, type CredentialScope } from './credential-scope.js';

export interface ParsedAuthorization {
  credential: CredentialScope;
  signedHeaders: string[];
  signature: string;
}

const CREDENTIAL_FORMAT = 'expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request"';

function malformed(detail: string): SigV4Error {
  return new SigV4Error('AuthorizationHeaderMalformed', { message: `The authorization header is malformed; ${detail}` });
}

/** Lowercase names joined by ";", no empties, no repeats. */
export function parseSignedHeaders(value: string): string[] | undefined {
  const names = value.split(';');
  if (names.some((n) => n === '' || n !== n.toLowerCase() || /[\s:]/.test(n))) return undefined;
  if (new Set(names).size !== names.length) return undefined;
  return names;
}

/**
 * Parses "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..." (spaces after
 * commas optional). Other algorithms, SigV2 included, are refused as AWS does in
 * SigV4-only regions.
 */
export function parseAuthorizationHeader(value: string): ParsedAuthorization {
  const trimmed = value.trim();
  if (trimmed === '') throw new SigV4Error('AccessDenied', { message: 'Access Denied' });
  const space = trimmed.search(/\s/);
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw new SigV4Error('InvalidRequest', {
      message: 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    });
  }
  const fields = new Map<string, string>();
  const rest = space < 0 ? '' : trimmed.slice(space + 1);
  for (const piece of rest.split(',')) {
    const item = piece.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0) throw malformed(`the field "${item.slice(0, 40)}" is not of the form Name=Value.`);
    const name = item.slice(0, eq);
    if (!['Credential', 'SignedHeaders', 'Signature'].includes(name)) {
      throw malformed(`unknown field "${name.slice(0, 40)}".`);
    }
    if (fields.has(name)) throw malformed(`the field ${name} appears more than once.`);
    fields.set(name, item.slice(eq + 1));
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((n) => !fields.has(n));
  if (missing.length > 0) {
    throw malformed(missing.map((n) => `Authorization header requires '${n}' parameter.`).join(' '));
  }
  const credential = parseCredential(fields.get('Credential')!);
  if (credential === undefined) throw malformed(`the Credential is mal-formed; ${CREDENTIAL_FORMAT}.`);
  const signedHeaders = parseSignedHeaders(fields.get('SignedHeaders')!);
  if (signedHeaders === undefined) throw malformed('the SignedHeaders field is mal-formed.');
  const signature = fields.get('Signature')!;
  if (!/^[0-9a-f]{64}$/.test(signature)) throw malformed('the Signature must be 64 lowercase hex characters.');
  return { credential, signedHeaders, signature };
}
