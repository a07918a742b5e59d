import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { ChunkStore } from '../chunks/chunk-store.js';
import type { MetadataStore } from '../metadata/types.js';
import type { CredentialService } from '../model/credentials.js';
import type { NodeState } from '../model/node-state.js';
import type { BucketWrites } from '../model/bucket-writes.js';
import type { TokenBuckets } from '../util/token-buckets.js';
import type { ObjectService } from '../model/object-service.js';
import type { JsonLinesLog } from '../obs/json-lines-log.js';
import type { Metrics } from '../obs/metrics.js';
import type { Cidr } from '../util/cidr.js';
import type { AuditLog } from '../obs/audit-log.js';
import type { DenialTraces } from '../obs/denials.js';
import type { LockdownState } from '../model/lockdown.js';

/** What the S3 plane needs, built once by main.ts. */
export interface S3Deps {
  config: Config;
  metadata: MetadataStore;
  chunks: ChunkStore;
  credentials: CredentialService;
  node: NodeState;
  /** Per client address: failed authentications and anonymous requests (limits.*). */
  clientLimits: { authFailures: TokenBuckets; anonymous: TokenBuckets };
  /** Writes streaming into each bucket on this node (DeleteBucket waits for none). */
  bucketWrites: BucketWrites;
  /** The object write flow (put, copy, multipart, delete). */
  objects: ObjectService;
  accessLog: JsonLinesLog;
  audit: AuditLog;
  metrics: Metrics;
  logger: Logger;
  trustedProxies: Cidr[];
  /** Whether this listener itself is TLS. */
  tls: boolean;
  /** The active incident lockdown, if any (unsigned requests refused while it lasts). */
  lockdown?: LockdownState;
  /** Decision traces of recent denials, for `anodectl policy explain REQUEST-ID`. */
  denials?: DenialTraces;
}
