import { Command } from 'commander';
import type { CliIo } from '../../context.js';
import { confirmOrAbort } from '../../prompts.js';
import { adminSession } from '../login/session.js';
import { parseDurationFlag } from '../../parse.js';

/** The node's limit on --grace (server admin/handlers/credentials.ts MAX_GRACE_SECONDS). */
export const MAX_GRACE_SECONDS = 30 * 24 * 3600;
import { createdText } from './format.js';
import { configDir } from '../../config/paths.js';
import { loadCliConfig, saveCliConfig } from '../../config/profiles.js';
import { openSecretStore } from '../../config/secret-store.js';

export function rotateCommand(io: CliIo): Command {
  return new Command('rotate')
    .description('replace a key with a new one (same user, role and permissions); the old one stops now or after --grace')
    .argument('<access-key>', 'the key to rotate')
    .option('--grace <duration>', 'keep the old key working this long, e.g. 1h, 30m, 2d (default: revoke it now)')
    .action(async (accessKey: string, flags: { grace?: string }, command: Command) => {
      const grace =
        flags.grace === undefined
          ? 0
          : parseDurationFlag('--grace', flags.grace, { max: MAX_GRACE_SECONDS, what: 'a rotated key keeps working at most' });
      const s = await adminSession(command, io);
      if (grace === 0) await confirmOrAbort(`Rotate ${accessKey}? The old key stops working immediately.`, s.ctx.prompt);
      const rotated = await s.call((c) => c.rotateCredential(accessKey, { grace_seconds: grace }));
      // The key this command signed with: keep the profile working with the new one.
      let profileUpdated: string | null = null;
      const own = accessKey === s.credentials.accessKeyId;
      if (own && s.target.profile !== undefined && (s.target.credentialSource === 'keyring' || s.target.credentialSource === 'file')) {
        const dir = configDir(io.env);
        const store = openSecretStore(dir, io.env);
        await store.set(s.target.profile, rotated.credential.secret_key);
        const config = await loadCliConfig(dir);
        const profile = config.profiles[s.target.profile];
        if (profile !== undefined) {
          profile.accessKey = rotated.credential.access_key;
          await saveCliConfig(dir, config);
        }
        profileUpdated = s.target.profile;
        s.ctx.out.success(
          `profile "${profileUpdated}" now uses ${rotated.credential.access_key} (secret stored in ${store.describe(profileUpdated)})`,
        );
      } else if (own && s.target.credentialSource === 'env') {
        s.ctx.out.warn(
          `ANODE_ACCESS_KEY / ANODE_SECRET_KEY hold the rotated key: set them to the new key before ${grace === 0 ? 'the next command' : 'the grace period ends'}`,
        );
      }
      s.ctx.out.result({ ...rotated, profile_updated: profileUpdated }, (r) => {
        const old =
          r.previous.expires !== null
            ? `old key ${r.previous.access_key} works until ${r.previous.expires}`
            : `old key ${r.previous.access_key} revoked`;
        return `${createdText(s.ctx.out, r.credential)}\n${old}`;
      });
    });
}
