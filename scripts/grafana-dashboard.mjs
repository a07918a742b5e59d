#!/usr/bin/env node
// Writes deploy/grafana/anode.json: one Grafana dashboard with a panel for every metric
// the node exports on /metrics (test/cli/observability.test.ts checks none is missing).
// Edit the panel lists here and run `node scripts/grafana-dashboard.mjs`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DS = { type: 'prometheus', uid: '${datasource}' };
const SEL = 'instance=~"$instance"';
let nextId = 1;
let y = 0;
const panels = [];

function row(title) {
  panels.push({ type: 'row', title, id: nextId++, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y: y++ }, panels: [] });
}

let x = 0;
function place(w, h) {
  if (x + w > 24) {
    x = 0;
    y += 8;
  }
  const pos = { h, w, x, y };
  x += w;
  return pos;
}
function endRow() {
  x = 0;
  y += 8;
}

function timeseries(title, targets, unit = 'short', w = 8, description = '') {
  panels.push({
    type: 'timeseries',
    title,
    description,
    id: nextId++,
    datasource: DS,
    gridPos: place(w, 8),
    fieldConfig: { defaults: { unit }, overrides: [] },
    options: { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } },
    targets: targets.map(([expr, legendFormat], i) => ({ refId: String.fromCharCode(65 + i), datasource: DS, expr, legendFormat })),
  });
}

function stat(title, expr, mappings, w = 4, description = '') {
  panels.push({
    type: 'stat',
    title,
    description,
    id: nextId++,
    datasource: DS,
    gridPos: place(w, 8),
    fieldConfig: { defaults: { mappings, thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }] } }, overrides: [] },
    options: { colorMode: 'background', reduceOptions: { calcs: ['lastNotNull'] } },
    targets: [{ refId: 'A', datasource: DS, expr, legendFormat: '{{instance}}' }],
  });
}

const onOff = (on, off, onColor = 'red', offColor = 'green') => [
  { type: 'value', options: { 1: { text: on, color: onColor }, 0: { text: off, color: offColor } } },
];

row('Security state');
stat(
  'Audit chain',
  `min(anode_audit_chain_ok{${SEL}})`,
  onOff('intact', 'BROKEN', 'green', 'red'),
  4,
  'anode_audit_chain_ok: 0 after a failed start-up check or a failed audit write/checkpoint',
);
stat('Lockdown', `max(anode_lockdown{${SEL}})`, onOff('LOCKDOWN', 'no'), 4);
stat('Read-only', `max(anode_read_only{${SEL}})`, onOff('READ-ONLY', 'writable', 'orange'), 4);
stat('Anonymous access', `min(anode_anonymous_access_enabled{${SEL}})`, onOff('honoured', 'refused', 'blue', 'orange'), 4);
stat('Last audit checkpoint', `time() - max(anode_audit_last_checkpoint_timestamp_seconds{${SEL}})`, [], 4);
stat('Audit checkpoints (1h)', `sum(increase(anode_audit_checkpoints_total{${SEL}}[1h]))`, [], 4);
endRow();
row('Security signals');
timeseries('Authentication failures by reason', [[`sum by (reason) (rate(anode_auth_failures_total{${SEL}}[5m]))`, '{{reason}}']], 'reqps');
timeseries('Permission denials', [[`sum(rate(anode_permission_denied_total{${SEL}}[5m]))`, 'denied']], 'reqps');
timeseries('Rate limited (SlowDown) by reason', [[`sum by (reason) (rate(anode_rate_limited_total{${SEL}}[5m]))`, '{{reason}}']], 'reqps');
timeseries(
  'Connections refused',
  [[`sum by (api, reason) (rate(anode_connections_refused_total{${SEL}}[5m]))`, '{{api}} {{reason}}']],
  'cps',
);
timeseries('Stored data keys by key version', [[`sum by (key, version) (anode_objects_by_key_version{${SEL}})`, '{{key}} v{{version}}']]);
timeseries('Decryption failures (tampered or damaged chunks)', [[`sum(increase(anode_decrypt_failures_total{${SEL}}[5m]))`, 'failures']]);
timeseries('Audit write/checkpoint failures', [[`sum(increase(anode_audit_failures_total{${SEL}}[5m]))`, 'failures']]);
timeseries(
  '4xx / 5xx answers',
  [
    [`sum by (api) (rate(anode_requests_total{${SEL},status=~"4.."}[5m]))`, '4xx {{api}}'],
    [`sum by (api) (rate(anode_requests_total{${SEL},status=~"5.."}[5m]))`, '5xx {{api}}'],
  ],
  'reqps',
);
endRow();
row('Traffic');
timeseries(
  'Requests by plane and status',
  [[`sum by (api, status) (rate(anode_requests_total{${SEL}}[5m]))`, '{{api}} {{status}}']],
  'reqps',
  12,
);
timeseries(
  'Latency p50 / p99 by operation',
  [
    [`histogram_quantile(0.5, sum by (le, operation) (rate(anode_request_duration_seconds_bucket{${SEL}}[5m])))`, 'p50 {{operation}}'],
    [`histogram_quantile(0.99, sum by (le, operation) (rate(anode_request_duration_seconds_bucket{${SEL}}[5m])))`, 'p99 {{operation}}'],
  ],
  's',
  12,
);
timeseries('Requests in flight', [[`sum by (api) (anode_requests_in_flight{${SEL}})`, '{{api}}']]);
timeseries(
  'Object bytes in / response bytes out',
  [
    [`sum(rate(anode_bytes_received_total{${SEL}}[5m]))`, 'in'],
    [`sum(rate(anode_bytes_sent_total{${SEL}}[5m]))`, 'out'],
  ],
  'Bps',
);
timeseries(
  'Mean request duration',
  [
    [
      `sum by (api) (rate(anode_request_duration_seconds_sum{${SEL}}[5m])) / sum by (api) (rate(anode_request_duration_seconds_count{${SEL}}[5m]))`,
      '{{api}}',
    ],
  ],
  's',
);
endRow();
row('Garbage collection');
timeseries('GC runs', [[`sum(increase(anode_gc_runs_total{${SEL}}[1h]))`, 'runs']]);
timeseries('Chunks removed / bytes freed', [
  [`sum(increase(anode_gc_chunks_removed_total{${SEL}}[1h]))`, 'chunks'],
  [`sum(increase(anode_gc_bytes_freed_total{${SEL}}[1h]))`, 'bytes'],
]);
timeseries('Since the last GC run', [[`time() - anode_gc_last_run_timestamp_seconds{${SEL}}`, '{{instance}}']], 's');
endRow();
row('Lifecycle');
timeseries('Lifecycle actions by kind', [[`sum by (action) (increase(anode_lifecycle_actions_total{${SEL}}[1h]))`, '{{action}}']]);
timeseries('Since the last lifecycle run', [[`time() - anode_lifecycle_last_run_timestamp_seconds{${SEL}}`, '{{instance}}']], 's');
endRow();
row('Cluster (replication and repair)');
timeseries('Under-replicated chunks', [[`max by (instance) (anode_cluster_under_replicated_chunks{${SEL}})`, '{{instance}}']]);
timeseries('Repair: replicas copied / failures', [
  [`sum(increase(anode_cluster_repaired_replicas_total{${SEL}}[1h]))`, 'copied'],
  [`sum(increase(anode_cluster_repair_failures_total{${SEL}}[1h]))`, 'failed'],
]);
timeseries('Repair bytes', [[`sum(rate(anode_cluster_repair_bytes_total{${SEL}}[5m]))`, 'bytes/s']], 'Bps');
timeseries('Scrub: corrupt replicas found', [[`sum(increase(anode_cluster_scrub_corrupt_chunks_total{${SEL}}[1h]))`, 'corrupt']]);
endRow();
row('Process (Node.js)');
const P = 'anode_process_';
timeseries(
  'CPU',
  [
    [`rate(${P}process_cpu_user_seconds_total{${SEL}}[5m])`, 'user'],
    [`rate(${P}process_cpu_system_seconds_total{${SEL}}[5m])`, 'system'],
    [`rate(${P}process_cpu_seconds_total{${SEL}}[5m])`, 'total'],
  ],
  'percentunit',
);
timeseries(
  'Memory',
  [
    [`${P}process_resident_memory_bytes{${SEL}}`, 'resident'],
    [`${P}process_virtual_memory_bytes{${SEL}}`, 'virtual'],
    [`${P}process_heap_bytes{${SEL}}`, 'heap'],
    [`${P}nodejs_external_memory_bytes{${SEL}}`, 'external'],
  ],
  'bytes',
);
timeseries('Open file descriptors', [
  [`${P}process_open_fds{${SEL}}`, 'open'],
  [`${P}process_max_fds{${SEL}}`, 'max'],
]);
timeseries(
  'Event loop lag',
  [
    [`${P}nodejs_eventloop_lag_seconds{${SEL}}`, 'lag'],
    [`${P}nodejs_eventloop_lag_min_seconds{${SEL}}`, 'min'],
    [`${P}nodejs_eventloop_lag_max_seconds{${SEL}}`, 'max'],
    [`${P}nodejs_eventloop_lag_mean_seconds{${SEL}}`, 'mean'],
    [`${P}nodejs_eventloop_lag_stddev_seconds{${SEL}}`, 'stddev'],
    [`${P}nodejs_eventloop_lag_p50_seconds{${SEL}}`, 'p50'],
    [`${P}nodejs_eventloop_lag_p90_seconds{${SEL}}`, 'p90'],
    [`${P}nodejs_eventloop_lag_p99_seconds{${SEL}}`, 'p99'],
  ],
  's',
);
timeseries('Active resources, handles, requests', [
  [`sum by (type) (${P}nodejs_active_resources{${SEL}})`, 'resource {{type}}'],
  [`${P}nodejs_active_resources_total{${SEL}}`, 'resources'],
  [`sum by (type) (${P}nodejs_active_handles{${SEL}})`, 'handle {{type}}'],
  [`${P}nodejs_active_handles_total{${SEL}}`, 'handles'],
  [`sum by (type) (${P}nodejs_active_requests{${SEL}})`, 'request {{type}}'],
  [`${P}nodejs_active_requests_total{${SEL}}`, 'requests'],
]);
timeseries(
  'V8 heap',
  [
    [`${P}nodejs_heap_size_total_bytes{${SEL}}`, 'total'],
    [`${P}nodejs_heap_size_used_bytes{${SEL}}`, 'used'],
  ],
  'bytes',
);
timeseries(
  'V8 heap spaces',
  [
    [`${P}nodejs_heap_space_size_total_bytes{${SEL}}`, 'total {{space}}'],
    [`${P}nodejs_heap_space_size_used_bytes{${SEL}}`, 'used {{space}}'],
    [`${P}nodejs_heap_space_size_available_bytes{${SEL}}`, 'available {{space}}'],
  ],
  'bytes',
  16,
);
timeseries('Node.js GC pauses', [[`sum by (kind) (rate(${P}nodejs_gc_duration_seconds_sum{${SEL}}[5m]))`, '{{kind}}']], 's');
timeseries(
  'Uptime / version',
  [
    [`time() - ${P}process_start_time_seconds{${SEL}}`, 'uptime {{instance}}'],
    [`${P}nodejs_version_info{${SEL}}`, 'node {{version}}'],
  ],
  's',
);
endRow();

const dashboard = {
  __inputs: [{ name: 'DS_PROMETHEUS', label: 'Prometheus', type: 'datasource', pluginId: 'prometheus', pluginName: 'Prometheus' }],
  title: 'Anode',
  uid: 'anode-overview',
  description:
    'Every metric an Anode node exports on /metrics (admin listener), security signals first. Alert rules: deploy/prometheus/anode-alerts.yml.',
  tags: ['anode', 's3', 'security'],
  timezone: 'browser',
  schemaVersion: 39,
  version: 1,
  refresh: '30s',
  time: { from: 'now-6h', to: 'now' },
  templating: {
    list: [
      { name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Prometheus', current: {} },
      {
        name: 'instance',
        type: 'query',
        datasource: DS,
        query: 'label_values(anode_requests_total, instance)',
        includeAll: true,
        multi: true,
        allValue: '.*',
        current: { text: 'All', value: '$__all' },
        refresh: 2,
      },
    ],
  },
  annotations: { list: [] },
  panels,
};

const out = fileURLToPath(new URL('../deploy/grafana/anode.json', import.meta.url));
writeFileSync(out, `${JSON.stringify(dashboard, null, 2)}\n`);
console.log(`wrote ${out}: ${panels.length} panels`);
