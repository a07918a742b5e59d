/**
 * The live items, judged from what the node's admin API answered: credential age and
 * use, the root credential, public buckets, read-only state, TLS on the endpoint. Pure;
 * `now` is a parameter so the age rules are tested on fixed dates.
 */
import { addressScope } from './address.js';
import { listNames, result, skipAll, type CheckItem, type CheckResult } from './checks.js';
import type { RootUseFact } from './host-facts.js';
import { LOOKBACK_DAYS, type LiveFacts } from './live-facts.js';

export const LIVE_ITEMS = {
  credentialAge: {
    id: 'authentication.credential-age',
    section: 'authentication',
    title: 'no active credential older than 90 days',
    fix: 'rotate old keys: anodectl credentials rotate ACCESS_KEY --grace 1d',
  },
  unusedCredentials: {
    id: 'authentication.unused-credentials',
    section: 'authentication',
    title: 'no credential unused for 90 days',
    fix: 'revoke keys nobody uses: anodectl credentials revoke ACCESS_KEY',
  },
  rootUse: {
    id: 'authentication.root-credential-use',
    section: 'authentication',
    title: 'root credential kept for break-glass, not used by applications',
    fix: 'create named admin and application keys (anodectl credentials create --user NAME), then keep root offline',
  },
  publicBuckets: {
    id: 'authorization.public-buckets',
    section: 'authorization',
    title: 'no bucket is public',
    fix: 'anodectl acl set BUCKET --canned private, and remove Principal "*" statements from bucket policies, unless the bucket is meant to be public',
  },
  publicObjects: {
    id: 'authorization.public-objects',
    section: 'authorization',
    title: 'no public object in a private bucket',
    fix: 'anodectl acl set BUCKET KEY --canned private for each object listed, unless it is meant to be public',
  },
  anonymousAccess: {
    id: 'authorization.anonymous-access',
    section: 'authorization',
    title: 'anonymous (unsigned) access is off',
    fix: 'make the buckets and objects listed private (anodectl acl set ... --canned private) and remove Principal "*" policy statements; anonymous requests are then refused everywhere',
  },
  readOnly: {
    id: 'maintenance.read-only-state',
    section: 'maintenance',
    title: 'read-only state is known',
    fix: 'anodectl readonly off when the incident or maintenance that needed it is over',
  },
  endpointTls: {
    id: 'network.endpoint-tls',
    section: 'network',
    title: 'the audited endpoint uses TLS',
    fix: 'set [tls] on the node and use an https:// endpoint with --ca',
  },
  keyProvider: {
    id: 'data.key-provider-reachable',
    section: 'data',
    title: 'the key provider answers',
    fix: 'bring the HSM (or the key file) back: check [storage] pkcs11_module, the token label/slot and the PIN; anodectl status shows the error',
  },
} as const satisfies Record<string, CheckItem>;

const DAY_MS = 86_400_000;
const ROOT_USER = 'root';
/** A key never used is only "unused" once it has had time to be deployed. */
export const NEW_KEY_GRACE_DAYS = 7;

const ageDays = (iso: string, now: Date) => (now.getTime() - new Date(iso).getTime()) / DAY_MS;
const isLoopback = (addr: string) => addressScope(addr) === 'loopback';

export function liveChecks(facts: LiveFacts | { skipped: string }, now: Date, hostRootUse?: RootUseFact): CheckResult[] {
  if ('skipped' in facts) return skipAll(Object.values(LIVE_ITEMS), facts.skipped);
  const I = LIVE_ITEMS;
  const out: CheckResult[] = [];
  const active = facts.credentials.filter((c) => c.status === 'active' || c.status === 'expiring');
  // The audit's own key is in use right now, whatever last_used says (it is written lazily).
  const lastUsed = (c: (typeof active)[number]) => (c.access_key === facts.callerAccessKey ? now.toISOString() : c.last_used);

  const old = active.filter((c) => ageDays(c.created, now) > LOOKBACK_DAYS);
  out.push(
    old.length > 0
      ? result(
          I.credentialAge,
          'WARN',
          `${old.length} older than ${LOOKBACK_DAYS} days: ${listNames(old.map((c) => `${c.access_key} (${c.user}, ${Math.floor(ageDays(c.created, now))} d)`))}`,
        )
      : result(I.credentialAge, 'PASS', `${active.length} active credentials, none older than ${LOOKBACK_DAYS} days`),
  );

  // Root is the break-glass key: idle is what it should be (its own item judges it).
  const unused = active.filter((c) => {
    if (c.user === ROOT_USER) return false;
    const used = lastUsed(c);
    return used === null ? ageDays(c.created, now) > NEW_KEY_GRACE_DAYS : ageDays(used, now) > LOOKBACK_DAYS;
  });
  out.push(
    unused.length > 0
      ? result(
          I.unusedCredentials,
          'WARN',
          `${unused.length} unused: ${listNames(unused.map((c) => `${c.access_key} (${c.user}, ${c.last_used === null ? 'never used' : `last used ${c.last_used}`})`))}`,
        )
      : result(
          I.unusedCredentials,
          'PASS',
          `every active credential was used in the last ${LOOKBACK_DAYS} days (or is under ${NEW_KEY_GRACE_DAYS} days old)`,
        ),
  );

  // Root: used from the network (admin audit log; on the host also the S3 access log), or the only admin key in use.
  const rootKeys = active.filter((c) => c.user === ROOT_USER);
  const recentlyUsed = (c: (typeof active)[number]) => {
    const used = lastUsed(c);
    return used !== null && ageDays(used, now) <= LOOKBACK_DAYS;
  };
  const fromNetwork = new Set<string>(hostRootUse?.addresses ?? []);
  for (const e of facts.audit ?? []) {
    if (e['user'] === ROOT_USER && typeof e['remote_addr'] === 'string' && e['remote_addr'] !== '' && !isLoopback(e['remote_addr']))
      fromNetwork.add(e['remote_addr']);
  }
  const otherAdminsInUse = active.filter((c) => c.role === 'admin' && c.user !== ROOT_USER && recentlyUsed(c));
  if (rootKeys.length === 0) out.push(result(I.rootUse, 'PASS', 'no active root credential'));
  else if (fromNetwork.size > 0)
    out.push(result(I.rootUse, 'WARN', `root's key was used from ${listNames([...fromNetwork])}: applications or remote admins use root`));
  else if (rootKeys.some(recentlyUsed) && otherAdminsInUse.length === 0)
    out.push(result(I.rootUse, 'WARN', 'root keys are the only admin keys in use'));
  else {
    const seen = [
      facts.audit === undefined ? `admin audit log not read (${facts.auditError ?? 'unavailable'})` : 'admin audit log',
      hostRootUse?.logPath === undefined ? undefined : 'access log',
    ]
      .filter(Boolean)
      .join(' and ');
    out.push(
      result(I.rootUse, 'PASS', `root used only from loopback (checked: ${seen}); ${otherAdminsInUse.length} other admin keys in use`),
    );
  }

  const open = facts.buckets.filter((b) => b.public_acl || b.public_policy);
  out.push(
    open.length > 0
      ? result(
          I.publicBuckets,
          'WARN',
          `public: ${listNames(
            open.map((b) => `${b.name} (${[b.public_acl ? 'ACL' : '', b.public_policy ? 'policy' : ''].filter(Boolean).join(' + ')})`),
            10,
          )}`,
        )
      : result(I.publicBuckets, 'PASS', `${facts.buckets.length} buckets, none public`),
  );

  // An object ACL can make one object public in a bucket that looks private: the classic leak.
  const hidden = facts.buckets.filter((b) => !b.public_acl && !b.public_policy && (b.public_objects ?? 0) > 0);
  const counted = (b: (typeof facts.buckets)[number]) => (b.object_count_truncated ? ` (first ${b.object_count} objects looked at)` : '');
  out.push(
    hidden.length > 0
      ? result(
          I.publicObjects,
          'WARN',
          `private buckets holding public objects: ${listNames(
            hidden.map(
              (b) =>
                `${b.name}: ${b.public_objects} public (${(b.public_object_keys ?? []).join(', ')}${b.public_objects > (b.public_object_keys ?? []).length ? ', ...' : ''})${counted(b)}`,
            ),
            10,
          )}`,
        )
      : result(
          I.publicObjects,
          'PASS',
          `no object ACL grants AllUsers/AuthenticatedUsers in a private bucket (${facts.buckets.length} buckets${facts.buckets.some((b) => b.object_count_truncated) ? '; large buckets: first objects only' : ''})`,
        ),
  );

  // Anonymous access: anything an unsigned request may read or write.
  const anonymous = facts.buckets.filter((b) => b.public_acl || b.public_policy || (b.public_objects ?? 0) > 0);
  out.push(
    anonymous.length > 0
      ? result(
          I.anonymousAccess,
          'WARN',
          `anonymous requests are served for ${listNames(
            anonymous.map(
              (b) =>
                `${b.name} (${[
                  b.public_acl ? 'bucket ACL' : '',
                  b.public_policy ? 'policy' : '',
                  (b.public_objects ?? 0) > 0 ? `${b.public_objects} object ACL(s)` : '',
                ]
                  .filter(Boolean)
                  .join(' + ')})`,
            ),
            10,
          )}`,
        )
      : result(I.anonymousAccess, 'PASS', 'no bucket ACL, policy or object ACL admits anonymous requests: every request must be signed'),
  );

  out.push(
    result(
      I.readOnly,
      'PASS',
      facts.status.read_only ? `read-only ON since ${facts.status.read_only_since ?? '?'}` : 'read-only off (writes accepted)',
    ),
  );

  const url = new URL(facts.endpoint);
  if (url.protocol === 'https:') out.push(result(I.endpointTls, 'PASS', `${facts.endpoint} (TLS verified)`));
  else if (isLoopback(url.hostname.replace(/^\[|\]$/g, '')))
    out.push(
      result(I.endpointTls, 'WARN', `${facts.endpoint} is plain HTTP (loopback only)${facts.status.tls ? '' : '; the node has no TLS'}`),
    );
  else out.push(result(I.endpointTls, 'FAIL', `${facts.endpoint} is plain HTTP across the network`));

  // The node's own probe of its key provider (a node older than key providers reports nothing).
  const enc = (facts.status as { encryption?: typeof facts.status.encryption }).encryption;
  if (enc === undefined) out.push(result(I.keyProvider, 'SKIP', 'the node does not report key providers'));
  else if (enc.provider === null) out.push(result(I.keyProvider, 'SKIP', 'no key provider configured'));
  else if (enc.provider_reachable === false)
    out.push(result(I.keyProvider, 'FAIL', `${enc.provider} key provider unreachable: ${enc.provider_error ?? 'no detail'}`));
  else out.push(result(I.keyProvider, 'PASS', `${enc.provider} key provider reachable; credential master key: ${enc.master_key}`));
  return out;
}
