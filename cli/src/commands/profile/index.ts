/** `anodectl profile list|use|delete`: the saved connections in config.yaml. */
import { Command } from 'commander';
import { contextFor, type CliIo } from '../../context.js';
import { configDir } from '../../config/paths.js';
import { loadCliConfig, saveCliConfig, validateProfileName } from '../../config/profiles.js';
import { openSecretStore } from '../../config/secret-store.js';
import { NotFoundError } from '../../errors.js';
import { confirmOrAbort } from '../../prompts.js';

export function profileCommand(io: CliIo): Command {
  const list = new Command('list')
    .description('list saved profiles (the current one is marked *)')
    .action(async (_f: unknown, command: Command) => {
      const { out } = contextFor(command, io);
      const config = await loadCliConfig(configDir(io.env));
      const rows = Object.entries(config.profiles).map(([name, p]) => ({
        name,
        current: name === config.currentProfile,
        endpoint: p.endpoint,
        access_key: p.accessKey ?? null,
        ca: p.ca ?? null,
      }));
      out.result({ current: config.currentProfile ?? null, profiles: rows }, (r) =>
        r.profiles.length === 0
          ? 'no profiles yet: anodectl login creates one'
          : out.table(
              [
                { header: '', value: (x: (typeof rows)[number]) => (x.current ? '*' : '') },
                { header: 'name', value: (x) => x.name },
                { header: 'endpoint', value: (x) => x.endpoint },
                { header: 'access key', value: (x) => x.access_key },
                { header: 'ca', value: (x) => x.ca, wide: true },
              ],
              r.profiles,
            ),
      );
    });

  const use = new Command('use')
    .description('make a profile the current one')
    .argument('<name>', 'profile name')
    .action(async (name: string, _f: unknown, command: Command) => {
      const { out } = contextFor(command, io);
      validateProfileName(name);
      const dir = configDir(io.env);
      const config = await loadCliConfig(dir);
      if (config.profiles[name] === undefined)
        throw new NotFoundError(`no profile named "${name}"`, { hint: 'anodectl profile list shows them' });
      config.currentProfile = name;
      await saveCliConfig(dir, config);
      out.result({ current: name }, () => `current profile: ${name}`);
    });

  const del = new Command('delete')
    .description('delete a profile and its stored secret')
    .argument('<name>', 'profile name')
    .action(async (name: string, _f: unknown, command: Command) => {
      const ctx = contextFor(command, io);
      validateProfileName(name);
      const dir = configDir(io.env);
      const config = await loadCliConfig(dir);
      if (config.profiles[name] === undefined) throw new NotFoundError(`no profile named "${name}"`);
      await confirmOrAbort(`Delete profile "${name}" and its stored secret?`, ctx.prompt);
      delete config.profiles[name];
      // The current profile went: with one left it becomes current; with several the operator picks.
      const left = Object.keys(config.profiles).sort();
      const wasCurrent = config.currentProfile === name;
      if (wasCurrent) {
        delete config.currentProfile;
        if (left.length === 1) config.currentProfile = left[0]!;
      }
      await saveCliConfig(dir, config);
      const secretDeleted = await openSecretStore(dir, io.env).delete(name);
      const current = config.currentProfile ?? null;
      ctx.out.result({ deleted: name, secret_deleted: secretDeleted, current }, () => {
        const head = `deleted profile ${name}${secretDeleted ? ' and its secret' : ''}`;
        if (!wasCurrent) return head;
        if (current !== null) return `${head}\ncurrent profile is now "${current}"`;
        if (left.length === 0) return `${head}\nno profile left: anodectl login creates one`;
        return `${head}\nno current profile now: choose one with anodectl profile use NAME (${left.join(', ')})`;
      });
    });

  return new Command('profile').description('list, switch and delete saved profiles').addCommand(list).addCommand(use).addCommand(del);
}
