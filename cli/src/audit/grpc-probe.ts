/**
 * Asks the live gRPC (cluster) listener whether it really demands mutual TLS: connect,
 * start a TLS handshake offering no client certificate, and see what happens. A listener
 * that requires client certificates refuses us (TLS 1.2: during the handshake; TLS 1.3:
 * with a certificate_required alert right after it); one that lets the session stay up
 * accepts anyone who can reach the port. Never throws: every outcome is a verdict.
 */
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export type GrpcProbe =
  | { kind: 'refused'; detail: string }
  | { kind: 'timeout'; detail: string }
  | { kind: 'not-tls'; detail: string }
  | { kind: 'no-client-cert-required'; detail: string }
  | { kind: 'client-cert-required'; detail: string };

/** How long the session must survive, after the handshake, for "no client cert required". */
const SETTLE_MS = 750;

function codeOf(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  return typeof e.code === 'string' ? e.code : String(e.message ?? err);
}

const CERT_REQUIRED =
  /certificate required|CERTIFICATE_REQUIRED|alert number 116|handshake failure|HANDSHAKE_FAILURE|peer did not return a certificate/i;

export async function probeGrpcMtls(host: string, port: number, timeoutMs = 3000): Promise<GrpcProbe> {
  // TCP first, so "nothing listening" is told apart from a TLS failure.
  const tcp = await new Promise<GrpcProbe | null>((resolve) => {
    const s = netConnect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ kind: 'timeout', detail: `no answer from ${host}:${port} within ${timeoutMs} ms` });
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve(null);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      resolve({ kind: 'refused', detail: `nothing listening on ${host}:${port} (${codeOf(err)})` });
    });
  });
  if (tcp !== null) return tcp;

  return new Promise<GrpcProbe>((resolve) => {
    let done = false;
    const finish = (p: GrpcProbe): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(p);
    };
    // No client certificate, and the server's not verified: we ask what it demands of us.
    const socket = tlsConnect({
      host,
      port,
      rejectUnauthorized: false,
      ALPNProtocols: ['h2'],
      ...(isIp(host) ? {} : { servername: host }),
    });
    const timer = setTimeout(
      () => finish({ kind: 'timeout', detail: `TLS handshake with ${host}:${port} did not finish in ${timeoutMs} ms` }),
      timeoutMs,
    );
    let handshaken = false;
    socket.once('secureConnect', () => {
      handshaken = true;
      // TLS 1.3 completes the client's side before the server has judged its certificate:
      // give the server time to send its alert, and poke it so the alert is read.
      socket.write(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
      setTimeout(
        () =>
          finish({
            kind: 'no-client-cert-required',
            detail: `${host}:${port} completed a TLS session (${socket.getProtocol() ?? 'TLS'}) with a client that offered no certificate`,
          }),
        SETTLE_MS,
      ).unref();
    });
    socket.on('data', () => undefined);
    socket.once('error', (err) => {
      const text = `${codeOf(err)} ${String((err as Error).message)}`;
      if (CERT_REQUIRED.test(text) || (handshaken && /ECONNRESET|EPIPE/.test(text)))
        finish({ kind: 'client-cert-required', detail: `${host}:${port} refused a client without a certificate (${codeOf(err)})` });
      else if (!handshaken) finish({ kind: 'not-tls', detail: `no TLS on ${host}:${port} (${codeOf(err)})` });
      else
        finish({
          kind: 'client-cert-required',
          detail: `${host}:${port} closed the session of a client without a certificate (${codeOf(err)})`,
        });
    });
    socket.once('close', () => {
      if (handshaken)
        finish({ kind: 'client-cert-required', detail: `${host}:${port} closed the session of a client without a certificate` });
      else finish({ kind: 'not-tls', detail: `${host}:${port} closed the connection during the TLS handshake` });
    });
  });
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
