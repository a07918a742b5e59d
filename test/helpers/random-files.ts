/** Random test payloads and their digests, streamed so big files never sit in memory. */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';

export const MiB = 1024 * 1024;

/** Writes `mib` MiB (fractions allowed) of random bytes to `path`; returns the sha256 hex. */
export async function makeRandomFile(path: string, mib: number): Promise<string> {
  return makeRandomFileBytes(path, Math.round(mib * MiB));
}

/** Writes exactly `size` random bytes to `path`; returns the sha256 hex. */
export async function makeRandomFileBytes(path: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  let left = size;
  while (left > 0) {
    const block = randomBytes(Math.min(left, MiB));
    hash.update(block);
    left -= block.length;
    if (!out.write(block)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return hash.digest('hex');
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: MiB })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function md5Hex(data: Uint8Array | string): string {
  return createHash('md5').update(data).digest('hex');
}
