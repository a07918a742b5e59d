/**
 * Asks a running node what only it knows: credentials and their use, buckets and their
 * public grants, read-only state, TLS. Failures become a skip reason, never an exception:
 * an audit that cannot reach the node still reports everything else.
 */
import { AdminApiError, type AdminClient } from '@anode/shared/admin-api/index';
import type { AuditEntry, BucketInfo, CredentialInfo, StatusResponse } from '@anode/shared/admin-api/index';
import { isTransportError } from '../errors.js';

export interface LiveFacts {
  endpoint: string;
  /** The access key the audit itself signs with (its last_used is "now"). */
  callerAccessKey: string;
  status: StatusResponse;
  credentials: CredentialInfo[];
  buckets: BucketInfo[];
  /** Admin actions of the last 90 days, or undefined with auditError when unreadable. */
  audit: AuditEntry[] | undefined;
  auditError?: string;
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
]);

function codeChain(err: unknown): string[] {
  const codes: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (typeof e === 'object' && 'code' in e && typeof e.code === 'string') codes.push(e.code);
    e = e instanceof Error ? e.cause : undefined;
  }
  return codes;
}

/** One line saying why the node could not be asked (never a secret: only codes and the server's message). */
export function liveSkipReason(endpoint: string, err: unknown): string {
  if (err instanceof AdminApiError)
    return `${endpoint} refused the audit's credential: ${err.code} (HTTP ${err.status}); an admin credential is needed`;
  const tlsCode = codeChain(err).find((c) => TLS_CODES.has(c));
  if (tlsCode !== undefined) return `TLS to ${endpoint} failed (${tlsCode}): pass --ca with the Anode CA`;
  if (isTransportError(err)) return `cannot reach ${endpoint} (${codeChain(err)[0] ?? 'connection failed'})`;
  return `asking ${endpoint} failed: ${err instanceof Error ? err.message : String(err)}`;
}

export const LOOKBACK_DAYS = 90;

export async function gatherLiveFacts(client: AdminClient, callerAccessKey: string, now: Date): Promise<LiveFacts> {
  const [status, creds, buckets] = await Promise.all([client.getStatus(), client.listCredentials(), client.listBuckets()]);
  const facts: LiveFacts = {
    endpoint: client.endpoint,
    callerAccessKey,
    status,
    credentials: creds.credentials,
    buckets: buckets.buckets,
    audit: undefined,
  };
  try {
    const since = new Date(now.getTime() - LOOKBACK_DAYS * 86_400_000).toISOString();
    facts.audit = (await client.getAudit({ since, limit: 10_000 })).entries;
  } catch (err) {
    facts.auditError = err instanceof AdminApiError ? `${err.code} (HTTP ${err.status})` : err instanceof Error ? err.message : String(err);
  }
  return facts;
}
