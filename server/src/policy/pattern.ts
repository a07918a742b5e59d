/**
 * Policy string patterns: `*` (any run, crossing `/`) and `?` (one character) wildcards,
 * and 2012-10-17 policy variables (`${aws:username}`, `${key, 'default'}`, and the
 * escapes `${*}` `${?}` `${$}`). Matching is linear-time backtracking on the last star,
 * so hostile patterns cannot blow up (no regular expressions are built from input).
 */

export type PatternToken =
  { kind: 'text'; text: string } | { kind: 'star' } | { kind: 'one' } | { kind: 'var'; key: string; fallback: string | undefined };

/** A pattern with its variables resolved: only text and wildcards. */
export type ResolvedToken = Exclude<PatternToken, { kind: 'var' }>;

export interface Pattern {
  source: string;
  tokens: PatternToken[];
  hasVariables: boolean;
}

export interface CompileOptions {
  /** `*` and `?` are wildcards (Like operators, Action, Resource); else literal. */
  wildcards: boolean;
  /** `${...}` is a policy variable (2012-10-17 only); else literal. */
  variables: boolean;
}

export class PatternSyntaxError extends Error {
  override readonly name = 'PatternSyntaxError';
}

const VARIABLE_KEY_RE = /^[A-Za-z0-9][A-Za-z0-9:/_.+=@-]*$/;

function pushText(tokens: PatternToken[], text: string): void {
  const last = tokens[tokens.length - 1];
  if (last?.kind === 'text') last.text += text;
  else tokens.push({ kind: 'text', text });
}

/** Parses the inside of `${...}`: a key, optionally `, 'default'`. */
function parseVariable(body: string, source: string): PatternToken {
  if (body === '*' || body === '?' || body === '$') return { kind: 'text', text: body };
  const m = /^\s*([^,\s]+)\s*(?:,\s*'([^']*)'\s*)?$/.exec(body);
  const key = m?.[1];
  if (!m || key === undefined || !VARIABLE_KEY_RE.test(key)) {
    throw new PatternSyntaxError(`invalid policy variable \${${body}} in "${source}"`);
  }
  return { kind: 'var', key, fallback: m[2] };
}

export function compilePattern(source: string, options: CompileOptions): Pattern {
  const tokens: PatternToken[] = [];
  let hasVariables = false;
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (options.variables && ch === '$' && source[i + 1] === '{') {
      const end = source.indexOf('}', i + 2);
      if (end < 0) throw new PatternSyntaxError(`unterminated policy variable in "${source}"`);
      const token = parseVariable(source.slice(i + 2, end), source);
      if (token.kind === 'text') pushText(tokens, token.text);
      else {
        tokens.push(token);
        hasVariables = true;
      }
      i = end + 1;
    } else if (options.wildcards && ch === '*') {
      // Consecutive stars mean the same as one.
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
      i += 1;
    } else if (options.wildcards && ch === '?') {
      tokens.push({ kind: 'one' });
      i += 1;
    } else {
      pushText(tokens, ch);
      i += 1;
    }
  }
  return { source, tokens, hasVariables };
}

/** True if the pattern contains a `*` or `?` wildcard. */
export function hasWildcards(pattern: Pattern): boolean {
  return pattern.tokens.some((t) => t.kind === 'star' || t.kind === 'one');
}

/**
 * Substitutes variables. A variable missing from the request (and without a default)
 * makes the whole pattern match nothing: returns null.
 */
export function resolvePattern(pattern: Pattern, lookup: (key: string) => string | undefined): ResolvedToken[] | null {
  if (!pattern.hasVariables) return pattern.tokens as ResolvedToken[];
  const out: ResolvedToken[] = [];
  for (const token of pattern.tokens) {
    if (token.kind !== 'var') {
      out.push(token);
      continue;
    }
    const value = lookup(token.key) ?? token.fallback;
    if (value === undefined) return null;
    // The substituted value is literal text: a `*` in a user name is not a wildcard.
    const last = out[out.length - 1];
    if (last?.kind === 'text') out[out.length - 1] = { kind: 'text', text: last.text + value };
    else out.push({ kind: 'text', text: value });
  }
  return out;
}

type Unit = string | 1 | 2; // a literal code unit, 1 = `?`, 2 = `*`

function toUnits(tokens: readonly ResolvedToken[], ignoreCase: boolean): Unit[] {
  const units: Unit[] = [];
  for (const t of tokens) {
    if (t.kind === 'star') units.push(2);
    else if (t.kind === 'one') units.push(1);
    else for (const c of ignoreCase ? t.text.toLowerCase() : t.text) units.push(c);
  }
  return units;
}

/** Whole-string match of resolved tokens against `subject` (code points). */
export function matchTokens(tokens: readonly ResolvedToken[], subject: string, ignoreCase = false): boolean {
  const p = toUnits(tokens, ignoreCase);
  const s = [...(ignoreCase ? subject.toLowerCase() : subject)];
  let pi = 0;
  let si = 0;
  let starP = -1;
  let starS = 0;
  while (si < s.length) {
    const u = p[pi];
    if (u === 2) {
      starP = pi;
      starS = si;
      pi += 1;
    } else if (u !== undefined && (u === 1 || u === s[si])) {
      pi += 1;
      si += 1;
    } else if (starP >= 0) {
      pi = starP + 1;
      starS += 1;
      si = starS;
    } else {
      return false;
    }
  }
  while (p[pi] === 2) pi += 1;
  return pi === p.length;
}

/** Convenience: resolve then match; a missing variable never matches. */
export function matchPattern(pattern: Pattern, subject: string, lookup: (key: string) => string | undefined, ignoreCase = false): boolean {
  const tokens = resolvePattern(pattern, lookup);
  return tokens !== null && matchTokens(tokens, subject, ignoreCase);
}

/** The resolved text of a wildcard-free pattern, or null if a variable is missing. */
export function resolveText(pattern: Pattern, lookup: (key: string) => string | undefined): string | null {
  const tokens = resolvePattern(pattern, lookup);
  if (tokens === null) return null;
  return tokens.map((t) => (t.kind === 'text' ? t.text : t.kind === 'star' ? '*' : '?')).join('');
}
