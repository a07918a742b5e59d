/** Failures of the cluster's data path, kept free of the S3 and admin planes. */

/** Fewer replicas than the write quorum could take a chunk. */
export class QuorumError extends Error {
  override readonly name = 'QuorumError';
  readonly code = 'ClusterQuorum';
  readonly durable: number;
  readonly needed: number;
  constructor(message: string, durable: number, needed: number, options?: { cause?: unknown }) {
    super(message, options);
    this.durable = durable;
    this.needed = needed;
  }
}

/** A peer refused or failed a call; `grpcCode` is the gRPC status code. */
export class PeerError extends Error {
  override readonly name = 'PeerError';
  readonly nodeId: string;
  readonly grpcCode: number | undefined;
  constructor(nodeId: string, message: string, grpcCode: number | undefined, options?: { cause?: unknown }) {
    super(`node ${nodeId}: ${message}`, options);
    this.nodeId = nodeId;
    this.grpcCode = grpcCode;
  }
}
