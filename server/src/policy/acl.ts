/**
 * S3 access control lists: canned ACLs, x-amz-grant-* headers, the AccessControlPolicy
 * XML body (parse and serialize), and the one check of whether an ACL lets a principal in.
 */
import type { Acl, Grant } from '../metadata/types.js';
import { PolicyError } from './errors.js';
import { escapeXml } from '../util/xml-escape.js';
import { xmlDocumentParser } from '../util/xml-parse.js';
import { aclPermissionCovers, type AclPermission } from './actions.js';
import { canonicalUserId, type Principal } from './principal.js';

export const ALL_USERS_URI = 'http://acs.amazonaws.com/groups/global/AllUsers';
export const AUTHENTICATED_USERS_URI = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
export const LOG_DELIVERY_URI = 'http://acs.amazonaws.com/groups/s3/LogDelivery';
const GROUP_URIS: ReadonlySet<string> = new Set([ALL_USERS_URI, AUTHENTICATED_USERS_URI, LOG_DELIVERY_URI]);

/** AWS's EC2 canonical user that `aws-exec-read` grants READ to (bundled AMIs). */
const EC2_CANONICAL_ID = '6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c';

export const ACL_PERMISSIONS: readonly AclPermission[] = ['FULL_CONTROL', 'WRITE', 'WRITE_ACP', 'READ', 'READ_ACP'];
/** AWS allows at most 100 grants in one ACL. */
export const MAX_GRANTS = 100;

export const CANNED_ACLS = [
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'aws-exec-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
  'log-delivery-write',
] as const;
export type CannedAcl = (typeof CANNED_ACLS)[number];

export function isCannedAcl(name: string): name is CannedAcl {
  return (CANNED_ACLS as readonly string[]).includes(name);
}

function userGrant(user: string, permission: AclPermission): Grant {
  return { grantee: { type: 'CanonicalUser', id: canonicalUserId(user), displayName: user }, permission };
}

function groupGrant(uri: string, permission: AclPermission): Grant {
  return { grantee: { type: 'Group', uri }, permission };
}

export interface CannedAclTarget {
  /** Owner of the resource the ACL is for (the creator of the bucket or object). */
  owner: string;
  /** Bucket owner, used by bucket-owner-read / bucket-owner-full-control on objects. */
  bucketOwner: string;
  resource: 'bucket' | 'object';
}

/** Expands a canned ACL name (the `x-amz-acl` value) into an ACL; unknown → 400 InvalidArgument. */
export function cannedAcl(name: string, target: CannedAclTarget): Acl {
  if (!isCannedAcl(name)) {
    throw new PolicyError('InvalidArgument', {
      message: 'Invalid canned ACL',
      extra: { ArgumentName: 'x-amz-acl', ArgumentValue: name.slice(0, 64) },
    });
  }
  const { owner, bucketOwner, resource } = target;
  const grants: Grant[] = [userGrant(owner, 'FULL_CONTROL')];
  switch (name) {
    case 'private':
      break;
    case 'public-read':
      grants.push(groupGrant(ALL_USERS_URI, 'READ'));
      break;
    case 'public-read-write':
      grants.push(groupGrant(ALL_USERS_URI, 'READ'), groupGrant(ALL_USERS_URI, 'WRITE'));
      break;
    case 'authenticated-read':
      grants.push(groupGrant(AUTHENTICATED_USERS_URI, 'READ'));
      break;
    case 'aws-exec-read':
      grants.push({ grantee: { type: 'CanonicalUser', id: EC2_CANONICAL_ID, displayName: 'za-team' }, permission: 'READ' });
      break;
    // AWS ignores the two bucket-owner-* ACLs on a bucket (the owners are the same there).
    case 'bucket-owner-read':
      if (resource === 'object' && bucketOwner !== owner) grants.push(userGrant(bucketOwner, 'READ'));
      break;
    case 'bucket-owner-full-control':
      if (resource === 'object' && bucketOwner !== owner) grants.push(userGrant(bucketOwner, 'FULL_CONTROL'));
      break;
    case 'log-delivery-write':
      grants.push(groupGrant(LOG_DELIVERY_URI, 'WRITE'), groupGrant(LOG_DELIVERY_URI, 'READ_ACP'));
      break;
  }
  return { owner, grants };
}

/** The default ACL of a new resource: owner FULL_CONTROL. */
export function privateAcl(owner: string): Acl {
  return { owner, grants: [userGrant(owner, 'FULL_CONTROL')] };
}

// ---------------------------------------------------------------------------
// x-amz-grant-* headers

export const GRANT_HEADERS: Readonly<Record<string, AclPermission>> = {
  'x-amz-grant-read': 'READ',
  'x-amz-grant-write': 'WRITE',
  'x-amz-grant-read-acp': 'READ_ACP',
  'x-amz-grant-write-acp': 'WRITE_ACP',
  'x-amz-grant-full-control': 'FULL_CONTROL',
};

const CANONICAL_ID_RE = /^[0-9a-f]{64}$/;

/** Looks a canonical id up among our users; null if nobody has it. */
export type CanonicalIdResolver = (id: string) => string | null;

function invalidGrant(header: string, value: string, message: string): PolicyError {
  return new PolicyError('InvalidArgument', {
    message,
    extra: { ArgumentName: header, ArgumentValue: value.slice(0, 256) },
  });
}

/** Splits `id="a", uri="b"` on commas that are outside quotes. */
function splitGrantees(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim());
}

function granteeFromHeader(header: string, raw: string, resolve: CanonicalIdResolver | undefined): Grant['grantee'] {
  const m = /^([A-Za-z]+)\s*=\s*(?:"([^"]*)"|([^"\s]*))$/.exec(raw);
  if (!m) throw invalidGrant(header, raw, 'Invalid grantee in grant header');
  const kind = (m[1] ?? '').toLowerCase();
  const value = m[2] ?? m[3] ?? '';
  if (kind === 'id') {
    if (!CANONICAL_ID_RE.test(value)) throw invalidGrant(header, raw, 'Invalid id');
    const user = resolve ? resolve(value) : null;
    if (resolve && user === null) throw invalidGrant(header, raw, 'Invalid id');
    return user === null ? { type: 'CanonicalUser', id: value } : { type: 'CanonicalUser', id: value, displayName: user };
  }
  if (kind === 'uri') {
    if (!GROUP_URIS.has(value)) throw invalidGrant(header, raw, 'Invalid group uri');
    return { type: 'Group', uri: value };
  }
  if (kind === 'emailaddress') {
    // AWS answers UnresolvableGrantByEmailAddress; we have no e-mail identities at all.
    throw invalidGrant(header, raw, 'The e-mail address you provided does not match any account on record.');
  }
  throw invalidGrant(header, raw, 'Invalid grantee type in grant header');
}

/**
 * Reads the x-amz-grant-* headers into grants (empty when none is present).
 * `headers` maps lowercased header names to their values.
 */
export function parseGrantHeaders(headers: Readonly<Record<string, string | undefined>>, resolve?: CanonicalIdResolver): Grant[] {
  const grants: Grant[] = [];
  for (const [header, permission] of Object.entries(GRANT_HEADERS)) {
    const value = headers[header];
    if (value === undefined) continue;
    for (const part of splitGrantees(value)) {
      if (part === '') throw invalidGrant(header, value, 'Empty grantee in grant header');
      grants.push({ grantee: granteeFromHeader(header, part, resolve), permission });
    }
  }
  if (grants.length > MAX_GRANTS) {
    throw new PolicyError('InvalidArgument', { message: `An ACL may hold at most ${MAX_GRANTS} grants` });
  }
  return grants;
}

export interface AclFromRequestInput extends CannedAclTarget {
  /** Lowercased request headers. */
  headers: Readonly<Record<string, string | undefined>>;
  resolve?: CanonicalIdResolver;
}

/**
 * The ACL a create/PutAcl request asks for through headers: `x-amz-acl` or x-amz-grant-*
 * (not both → 400 InvalidRequest), or null when the request sets none.
 */
export function aclFromHeaders(input: AclFromRequestInput): Acl | null {
  const canned = input.headers['x-amz-acl'];
  const grants = parseGrantHeaders(input.headers, input.resolve);
  if (canned !== undefined && grants.length > 0) {
    throw new PolicyError('InvalidRequest', { message: 'Specifying both Canned ACLs and Header Grants is not allowed' });
  }
  if (canned !== undefined) return cannedAcl(canned.trim(), input);
  if (grants.length > 0) {
    // Name the owner's own grants even without a resolver, as AWS shows DisplayName.
    const ownerId = canonicalUserId(input.owner);
    return {
      owner: input.owner,
      grants: grants.map((g) =>
        g.grantee.type === 'CanonicalUser' && g.grantee.id === ownerId && g.grantee.displayName === undefined
          ? { ...g, grantee: { ...g.grantee, displayName: input.owner } }
          : g,
      ),
    };
  }
  return null;
}

// ---------------------------------------------------------------------------
// AccessControlPolicy XML

const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const XSI_XMLNS = 'http://www.w3.org/2001/XMLSchema-instance';

/** The GetBucketAcl / GetObjectAcl response body, as AWS writes it. */
export function aclToXml(acl: Acl): string {
  const ownerId = canonicalUserId(acl.owner);
  const grants = acl.grants.map((g) => {
    const grantee =
      g.grantee.type === 'CanonicalUser'
        ? `<Grantee xmlns:xsi="${XSI_XMLNS}" xsi:type="CanonicalUser"><ID>${escapeXml(g.grantee.id)}</ID>` +
          (g.grantee.displayName !== undefined ? `<DisplayName>${escapeXml(g.grantee.displayName)}</DisplayName>` : '') +
          '</Grantee>'
        : `<Grantee xmlns:xsi="${XSI_XMLNS}" xsi:type="Group"><URI>${escapeXml(g.grantee.uri)}</URI></Grantee>`;
    return `<Grant>${grantee}<Permission>${g.permission}</Permission></Grant>`;
  });
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<AccessControlPolicy xmlns="${S3_XMLNS}">` +
    `<Owner><ID>${ownerId}</ID><DisplayName>${escapeXml(acl.owner)}</DisplayName></Owner>` +
    `<AccessControlList>${grants.join('')}</AccessControlList>` +
    '</AccessControlPolicy>'
  );
}

function malformedAcl(message?: string): PolicyError {
  return message === undefined ? new PolicyError('MalformedACLError') : new PolicyError('MalformedACLError', { message });
}

// Grantees carry their type in an attribute (xsi:type), and Grant repeats.
const parseAclDocument = xmlDocumentParser({ attributes: true, trimValues: true, lists: ['Grant'] });

type XmlNode = Record<string, unknown>;

function asNode(value: unknown): XmlNode | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as XmlNode) : null;
}

function text(node: XmlNode | null, name: string): string | undefined {
  const v = node?.[name];
  if (typeof v === 'string') return v;
  if (v === undefined) return undefined;
  const n = asNode(v);
  // An element with attributes but only text comes back as {"#text": ...}.
  if (n && typeof n['#text'] === 'string') return n['#text'];
  if (n && Object.keys(n).length === 0) return '';
  return undefined;
}

export interface ParseAclXmlOptions {
  /** The resource's current owner (user name); the body's Owner must name them. */
  owner: string;
  resolve?: CanonicalIdResolver;
}

/** Largest AccessControlPolicy body we read; 100 grants fit in far less. */
export const MAX_ACL_XML_BYTES = 64 * 1024;

/**
 * Parses a PutBucketAcl / PutObjectAcl body. DOCTYPE (entity bombs, XXE) and
 * ill-formed XML → MalformedXML; a body that is XML but not a valid ACL → MalformedACLError;
 * an Owner other than the current owner → AccessDenied (owners cannot be changed by ACL).
 */
export function parseAclXml(xml: string, options: ParseAclXmlOptions): Acl {
  if (Buffer.byteLength(xml, 'utf8') > MAX_ACL_XML_BYTES) throw malformedAcl('The ACL document is too large');
  const doc = parseAclDocument(xml);
  const root = asNode(asNode(doc)?.['AccessControlPolicy']);
  if (!root) throw malformedAcl();
  const ownerNode = asNode(root['Owner']);
  const ownerId = text(ownerNode, 'ID');
  if (ownerId === undefined) throw malformedAcl();
  if (ownerId !== canonicalUserId(options.owner)) throw new PolicyError('AccessDenied');

  const listValue = root['AccessControlList'];
  const list = asNode(listValue);
  if (!list && listValue !== '' && listValue !== undefined) throw malformedAcl();
  const rawGrants = (list?.['Grant'] as unknown[] | undefined) ?? [];
  if (rawGrants.length > MAX_GRANTS) throw malformedAcl(`An ACL may hold at most ${MAX_GRANTS} grants`);

  const grants = rawGrants.map((raw): Grant => {
    const grantNode = asNode(raw);
    const granteeNode = asNode(grantNode?.['Grantee']);
    const permission = text(grantNode, 'Permission');
    if (!granteeNode || permission === undefined) throw malformedAcl();
    if (!(ACL_PERMISSIONS as readonly string[]).includes(permission)) throw malformedAcl();
    const type = granteeNode['@type'];
    if (type === 'CanonicalUser') {
      const id = text(granteeNode, 'ID');
      if (id === undefined) throw malformedAcl();
      if (!CANONICAL_ID_RE.test(id))
        throw new PolicyError('InvalidArgument', {
          message: 'Invalid id',
          extra: { ArgumentName: 'CanonicalUser/ID', ArgumentValue: id.slice(0, 128) },
        });
      const user = id === canonicalUserId(options.owner) ? options.owner : options.resolve ? options.resolve(id) : null;
      if (user === null && options.resolve) {
        throw new PolicyError('InvalidArgument', { message: 'Invalid id', extra: { ArgumentName: 'CanonicalUser/ID', ArgumentValue: id } });
      }
      return {
        grantee: user === null ? { type: 'CanonicalUser', id } : { type: 'CanonicalUser', id, displayName: user },
        permission: permission as AclPermission,
      };
    }
    if (type === 'Group') {
      const uri = text(granteeNode, 'URI');
      if (uri === undefined) throw malformedAcl();
      if (!GROUP_URIS.has(uri))
        throw new PolicyError('InvalidArgument', {
          message: 'Invalid group uri',
          extra: { ArgumentName: 'Group/URI', ArgumentValue: uri.slice(0, 256) },
        });
      return { grantee: { type: 'Group', uri }, permission: permission as AclPermission };
    }
    if (type === 'AmazonCustomerByEmail') {
      // AWS: UnresolvableGrantByEmailAddress; we have no e-mail identities.
      throw new PolicyError('InvalidArgument', { message: 'The e-mail address you provided does not match any account on record.' });
    }
    throw malformedAcl();
  });
  return { owner: options.owner, grants };
}

// ---------------------------------------------------------------------------
// Decision

export interface AclCheckOptions {
  /** The bucket's owner; like the ACL's owner, they can always read and replace ACLs. */
  bucketOwner?: string;
}

function granteeMatches(grantee: Grant['grantee'], principal: Principal): boolean {
  if (grantee.type === 'Group') {
    if (grantee.uri === ALL_USERS_URI) return true;
    if (grantee.uri === AUTHENTICATED_USERS_URI) return principal.kind === 'user';
    return false; // LogDelivery: no Anode principal is the log-delivery service
  }
  return principal.kind === 'user' && grantee.id === canonicalUserId(principal.user);
}

/**
 * Whether `acl` gives `principal` the `permission` (FULL_CONTROL implies the rest).
 * The resource owner (and bucket owner) always keep READ_ACP/WRITE_ACP so an ACL can
 * never lock its owner out of fixing it.
 */
/** Which grant of `acl` gives `permission` (for a decision trace), or null; same rule as aclAllows. */
export function aclAllowingGrant(acl: Acl, principal: Principal, permission: AclPermission, options: AclCheckOptions = {}): string | null {
  if (principal.kind === 'user' && (permission === 'READ_ACP' || permission === 'WRITE_ACP')) {
    if (principal.user === acl.owner) return `ACL owner ${acl.owner} (owners keep ${permission})`;
    if (principal.user === options.bucketOwner) return `bucket owner ${principal.user} (owners keep ${permission})`;
  }
  const g = acl.grants.find((x) => aclPermissionCovers(x.permission, permission) && granteeMatches(x.grantee, principal));
  if (g === undefined) return null;
  const who = g.grantee.type === 'Group' ? g.grantee.uri.replace(/^.*\/groups\/global\//, '') : `CanonicalUser ${g.grantee.id}`;
  return `ACL grant ${who} ${g.permission}`;
}

export function aclAllows(acl: Acl, principal: Principal, permission: AclPermission, options: AclCheckOptions = {}): boolean {
  if (principal.kind === 'user' && (permission === 'READ_ACP' || permission === 'WRITE_ACP')) {
    if (principal.user === acl.owner || principal.user === options.bucketOwner) return true;
  }
  return acl.grants.some((g) => aclPermissionCovers(g.permission, permission) && granteeMatches(g.grantee, principal));
}

/** True if the ACL grants anything to AllUsers or AuthenticatedUsers (AWS's "public" ACL). */
export function isPublicAcl(acl: Acl): boolean {
  return acl.grants.some(
    (g) => g.grantee.type === 'Group' && (g.grantee.uri === ALL_USERS_URI || g.grantee.uri === AUTHENTICATED_USERS_URI),
  );
}

/** True if the ACL grants only its owner (what BucketOwnerEnforced requires of a bucket ACL). */
export function aclIsOwnerOnly(acl: Acl): boolean {
  const ownerId = canonicalUserId(acl.owner);
  return acl.grants.every((g) => g.grantee.type === 'CanonicalUser' && g.grantee.id === ownerId);
}
