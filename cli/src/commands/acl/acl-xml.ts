/**
 * Reads the AccessControlPolicy document of GetBucketAcl/GetObjectAcl into plain JSON.
 * A small tag scanner: the document's shape is fixed by S3 and the CLI must not pull in
 * an XML library for one read.
 */
export interface AclGrantJson {
  grantee:
    { type: 'CanonicalUser'; id: string; display_name: string | null } | { type: 'Group'; uri: string; name: string } | { type: string };
  permission: string;
}

export interface AclJson {
  owner: { id: string | null; display_name: string | null };
  grants: AclGrantJson[];
}

const GROUP_NAMES: Readonly<Record<string, string>> = {
  'http://acs.amazonaws.com/groups/global/AllUsers': 'AllUsers (everyone, anonymous included)',
  'http://acs.amazonaws.com/groups/global/AuthenticatedUsers': 'AuthenticatedUsers (any signed request)',
  'http://acs.amazonaws.com/groups/s3/LogDelivery': 'LogDelivery',
};

function unescape(text: string): string {
  return text.replace(
    /&(lt|gt|quot|apos|amp);/g,
    (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e as 'lt'] ?? '',
  );
}

function tag(xml: string, name: string): string | null {
  const m = new RegExp(`<(?:\\w+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:\\w+:)?${name}>`).exec(xml);
  return m === null ? null : unescape(m[1]!.trim());
}

export function parseAclXml(xml: string): AclJson {
  const ownerXml = /<Owner>([\s\S]*?)<\/Owner>/.exec(xml)?.[1] ?? '';
  const grants: AclGrantJson[] = [];
  for (const m of xml.matchAll(/<Grant>([\s\S]*?)<\/Grant>/g)) {
    const g = m[1]!;
    const type = /xsi:type="([^"]+)"/.exec(g)?.[1] ?? 'unknown';
    const permission = tag(g, 'Permission') ?? 'unknown';
    if (type === 'CanonicalUser')
      grants.push({ grantee: { type, id: tag(g, 'ID') ?? '', display_name: tag(g, 'DisplayName') }, permission });
    else if (type === 'Group') {
      const uri = tag(g, 'URI') ?? '';
      grants.push({ grantee: { type, uri, name: GROUP_NAMES[uri] ?? uri }, permission });
    } else grants.push({ grantee: { type }, permission });
  }
  return { owner: { id: tag(ownerXml, 'ID'), display_name: tag(ownerXml, 'DisplayName') }, grants };
}

/** "AllUsers ...", "alice", or the id: how a grantee reads in a table. */
export function granteeLabel(g: AclGrantJson['grantee']): string {
  if ('uri' in g) return g.name;
  if ('id' in g) return g.display_name ?? g.id;
  return g.type;
}
