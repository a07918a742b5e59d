/**
 * The configuration keys, their types and defaults. One table drives TOML validation,
 * ANODE_<SECTION>_<KEY> environment overrides and the docs (man/anode-config.5).
 */
export type KeyType = 'string' | 'boolean' | 'integer' | 'string[]';

export interface KeySpec {
  type: KeyType;
  default: string | boolean | number | string[];
  doc: string;
}

export const CONFIG_SCHEMA = {
  server: {
    s3_listen: { type: 'string', default: '0.0.0.0:8080', doc: 'host:port of the S3 API' },
    admin_listen: { type: 'string', default: '127.0.0.1:8081', doc: 'host:port of the admin API, /metrics and /health' },
    data_dir: { type: 'string', default: './anode-data', doc: 'chunks and metadata live here (never the keys that unseal them)' },
    region: { type: 'string', default: 'us-east-1', doc: 'the region in SigV4 scopes and GetBucketLocation' },
    domain: { type: 'string', default: '', doc: 'base domain for virtual-hosted-style requests (bucket.domain)' },
    trusted_proxies: { type: 'string[]', default: [], doc: 'CIDRs whose X-Forwarded-For/-Proto headers are believed' },
    request_timeout_seconds: { type: 'integer', default: 60, doc: 'idle time on a request body before 400 RequestTimeout' },
    request_deadline_seconds: {
      type: 'integer',
      default: 10800,
      doc: 'longest time to receive one whole request (headers and body), 0 for none; fits a 5 GiB part at 0.5 MiB/s',
    },
    max_connections: { type: 'integer', default: 4096, doc: 'open connections per listener; more get 503 and are closed' },
    max_connections_per_client: {
      type: 'integer',
      default: 512,
      doc: 'open connections from one client address per listener (trusted proxies exempt)',
    },
    shutdown_timeout_seconds: { type: 'integer', default: 30, doc: 'how long SIGTERM waits for requests in flight' },
    workers: {
      type: 'integer',
      default: 0,
      doc: 'worker threads hashing and encrypting large bodies: -1 one per CPU, 0 or 1 (the default) inline on the request thread',
    },
  },
  auth: {
    allow_sigv2: {
      type: 'boolean',
      default: false,
      doc: 'accept legacy Signature V2 (HMAC-SHA1; aws-cli v1 presign, old s3cmd) on the S3 plane; the checklist warns',
    },
    anonymous: {
      type: 'boolean',
      default: true,
      doc: 'honour public ACLs and "*" bucket policies for unsigned requests; false refuses every anonymous request',
    },
    master_key_file: {
      type: 'string',
      default: '',
      doc: 'key file sealing credential secrets when no key provider is configured; never inside data_dir (default $XDG_CONFIG_HOME/anode/master.key, else ~/.config/anode/master.key, else /etc/anode/master.key)',
    },
  },
  tls: {
    cert: { type: 'string', default: '', doc: 'PEM certificate for native TLS on the S3 and admin planes' },
    key: { type: 'string', default: '', doc: 'PEM private key for native TLS' },
  },
  cluster: {
    enabled: {
      type: 'boolean',
      default: false,
      doc: 'cluster mode: chunks replicated over the gRPC plane (needs metadata_backend = "postgres")',
    },
    node_id: { type: 'string', default: '', doc: "this node's id among the members (default: the CN of tls_cert)" },
    grpc_listen: { type: 'string', default: '0.0.0.0:9090', doc: 'host:port of the node-to-node gRPC plane (cluster mode)' },
    advertise: { type: 'string', default: '', doc: 'host:port the other nodes dial for gRPC (default: grpc_listen)' },
    zone: { type: 'string', default: '', doc: 'failure zone of this node; replicas go to distinct zones where zones exist' },
    replication_factor: { type: 'integer', default: 3, doc: 'copies of every chunk (capped by the active nodes)' },
    write_quorum: { type: 'integer', default: 0, doc: 'durable copies before a write succeeds (0: a majority of replication_factor)' },
    heartbeat_interval_ms: { type: 'integer', default: 1000, doc: 'how often a node writes its heartbeat to PostgreSQL' },
    down_after_seconds: { type: 'integer', default: 5, doc: 'a node whose last heartbeat is older than this is down' },
    rpc_timeout_ms: {
      type: 'integer',
      default: 10000,
      doc: 'deadline of one gRPC call without a body; a chunk transfer gets 4 s more per MiB',
    },
    repair_interval_seconds: {
      type: 'integer',
      default: 60,
      doc: 'how often a node looks for under-replicated chunks (0 disables the schedule)',
    },
    repair_grace_seconds: { type: 'integer', default: 300, doc: 'a down node still counts as holding its replicas for this long' },
    repair_bytes_per_second: { type: 'integer', default: 104857600, doc: 'bytes per second repair and scrub may read, per node' },
    scrub_interval_seconds: { type: 'integer', default: 604800, doc: 'how often a node re-hashes its own chunks for bit rot (0 disables)' },
    insecure_dev: {
      type: 'boolean',
      default: false,
      doc: 'allow enable_tls = false (development only: the checklist FAILs, a warning at every start)',
    },
    enable_tls: { type: 'boolean', default: true, doc: 'mutual TLS between nodes (cluster mode)' },
    tls_cert: { type: 'string', default: '/etc/anode/certs/node.crt', doc: 'node certificate for gRPC' },
    tls_key: { type: 'string', default: '/etc/anode/certs/node.key', doc: 'node key for gRPC' },
    tls_ca: { type: 'string', default: '/etc/anode/certs/ca.crt', doc: 'CA that signs every node certificate' },
  },
  storage: {
    metadata_backend: { type: 'string', default: 'sqlite', doc: 'sqlite (embedded) or postgres' },
    postgres_url: { type: 'string', default: '', doc: 'connection string when metadata_backend = "postgres"' },
    postgres_pool_size: { type: 'integer', default: 10, doc: 'PostgreSQL connections per node' },
    chunk_size_mib: {
      type: 'integer',
      default: 8,
      doc: 'object bodies are stored as chunks of this many MiB (1 to 1024); changing it affects new writes only',
    },
    inline_max_kib: {
      type: 'integer',
      default: 16,
      doc: 'bodies up to this many KiB are kept in the metadata row instead of a chunk file (0 to 1024; 0 = never); new writes only',
    },
    encryption: {
      type: 'boolean',
      default: false,
      doc: 'encrypt every new object and its user metadata at rest (SSE-S3, key "default"); older plaintext objects stay readable',
    },
    encryption_key: {
      type: 'string',
      default: '/etc/anode/encryption.key',
      doc: 'key file (32 random bytes, raw, hex or base64; mode 0600 or 0400) the key-encryption keys are derived from',
    },
    encryption_algorithm: { type: 'string', default: 'AES-256-GCM', doc: 'cipher for encryption at rest (only AES-256-GCM)' },
    sse_c_require_tls: {
      type: 'boolean',
      default: true,
      doc: 'refuse SSE-C (customer keys) over plain HTTP, as AWS does; false only for test rigs',
    },
    master_key: { type: 'string', default: '', doc: 'deprecated name of auth.master_key_file (used when that is empty)' },
    key_provider: {
      type: 'string',
      default: '',
      doc: 'where key-encryption keys live: "file" (the encryption_key file) or "pkcs11" (an HSM); "" = "file" when encryption is on, else none',
    },
    pkcs11_module: { type: 'string', default: '/usr/lib/softhsm/libsofthsm2.so', doc: 'PKCS#11 module (.so) when key_provider = "pkcs11"' },
    pkcs11_slot: { type: 'integer', default: -1, doc: 'PKCS#11 slot id holding the token (-1: the first token, or pkcs11_token_label)' },
    pkcs11_token_label: { type: 'string', default: '', doc: 'PKCS#11 token label (wins over pkcs11_slot when set)' },
    pkcs11_pin_file: {
      type: 'string',
      default: '',
      doc: 'file holding the PKCS#11 user PIN (0600); the env ANODE_PKCS11_PIN wins; the PIN is never logged',
    },
  },
  logging: {
    level: { type: 'string', default: 'info', doc: 'server log level (stdout): debug, info, warn, error' },
    access_log: { type: 'string', default: '', doc: 'JSON-lines access log (default <data_dir>/logs/access.log; "off" disables)' },
    access_log_format: { type: 'string', default: 'json', doc: 'only json is supported' },
    audit_log: { type: 'string', default: '', doc: 'JSON-lines audit log (default <data_dir>/logs/audit.log)' },
  },
  limits: {
    auth_failures_per_second: {
      type: 'integer',
      default: 5,
      doc: 'failed authentications allowed per client address per second, 0 for no limit; past it 503 SlowDown',
    },
    auth_failure_burst: { type: 'integer', default: 50, doc: 'failed authentications one address may make at once' },
    anonymous_per_second: {
      type: 'integer',
      default: 200,
      doc: 'anonymous requests allowed per client address per second, 0 for no limit; past it 503 SlowDown',
    },
    anonymous_burst: { type: 'integer', default: 1000, doc: 'anonymous requests one address may make at once' },
  },
  audit: {
    sign_interval_seconds: {
      type: 'integer',
      default: 60,
      doc: 'how often the node signs the audit chain head with its Ed25519 audit key (0: only on shutdown and rotation)',
    },
  },
  gc: {
    interval_seconds: { type: 'integer', default: 3600, doc: 'scheduled GC period (0 disables the schedule)' },
    orphan_grace_seconds: { type: 'integer', default: 3600, doc: 'unreferenced chunks younger than this are kept (uploads in flight)' },
    trash_delay_seconds: { type: 'integer', default: 300, doc: 'replaced chunks are deleted after this delay (reads in flight)' },
    upload_expiry_seconds: { type: 'integer', default: 604800, doc: 'incomplete multipart uploads older than this are aborted' },
  },
  lifecycle: {
    interval_seconds: { type: 'integer', default: 3600, doc: 'how often bucket lifecycle rules are applied (0 disables them)' },
  },
} as const satisfies Record<string, Record<string, KeySpec>>;

type Schema = typeof CONFIG_SCHEMA;
type ValueOf<T extends KeyType> = T extends 'string' ? string : T extends 'boolean' ? boolean : T extends 'integer' ? number : string[];

export type Config = {
  [S in keyof Schema]: { [K in keyof Schema[S]]: Schema[S][K] extends { type: infer T extends KeyType } ? ValueOf<T> : never };
};
