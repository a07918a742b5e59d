/**
 * Messages between the request thread and a crypto worker (crypto-worker.ts). Every
 * request carries an id; the worker answers each with that id, in the order it received
 * them (a worker runs one task at a time), so a body's digest updates stay in order.
 */
import type { ChecksumAlgorithm } from '../metadata/types.js';

export type WorkerRequest =
  /** Starts a body digest held by this worker until `digest-finish`. */
  | { id: number; op: 'digest-open'; body: number; sha256: boolean; checksum: ChecksumAlgorithm | null }
  /** Feeds bytes to a body digest; `bytes` is a copy the request thread no longer uses. */
  | { id: number; op: 'digest-update'; body: number; bytes: Uint8Array }
  | { id: number; op: 'digest-finish'; body: number }
  /** Drops a body digest that will not be finished (a failed upload). */
  | { id: number; op: 'digest-drop'; body: number }
  /**
   * Seals `plain` as consecutive segments from index `first`; the last one carries the
   * final flag when `final` is true.
   */
  | { id: number; op: 'seal'; key: Uint8Array; context: Uint8Array; first: number; final: boolean; plain: Uint8Array }
  /**
   * Opens consecutive sealed segments from index `first`; `segments` is the chunk's count
   * (which one is final).
   */
  | { id: number; op: 'open'; key: Uint8Array; context: Uint8Array; first: number; segments: number; sealed: Uint8Array };

export interface DigestResult {
  size: number;
  md5: Uint8Array;
  sha256?: Uint8Array;
  checksum?: Uint8Array;
}

export type WorkerReply =
  /** `bytes`: the result; `spent`: the request's input buffer, handed back for reuse. */
  | { id: number; ok: true; bytes?: Uint8Array; spent?: Uint8Array; digests?: DigestResult }
  /** `auth`: a segment failed authentication (SegmentAuthError), else an internal error. */
  | { id: number; ok: false; auth: boolean; message: string };
