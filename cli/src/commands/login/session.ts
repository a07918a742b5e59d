/**
 * How admin commands reach a node: the resolved profile/env target turned into a signed
 * AdminClient (and an S3 endpoint for the ACL and policy commands), with the server's
 * answers mapped to the CLI's typed errors and exit codes.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { AdminApiError, AdminClient, errorFromResponse, sendSignedRequest, type RawResponse } from '@anode/shared/admin-api/index';
import { uriEncode } from '@anode/shared/sigv4/index';
import {
  contextFor,
  normalizeEndpoint,
  resolveAdminTarget,
  type AdminTarget,
  type CliIo,
  type CommandContext,
  type Credentials,
} from '../../context.js';
import {
  errorForHttpStatus,
  fileError,
  isTransportError,
  tlsMismatch,
  unreachable,
  UsageError,
  UserError,
  wrongPlane,
  type ApiPlane,
} from '../../errors.js';

export const DEFAULT_REGION = 'us-east-1';
/** The S3 API's default port (DESIGN.md): the S3 endpoint defaults to the admin host on it. */
export const DEFAULT_S3_PORT = 8080;

export interface AdminSession {
  ctx: CommandContext;
  target: AdminTarget;
  credentials: Credentials;
  client: AdminClient;
  region: string;
  ca: Buffer | undefined;
  /** Runs one admin call, turning its failures into CLI errors. */
  call<T>(fn: (client: AdminClient) => Promise<T>): Promise<T>;
}

/** --ca may name a PEM bundle or the `certs init-ca` directory (its ca.crt). */
export async function readCa(path: string | undefined): Promise<Buffer | undefined> {
  if (path === undefined) return undefined;
  try {
    const file = (await stat(path)).isDirectory() ? join(path, 'ca.crt') : path;
    return await readFile(file);
  } catch (err) {
    throw fileError(err, path);
  }
}

/** Maps an admin/S3 failure to the CLI error with the right exit code; the message is the server's. */
const TLS_VERIFY_CODES =
  /^(SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID|SELF_SIGNED_CERT_IN_CHAIN)$/;

/**
 * plane: which API endpoint is meant to be. An error answer in the other plane's format
 * (XML from an "admin" endpoint, the JSON envelope from an "s3" one) means the endpoint
 * names the wrong port.
 */
export function cliErrorFor(endpoint: string, err: unknown, plane: ApiPlane = 'admin'): unknown {
  if (err instanceof AdminApiError) {
    if ((plane === 'admin' && err.format === 'xml') || (plane === 's3' && err.format === 'json')) return wrongPlane(endpoint, plane, err);
    return errorForHttpStatus(err.status, `${err.message} (${err.code}, HTTP ${err.status})`);
  }
  const mismatch = tlsMismatch(endpoint, err);
  if (mismatch !== undefined) return mismatch;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && TLS_VERIFY_CODES.test(code)) {
    // Never fall back to an unverified connection: say why and how to trust the node.
    return new UserError(`cannot verify the TLS certificate of ${endpoint} (${code})`, {
      cause: err,
      hint: 'pass --ca (or ANODE_CA) with the Anode CA: a PEM bundle or the `certs init-ca` directory',
    });
  }
  if (isTransportError(err)) return unreachable(endpoint, err);
  return err;
}

export function regionOf(io: CliIo): string {
  const r = io.env['ANODE_REGION'];
  return r === undefined || r === '' ? DEFAULT_REGION : r;
}

export async function adminSession(command: Command, io: CliIo): Promise<AdminSession> {
  const ctx = contextFor(command, io);
  const target = await resolveAdminTarget(ctx.globals, io.env, { requireCredentials: true });
  const credentials = target.credentials!;
  const ca = await readCa(target.ca);
  const region = regionOf(io);
  const client = new AdminClient({ endpoint: target.endpoint, credentials, region, ...(ca !== undefined ? { ca } : {}) });
  return {
    ctx,
    target,
    credentials,
    client,
    region,
    ca,
    async call<T>(fn: (c: AdminClient) => Promise<T>): Promise<T> {
      try {
        return await fn(client);
      } catch (err) {
        throw cliErrorFor(target.endpoint, err);
      }
    },
  };
}

/**
 * The S3 endpoint for acl/policy commands: --s3-endpoint, ANODE_S3_ENDPOINT, else the
 * admin endpoint's host on port 8080 with the same scheme.
 */
export function s3EndpointFor(target: { endpoint: string; s3Endpoint?: string | undefined }, flag: string | undefined, io: CliIo): string {
  const explicit = flag ?? (io.env['ANODE_S3_ENDPOINT'] === '' ? undefined : io.env['ANODE_S3_ENDPOINT']) ?? target.s3Endpoint;
  if (explicit !== undefined) return normalizeEndpoint(explicit);
  const url = new URL(target.endpoint);
  url.port = String(DEFAULT_S3_PORT);
  return url.href.replace(/\/+$/, '');
}

export interface S3Call {
  method: 'GET' | 'PUT' | 'DELETE';
  bucket: string;
  key?: string;
  /** Raw query, e.g. "acl" or "policy". */
  query: string;
  body?: string;
  headers?: Record<string, string>;
}

/** One signed path-style S3 request; resolves with 2xx answers, throws CLI errors otherwise. */
export async function s3Request(session: AdminSession, endpoint: string, call: S3Call): Promise<RawResponse> {
  const path = `/${uriEncode(call.bucket, true)}${call.key === undefined ? '' : `/${uriEncode(call.key, false)}`}`;
  const url = `${endpoint}${path}?${call.query}`;
  let res: RawResponse;
  try {
    res = await sendSignedRequest({
      method: call.method,
      url,
      headers: call.headers ?? {},
      ...(call.body !== undefined ? { body: call.body } : {}),
      credentials: session.credentials,
      region: session.region,
      ...(session.ca !== undefined ? { ca: session.ca } : {}),
    });
  } catch (err) {
    throw cliErrorFor(endpoint, err, 's3');
  }
  if (res.status < 200 || res.status > 299) throw cliErrorFor(endpoint, errorFromResponse(res), 's3');
  return res;
}

/** "90s", "30m", "1h", "7d", "2w" or a bare number of seconds → seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)\s*(s|m|h|d|w)?$/.exec(text.trim());
  if (!m) throw new UsageError(`invalid duration ${JSON.stringify(text)}: use e.g. 90s, 30m, 1h, 7d`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}
