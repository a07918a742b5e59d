/**
 * Key actions: list, create, rotate, rewrap (background, with status), retire. Each change
 * writes exactly one audit line (the route's action); a rewrap that finishes writes its own
 * `keys.rewrap.finish` line as the system, like a GC run.
 */
import type {
  CreateKeyResponse,
  EncryptionStatus,
  KeyJson,
  ListKeysResponse,
  RetireKeyResponse,
  RewrapKeyResponse,
  RewrapStatusJson,
  RotateKeyResponse,
} from '@anode/shared/admin-api/index';
import { currentVersion, DEFAULT_KEY_ID, isValidKeyName } from '../../keys/key-registry.js';
import type { RewrapStatus } from '../../keys/key-rewrap.js';
import { keyProviderKind } from '../../keys/open-provider.js';
import type { KeyRecord, WrappedKeyCount } from '../../metadata/types.js';
import type { AdminDeps, AdminKeys } from '../deps.js';
import { AdminError, invalid } from '../errors.js';
import { objectBody, onlyFields, optionalBoolean, requiredString } from '../validate.js';
import type { AdminHandler } from './types.js';

function keysOf(deps: AdminDeps): AdminKeys {
  if (deps.keys === null) {
    throw new AdminError('NoKeyProvider', 'no key provider is configured on this node: set [storage] key_provider (see anode-config(5))');
  }
  return deps.keys;
}

function keyName(value: unknown, field = 'name'): string {
  if (value === undefined) return DEFAULT_KEY_ID;
  if (typeof value !== 'string' || !isValidKeyName(value)) {
    throw invalid(`"${field}" must be a key name: letters, digits and . _ : / - (up to 256, starting with a letter or digit)`);
  }
  return value;
}

export function keyJson(key: KeyRecord, counts: readonly WrappedKeyCount[]): KeyJson {
  return {
    name: key.keyId,
    provider: key.provider,
    created_at: key.createdAt.toISOString(),
    current_version: currentVersion(key),
    versions: key.versions.map((v) => ({
      version: v.version,
      created_at: v.createdAt.toISOString(),
      state: v.state,
      objects: counts.find((c) => c.keyId === key.keyId && c.version === v.version)?.count ?? 0,
    })),
  };
}

async function oneKeyJson(keys: AdminKeys, keyId: string): Promise<KeyJson> {
  const key = await keys.registry.get(keyId, true);
  if (key === null) throw new AdminError('NotFound', `no key named ${keyId}`);
  return keyJson(key, await keys.registry.metadata.countWrappedKeys());
}

export function rewrapJson(s: RewrapStatus): RewrapStatusJson {
  return {
    name: s.keyId,
    to_version: s.toVersion,
    running: s.running,
    started_at: s.startedAt.toISOString(),
    finished_at: s.finishedAt?.toISOString() ?? null,
    total: s.total,
    rewrapped: s.rewrapped,
    skipped: s.skipped,
    failed: s.failed,
    last_error: s.lastError,
  };
}

/** The status page's encryption section (never throws: an unreachable provider is reported). */
export async function encryptionStatus(deps: AdminDeps): Promise<EncryptionStatus> {
  const base = { enabled: deps.config.storage.encryption, master_key: deps.masterKeyWhere };
  if (deps.keys === null)
    return { ...base, provider: keyProviderKind(deps.config), provider_reachable: null, provider_error: null, keys: [] };
  let reachable = true;
  let error: string | null = null;
  try {
    await deps.keys.registry.provider.check();
  } catch (err) {
    reachable = false;
    error = err instanceof Error ? err.message : String(err);
  }
  const { keys, counts } = await deps.keys.registry.list();
  return {
    ...base,
    provider: deps.keys.registry.provider.kind,
    provider_reachable: reachable,
    provider_error: error,
    keys: keys.map((k) => keyJson(k, counts)),
  };
}

export const listKeys: AdminHandler = async (deps) => {
  if (deps.keys === null) {
    const answer: ListKeysResponse = { provider: null, keys: [] };
    return { body: answer };
  }
  const { keys, counts } = await deps.keys.registry.list();
  const answer: ListKeysResponse = { provider: deps.keys.registry.provider.kind, keys: keys.map((k) => keyJson(k, counts)) };
  return { body: answer };
};

export const createKey: AdminHandler = async (deps, ctx) => {
  const keys = keysOf(deps);
  const body = objectBody(ctx.body);
  onlyFields(body, ['name']);
  const name = keyName(requiredString(body, 'name', 256));
  const result = await keys.registry.create(name);
  const answer: CreateKeyResponse = { created: result === 'created', key: await oneKeyJson(keys, name) };
  return {
    status: result === 'created' ? 201 : 200,
    body: answer,
    audit: { details: { key: name, created: result === 'created', provider: keys.registry.provider.kind } },
  };
};

export const rotateKey: AdminHandler = async (deps, ctx) => {
  const keys = keysOf(deps);
  const body = objectBody(ctx.body ?? {});
  onlyFields(body, ['name']);
  const name = keyName(body['name']);
  const version = await keys.registry.rotate(name);
  const answer: RotateKeyResponse = { version, key: await oneKeyJson(keys, name) };
  return { body: answer, audit: { details: { key: name, version } } };
};

export const rewrapKey: AdminHandler = async (deps, ctx) => {
  const keys = keysOf(deps);
  const body = objectBody(ctx.body ?? {});
  onlyFields(body, ['name', 'wait']);
  const name = keyName(body['name']);
  const wait = optionalBoolean(body, 'wait') ?? false;
  const running = keys.rewrapper.running;
  if (running !== null && running.keyId !== name) {
    throw new AdminError('RewrapRunning', `a rewrap of key ${running.keyId} is running; start this one when it finishes`);
  }
  const started = await keys.rewrapper.start(name);
  const details = { key: name, to_version: started.status.toVersion, total: started.status.total };
  const audit = started.joined ? { action: 'keys.rewrap.join', details } : { details };
  if (!wait) {
    started.done.catch(() => undefined);
    const answer: RewrapKeyResponse = { started: !started.joined, status: rewrapJson(started.status) };
    return { status: 202, body: answer, audit };
  }
  const final = await started.done;
  const answer: RewrapKeyResponse = { started: !started.joined, status: rewrapJson(final) };
  return { body: answer, audit };
};

export const getRewrapStatus: AdminHandler = async (deps, ctx) => {
  const keys = keysOf(deps);
  const name = keyName(ctx.query.get('name') ?? undefined);
  const s = keys.rewrapper.status(name);
  return { body: { status: s === null ? null : rewrapJson(s) } };
};

export const retireKey: AdminHandler = async (deps, ctx) => {
  const keys = keysOf(deps);
  const body = objectBody(ctx.body);
  onlyFields(body, ['name', 'version']);
  const name = keyName(requiredString(body, 'name', 256));
  const version = body['version'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw invalid('"version" must be a whole number from 1');
  const result = await keys.registry.retire(name, version);
  if (result === 'not-found') throw new AdminError('NotFound', `key ${name} has no version ${version}`);
  if (result === 'current') {
    throw new AdminError('KeyInUse', `version ${version} is the current version of ${name}: rotate first, then rewrap, then retire`);
  }
  if (result === 'in-use') {
    throw new AdminError(
      'KeyInUse',
      `stored data keys are still wrapped by ${name} version ${version}: run anodectl keys rewrap ${name} first`,
    );
  }
  const answer: RetireKeyResponse = { key: await oneKeyJson(keys, name) };
  return { body: answer, audit: { details: { key: name, version, was_retired: result === 'already' } } };
};
