/**
 * Hand-written types of the messages in proto/anode/cluster/v1/chunks.proto, as
 * @grpc/proto-loader decodes them with PROTO_OPTIONS (./proto.ts): field names as in the
 * .proto (keepCase), uint64 as number, bytes as Buffer, a oneof's chosen field named by
 * `part`. ./messages.test.ts checks these field lists against the loaded .proto.
 */

export interface PutChunkBegin {
  chunk_id: string;
  size: number;
}
export interface PutChunkEnd {
  sha256: Buffer;
}
export type PutChunkRequest =
  { part?: 'begin'; begin: PutChunkBegin } | { part?: 'data'; data: Buffer } | { part?: 'end'; end: PutChunkEnd };
export interface PutChunkResponse {
  chunk_id: string;
  size: number;
}

export interface GetChunkRequest {
  chunk_id: string;
  has_range: boolean;
  start: number;
  end: number;
}
export interface GetChunkHeader {
  size: number;
}
export type GetChunkResponse = { part?: 'header'; header: GetChunkHeader } | { part?: 'data'; data: Buffer };

export interface DeleteChunksRequest {
  chunk_ids: string[];
}
export interface DeleteChunksResponse {
  bytes_freed: number;
}

export type ListChunksRequest = Record<string, never>;
export interface ChunkEntry {
  chunk_id: string;
  size: number;
  mtime_ms: number;
}
export interface ListChunksResponse {
  chunks: ChunkEntry[];
}

export interface VerifyChunkRequest {
  chunk_id: string;
}
export interface VerifyChunkResponse {
  found: boolean;
  size: number;
  sha256: Buffer;
}

export type NodeInfoRequest = Record<string, never>;
export interface NodeInfoResponse {
  node_id: string;
  version: string;
  chunks: number;
  bytes: number;
  free_disk_bytes: number;
}

export type HealthRequest = Record<string, never>;
export interface HealthResponse {
  serving: boolean;
}

/**
 * Every message's fields, as the .proto declares them (a oneof's members included). The
 * test compares this table with the loaded descriptor, so a field added on one side only
 * fails CI; the `satisfies` clauses tie it to the interfaces above.
 */
export const MESSAGE_FIELDS = {
  PutChunkBegin: ['chunk_id', 'size'] satisfies (keyof PutChunkBegin)[],
  PutChunkEnd: ['sha256'] satisfies (keyof PutChunkEnd)[],
  PutChunkRequest: ['begin', 'data', 'end'],
  PutChunkResponse: ['chunk_id', 'size'] satisfies (keyof PutChunkResponse)[],
  GetChunkRequest: ['chunk_id', 'has_range', 'start', 'end'] satisfies (keyof GetChunkRequest)[],
  GetChunkHeader: ['size'] satisfies (keyof GetChunkHeader)[],
  GetChunkResponse: ['header', 'data'],
  DeleteChunksRequest: ['chunk_ids'] satisfies (keyof DeleteChunksRequest)[],
  DeleteChunksResponse: ['bytes_freed'] satisfies (keyof DeleteChunksResponse)[],
  ListChunksRequest: [],
  ChunkEntry: ['chunk_id', 'size', 'mtime_ms'] satisfies (keyof ChunkEntry)[],
  ListChunksResponse: ['chunks'] satisfies (keyof ListChunksResponse)[],
  VerifyChunkRequest: ['chunk_id'] satisfies (keyof VerifyChunkRequest)[],
  VerifyChunkResponse: ['found', 'size', 'sha256'] satisfies (keyof VerifyChunkResponse)[],
  NodeInfoRequest: [],
  NodeInfoResponse: ['node_id', 'version', 'chunks', 'bytes', 'free_disk_bytes'] satisfies (keyof NodeInfoResponse)[],
  HealthRequest: [],
  HealthResponse: ['serving'] satisfies (keyof HealthResponse)[],
} as const;

/** The service's methods and whether each streams (client, server), as in the .proto. */
export const SERVICE_METHODS = {
  PutChunk: { requestStream: true, responseStream: false },
  GetChunk: { requestStream: false, responseStream: true },
  DeleteChunks: { requestStream: false, responseStream: false },
  ListChunks: { requestStream: false, responseStream: true },
  VerifyChunk: { requestStream: false, responseStream: false },
  NodeInfo: { requestStream: false, responseStream: false },
  Health: { requestStream: false, responseStream: false },
} as const;
