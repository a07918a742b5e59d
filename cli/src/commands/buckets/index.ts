/** `anodectl buckets list | permissions get|set`: buckets as an operator sees them, and per-user grants. */
import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { BUCKET_PERMISSIONS, type BucketInfo, type BucketPermissions, type BucketPermissionsResponse } from '@anode/shared/admin-api/index';
import type { CliIo } from '../../context.js';
import { fileError, UsageError } from '../../errors.js';
import type { Output } from '../../output.js';
import { collect } from '../../parse.js';
import { adminSession } from '../login/session.js';

/** `user:alice=read,write` (the `user:` prefix is optional) → ["user:alice", ["read","write"]]. */
export function parseGrant(text: string): [string, string[]] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`invalid --grant ${JSON.stringify(text)}: expected user:NAME=PERM[,PERM...]`);
  const who = text.slice(0, eq).trim();
  const key = who.startsWith('user:') ? who : `user:${who}`;
  const perms = text
    .slice(eq + 1)
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  for (const p of perms) {
    if (!(BUCKET_PERMISSIONS as readonly string[]).includes(p))
      throw new UsageError(
        `invalid --grant ${JSON.stringify(text)}: unknown permission "${p}" (expected ${BUCKET_PERMISSIONS.join(', ')})`,
      );
  }
  return [key, perms];
}

function permissionsText(out: Output, r: BucketPermissionsResponse): string {
  const rows = Object.entries(r.permissions);
  const table =
    rows.length === 0
      ? `no permission grants on ${r.bucket}`
      : out.table(
          [
            { header: 'grantee', value: (x: [string, string[]]) => x[0] },
            { header: 'permissions', value: (x) => x[1].join(',') },
          ],
          rows,
        );
  const unknown = r.unknown_users ?? [];
  return unknown.length > 0 ? `${table}\n${out.style.yellow(`note: no credential exists yet for ${unknown.join(', ')}`)}` : table;
}

export function bucketsCommand(io: CliIo): Command {
  const list = new Command('list')
    .description('list buckets with owner, object count and public ACL/policy flags')
    .action(async (_f: unknown, command: Command) => {
      const s = await adminSession(command, io);
      const { buckets } = await s.call((c) => c.listBuckets());
      const { out } = s.ctx;
      out.result(buckets, (rows) =>
        rows.length === 0
          ? 'no buckets'
          : out.table<BucketInfo>(
              [
                { header: 'name', value: (b) => b.name },
                { header: 'owner', value: (b) => b.owner },
                { header: 'created', value: (b) => b.created },
                { header: 'objects', value: (b) => `${b.object_count}${b.object_count_truncated ? '+' : ''}` },
                { header: 'public acl', value: (b) => (b.public_acl ? out.style.red('yes') : 'no') },
                { header: 'policy', value: (b) => (b.has_policy ? (b.public_policy ? out.style.red('public') : 'yes') : 'no') },
                { header: 'grants', value: (b) => b.grants },
              ],
              rows,
            ),
      );
    });

  const get = new Command('get')
    .description("show a bucket's per-user permission grants")
    .argument('<bucket>', 'bucket name')
    .action(async (bucket: string, _f: unknown, command: Command) => {
      const s = await adminSession(command, io);
      s.ctx.out.result(await s.call((c) => c.getBucketPermissions(bucket)), (r) => permissionsText(s.ctx.out, r));
    });

  const set = new Command('set')
    .description("replace a bucket's per-user permission grants (read, write, read_acp, write_acp)")
    .argument('<bucket>', 'bucket name')
    .option('--grant <user=perms...>', 'e.g. user:alice=read,write (repeatable)', collect)
    .option('--file <path>', 'a JSON file: {"user:alice": ["read"], "user:bob": ["read", "write"]}')
    .action(async (bucket: string, flags: { grant?: string[]; file?: string }, command: Command) => {
      if ((flags.grant === undefined) === (flags.file === undefined)) throw new UsageError('give either --grant (repeatable) or --file');
      let permissions: BucketPermissions = {};
      if (flags.file !== undefined) {
        let text: string;
        try {
          text = await readFile(flags.file, 'utf8');
        } catch (err) {
          throw fileError(err, flags.file);
        }
        try {
          permissions = JSON.parse(text) as BucketPermissions;
        } catch {
          throw new UsageError(`${flags.file}: not valid JSON`);
        }
      } else {
        for (const g of flags.grant ?? []) {
          const [key, perms] = parseGrant(g);
          permissions[key] = [...new Set([...(permissions[key] ?? []), ...perms])];
        }
      }
      const s = await adminSession(command, io);
      s.ctx.out.result(await s.call((c) => c.putBucketPermissions(bucket, permissions)), (r) => permissionsText(s.ctx.out, r));
    });

  const permissions = new Command('permissions')
    .description("get or set a bucket's per-user permission grants")
    .addCommand(get)
    .addCommand(set);
  return new Command('buckets').description('list buckets and manage per-user bucket permissions').addCommand(list).addCommand(permissions);
}
