/**
 * Copies the chunk files of a LocalChunkStore (`<data>/chunks/<shard>/<id>`) into a backup,
 * leaving out temporaries. Chunks are immutable once renamed into place, so copying them
 * after the metadata snapshot captures every chunk the snapshot references (GC deletes a
 * chunk only after trash_delay_seconds; a copy that ends before that is complete). Chunks
 * written after the snapshot are copied too and become orphans that GC removes after a
 * restore.
 */
import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isChunkId } from './chunk-id.js';

const SHARD = /^[0-9a-f]{2}$/;

export interface ChunkCopyResult {
  chunks: number;
  bytes: number;
}

export async function copyLocalChunks(dataDir: string, outDir: string): Promise<ChunkCopyResult> {
  const root = join(dataDir, 'chunks');
  let chunks = 0;
  let bytes = 0;
  let shards: string[];
  try {
    shards = (await readdir(root)).filter((s) => SHARD.test(s)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { chunks, bytes };
    throw err;
  }
  await mkdir(outDir, { recursive: true, mode: 0o750 });
  for (const shard of shards) {
    const names = (await readdir(join(root, shard))).filter((n) => isChunkId(n));
    if (names.length === 0) continue;
    await mkdir(join(outDir, shard), { mode: 0o750 });
    for (const name of names) {
      const target = join(outDir, shard, name);
      try {
        await copyFile(join(root, shard, name), target);
      } catch (err) {
        // Deleted by GC between the listing and the copy: no snapshot can reference it.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      chunks++;
      bytes += (await stat(target)).size;
    }
  }
  return { chunks, bytes };
}
