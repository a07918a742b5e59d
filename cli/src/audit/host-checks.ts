/**
 * The host items: process owner, file modes, leftover secrets, the systemd sandbox and
 * the TLS certificate's lifetime. Pure: facts in, verdicts out.
 */
import { result, skipAll, type CheckItem, type CheckResult } from './checks.js';
import { isInside, type FileFact, type HostFacts } from './host-facts.js';
import { evaluateUnit, unitSetsRootSecret } from './systemd-unit.js';

export const HOST_ITEMS = {
  processUser: {
    id: 'hardening.process-user',
    section: 'hardening',
    title: 'anode does not run as root',
    fix: 'run anode as a dedicated system user (User=anode in the systemd unit; the Docker image runs as uid 10001)',
  },
  systemdUnit: {
    id: 'hardening.systemd-unit',
    section: 'hardening',
    title: 'systemd unit is sandboxed',
    fix: 'install deploy/systemd/anode.service (NoNewPrivileges, ProtectSystem=strict, PrivateTmp, empty CapabilityBoundingSet, ...)',
  },
  dataDir: {
    id: 'data.data-dir-mode',
    section: 'data',
    title: 'data directory is 0750 or stricter and owned by the anode user',
    fix: 'chown -R anode:anode DATA_DIR && chmod 0750 DATA_DIR',
  },
  credentialsDb: {
    id: 'data.credentials-db-mode',
    section: 'data',
    title: 'metadata/credentials.db is 0600',
    fix: 'chmod 0600 DATA_DIR/metadata/credentials.db*',
  },
  masterKey: {
    id: 'data.master-key-mode',
    section: 'data',
    title: 'master key is 0600',
    fix: 'chmod 0600 the credential master key file (auth.master_key_file); keep it owned by the anode user',
  },
  keyPlace: {
    id: 'data.key-place',
    section: 'data',
    title: 'no key that unseals the data lives in the data directory',
    fix: 'restart anode so it moves DATA_DIR/metadata/master.key out (or set auth.master_key_file / storage.encryption_key to a path outside DATA_DIR, e.g. /etc/anode/), or use key_provider = "pkcs11"',
  },
  keyFiles: {
    id: 'data.key-file-modes',
    section: 'data',
    title: 'TLS and encryption key files are 0600',
    fix: 'chmod 0600 the files named by tls.key, cluster.tls_key and storage.encryption_key',
  },
  rootFile: {
    id: 'authentication.root-credentials-file',
    section: 'authentication',
    title: 'root-credentials file removed after first start',
    fix: 'store the root secret in a password manager, then delete DATA_DIR/root-credentials',
  },
  rootEnv: {
    id: 'authentication.root-secret-in-env',
    section: 'authentication',
    title: 'root secret not kept in the environment',
    fix: 'unset ANODE_ROOT_SECRET_KEY after the first start (the credential persists); use a profile or the keyring instead',
  },
  logModes: {
    id: 'monitoring.log-file-modes',
    section: 'monitoring',
    title: 'access and audit logs are not world-readable',
    fix: 'chmod 0640 the log files (UMask=0027 in the unit keeps new ones private)',
  },
  certExpiry: {
    id: 'maintenance.tls-certificate-expiry',
    section: 'maintenance',
    title: 'TLS certificate valid for 30 more days',
    fix: 'issue a new certificate (anodectl certs issue NODE --force) and restart anode',
  },
} as const satisfies Record<string, CheckItem>;

const DAY_MS = 86_400_000;
const octal = (mode: number) => `0${mode.toString(8).padStart(3, '0')}`;

/** A file that must not be readable by group or others. */
function privateFileVerdict(f: FileFact): { ok: boolean; text: string } | undefined {
  if (!f.exists) return undefined;
  return { ok: ((f.mode ?? 0) & 0o077) === 0, text: `${f.path} is ${octal(f.mode ?? 0)}` };
}

function statError(f: FileFact): string | undefined {
  return f.error === undefined ? undefined : `cannot stat ${f.path} (${f.error}): rerun as root or as the anode user`;
}

export function hostChecks(facts: HostFacts | { skipped: string }, now: Date): CheckResult[] {
  if ('skipped' in facts) return skipAll(Object.values(HOST_ITEMS), facts.skipped);
  const I = HOST_ITEMS;
  const out: CheckResult[] = [];

  // Process owner: the CLI's own uid only explains what we could see.
  const p = facts.process;
  const who = facts.cliUid === undefined ? '' : `; this audit runs as uid ${facts.cliUid}`;
  if (p === undefined) out.push(result(I.processUser, 'SKIP', `${facts.processNote}${who}`));
  else if (p.uid === 0) out.push(result(I.processUser, 'FAIL', `anode (pid ${p.pid}) runs as root${who}`));
  else out.push(result(I.processUser, 'PASS', `anode (pid ${p.pid}) runs as uid ${p.uid}${who}`));

  // systemd unit.
  if (facts.unit.text === undefined) {
    out.push(
      result(
        I.systemdUnit,
        'SKIP',
        `no unit at ${facts.unit.path} (${facts.unit.error ?? 'unreadable'}); pass --unit FILE for a systemd deployment`,
      ),
    );
  } else {
    const v = evaluateUnit(facts.unit.text);
    if (v.missingRequired.length > 0) out.push(result(I.systemdUnit, 'FAIL', `${facts.unit.path} lacks ${v.missingRequired.join(', ')}`));
    else if (v.missingRecommended.length > 0)
      out.push(result(I.systemdUnit, 'WARN', `${facts.unit.path} lacks ${v.missingRecommended.join(', ')}`));
    else out.push(result(I.systemdUnit, 'PASS', `${facts.unit.path} has every sandboxing directive`));
  }

  // Data dir: 0750 or stricter, owned by the process's user.
  const d = facts.dataDirFact;
  if (!d.exists) out.push(result(I.dataDir, 'SKIP', statError(d) ?? `${d.path} does not exist`));
  else {
    const mode = d.mode ?? 0;
    const loose = (mode & 0o027) !== 0;
    const owner = p !== undefined && d.uid !== p.uid ? ` and owned by uid ${d.uid}, not anode's uid ${p.uid}` : '';
    if (loose) out.push(result(I.dataDir, 'FAIL', `${d.path} is ${octal(mode)} (group-writable or open to others)${owner}`));
    else if (owner !== '') out.push(result(I.dataDir, 'WARN', `${d.path} is ${octal(mode)}${owner}`));
    else out.push(result(I.dataDir, 'PASS', `${d.path} is ${octal(mode)}, owner uid ${d.uid}`));
  }

  // credentials.db (and its WAL/SHM, which hold the same rows).
  const dbErr = facts.credentialsDb.map(statError).find((e) => e !== undefined);
  const db = facts.credentialsDb.map(privateFileVerdict).filter((v) => v !== undefined);
  if (dbErr !== undefined) out.push(result(I.credentialsDb, 'SKIP', dbErr));
  else if (db.length === 0)
    out.push(
      result(I.credentialsDb, 'SKIP', `${facts.credentialsDb[0]?.path ?? 'credentials.db'} does not exist (node never started here?)`),
    );
  else if (db.some((v) => !v.ok))
    out.push(
      result(
        I.credentialsDb,
        'FAIL',
        db
          .filter((v) => !v.ok)
          .map((v) => v.text)
          .join('; '),
      ),
    );
  else out.push(result(I.credentialsDb, 'PASS', db.map((v) => v.text).join('; ')));

  // Master key.
  const mkFact = facts.masterKey;
  if (mkFact === undefined)
    out.push(result(I.masterKey, 'SKIP', `no key file: the ${facts.keyProvider ?? '?'} key provider wraps the master key`));
  else {
    const mk = privateFileVerdict(mkFact);
    if (statError(mkFact) !== undefined) out.push(result(I.masterKey, 'SKIP', statError(mkFact)!));
    else if (mk === undefined) out.push(result(I.masterKey, 'SKIP', `${mkFact.path} does not exist`));
    else out.push(result(I.masterKey, mk.ok ? 'PASS' : 'FAIL', mk.text));
  }

  // Where the keys live: a copy of the data directory alone must not unseal anything.
  const inData: string[] = [];
  const places: string[] = [];
  if (facts.legacyMasterKey.exists) inData.push(`${facts.legacyMasterKey.path} (the old place of the credential master key)`);
  if (mkFact === undefined) places.push(`credential master key wrapped by the ${facts.keyProvider ?? '?'} key provider`);
  else if (isInside(mkFact.path, facts.dataDir)) inData.push(`credential master key ${mkFact.path}`);
  else places.push(`credential master key ${mkFact.path}`);
  if (facts.encryptionKeyPath !== undefined) {
    if (isInside(facts.encryptionKeyPath, facts.dataDir)) inData.push(`storage.encryption_key ${facts.encryptionKeyPath}`);
    else places.push(`storage.encryption_key ${facts.encryptionKeyPath}`);
  }
  if (inData.length > 0) out.push(result(I.keyPlace, 'FAIL', `inside the data directory ${facts.dataDir}: ${inData.join('; ')}`));
  else out.push(result(I.keyPlace, 'PASS', `outside ${facts.dataDir}: ${places.join('; ')}`));

  // Other private keys.
  if (facts.keyFiles.length === 0) out.push(result(I.keyFiles, 'SKIP', 'no tls.key, cluster.tls_key or storage.encryption_key configured'));
  else {
    const problems: string[] = [];
    const fine: string[] = [];
    for (const { key, fact } of facts.keyFiles) {
      const v = privateFileVerdict(fact);
      if (v === undefined) problems.push(`${key}: ${statError(fact) ?? `${fact.path} does not exist`}`);
      else (v.ok ? fine : problems).push(`${key}: ${v.text}`);
    }
    out.push(result(I.keyFiles, problems.length > 0 ? 'FAIL' : 'PASS', [...problems, ...fine].join('; ')));
  }

  // Leftover root-credentials file.
  const rf = facts.rootCredentialsFile;
  if (statError(rf) !== undefined) out.push(result(I.rootFile, 'SKIP', statError(rf)!));
  else if (!rf.exists) out.push(result(I.rootFile, 'PASS', `${rf.path} is gone`));
  else if (((rf.mode ?? 0) & 0o077) !== 0)
    out.push(result(I.rootFile, 'FAIL', `${rf.path} holds the root secret and is ${octal(rf.mode ?? 0)}`));
  else out.push(result(I.rootFile, 'WARN', `${rf.path} still holds the root secret (0600): delete it once the secret is stored`));

  // Root secret in the environment (process env, or the unit's Environment=).
  const inUnit = facts.unit.text !== undefined && unitSetsRootSecret(facts.unit.text);
  if (facts.rootSecretInProcessEnv === true || inUnit) {
    const where = [
      facts.rootSecretInProcessEnv === true && p !== undefined ? `the environment of pid ${p.pid}` : '',
      inUnit ? facts.unit.path : '',
    ]
      .filter(Boolean)
      .join(' and ');
    out.push(
      result(
        I.rootEnv,
        'WARN',
        `ANODE_ROOT_SECRET_KEY is set in ${where} (readable by root via /proc, and by anyone who can read the unit)`,
      ),
    );
  } else if (facts.rootSecretInProcessEnv === undefined && p === undefined)
    out.push(result(I.rootEnv, 'SKIP', `${facts.processNote}; cannot read its environment`));
  else if (facts.rootSecretInProcessEnv === undefined)
    out.push(result(I.rootEnv, 'SKIP', `cannot read /proc/${p?.pid}/environ as uid ${facts.cliUid}: rerun as root`));
  else out.push(result(I.rootEnv, 'PASS', 'ANODE_ROOT_SECRET_KEY is not in the process environment'));

  // Log files.
  const logs = facts.logFiles.filter((f) => f.exists);
  if (logs.length === 0) out.push(result(I.logModes, 'SKIP', 'no access or audit log file on this host'));
  else {
    const open = logs.filter((f) => ((f.mode ?? 0) & 0o007) !== 0);
    out.push(
      open.length > 0
        ? result(I.logModes, 'WARN', open.map((f) => `${f.path} is ${octal(f.mode ?? 0)}`).join('; '))
        : result(I.logModes, 'PASS', logs.map((f) => `${f.path} is ${octal(f.mode ?? 0)}`).join('; ')),
    );
  }

  // Certificate lifetime.
  const c = facts.tlsCert;
  if (c === undefined) out.push(result(I.certExpiry, 'SKIP', 'no [tls] cert configured'));
  else if (c.validTo === undefined)
    out.push(result(I.certExpiry, 'FAIL', `cannot read ${c.path} as an X.509 certificate (${c.error ?? 'unknown error'})`));
  else {
    const days = Math.floor((c.validTo.getTime() - now.getTime()) / DAY_MS);
    if (days < 0) out.push(result(I.certExpiry, 'FAIL', `${c.path} expired on ${c.validTo.toISOString()}`));
    else if (days < 30) out.push(result(I.certExpiry, 'WARN', `${c.path} expires in ${days} days (${c.validTo.toISOString()})`));
    else out.push(result(I.certExpiry, 'PASS', `${c.path} is valid for ${days} more days`));
  }
  return out;
}
