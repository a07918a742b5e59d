/**
 * Clients of the other members' gRPC servers, one channel per member, dialled at its
 * advertised address. The server's certificate must chain to tls_ca, carry the serverAuth
 * EKU and name the member we meant to reach (its CN or a DNS SAN), whatever address it
 * was reached at. A TLS reload replaces every channel (calls in flight finish on the old).
 */
import { createSecureContext, type PeerCertificate } from 'node:tls';
import { Client, credentials, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js';
import { CONNECTION_WINDOW_BYTES } from './flow-control.js';
import { chunkServiceClient } from './proto.js';
import { contextOptions, EKU_SERVER_AUTH, hasEku, peerNames, type TlsReloader } from './tls.js';

export const GRPC_CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.max_receive_message_length': 8 << 20,
  'grpc.max_send_message_length': 8 << 20,
  'grpc.keepalive_time_ms': 10_000,
  // A ping answered late is a busy peer, not a dead one: at 5 s, loaded nodes (a ping queued
  // behind megabytes of chunk data and a late event loop) dropped whole connections and
  // every transfer on them. Dead peers are found by heartbeats and call deadlines; this only
  // has to catch a half-open connection.
  'grpc.keepalive_timeout_ms': 20_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': 5_000,
  // A peer that was down is dialled again within seconds of its return, not minutes.
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.min_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': 2000,
  // The client's receive windows (GetChunk bodies); the server's are raised in flow-control.ts.
  'grpc-node.flow_control_window': CONNECTION_WINDOW_BYTES,
};

/** How long a replaced channel stays open for the calls still on it. */
const RETIRE_AFTER_MS = 60_000;

export interface PeerAddress {
  nodeId: string;
  advertise: string;
  /** When the peer's process started: a restarted peer gets a fresh channel. */
  startedAt?: Date;
}

export class PeerClients {
  readonly #tls: TlsReloader | null;
  readonly #clients = new Map<string, { key: string; client: Client }>();
  readonly #retiring = new Set<Client>();

  constructor(tls: TlsReloader | null) {
    this.#tls = tls;
    tls?.onReload(() => this.resetAll());
  }

  #credentials(nodeId: string): ChannelCredentials {
    if (this.#tls === null) return credentials.createInsecure();
    const context = createSecureContext(contextOptions(this.#tls.material));
    return credentials.createFromSecureContext(context, {
      checkServerIdentity: (_host: string, cert: PeerCertificate) => {
        if (!peerNames(cert).includes(nodeId)) return new Error(`the server's certificate does not name node ${nodeId}`);
        if (!hasEku(cert, EKU_SERVER_AUTH)) return new Error(`node ${nodeId}'s certificate lacks the serverAuth EKU`);
        return undefined;
      },
    });
  }

  /** The channel to `peer` (a new one if its address changed). */
  client(peer: PeerAddress): Client {
    const key = `${peer.advertise} ${peer.startedAt?.getTime() ?? ''}`;
    const known = this.#clients.get(peer.nodeId);
    if (known !== undefined && known.key === key) return known.client;
    if (known !== undefined) this.#retire(known.client);
    const Ctor = chunkServiceClient();
    // SNI and the name checked carry the node id, not the address dialled.
    const options = this.#tls === null ? GRPC_CHANNEL_OPTIONS : { ...GRPC_CHANNEL_OPTIONS, 'grpc.ssl_target_name_override': peer.nodeId };
    const client = new Ctor(peer.advertise, this.#credentials(peer.nodeId), options);
    this.#clients.set(peer.nodeId, { key, client });
    return client;
  }

  /** Forgets every channel: the next call dials with the current certificate. */
  resetAll(): void {
    for (const { client } of this.#clients.values()) this.#retire(client);
    this.#clients.clear();
  }

  #retire(client: Client): void {
    this.#retiring.add(client);
    setTimeout(() => {
      this.#retiring.delete(client);
      client.close();
    }, RETIRE_AFTER_MS).unref();
  }

  close(): void {
    for (const { client } of this.#clients.values()) client.close();
    for (const client of this.#retiring) client.close();
    this.#clients.clear();
    this.#retiring.clear();
  }
}
