import { open } from 'node:fs/promises';

/** fsyncs a directory so the entries renamed or created in it survive a power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
