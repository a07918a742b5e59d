/**
 * `anodectl policy get|set|delete|validate BUCKET`: bucket policies through the S3 API
 * (GetBucketPolicy/PutBucketPolicy/DeleteBucketPolicy); validate works offline.
 */
import { Command, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import { contextFor, type CliIo } from '../../context.js';
import { fileError, UsageError, UserError } from '../../errors.js';
import { confirmOrAbort } from '../../prompts.js';
import { adminSession, s3EndpointFor, s3Request } from '../login/session.js';
import { publicStatements, validatePolicy } from './validate-policy.js';
import { explainCommand, simulateCommand } from './simulate.js';

const s3EndpointOption = () =>
  new Option('--s3-endpoint <url>', 'S3 API endpoint (env ANODE_S3_ENDPOINT; default: the admin host on port 8080)');

async function readPolicyFile(path: string, io: CliIo): Promise<string> {
  if (path === '-') {
    let text = '';
    for await (const chunk of io.stdin) text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    return text;
  }
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw fileError(err, path);
  }
}

function checkOrThrow(text: string, bucket: string, source: string): void {
  const problems = validatePolicy(text, bucket);
  if (problems.length > 0) {
    throw new UserError(`${source} is not a valid policy for ${bucket}:\n  - ${problems.join('\n  - ')}`, {
      hint: 'anodectl policy validate shows the same checks without a node',
    });
  }
}

export function policyCommand(io: CliIo): Command {
  const get = new Command('get')
    .description("print a bucket's policy (JSON)")
    .argument('<bucket>', 'bucket name')
    .addOption(s3EndpointOption())
    .action(async (bucket: string, flags: { s3Endpoint?: string }, command: Command) => {
      const s = await adminSession(command, io);
      const res = await s3Request(s, s3EndpointFor(s.target, flags.s3Endpoint, io), { method: 'GET', bucket, query: 'policy' });
      const text = res.body.toString('utf8');
      let policy: unknown;
      try {
        policy = JSON.parse(text);
      } catch {
        policy = text;
      }
      s.ctx.out.result(policy, (p) => (typeof p === 'string' ? p : JSON.stringify(p, null, 2)));
    });

  const set = new Command('set')
    .description("replace a bucket's policy with a JSON file (checked offline first)")
    .argument('<bucket>', 'bucket name')
    .requiredOption('--file <path>', 'policy JSON file, or - for stdin')
    .addOption(s3EndpointOption())
    .action(async (bucket: string, flags: { file: string; s3Endpoint?: string }, command: Command) => {
      const text = await readPolicyFile(flags.file, io);
      checkOrThrow(text, bucket, flags.file);
      const s = await adminSession(command, io);
      const open = publicStatements(text);
      if (open.length > 0)
        await confirmOrAbort(
          `Apply this policy to ${bucket}? ${open.join(', ')} allow${open.length === 1 ? 's' : ''} everyone (Principal "*", no condition): it makes the bucket public.`,
          s.ctx.prompt,
        );
      await s3Request(s, s3EndpointFor(s.target, flags.s3Endpoint, io), {
        method: 'PUT',
        bucket,
        query: 'policy',
        body: text,
        headers: { 'content-type': 'application/json' },
      });
      s.ctx.out.result({ bucket, policy_set: true }, () => `policy of ${bucket} replaced`);
    });

  const del = new Command('delete')
    .description("delete a bucket's policy")
    .argument('<bucket>', 'bucket name')
    .addOption(s3EndpointOption())
    .action(async (bucket: string, flags: { s3Endpoint?: string }, command: Command) => {
      const s = await adminSession(command, io);
      await confirmOrAbort(`Delete the policy of ${bucket}? Any Deny statements in it stop protecting the bucket.`, s.ctx.prompt);
      await s3Request(s, s3EndpointFor(s.target, flags.s3Endpoint, io), { method: 'DELETE', bucket, query: 'policy' });
      s.ctx.out.result({ bucket, policy_deleted: true }, () => `policy of ${bucket} deleted`);
    });

  const validate = new Command('validate')
    .description('check a policy file offline: JSON, Version, Statement, Effect, Principal, Action, Resource naming the bucket')
    .argument('<bucket>', 'the bucket the policy is for')
    .requiredOption('--file <path>', 'policy JSON file, or - for stdin')
    .action(async (bucket: string, flags: { file: string }, command: Command) => {
      const { out } = contextFor(command, io);
      if (bucket === '') throw new UsageError('bucket must not be empty');
      const problems = validatePolicy(await readPolicyFile(flags.file, io), bucket);
      if (problems.length > 0 && out.json) {
        out.result({ valid: false, problems }, () => '');
        throw new UserError(`${flags.file}: ${problems.length} problem(s)`);
      }
      if (problems.length > 0) throw new UserError(`${flags.file} is not a valid policy for ${bucket}:\n  - ${problems.join('\n  - ')}`);
      out.result({ valid: true, problems }, () => `${flags.file}: valid policy for ${bucket}`);
    });

  return new Command('policy')
    .description('get, set, delete or validate bucket policies (through the S3 API); simulate a request or explain a denial')
    .addCommand(get)
    .addCommand(set)
    .addCommand(del)
    .addCommand(validate)
    .addCommand(simulateCommand(io))
    .addCommand(explainCommand(io));
}
