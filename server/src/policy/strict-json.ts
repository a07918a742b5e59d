/**
 * A linear pre-scan of JSON text for what JSON.parse silently accepts but a policy must
 * not: duplicate keys in one object (JSON.parse keeps the last, so a reviewer and the
 * server could read different policies) and excessive nesting. Syntax errors are left
 * for JSON.parse to report.
 */

export type StrictJsonProblem = { kind: 'duplicate-key'; key: string } | { kind: 'too-deep'; maxDepth: number };

export function findStrictJsonProblem(text: string, maxDepth: number): StrictJsonProblem | null {
  // One entry per open container: a key set for objects, null for arrays.
  const stack: (Set<string> | null)[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      const start = i;
      i += 1;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i += 1;
      const top = stack[stack.length - 1];
      if (top) {
        let j = i;
        while (j < text.length && /\s/.test(text[j] as string)) j += 1;
        if (text[j] === ':') {
          let key: string;
          try {
            key = JSON.parse(text.slice(start, i)) as string;
          } catch {
            return null; // malformed string: JSON.parse will say so
          }
          if (top.has(key)) return { kind: 'duplicate-key', key };
          top.add(key);
        }
      }
      continue;
    }
    if (ch === '{' || ch === '[') {
      stack.push(ch === '{' ? new Set() : null);
      if (stack.length > maxDepth) return { kind: 'too-deep', maxDepth };
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    }
    i += 1;
  }
  return null;
}
