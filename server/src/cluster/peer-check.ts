/** Per-call check of the calling peer, from the certificate it presented in the TLS handshake. */
import { status, type ServiceError } from '@grpc/grpc-js';
import type { AuthenticatedCall, CallAuthority } from './chunk-service.js';
import { serviceError } from './chunk-service.js';
import type { Membership } from './membership.js';
import { EKU_CLIENT_AUTH, hasEku, peerNames } from './tls.js';

export class PeerCheck implements CallAuthority {
  readonly #membership: Membership;
  readonly #tls: boolean;
  readonly #onRefused: ((peer: string, reason: string) => void) | undefined;

  constructor(membership: Membership, tls: boolean, onRefused?: (peer: string, reason: string) => void) {
    this.#membership = membership;
    this.#tls = tls;
    this.#onRefused = onRefused;
  }

  async check(call: AuthenticatedCall): Promise<ServiceError | null> {
    // insecure_dev: no certificates, so no identity to check (the start-up warning says so).
    if (!this.#tls) return null;
    const refuse = (code: status, reason: string): ServiceError => {
      this.#onRefused?.(call.getPeer(), reason);
      return serviceError(code, reason);
    };
    // The handshake rejected certificates that do not chain to tls_ca; an authorized
    // socket is the only way to get one here.
    const cert = call.getAuthContext().sslPeerCertificate;
    if (cert === undefined) return refuse(status.UNAUTHENTICATED, 'a client certificate signed by the cluster CA is required');
    if (!hasEku(cert, EKU_CLIENT_AUTH)) return refuse(status.PERMISSION_DENIED, 'the client certificate lacks the clientAuth EKU');
    const names = peerNames(cert);
    const member = await this.#membership.allowsPeer(names);
    if (member === null)
      return refuse(
        status.PERMISSION_DENIED,
        `${JSON.stringify(names[0] ?? '')} is not a member of this cluster, or was removed or isolated`,
      );
    return null;
  }
}
