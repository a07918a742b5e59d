/**
 * Streams a response body, as pipeline(source, res) does, but lets up to QUEUE_BYTES queue
 * on the socket before it waits for a drain, instead of the socket's 16 KiB high-water
 * mark. A body of small pieces (an encrypted object opens in 64 KiB segments) would
 * otherwise wait a full drain round trip after every piece, and the cipher and the socket
 * would take turns instead of overlapping: measured on encrypted 64 MiB GETs, 0.46 of the
 * plain rate with pipeline(), 0.70 with this. A plain body's 256 KiB reads go out four to
 * a drain. What a response holds stays bounded: QUEUE_BYTES on the socket plus one piece.
 */
import type { ServerResponse } from 'node:http';
import { finished } from 'node:stream/promises';

const QUEUE_BYTES = 1 << 20;

/**
 * Writes every piece of `source` to `res` and ends it. Rejects, as pipeline() does, when
 * the source fails (the response is destroyed: the client sees a cut body, never a short
 * one that looks whole) or the client goes away (ERR_STREAM_PREMATURE_CLOSE; the source
 * is closed, so an open chunk is released).
 */
export async function sendBody(source: AsyncIterable<Uint8Array>, res: ServerResponse): Promise<void> {
  const done = finished(res);
  done.catch(() => {}); // observed below, whichever way the loop ends
  try {
    for await (const piece of source) {
      if (res.destroyed) break; // `done` reports why
      res.write(piece);
      if (res.writableLength >= QUEUE_BYTES) await drained(res, done);
    }
    if (!res.destroyed) res.end();
  } catch (err) {
    res.destroy(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
  await done;
}

/** Resolves on the next 'drain'; rejects if the response fails or closes first. */
function drained(res: ServerResponse, done: Promise<void>): Promise<void> {
  let onDrain: () => void = () => {};
  const drain = new Promise<void>((resolve) => {
    onDrain = resolve;
    res.once('drain', onDrain);
  });
  return Promise.race([drain, done.then(() => Promise.reject(new Error('response finished before its body was written')))]).finally(() =>
    res.off('drain', onDrain),
  );
}
