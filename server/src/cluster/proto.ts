/** Loads proto/anode/cluster/v1/chunks.proto (shipped beside server/ in the repository and the package). */
import { fileURLToPath } from 'node:url';
import { loadSync, type Options } from '@grpc/proto-loader';
import { loadPackageDefinition, type ServiceDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';

/** server/src/cluster and server/dist/cluster are both three levels below the repository root. */
export const PROTO_FILE = fileURLToPath(new URL('../../../proto/anode/cluster/v1/chunks.proto', import.meta.url));

export const PROTO_OPTIONS: Options = { keepCase: true, longs: Number, enums: String, bytes: Buffer, defaults: true, oneofs: true };

let cached: ServiceClientConstructor | undefined;

/** The generated client constructor of anode.cluster.v1.ChunkService (its `.service` is the server definition). */
export function chunkServiceClient(): ServiceClientConstructor {
  if (cached === undefined) {
    const def = loadSync(PROTO_FILE, PROTO_OPTIONS);
    const pkg = loadPackageDefinition(def) as unknown as { anode: { cluster: { v1: GrpcObject } } };
    cached = pkg.anode.cluster.v1['ChunkService'] as ServiceClientConstructor;
  }
  return cached;
}

export function chunkServiceDefinition(): ServiceDefinition {
  return chunkServiceClient().service;
}
