/** `anodectl buckets list | permissions get|set`: buckets as an operator sees them, and per-user grants. */
import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { BUCKET_PERMISSIONS, type BucketInfo, type BucketPermissions, type BucketPermissionsResponse } from '@anode/shared/admin-api/index';
import type { CliIo } from '../../context.js';
import { bucketNameProblem } from '@anode/shared';
import { fileError, UsageError, UserError } from '../../errors.js';
import { confirmOrAbort } from '../../prompts.js';
import { startSpinner } from '../../spinner.js';
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

/** The bucket-name rules checked before any request (exit 2 in the CLI's words). */
export function checkBucketName(name: string): void {
  const problem = bucketNameProblem(name);
  if (problem !== null) throw new UsageError(`invalid bucket name ${JSON.stringify(name)}: a bucket name ${problem}`);
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
                { header: 'region', value: (b) => b.region, wide: true },
                { header: 'created', value: (b) => out.when(b.created) },
                { header: 'objects', value: (b) => `${b.object_count}${b.object_count_truncated ? '+' : ''}` },
                {
                  header: 'public',
                  value: (b) => {
                    const how = [b.public_acl ? 'acl' : '', b.public_policy ? 'policy' : ''].filter((x) => x !== '').join('+');
                    return how === '' ? 'no' : out.style.red(how);
                  },
                },
                { header: 'policy', value: (b) => (b.has_policy ? 'yes' : 'no'), wide: true },
                { header: 'grants', value: (b) => b.grants, wide: true },
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

  const create = new Command('create')
    .description("create a private bucket in the node's region")
    .argument('<bucket>', 'bucket name (3-63 characters: a-z, 0-9, dots and hyphens)')
    .option('--owner <user>', 'the user that owns it (default: the user of the key in use)')
    .action(async (bucket: string, flags: { owner?: string }, command: Command) => {
      checkBucketName(bucket);
      const s = await adminSession(command, io);
      const created = await s.call((c) => c.createBucket({ name: bucket, ...(flags.owner !== undefined ? { owner: flags.owner } : {}) }));
      s.ctx.out.result(created, (b) => `created bucket ${b.name} (owner ${b.owner}, region ${b.region})`);
    });

  const del = new Command('delete')
    .description('delete a bucket; it must be empty unless --force')
    .argument('<bucket>', 'bucket name')
    .option('--force', 'first delete every object and abort every multipart upload in it (asks first)')
    .action(async (bucket: string, flags: { force?: boolean }, command: Command) => {
      checkBucketName(bucket);
      const s = await adminSession(command, io);
      const force = flags.force === true;
      await confirmOrAbort(
        force ? `Delete bucket ${bucket} AND EVERY OBJECT IN IT? This cannot be undone.` : `Delete bucket ${bucket}? (it must be empty)`,
        s.ctx.prompt,
      );
      let objects = 0;
      let uploads = 0;
      if (force) {
        const spinner = startSpinner({ text: `emptying ${bucket}`, stream: io.stderr, silent: s.ctx.out.json });
        try {
          for (;;) {
            const r = await s.call((c) => c.emptyBucket(bucket));
            objects += r.objects_deleted;
            uploads += r.uploads_aborted;
            spinner.update(`emptying ${bucket}: ${objects} objects deleted, ${uploads} uploads aborted`);
            if (r.done) break;
            if (r.objects_deleted === 0 && r.uploads_aborted === 0)
              throw new UserError(`bucket ${bucket} is not getting emptier: something keeps writing to it`);
          }
        } finally {
          spinner.stop();
        }
      }
      const r = await s.call((c) => c.deleteBucket(bucket));
      s.ctx.out.result({ ...r, objects_deleted: objects, uploads_aborted: uploads }, (x) =>
        force ? `deleted bucket ${x.bucket} (${objects} objects deleted, ${uploads} uploads aborted)` : `deleted bucket ${x.bucket}`,
      );
    });

  const permissions = new Command('permissions')
    .description("get or set a bucket's per-user permission grants")
    .addCommand(get)
    .addCommand(set);
  return new Command('buckets')
    .description('create, list and delete buckets; manage per-user bucket permissions')
    .addCommand(list)
    .addCommand(create)
    .addCommand(del)
    .addCommand(permissions);
}
