/**
 * Offline bucket-policy checks for `anodectl policy validate` (and before `policy set`):
 * JSON, Version, Statement, Effect, Principal, Action and Resource present, and every
 * resource naming this bucket. The node's parser is the final word; this catches the
 * common mistakes before a round trip and names the statement at fault.
 */
export const POLICY_VERSIONS = ['2012-10-17', '2008-10-17'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] | null {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string')) return v as string[];
  return null;
}

/** True if `resource` names `bucket` or objects in it (wildcards only after the bucket name). */
export function resourceNamesBucket(resource: string, bucket: string): boolean {
  const prefix = `arn:aws:s3:::${bucket}`;
  return resource === prefix || resource.startsWith(`${prefix}/`);
}

/** Returns the problems found; [] means the policy looks valid. */
export function validatePolicy(text: string, bucket: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return [`not valid JSON: ${err instanceof Error ? err.message : String(err)}`];
  }
  if (!isRecord(doc)) return ['the policy must be a JSON object'];
  const problems: string[] = [];
  const version = doc['Version'];
  if (version === undefined) problems.push('Version is missing (use "2012-10-17")');
  else if (typeof version !== 'string' || !POLICY_VERSIONS.includes(version))
    problems.push(`Version must be one of ${POLICY_VERSIONS.join(', ')}`);
  const raw = doc['Statement'];
  const statements = isRecord(raw) ? [raw] : Array.isArray(raw) ? raw : null;
  if (statements === null || statements.length === 0) {
    problems.push('Statement is missing or empty');
    return problems;
  }
  statements.forEach((st, i) => {
    const name = isRecord(st) && typeof st['Sid'] === 'string' ? `Statement ${i} (${st['Sid']})` : `Statement ${i}`;
    if (!isRecord(st)) {
      problems.push(`${name}: must be an object`);
      return;
    }
    if (st['Effect'] !== 'Allow' && st['Effect'] !== 'Deny') problems.push(`${name}: Effect must be "Allow" or "Deny"`);
    if (st['Principal'] === undefined && st['NotPrincipal'] === undefined)
      problems.push(`${name}: Principal is missing (a bucket policy must say whom it applies to)`);
    const actions = st['Action'] ?? st['NotAction'];
    if (actions === undefined) problems.push(`${name}: Action is missing`);
    else {
      const list = strings(actions);
      if (list === null) problems.push(`${name}: Action must be a string or a non-empty array of strings`);
      else for (const a of list) if (a !== '*' && !/^s3:[A-Za-z*?]+$/.test(a)) problems.push(`${name}: "${a}" is not an s3:Action`);
    }
    const resources = st['Resource'] ?? st['NotResource'];
    if (resources === undefined) problems.push(`${name}: Resource is missing`);
    else {
      const list = strings(resources);
      if (list === null) problems.push(`${name}: Resource must be a string or a non-empty array of strings`);
      else
        for (const r of list)
          if (!resourceNamesBucket(r, bucket))
            problems.push(
              `${name}: Resource "${r}" does not name bucket ${bucket} (expected arn:aws:s3:::${bucket} or arn:aws:s3:::${bucket}/...)`,
            );
    }
  });
  return problems;
}

/** The statements (by Sid or index) that Allow everyone with no condition: they make the bucket public. */
export function publicStatements(text: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  if (!isRecord(doc)) return [];
  const raw = doc['Statement'];
  const statements = isRecord(raw) ? [raw] : Array.isArray(raw) ? raw : [];
  const out: string[] = [];
  statements.forEach((st, i) => {
    if (!isRecord(st) || st['Effect'] !== 'Allow' || st['Condition'] !== undefined) return;
    const p = st['Principal'];
    const everyone =
      p === '*' || (isRecord(p) && (strings(p['AWS']) ?? []).includes('*')) || (st['NotPrincipal'] !== undefined && p === undefined);
    if (everyone) out.push(typeof st['Sid'] === 'string' ? st['Sid'] : `Statement ${i}`);
  });
  return out;
}
