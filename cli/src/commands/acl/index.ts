/**
 * `anodectl acl get|set BUCKET [KEY]`: bucket and object ACLs through the S3 API
 * (GetBucketAcl/PutBucketAcl/GetObjectAcl/PutObjectAcl), signed with the profile's key.
 */
import { Command, Option } from 'commander';
import type { CliIo } from '../../context.js';
import { confirmOrAbort } from '../../prompts.js';
import { adminSession, s3EndpointFor, s3Request } from '../login/session.js';
import { granteeLabel, parseAclXml, type AclJson } from './acl-xml.js';

export const CANNED_ACLS = [
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
] as const;
/** Canned ACLs that open data beyond its owner: asked about before they are applied. */
const WIDENING = new Set(['public-read', 'public-read-write', 'authenticated-read']);

const s3EndpointOption = () =>
  new Option('--s3-endpoint <url>', 'S3 API endpoint (env ANODE_S3_ENDPOINT; default: the admin host on port 8080)');

function aclText(target: string, acl: AclJson): string {
  const lines = [`${target}  owner: ${acl.owner.display_name ?? acl.owner.id ?? '-'}`];
  for (const g of acl.grants) lines.push(`  ${g.permission.padEnd(12)} ${granteeLabel(g.grantee)}`);
  if (acl.grants.length === 0) lines.push('  (no grants)');
  return lines.join('\n');
}

export function aclCommand(io: CliIo): Command {
  const get = new Command('get')
    .description('show the ACL of a bucket, or of an object with KEY')
    .argument('<bucket>', 'bucket name')
    .argument('[key]', 'object key')
    .addOption(s3EndpointOption())
    .action(async (bucket: string, key: string | undefined, flags: { s3Endpoint?: string }, command: Command) => {
      const s = await adminSession(command, io);
      const endpoint = s3EndpointFor(s.target, flags.s3Endpoint, io);
      const res = await s3Request(s, endpoint, { method: 'GET', bucket, ...(key !== undefined ? { key } : {}), query: 'acl' });
      const acl = parseAclXml(res.body.toString('utf8'));
      s.ctx.out.result(acl, (a) => aclText(key === undefined ? bucket : `${bucket}/${key}`, a));
    });

  const set = new Command('set')
    .description('apply a canned ACL to a bucket, or to an object with KEY')
    .argument('<bucket>', 'bucket name')
    .argument('[key]', 'object key')
    .addOption(new Option('--canned <acl>', 'the canned ACL').choices(CANNED_ACLS).makeOptionMandatory())
    .addOption(s3EndpointOption())
    .action(async (bucket: string, key: string | undefined, flags: { canned: string; s3Endpoint?: string }, command: Command) => {
      const s = await adminSession(command, io);
      const target = key === undefined ? `bucket ${bucket}` : `${bucket}/${key}`;
      if (WIDENING.has(flags.canned))
        await confirmOrAbort(`Apply ${flags.canned} to ${target}? It makes the data readable beyond its owner.`, s.ctx.prompt);
      const endpoint = s3EndpointFor(s.target, flags.s3Endpoint, io);
      await s3Request(s, endpoint, {
        method: 'PUT',
        bucket,
        ...(key !== undefined ? { key } : {}),
        query: 'acl',
        headers: { 'x-amz-acl': flags.canned },
      });
      s.ctx.out.result({ bucket, key: key ?? null, canned: flags.canned }, () => `${target}: ACL set to ${flags.canned}`);
    });

  return new Command('acl').description('get or set bucket and object ACLs (through the S3 API)').addCommand(get).addCommand(set);
}
