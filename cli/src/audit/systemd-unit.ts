/**
 * Reads the [Service] directives of a systemd unit and says which sandboxing ones are
 * missing or too weak. The required set is what deploy/systemd/anode.service ships; the
 * recommended set narrows the kernel surface further.
 */

/** [Service] directives, last assignment wins (as systemd does for these single-valued ones). */
export function serviceDirectives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let section = '';
  let pending = '';
  for (const raw of text.split('\n')) {
    // Backslash-newline continues a line.
    const line = pending + raw.trim();
    if (line.endsWith('\\')) {
      pending = `${line.slice(0, -1)} `;
      continue;
    }
    pending = '';
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    if (section !== 'Service') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    out.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return out;
}

const YES = new Set(['yes', 'true', '1', 'on']);

interface DirectiveRule {
  name: string;
  /** Is the value strong enough? (undefined = the directive is absent) */
  ok: (value: string | undefined) => boolean;
  want: string;
}

const yes = (name: string): DirectiveRule => ({ name, ok: (v) => v !== undefined && YES.has(v.toLowerCase()), want: `${name}=yes` });

/** Missing any of these is a FAIL: they are what keeps a compromised node contained. */
export const REQUIRED_DIRECTIVES: readonly DirectiveRule[] = [
  { name: 'User', ok: (v) => v !== undefined && v !== '' && v !== 'root' && v !== '0', want: 'User=anode (not root)' },
  yes('NoNewPrivileges'),
  { name: 'ProtectSystem', ok: (v) => v === 'strict', want: 'ProtectSystem=strict' },
  yes('PrivateTmp'),
  // An empty CapabilityBoundingSet= drops every capability; any set is at least an explicit choice.
  { name: 'CapabilityBoundingSet', ok: (v) => v !== undefined && !/\bCAP_SYS_ADMIN\b/.test(v), want: 'CapabilityBoundingSet= (empty)' },
];

/** Missing any of these is a WARN. */
export const RECOMMENDED_DIRECTIVES: readonly DirectiveRule[] = [
  {
    name: 'ProtectHome',
    ok: (v) => v !== undefined && (YES.has(v.toLowerCase()) || v === 'read-only' || v === 'tmpfs'),
    want: 'ProtectHome=yes',
  },
  yes('PrivateDevices'),
  yes('ProtectKernelTunables'),
  yes('ProtectKernelModules'),
  yes('ProtectControlGroups'),
  yes('RestrictSUIDSGID'),
  yes('RestrictNamespaces'),
  yes('LockPersonality'),
  {
    name: 'RestrictAddressFamilies',
    ok: (v) => v !== undefined && v !== '' && !v.startsWith('~'),
    want: 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6',
  },
  { name: 'SystemCallFilter', ok: (v) => v !== undefined && v !== '', want: 'SystemCallFilter=@system-service' },
  { name: 'UMask', ok: (v) => v !== undefined && /^0?[0-7]{3,4}$/.test(v) && (parseInt(v, 8) & 0o007) === 0o007, want: 'UMask=0027' },
];

export interface UnitVerdict {
  /** Required directives missing or too weak, as the wanted setting. */
  missingRequired: string[];
  missingRecommended: string[];
}

export function evaluateUnit(text: string): UnitVerdict {
  const d = serviceDirectives(text);
  const missing = (rules: readonly DirectiveRule[]) => rules.filter((r) => !r.ok(d.get(r.name))).map((r) => r.want);
  return { missingRequired: missing(REQUIRED_DIRECTIVES), missingRecommended: missing(RECOMMENDED_DIRECTIVES) };
}

/** True when an Environment= line (any of them: they accumulate) sets the root secret in the unit itself. */
export function unitSetsRootSecret(text: string): boolean {
  return /^\s*Environment\s*=.*\bANODE_ROOT_SECRET_KEY=/m.test(text);
}
