import { randomBytes } from 'node:crypto';

/** A chunk id is 32 lowercase hex characters (128 random bits); nothing else ever names a file. */
const CHUNK_ID = /^[0-9a-f]{32}$/;

/** Kept free of @anode/shared so storage tests run from sources without a build. */
export class InvalidChunkIdError extends Error {
  override name = 'InvalidChunkIdError';
}

export function newChunkId(): string {
  return randomBytes(16).toString('hex');
}

export function isChunkId(id: string): boolean {
  return CHUNK_ID.test(id);
}

/** Throws unless `id` is a well-formed chunk id; the guard before any path is built from it. */
export function assertChunkId(id: string): void {
  // The id is not echoed: it may come from corrupted metadata and end up in a log line.
  if (!isChunkId(id)) throw new InvalidChunkIdError('invalid chunk id');
}
