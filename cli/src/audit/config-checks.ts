/**
 * The config items: TLS or a TLS proxy, where the admin API listens, which proxies are
 * believed, mTLS between nodes, encryption at rest, logging. Pure: the effective config
 * (and, on the node's host, whether the files it names exist) in, verdicts out.
 */
import { addressScope, splitListen, type AddressScope } from './address.js';
import { result, skipAll, type CheckItem, type CheckResult } from './checks.js';
import type { LoadedConfig } from './deployment-config.js';
import type { FileFact } from './host-facts.js';
import type { GrpcProbe } from './grpc-probe.js';
import { parseCidr } from '../net/ip.js';

export const CONFIG_ITEMS = {
  s3Tls: {
    id: 'network.s3-tls',
    section: 'network',
    title: 'S3 API served over TLS (native or a TLS proxy)',
    fix: 'set [tls] cert and key (anodectl certs issue), or put a TLS-terminating proxy in front and list it in server.trusted_proxies',
  },
  adminListen: {
    id: 'network.admin-listen',
    section: 'network',
    title: 'admin API not on a public interface',
    fix: 'set server.admin_listen to 127.0.0.1:8081 or a management-network address, and firewall it (anodectl firewall)',
  },
  adminTls: {
    id: 'network.admin-tls',
    section: 'network',
    title: 'admin API off loopback only over TLS',
    fix: 'keep server.admin_listen on loopback, or set [tls] so new secrets never cross the network in clear',
  },
  trustedProxies: {
    id: 'network.trusted-proxies',
    section: 'network',
    title: 'trusted_proxies names only your proxies',
    fix: 'list only the proxies\' own addresses in server.trusted_proxies (e.g. "10.0.0.5/32"), never 0.0.0.0/0',
  },
  clusterMtls: {
    id: 'network.cluster-mtls',
    section: 'network',
    title: 'mutual TLS between cluster nodes (the live gRPC listener demands a client certificate)',
    fix: 'set [cluster] enable_tls = true with tls_cert, tls_key and tls_ca from anodectl certs, make sure the node is up, and run the checklist where grpc_listen is reachable',
  },
  sigv2: {
    id: 'authentication.sigv2-off',
    section: 'authentication',
    title: 'legacy Signature V2 refused',
    fix: 'set [auth] allow_sigv2 = false once the legacy client signs with SigV4 (aws configure set default.s3.signature_version s3v4)',
  },
  encryption: {
    id: 'data.encryption-at-rest',
    section: 'data',
    title: 'object data encrypted at rest',
    fix: 'set storage.encryption = true with a key provider (anodectl keys generate --out /etc/anode/encryption.key, or key_provider = "pkcs11"), or encrypt the data volume (LUKS/dm-crypt)',
  },
  accessLog: {
    id: 'monitoring.access-log',
    section: 'monitoring',
    title: 'S3 access log is on',
    fix: 'set logging.access_log to a path (not "off"), e.g. /var/log/anode/access.log',
  },
  auditLog: {
    id: 'monitoring.audit-log',
    section: 'monitoring',
    title: 'admin audit log is on',
    fix: 'set logging.audit_log to a path (not "off"), e.g. /var/log/anode/audit.log',
  },
} as const satisfies Record<string, CheckItem>;

export interface ConfigInput {
  loaded: LoadedConfig;
  /** Where the values came from, for the reasons ("/etc/anode/config.toml + environment of pid 12"). */
  source: string;
  /** On the node's host: the [cluster] cert/key/ca files as found (else undefined: not checked). */
  clusterFiles?: FileFact[] | undefined;
  /**
   * What the live gRPC listener (cluster.grpc_listen) did when asked for a TLS session
   * without a client certificate, or why it could not be asked. Only looked at when a
   * [cluster] section is configured.
   */
  clusterProbe?: GrpcProbe | { skipped: string } | undefined;
}

function scopeOf(listen: string): AddressScope | undefined {
  const parts = splitListen(listen);
  return parts === undefined ? undefined : addressScope(parts.host);
}

const SCOPE_TEXT: Record<AddressScope, string> = {
  loopback: 'loopback only',
  private: 'a private network',
  wildcard: 'every interface',
  public: 'a public address',
  hostname: 'a host name',
};

export function configChecks(input: ConfigInput | { skipped: string }): CheckResult[] {
  if ('skipped' in input) return skipAll(Object.values(CONFIG_ITEMS), input.skipped);
  const I = CONFIG_ITEMS;
  const { config, sectionsInFile } = input.loaded;
  const out: CheckResult[] = [];
  const tls = config.tls.cert !== '' && config.tls.key !== '';
  const proxies = config.server.trusted_proxies;
  const s3 = config.server.s3_listen;
  const admin = config.server.admin_listen;
  const s3Scope = scopeOf(s3);
  const adminScope = scopeOf(admin);

  // S3 plane: TLS, a proxy, or plain HTTP (a FAIL when it is reachable from outside).
  if (tls) out.push(result(I.s3Tls, 'PASS', `native TLS (tls.cert = ${config.tls.cert})`));
  else if (proxies.length > 0)
    out.push(result(I.s3Tls, 'WARN', `no native TLS; trusted_proxies is set (${proxies.join(', ')}): make sure the proxy terminates TLS`));
  else if (s3Scope === 'loopback') out.push(result(I.s3Tls, 'WARN', `plain HTTP, but s3_listen ${s3} is loopback only`));
  else if (s3Scope === 'private')
    out.push(result(I.s3Tls, 'WARN', `plain HTTP on a private network (s3_listen ${s3}): requests and data cross the LAN in clear`));
  else
    out.push(
      result(
        I.s3Tls,
        'FAIL',
        `plain HTTP on ${s3Scope === undefined ? 'an unparsable address' : SCOPE_TEXT[s3Scope]} (s3_listen ${s3}) and no proxy`,
      ),
    );

  // Admin plane address.
  if (adminScope === undefined) out.push(result(I.adminListen, 'FAIL', `server.admin_listen ${JSON.stringify(admin)} is not host:port`));
  else if (adminScope === 'loopback' || adminScope === 'private')
    out.push(result(I.adminListen, 'PASS', `admin_listen ${admin} is ${SCOPE_TEXT[adminScope]}`));
  else if (adminScope === 'hostname')
    out.push(
      result(I.adminListen, 'WARN', `admin_listen ${admin} is a host name: make sure it resolves to loopback or a management network`),
    );
  else out.push(result(I.adminListen, 'FAIL', `admin_listen ${admin} is ${SCOPE_TEXT[adminScope]}`));

  // Admin plane transport: secrets of new credentials are in its answers.
  if (adminScope === 'loopback') out.push(result(I.adminTls, 'PASS', `admin API is loopback only${tls ? ' (and TLS is on)' : ''}`));
  else if (tls) out.push(result(I.adminTls, 'PASS', `admin API on ${admin} uses TLS`));
  else if (proxies.length > 0)
    out.push(result(I.adminTls, 'WARN', `admin API on ${admin} without native TLS: only safe behind the TLS proxy`));
  else out.push(result(I.adminTls, 'FAIL', `admin API on ${admin} over plain HTTP: credential secrets cross the network in clear`));

  // Trusted proxies: a too-wide list lets any client forge aws:SourceIp / aws:SecureTransport.
  if (proxies.length === 0) out.push(result(I.trustedProxies, 'PASS', 'empty: X-Forwarded-For/-Proto are never believed'));
  else {
    const wide: string[] = [];
    const publicOnes: string[] = [];
    for (const text of proxies) {
      let cidr;
      try {
        cidr = parseCidr(text);
      } catch {
        wide.push(`${text} (not a CIDR)`);
        continue;
      }
      if (cidr.prefix < (cidr.family === 4 ? 8 : 32)) wide.push(text);
      else if (addressScope(cidr.address.text) === 'public') publicOnes.push(text);
    }
    if (wide.length > 0)
      out.push(result(I.trustedProxies, 'FAIL', `${wide.join(', ')} trusts far more than a proxy: any client there can forge its address`));
    else if (publicOnes.length > 0)
      out.push(result(I.trustedProxies, 'WARN', `${publicOnes.join(', ')} are public addresses: be sure they are your proxies`));
    else out.push(result(I.trustedProxies, 'PASS', `only ${proxies.join(', ')}`));
  }

  // Cluster mTLS: only meaningful when a [cluster] table is configured or cluster mode is on (N/A otherwise).
  // The config alone proves nothing: the verdict is what the live listener does.
  const grpc = config.cluster.grpc_listen;
  const probe = input.clusterProbe;
  if (!sectionsInFile.has('cluster') && !config.cluster.enabled)
    out.push(result(I.clusterMtls, 'SKIP', 'N/A: no [cluster] section: single node, no gRPC plane'));
  else if (!config.cluster.enable_tls)
    out.push(result(I.clusterMtls, 'FAIL', 'cluster.enable_tls = false: node-to-node traffic is unauthenticated plaintext'));
  else if ([config.cluster.tls_cert, config.cluster.tls_key, config.cluster.tls_ca].some((p) => p === ''))
    out.push(result(I.clusterMtls, 'FAIL', 'cluster.tls_cert, tls_key and tls_ca must all be set'));
  else if (input.clusterFiles !== undefined && input.clusterFiles.some((f) => !f.exists))
    out.push(
      result(
        I.clusterMtls,
        'FAIL',
        `missing: ${input.clusterFiles
          .filter((f) => !f.exists)
          .map((f) => f.path)
          .join(', ')}`,
      ),
    );
  else if (probe === undefined || 'skipped' in probe)
    out.push(result(I.clusterMtls, 'SKIP', `the gRPC listener ${grpc} was not checked: ${probe?.skipped ?? 'not probed'}`));
  else if (probe.kind === 'client-cert-required')
    out.push(result(I.clusterMtls, 'PASS', `the live gRPC listener demands a client certificate: ${probe.detail}`));
  else if (probe.kind === 'refused' || probe.kind === 'timeout')
    out.push(result(I.clusterMtls, 'FAIL', `cluster configured but ${probe.detail}: the gRPC plane is not up`));
  else if (probe.kind === 'not-tls') out.push(result(I.clusterMtls, 'FAIL', `the gRPC listener speaks no TLS: ${probe.detail}`));
  else out.push(result(I.clusterMtls, 'FAIL', `no client certificate required: ${probe.detail}`));

  out.push(
    config.auth.allow_sigv2
      ? result(I.sigv2, 'WARN', 'auth.allow_sigv2 = true: HMAC-SHA1 signatures that cover no body are accepted on the S3 plane')
      : result(I.sigv2, 'PASS', 'SigV2 requests are refused'),
  );
  out.push(
    config.storage.encryption
      ? result(I.encryption, 'PASS', `storage.encryption on (${config.storage.encryption_key})`)
      : result(I.encryption, 'WARN', 'storage.encryption is off: chunks are plaintext files on disk'),
  );
  out.push(
    config.logging.access_log === 'off'
      ? result(I.accessLog, 'FAIL', 'logging.access_log = "off"')
      : result(
          I.accessLog,
          'PASS',
          `access log ${config.logging.access_log === '' ? '<data_dir>/logs/access.log' : config.logging.access_log}`,
        ),
  );
  out.push(
    config.logging.audit_log === 'off'
      ? result(I.auditLog, 'FAIL', 'logging.audit_log = "off"')
      : result(I.auditLog, 'PASS', `audit log ${config.logging.audit_log === '' ? '<data_dir>/logs/audit.log' : config.logging.audit_log}`),
  );
  return out;
}
