/**
 * A crypto worker thread: body digests (MD5 for the ETag, SHA-256, S3 checksums), and
 * AES-256-GCM segment sealing and opening (chunks/segment-cipher.ts), for the pool in
 * crypto-pool.ts. Results travel back as transferred ArrayBuffers, never copied.
 */
import { parentPort } from 'node:worker_threads';
import { BodyDigester } from '../util/checksums.js';
import {
  NONCE_BYTES,
  SEALED_SEGMENT_BYTES,
  SEGMENT_BYTES,
  SEGMENT_OVERHEAD,
  SegmentAuthError,
  ChunkCipher,
} from '../chunks/segment-cipher.js';
import type { DigestResult, WorkerReply, WorkerRequest } from './protocol.js';

const port = parentPort;
if (port === null) throw new Error('crypto-worker runs as a worker thread');

const digests = new Map<number, BodyDigester>();

const buf = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

function seal(key: Buffer, context: Buffer, first: number, final: boolean, plain: Buffer): Uint8Array {
  const segments = Math.max(1, Math.ceil(plain.length / SEGMENT_BYTES));
  const out = Buffer.allocUnsafeSlow(plain.length + segments * SEGMENT_OVERHEAD); // every byte is written
  const cipher = new ChunkCipher(key, context);
  for (let s = 0; s < segments; s++) {
    const part = plain.subarray(s * SEGMENT_BYTES, (s + 1) * SEGMENT_BYTES);
    const at = s * SEALED_SEGMENT_BYTES;
    out.set(part, at + NONCE_BYTES);
    cipher.sealInPlace(first + s, final && s === segments - 1, out.subarray(at, at + part.length + SEGMENT_OVERHEAD));
  }
  return out;
}

function open(key: Buffer, context: Buffer, first: number, segments: number, sealed: Buffer): Uint8Array {
  const out = Buffer.allocUnsafeSlow(Math.max(0, sealed.length - Math.ceil(sealed.length / SEALED_SEGMENT_BYTES) * SEGMENT_OVERHEAD));
  const cipher = new ChunkCipher(key, context);
  let at = 0;
  let index = first;
  for (let off = 0; off < sealed.length; off += SEALED_SEGMENT_BYTES, index++) {
    // In place: the sealed group was transferred here, and goes back to the pool as spent.
    const plain = cipher.openInPlace(index, index === segments - 1, sealed.subarray(off, off + SEALED_SEGMENT_BYTES));
    out.set(plain, at);
    at += plain.length;
  }
  return out;
}

function run(msg: WorkerRequest): { reply: WorkerReply; transfer: ArrayBuffer[] } {
  switch (msg.op) {
    case 'digest-open':
      digests.set(msg.body, new BodyDigester({ sha256: msg.sha256, ...(msg.checksum ? { checksum: msg.checksum } : {}) }));
      return { reply: { id: msg.id, ok: true }, transfer: [] };
    case 'digest-update': {
      const d = digests.get(msg.body);
      if (d === undefined) throw new Error(`no digest ${msg.body}`);
      d.update(msg.bytes);
      return { reply: { id: msg.id, ok: true, spent: msg.bytes }, transfer: [msg.bytes.buffer as ArrayBuffer] };
    }
    case 'digest-finish': {
      const d = digests.get(msg.body);
      if (d === undefined) throw new Error(`no digest ${msg.body}`);
      digests.delete(msg.body);
      const r = d.finish();
      // Copies that own their bytes: a small digest may sit in Node's 8 KiB pool, and cloning a view clones its whole buffer.
      const out: DigestResult = { size: r.size, md5: new Uint8Array(r.md5) };
      if (r.sha256) out.sha256 = new Uint8Array(r.sha256);
      if (r.checksum) out.checksum = new Uint8Array(r.checksum);
      return { reply: { id: msg.id, ok: true, digests: out }, transfer: [] };
    }
    case 'digest-drop':
      digests.delete(msg.body);
      return { reply: { id: msg.id, ok: true }, transfer: [] };
    case 'seal': {
      const out = seal(buf(msg.key), buf(msg.context), msg.first, msg.final, buf(msg.plain));
      return {
        reply: { id: msg.id, ok: true, bytes: out, spent: msg.plain },
        transfer: [out.buffer as ArrayBuffer, msg.plain.buffer as ArrayBuffer],
      };
    }
    case 'open': {
      const out = open(buf(msg.key), buf(msg.context), msg.first, msg.segments, buf(msg.sealed));
      return {
        reply: { id: msg.id, ok: true, bytes: out, spent: msg.sealed },
        transfer: [out.buffer as ArrayBuffer, msg.sealed.buffer as ArrayBuffer],
      };
    }
  }
}

port.on('message', (msg: WorkerRequest) => {
  try {
    const { reply, transfer } = run(msg);
    port.postMessage(reply, transfer);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    port.postMessage({ id: msg.id, ok: false, auth: err instanceof SegmentAuthError, message } satisfies WorkerReply);
  }
});
