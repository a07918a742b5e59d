/**
 * Items no program can check from here. They are always MANUAL (never PASS): the
 * report lists them so that an operator signs them off by hand.
 */
import { result, type CheckItem, type CheckResult } from './checks.js';

export const MANUAL_ITEMS = {
  accessReview: {
    id: 'authorization.access-review',
    section: 'authorization',
    title: 'credentials and bucket grants reviewed',
    fix: 'each quarter, review anodectl credentials list --all and anodectl buckets permissions get BUCKET with each bucket owner',
  },
  firewall: {
    id: 'network.firewall',
    section: 'network',
    title: 'host firewall applied',
    fix: 'apply anodectl firewall --format nftables --cluster-cidr ... --admin-cidr ... and check it survives a reboot',
  },
  diskEncryption: {
    id: 'data.disk-encryption',
    section: 'data',
    title: 'data volume encrypted',
    fix: 'put DATA_DIR on a LUKS/dm-crypt (or cloud-encrypted) volume',
  },
  backups: {
    id: 'data.backups-tested',
    section: 'data',
    title: 'backups restored and tested',
    fix: 'back up DATA_DIR/metadata and chunks, keep master.key in a separate place, and restore into a scratch node each quarter',
  },
  alerting: {
    id: 'monitoring.alerting',
    section: 'monitoring',
    title: 'alerts on authentication failures and denials',
    fix: 'scrape /metrics and load deploy/prometheus/anode-alerts.yml (auth failures, denials, 4xx/5xx, read-only, lockdown, audit chain); dashboard: deploy/grafana/anode.json',
  },
  logShipping: {
    id: 'monitoring.log-shipping',
    section: 'monitoring',
    title: 'logs shipped off the host',
    fix: 'forward access.log and audit.log to a log store the node cannot rewrite (rsyslog, Vector, Fluent Bit)',
  },
  retention: {
    id: 'compliance.log-retention',
    section: 'compliance',
    title: 'log retention meets your obligations',
    fix: 'set logrotate (SIGHUP reopens the logs) and the log store to keep audit logs as long as your regime requires',
  },
  runbook: {
    id: 'compliance.incident-runbook',
    section: 'compliance',
    title: 'incident runbook written and rehearsed',
    fix: 'document and rehearse: anodectl incident lockdown, readonly on, credentials revoke-all, block add, anode admin reset-root',
  },
  physical: {
    id: 'hardening.physical-security',
    section: 'hardening',
    title: 'physical and console access restricted',
    fix: 'restrict data-centre, console and hypervisor access to the node and its disks',
  },
  osUpdates: {
    id: 'maintenance.security-updates',
    section: 'maintenance',
    title: 'OS and Node.js security updates applied',
    fix: 'apply OS and Node.js security updates on a schedule and follow Anode release notes',
  },
  rotation: {
    id: 'maintenance.key-rotation-procedure',
    section: 'maintenance',
    title: 'key and certificate rotation procedure',
    fix: 'write down and rehearse rotating credentials (anodectl credentials rotate), node certificates and the CA',
  },
} as const satisfies Record<string, CheckItem>;

export function manualChecks(): CheckResult[] {
  return Object.values(MANUAL_ITEMS).map((item) => result(item, 'MANUAL', 'cannot be checked by a program: confirm by hand'));
}
