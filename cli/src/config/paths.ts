/** Where anodectl keeps its own configuration: $XDG_CONFIG_HOME/anode, else ~/.config/anode. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;

export function configDir(env: Env): string {
  const xdg = env['XDG_CONFIG_HOME'];
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  if (xdg !== undefined && xdg.startsWith('/')) return join(xdg, 'anode');
  return join(env['HOME'] ?? homedir(), '.config', 'anode');
}

export function configFile(dir: string): string {
  return join(dir, 'config.yaml');
}
