import { createReadStream } from 'node:fs';
import { mkdir, open, opendir, readdir, rename, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Dir } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ChunkInfo, ChunkMaintenance, ChunkRange, ChunkRef, ChunkStore, ChunkUsage, ChunkWriteOptions } from './chunk-store.js';
import { assertChunkId, isChunkId, newChunkId } from './chunk-id.js';
import { assertChunkRange } from './chunk-range.js';
import { CoalescedDirSync } from './dir-sync.js';
import { abortable } from './abortable.js';
import { ChunkError, ChunkNotFoundError, ChunkUnreadableError } from './errors.js';
import { SEALED_SEGMENT_BYTES } from './segment-cipher.js';

const DIR_MODE = 0o750;
const FILE_MODE = 0o640;
/**
 * Read buffers of about 256 KiB: 1 MiB ones were measured ~3x Node's 64 KiB default here, and
 * 256 KiB ones beat 1 MiB (64 MiB GETs alternated on two nodes: 477 vs 390 MiB/s at c=1) while
 * a GET stream holds a quarter of the memory (node RSS at c=32 with 64 MiB objects: 321 → 210
 * MiB). Exactly four sealed segments (segment-cipher.ts), 112 bytes over 256 KiB: an
 * encrypted chunk's reads start at a segment, so no segment straddles two reads, and the
 * encrypting view opens each where it lies instead of joining its two halves into a copy.
 */
const READ_HIGH_WATER_MARK = 4 * SEALED_SEGMENT_BYTES;
/** Incoming pieces are gathered up to this size per write syscall; bounds memory per write. */
const WRITE_BATCH_BYTES = 1 << 20;
/** Written bytes after which a background fdatasync starts (overlapping writeback with hashing). */
const EARLY_SYNC_BYTES = 16 << 20;
const TMP_DIR = '.tmp';
const SHARD = /^[0-9a-f]{2}$/;

/**
 * Chunks as files under `<data>/chunks/<first 2 hex of id>/<id>`. Writes land in
 * `chunks/.tmp/` and are renamed into place only once complete and fsync'd; the shard
 * directory is fsync'd before write() resolves, or, with deferSync, by sync() — which a
 * body of many chunks calls once at its end, so it pays one directory fsync per shard
 * touched, all in flight together, instead of one per chunk in series.
 * write() keeps references to the buffers its source yields until they are written (at
 * most ~2 MiB), so a source must not reuse a buffer after yielding it (Node streams don't).
 */
export class LocalChunkStore implements ChunkStore, ChunkMaintenance {
  readonly #root: string;
  readonly #tmp: string;
  readonly #ready: Promise<void>;
  readonly #knownShards = new Set<string>();
  readonly #dirSync = new CoalescedDirSync();
  /** Names of the temporaries this process is writing now (sweepTemporary leaves them). */
  readonly #writing = new Set<string>();

  /** `dataDir` is the node's data directory; chunks go to `<dataDir>/chunks`. */
  constructor(dataDir: string) {
    this.#root = join(dataDir, 'chunks');
    this.#tmp = join(this.#root, TMP_DIR);
    this.#ready = this.#init();
    // Surfaced by the first awaiting call (or open()); never an unhandled rejection.
    this.#ready.catch(() => {});
  }

  /** Creates the directories and returns a ready store. */
  static async open(dataDir: string): Promise<LocalChunkStore> {
    const store = new LocalChunkStore(dataDir);
    await store.#ready;
    return store;
  }

  async #init(): Promise<void> {
    await mkdir(this.#tmp, { recursive: true, mode: DIR_MODE });
  }

  #path(id: string): string {
    assertChunkId(id);
    return join(this.#root, id.slice(0, 2), id);
  }

  async write(source: AsyncIterable<Uint8Array>, options?: ChunkWriteOptions): Promise<ChunkRef> {
    options?.signal?.throwIfAborted();
    await this.#ready;
    const id = newChunkId();
    options?.onId?.(id);
    return this.#writeNamed(id, source, options);
  }

  /**
   * Stores a chunk under an id chosen by the caller: a cluster peer keeping its replica of a
   * chunk the coordinating node named. Same durability as write(); an existing chunk of that
   * id is replaced (ids are random, so only a retried copy of the same bytes can collide).
   */
  async writeAs(id: string, source: AsyncIterable<Uint8Array>, options?: Omit<ChunkWriteOptions, 'onId'>): Promise<ChunkRef> {
    assertChunkId(id);
    options?.signal?.throwIfAborted();
    await this.#ready;
    return this.#writeNamed(id, source, options);
  }

  /** The size of a committed chunk, or null if there is none by that id. */
  async size(id: string): Promise<number | null> {
    try {
      const s = await stat(this.#path(id));
      return s.isFile() ? s.size : null;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async #writeNamed(id: string, source: AsyncIterable<Uint8Array>, options?: ChunkWriteOptions): Promise<ChunkRef> {
    const signal = options?.signal;
    const tmpName = `${id}.${randomBytes(6).toString('hex')}`;
    const tmpPath = join(this.#tmp, tmpName);
    // A sweep of crash leftovers must never take a temporary this process is still writing,
    // however old (a slow upload) or however short the grace (gc.orphan_grace_seconds = 0).
    this.#writing.add(tmpName);
    const shard = join(this.#root, id.slice(0, 2));
    const finalPath = join(shard, id);
    let handle;
    try {
      handle = await open(tmpPath, 'wx', FILE_MODE);
    } catch (err) {
      this.#writing.delete(tmpName);
      throw err;
    }
    let handleOpen = true;
    let size = 0;
    // One batch may be in the kernel's hands while the next is gathered, so hashing in
    // the source and disk writes overlap; at most two batches are ever held in memory.
    let inFlight: Promise<void> | null = null;
    const writeback = new EarlyWriteback(handle);
    try {
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      for await (const piece of abortable(source, signal)) {
        if (piece.byteLength === 0) continue;
        pending.push(piece);
        pendingBytes += piece.byteLength;
        size += piece.byteLength;
        if (pendingBytes >= WRITE_BATCH_BYTES) {
          // Waiting for the previous batch is the backpressure: the source is not pulled
          // further until it is written, so memory stays bounded whatever the size.
          if (inFlight !== null) await inFlight;
          writeback.throwIfFailed();
          inFlight = writeAll(handle, pending, pendingBytes);
          inFlight.catch(() => {}); // observed by the next await; never unhandled
          writeback.wrote(pendingBytes, inFlight);
          pending = [];
          pendingBytes = 0;
        }
      }
      if (inFlight !== null) await inFlight;
      inFlight = null;
      await writeback.settle();
      if (pendingBytes > 0) await writeAll(handle, pending, pendingBytes);
      signal?.throwIfAborted();
      // The data must be on disk before the name points at it, or a crash could leave a
      // complete-looking chunk full of zeros that metadata later trusts.
      await handle.sync();
      handleOpen = false;
      await handle.close();
      await this.#ensureShard(shard);
      await rename(tmpPath, finalPath);
      this.#writing.delete(tmpName);
    } catch (err) {
      this.#writing.delete(tmpName);
      // A write still running must finish before the handle closes under it.
      if (inFlight !== null) await inFlight.catch(() => {});
      await writeback.settle().catch(() => {});
      if (handleOpen) await handle.close().catch(() => {});
      await unlink(tmpPath).catch(() => {});
      throw err;
    }
    // With deferSync the caller promises to call sync() before metadata references the
    // chunk: a body of many chunks then syncs each shard directory once, at its end.
    if (options?.deferSync === true) return { id, size };
    try {
      // The rename is only durable once the directory entry is; write() resolving is the
      // promise that metadata may now reference this chunk (the object survives power loss).
      await this.#dirSync.sync(shard);
    } catch (err) {
      await unlink(finalPath).catch(() => {});
      throw err;
    }
    return { id, size };
  }

  async sync(ids: readonly string[]): Promise<void> {
    const shards = new Set<string>();
    for (const id of ids) {
      assertChunkId(id);
      shards.add(join(this.#root, id.slice(0, 2)));
    }
    // One fsync per distinct shard, all in flight together: the file system can commit
    // them in one journal transaction, and CoalescedDirSync shares them with other writers.
    await Promise.all(
      [...shards].map((shard) =>
        this.#dirSync.sync(shard).catch((err: unknown) => {
          // No shard directory: no chunk of these ids is there to make durable.
          if (!isNotFound(err)) throw err;
        }),
      ),
    );
  }

  async #ensureShard(shard: string): Promise<void> {
    if (this.#knownShards.has(shard)) return;
    const created = await mkdir(shard, { recursive: true, mode: DIR_MODE });
    // A new shard directory is itself an entry of chunks/ that must survive a crash.
    if (created !== undefined) await this.#dirSync.sync(this.#root);
    this.#knownShards.add(shard);
  }

  async read(id: string, range?: ChunkRange): Promise<Readable> {
    const path = this.#path(id);
    if (range !== undefined) assertChunkRange(range);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      if (isNotFound(err)) throw new ChunkNotFoundError(id, { cause: err });
      throw new ChunkUnreadableError(id, errnoOf(err), { cause: err });
    }
    try {
      // Checked up front, one fstat on the open handle: a truncated file would otherwise end
      // the stream early, after the caller has promised a Content-Length.
      const s = await handle.stat();
      if (!s.isFile()) throw new ChunkUnreadableError(id, 'not a regular file');
      if (range !== undefined && range.end >= s.size) {
        throw new ChunkUnreadableError(id, `range ends at byte ${range.end} of a ${s.size}-byte chunk`);
      }
    } catch (err) {
      await handle.close().catch(() => {});
      throw err instanceof ChunkError ? err : new ChunkUnreadableError(id, errnoOf(err), { cause: err });
    }
    // The stream owns the handle from here (autoClose): closed at end, on error or destroy.
    return createReadStream(path, { fd: handle, highWaterMark: READ_HIGH_WATER_MARK, ...range });
  }

  async delete(id: string): Promise<number> {
    const path = this.#path(id);
    try {
      const { size } = await stat(path);
      await unlink(path);
      return size;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return 0;
    }
  }

  async *list(): AsyncIterable<ChunkInfo> {
    await this.#ready;
    const shards = (await readdir(this.#root)).filter((name) => SHARD.test(name)).sort();
    for (const shard of shards) {
      let entries: Dir;
      try {
        // Streamed, not readdir(): memory stays flat however many chunks a shard holds.
        entries = await opendir(join(this.#root, shard));
      } catch (err) {
        if (isNotFound(err)) continue;
        throw err;
      }
      for await (const entry of entries) {
        const name = entry.name;
        // Anything not named like a chunk of this shard is not ours to report (or delete).
        if (!isChunkId(name) || !name.startsWith(shard)) continue;
        try {
          const s = await stat(join(this.#root, shard, name));
          if (!s.isFile()) continue;
          yield { id: name, size: s.size, mtimeMs: s.mtimeMs };
        } catch (err) {
          if (!isNotFound(err)) throw err; // deleted meanwhile: skip
        }
      }
    }
  }

  async usage(): Promise<ChunkUsage> {
    let bytes = 0;
    let chunks = 0;
    for await (const chunk of this.list()) {
      bytes += chunk.size;
      chunks++;
    }
    return { bytes, chunks };
  }

  async sweepTemporary(olderThanMs: number): Promise<number> {
    await this.#ready;
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    for (const name of await readdir(this.#tmp)) {
      if (this.#writing.has(name)) continue;
      const path = join(this.#tmp, name);
      try {
        const s = await stat(path);
        if (!s.isFile() || s.mtimeMs >= cutoff) continue;
        await unlink(path);
        removed++;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return removed;
  }
}

/**
 * Background fdatasync every EARLY_SYNC_BYTES, so the page cache is written back while the
 * source is still being read and hashed, and the final fsync has only the tail to flush.
 * A failure is kept and rethrown, never dropped: after a failed fsync Linux may report the
 * next one as clean although the data is lost.
 */
class EarlyWriteback {
  readonly #handle: FileHandle;
  #running: Promise<void> | null = null;
  #unsynced = 0;
  #failure: { error: unknown } | null = null;

  constructor(handle: FileHandle) {
    this.#handle = handle;
  }

  /** Records `bytes` handed to `write`; starts a datasync after it if enough piled up. */
  wrote(bytes: number, write: Promise<void>): void {
    this.#unsynced += bytes;
    if (this.#unsynced < EARLY_SYNC_BYTES || this.#running !== null) return;
    this.#unsynced = 0;
    this.#running = write
      .then(() => this.#handle.datasync())
      .then(
        () => {
          this.#running = null;
        },
        (error: unknown) => {
          this.#failure ??= { error };
          this.#running = null;
        },
      );
  }

  throwIfFailed(): void {
    if (this.#failure !== null) throw this.#failure.error;
  }

  /** Waits for the datasync in flight, then rethrows any failure. */
  async settle(): Promise<void> {
    if (this.#running !== null) await this.#running;
    this.throwIfFailed();
  }
}

/** Writes every byte of `pieces` (a short write is continued, never dropped). */
async function writeAll(handle: FileHandle, pieces: Uint8Array[], total: number): Promise<void> {
  let { bytesWritten } = await handle.writev(pieces);
  if (bytesWritten === total) return;
  const rest = Buffer.concat(pieces).subarray(bytesWritten);
  let offset = 0;
  while (offset < rest.byteLength) {
    ({ bytesWritten } = await handle.write(rest, offset, rest.byteLength - offset));
    offset += bytesWritten;
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === 'ENOENT';
}

function errnoOf(err: unknown): string {
  return (err as NodeJS.ErrnoException | undefined)?.code ?? 'read failed';
}
