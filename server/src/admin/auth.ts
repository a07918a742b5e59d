/**
 * Who is calling /admin/*: a SigV4 header-signed request (service s3, the node's region)
 * whose body hash was signed, by an active credential with the admin role. Presigned
 * URLs and unsigned payloads are refused: an admin request must not be replayable with a
 * different body or shareable as a link. The role check is the caller's (handle.ts), so a
 * refused non-admin can be audited.
 */
import type { IncomingMessage } from 'node:http';
import { verifyRequest } from '../auth/sigv4/verify.js';
import { isLayerError } from '../layer-errors.js';
import type { Principal } from '../policy/principal.js';
import type { AdminDeps } from './deps.js';
import { AdminError, fromLayerError } from './errors.js';

export interface AdminCaller {
  principal: Extract<Principal, { kind: 'user' }>;
  accessKey: string;
}

export async function authenticateAdmin(
  deps: AdminDeps,
  req: IncomingMessage,
  rawPath: string,
  rawQuery: string,
  bodySha256: string,
): Promise<AdminCaller> {
  const now = new Date();
  let principal: Extract<Principal, { kind: 'user' }> | undefined;
  let auth;
  try {
    auth = await verifyRequest(
      { method: req.method ?? 'GET', rawPath, rawQuery, rawHeaders: req.rawHeaders },
      {
        region: deps.config.server.region,
        service: 's3',
        now,
        lookup: async (accessKey) => {
          const found = await deps.credentials.resolve(accessKey, now);
          principal = found?.principal;
          return found?.secret;
        },
      },
    );
  } catch (err) {
    if (isLayerError(err)) {
      deps.metrics.authFailures.inc({ reason: err.code });
      throw fromLayerError(err);
    }
    throw err;
  }
  if (auth.kind !== 'header' || principal === undefined) {
    deps.metrics.authFailures.inc({ reason: 'AdminUnsigned' });
    throw new AdminError('AccessDenied', 'the admin API needs a request signed (Authorization header, SigV4) by an admin credential');
  }
  if (auth.payload.type !== 'sha256') {
    throw new AdminError('AccessDenied', 'admin requests must sign their body: x-amz-content-sha256 must be the hex SHA-256 of the body');
  }
  if (auth.payload.hex !== bodySha256) {
    throw new AdminError('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  deps.credentials.touch(principal.accessKey, now);
  return { principal, accessKey: principal.accessKey };
}
