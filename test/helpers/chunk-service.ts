/**
 * Calls to a node's gRPC ChunkService the way a peer makes them: over mutual TLS with a
 * certificate from the test CA, against the repository's own proto.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { REPO_ROOT } from './anode-node.js';
import type { ClusterCa } from './cluster-certs.js';

const PROTO = join(REPO_ROOT, 'proto', 'anode', 'cluster', 'v1', 'chunks.proto');

type Callback<T> = (e: grpc.ServiceError | null, r: T) => void;
interface ChunkServiceClient extends grpc.Client {
  Health(r: object, o: grpc.CallOptions, cb: Callback<{ serving: boolean }>): void;
  PutChunk(md: grpc.Metadata, o: grpc.CallOptions, cb: Callback<unknown>): grpc.ClientWritableStream<unknown>;
}

/** Client credentials presenting `name`'s certificate (issued by `ca.issue(name)`). */
export function nodeCredentials(ca: Pick<ClusterCa, 'dir' | 'caCert'>, name: string): grpc.ChannelCredentials {
  const dir = join(ca.dir, 'nodes');
  return grpc.credentials.createSsl(
    readFileSync(ca.caCert),
    readFileSync(join(dir, `${name}.key`)),
    readFileSync(join(dir, `${name}.crt`)),
    { checkServerIdentity: () => undefined },
  );
}

function client(port: number, creds: grpc.ChannelCredentials): ChunkServiceClient {
  const def = loadSync(PROTO, { keepCase: true, longs: Number, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { anode: { cluster: { v1: { ChunkService: grpc.ServiceClientConstructor } } } };
  return new pkg.anode.cluster.v1.ChunkService(`127.0.0.1:${port}`, creds) as unknown as ChunkServiceClient;
}

/** Health on the node at `port`; rejects with the gRPC error (UNAVAILABLE, PERMISSION_DENIED, ...). */
export function chunkServiceHealth(port: number, creds: grpc.ChannelCredentials): Promise<{ serving: boolean }> {
  const c = client(port, creds);
  return new Promise((resolve, reject) =>
    c.Health({}, { deadline: new Date(Date.now() + 3000) }, (err, res) => {
      c.close();
      if (err) reject(err);
      else resolve(res);
    }),
  );
}

/** PutChunk of `data` as `id`, recording nothing: what a coordinator does before it commits. */
export async function putChunk(port: number, creds: grpc.ChannelCredentials, id: string, data: Buffer): Promise<void> {
  const c = client(port, creds);
  try {
    await new Promise<void>((resolve, reject) => {
      const call = c.PutChunk(new grpc.Metadata(), { deadline: new Date(Date.now() + 10_000) }, (err) => (err ? reject(err) : resolve()));
      call.write({ begin: { chunk_id: id, size: data.length } });
      call.write({ data });
      call.write({ end: { sha256: createHash('sha256').update(data).digest() } });
      call.end();
    });
  } finally {
    c.close();
  }
}
