/**
 * deploy/k8s and the Helm chart as the objects Kubernetes would get (the chart rendered by
 * helm-lite), and each pod's view of them: its environment resolved the way the kubelet
 * resolves it (downward API, $(VAR) references, secretKeyRef) and the anode config it
 * runs with (the ConfigMap's file, then its ANODE_* variables).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parse, parseAllDocuments } from 'yaml';
import { HelmLite } from './helm-lite.js';
import { REPO } from './run-cli.js';

export type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- manifests are checked field by field

export const deploy = (...p: string[]): string => join(REPO, 'deploy', ...p);
export const read = (...p: string[]): string => readFileSync(deploy(...p), 'utf8');

export function yamlDocs(text: string, source: string): Obj[] {
  const docs = parseAllDocuments(text);
  for (const doc of docs) assert.deepEqual(doc.errors, [], `${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
  return docs.map((d) => d.toJSON() as Obj).filter((d) => d !== null);
}

export function k8sObjects(): Obj[] {
  return readdirSync(deploy('k8s'))
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .flatMap((f) => yamlDocs(read('k8s', f), f));
}

function merge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over))
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && typeof base[k] === 'object' ? merge(base[k] as Obj, v as Obj) : v;
  return out;
}

function helmFor(releaseName: string, values: Obj, namespace: string): HelmLite {
  const chart = parse(read('helm', 'anode', 'Chart.yaml')) as Obj;
  const defaults = parse(read('helm', 'anode', 'values.yaml')) as Obj;
  const helm = new HelmLite({
    Values: merge(defaults, values),
    Release: { Name: releaseName, Namespace: namespace },
    Chart: Object.fromEntries(Object.entries(chart).map(([k, v]) => [k[0]?.toUpperCase() + k.slice(1), v])),
  });
  helm.addHelpers(readFileSync(join(deploy('helm', 'anode', 'templates'), '_helpers.tpl'), 'utf8'));
  return helm;
}

/** The chart's NOTES.txt as `helm install` prints it. */
export function helmNotes(releaseName = 'anode', values: Obj = {}, namespace = 'default'): string {
  return helmFor(releaseName, values, namespace).render(read('helm', 'anode', 'templates', 'NOTES.txt'));
}

/** The chart rendered for a release, values.yaml merged with `values` (as `--set` would). */
export function helmObjects(releaseName = 'anode', values: Obj = {}, namespace = 'default'): Obj[] {
  const helm = helmFor(releaseName, values, namespace);
  const dir = deploy('helm', 'anode', 'templates');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => yamlDocs(helm.render(readFileSync(join(dir, f), 'utf8')), `helm ${f}`));
}

export const byKind = (objects: Obj[], kind: string): Obj[] => objects.filter((o) => o['kind'] === kind);
export const one = (objects: Obj[], kind: string): Obj => {
  const found = byKind(objects, kind);
  assert.equal(found.length, 1, `exactly one ${kind}`);
  return found[0] as Obj;
};

export interface Pod {
  name: string;
  namespace: string;
  ip: string;
}

/** Secret name → key → value, for secretKeyRef. */
export type Secrets = Record<string, Record<string, string>>;

export const podOf = (sts: Obj, ordinal: number, ip = '10.244.1.7', namespace = 'default'): Pod => ({
  name: `${sts['metadata']['name'] as string}-${ordinal}`,
  namespace,
  ip,
});

/** A container's environment as the kubelet resolves it: in order, $(VAR) of earlier ones only. */
export function containerEnv(container: Obj, pod: Pod, secrets: Secrets = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of (container['env'] ?? []) as Obj[]) {
    const name = e['name'] as string;
    if (typeof e['value'] === 'string')
      out[name] = (e['value'] as string).replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v: string) => out[v] ?? m);
    else if (e['valueFrom']?.['fieldRef'] !== undefined) {
      const path = e['valueFrom']['fieldRef']['fieldPath'] as string;
      const value = { 'metadata.name': pod.name, 'metadata.namespace': pod.namespace, 'status.podIP': pod.ip }[path];
      assert.ok(value !== undefined, `${name}: fieldRef ${path} not simulated`);
      out[name] = value;
    } else if (e['valueFrom']?.['secretKeyRef'] !== undefined) {
      const ref = e['valueFrom']['secretKeyRef'] as { name: string; key: string };
      const value = secrets[ref.name]?.[ref.key];
      assert.ok(value !== undefined, `${name}: Secret ${ref.name} key ${ref.key} not given`);
      out[name] = value;
    } else assert.fail(`${name}: env form not simulated`);
  }
  return out;
}

export const anodeContainer = (sts: Obj): Obj =>
  (sts['spec']['template']['spec']['containers'] as Obj[]).find((c) => c['name'] === 'anode') as Obj;

/** The ANODE_* part of the anode container's resolved environment. */
export function anodeEnv(sts: Obj, pod: Pod, secrets: Secrets = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(containerEnv(anodeContainer(sts), pod, secrets)).filter(([k]) => k.startsWith('ANODE_')));
}

/** The config the pod's anode runs with: the ConfigMap's file, then the container's ANODE_ variables. */
export function effectiveToml(objects: Obj[], pod: Pod, secrets: Secrets = {}): Record<string, Record<string, unknown>> {
  const config = parseToml(one(objects, 'ConfigMap')['data']['config.toml'] as string) as Record<string, Record<string, unknown>>;
  for (const [name, value] of Object.entries(anodeEnv(one(objects, 'StatefulSet'), pod, secrets))) {
    const [, section, key] = /^ANODE_([A-Z]+)_(.+)$/.exec(name) ?? [];
    assert.ok(section !== undefined && key !== undefined, name);
    (config[section.toLowerCase()] ??= {})[key.toLowerCase()] = value;
  }
  return config;
}

/** A stand-in for the anode-postgres Secret when nothing connects to it. */
export const FAKE_SECRETS: Secrets = { 'anode-postgres': { url: 'postgres://anode@db.example:5432/anode' } };
