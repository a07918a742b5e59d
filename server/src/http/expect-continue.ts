import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * `Expect: 100-continue`. The listener no longer answers 100 by itself: a request refused
 * before its body is read (bad signature, no permission, too large) gets its final answer
 * instead, and the client never sends the body. A body reader calls sendContinue() right
 * before it starts reading.
 */
const continued = new WeakSet<IncomingMessage>();

function expectsContinue(req: IncomingMessage): boolean {
  return req.headers.expect?.toLowerCase() === '100-continue';
}

/** Tells the client to send its body, once, if it asked to be told. */
export function sendContinue(req: IncomingMessage, res: ServerResponse): void {
  if (!expectsContinue(req) || continued.has(req) || res.headersSent) return;
  continued.add(req);
  res.writeContinue();
}

/** True while the client holds its body back waiting for our 100 Continue. */
export function awaitingContinue(req: IncomingMessage): boolean {
  return expectsContinue(req) && !continued.has(req);
}
