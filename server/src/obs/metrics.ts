import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The Prometheus metrics DESIGN.md names, in one registry served at /metrics. */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'anode_requests_total',
    help: 'Requests by plane, method and status',
    labelNames: ['api', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'anode_request_duration_seconds',
    help: 'Request duration by plane and operation',
    labelNames: ['api', 'operation'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: 'anode_auth_failures_total',
    help: 'Authentication failures by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly permissionDenied = new Counter({
    name: 'anode_permission_denied_total',
    help: 'Requests refused by authorization',
    registers: [this.registry],
  });
  readonly bytesIn = new Counter({ name: 'anode_bytes_received_total', help: 'Object bytes received', registers: [this.registry] });
  readonly bytesOut = new Counter({ name: 'anode_bytes_sent_total', help: 'Response bytes sent', registers: [this.registry] });
  readonly readOnly = new Gauge({ name: 'anode_read_only', help: '1 when the node refuses writes', registers: [this.registry] });
  readonly decryptFailures = new Counter({
    name: 'anode_decrypt_failures_total',
    help: 'Chunk reads refused because a segment failed authentication (altered, swapped, cut or wrong key)',
    registers: [this.registry],
  });
  readonly lifecycleActions = new Counter({
    name: 'anode_lifecycle_actions_total',
    help: 'Versions, delete markers and uploads removed by lifecycle rules, and versions object lock kept',
    labelNames: ['action'] as const,
    registers: [this.registry],
  });
  readonly lifecycleLastRun = new Gauge({
    name: 'anode_lifecycle_last_run_timestamp_seconds',
    help: 'End of the last lifecycle run',
    registers: [this.registry],
  });
  readonly gcRuns = new Counter({ name: 'anode_gc_runs_total', help: 'Garbage collection runs', registers: [this.registry] });
  readonly gcChunksRemoved = new Counter({
    name: 'anode_gc_chunks_removed_total',
    help: 'Chunks removed by GC',
    registers: [this.registry],
  });
  readonly gcBytesFreed = new Counter({ name: 'anode_gc_bytes_freed_total', help: 'Bytes freed by GC', registers: [this.registry] });
  readonly gcLastRun = new Gauge({
    name: 'anode_gc_last_run_timestamp_seconds',
    help: 'End of the last GC run',
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'anode_rate_limited_total',
    help: 'Requests refused with SlowDown by the per-client limits',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly connectionsRefused = new Counter({
    name: 'anode_connections_refused_total',
    help: 'Connections refused by the open-connection caps',
    labelNames: ['api', 'reason'] as const,
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({
    name: 'anode_requests_in_flight',
    help: 'Requests being handled',
    labelNames: ['api'] as const,
    registers: [this.registry],
  });

  readonly auditChainOk = new Gauge({
    name: 'anode_audit_chain_ok',
    help: '1 while the audit hash chain is intact: the start-up check passed and no write or checkpoint failed',
    registers: [this.registry],
  });
  readonly auditCheckpoints = new Counter({
    name: 'anode_audit_checkpoints_total',
    help: 'Signed audit chain checkpoints written',
    registers: [this.registry],
  });
  readonly auditFailures = new Counter({
    name: 'anode_audit_failures_total',
    help: 'Audit log writes or checkpoint signatures that failed',
    registers: [this.registry],
  });
  readonly auditLastCheckpoint = new Gauge({
    name: 'anode_audit_last_checkpoint_timestamp_seconds',
    help: 'Time of the last signed audit checkpoint',
    registers: [this.registry],
  });
  readonly lockdown = new Gauge({
    name: 'anode_lockdown',
    help: '1 while an incident lockdown is in force (anonymous access refused)',
    registers: [this.registry],
  });
  readonly anonymousAllowed = new Gauge({
    name: 'anode_anonymous_access_enabled',
    help: '1 when public ACLs and "*" policies are honoured for unsigned requests',
    registers: [this.registry],
  });
  readonly objectsByKeyVersion = new Gauge({
    name: 'anode_objects_by_key_version',
    help: 'Stored data keys (objects, and the credential master key) wrapped by each key version',
    labelNames: ['key', 'version'] as const,
    registers: [this.registry],
  });
  readonly clusterUnderReplicated = new Gauge({
    name: 'anode_cluster_under_replicated_chunks',
    help: 'Chunks with fewer healthy replicas than the replication factor, as of the last repair pass',
    registers: [this.registry],
  });
  readonly clusterRepairedChunks = new Counter({
    name: 'anode_cluster_repaired_replicas_total',
    help: 'Replicas copied by repair',
    registers: [this.registry],
  });
  readonly clusterRepairBytes = new Counter({
    name: 'anode_cluster_repair_bytes_total',
    help: 'Bytes copied by repair',
    registers: [this.registry],
  });
  readonly clusterRepairFailures = new Counter({
    name: 'anode_cluster_repair_failures_total',
    help: 'Replica copies that repair could not make',
    registers: [this.registry],
  });
  readonly clusterScrubCorrupt = new Counter({
    name: 'anode_cluster_scrub_corrupt_chunks_total',
    help: 'Local replicas whose SHA-256 no longer matched (bit rot), found by scrub',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'anode_process_' });
  }
}
