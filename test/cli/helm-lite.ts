/**
 * A small renderer for the subset of Helm's Go templates that deploy/helm/anode uses,
 * because the helm binary is not packaged for this machine. It supports: {{- -}} trim
 * markers, comments, define/include, if/else/end, range/end, pipelines, and the
 * functions include, toYaml, nindent, indent, quote, default, join, int and until, and
 * parenthesised sub-pipelines as arguments. Anything else
 * throws, so the chart cannot silently drift outside what is checked here.
 */
import { stringify } from 'yaml';

type Scope = unknown;
interface Root {
  Values: unknown;
  Release: { Name: string; Namespace: string };
  Chart: Record<string, unknown>;
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'expr'; expr: string }
  | { kind: 'if'; cond: string; then: Node[]; else: Node[] }
  | { kind: 'range'; expr: string; body: Node[] };

function tokenize(src: string): ({ kind: 'text'; text: string } | { kind: 'action'; body: string })[] {
  const out: ({ kind: 'text'; text: string } | { kind: 'action'; body: string })[] = [];
  const re = /\{\{(-?)\s*([\s\S]*?)\s*(-?)\}\}/g;
  let last = 0;
  let trimNext = false;
  for (let m = re.exec(src); m !== null; m = re.exec(src)) {
    let text = src.slice(last, m.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (m[1] === '-') text = text.replace(/\s+$/, '');
    out.push({ kind: 'text', text });
    out.push({ kind: 'action', body: m[2] ?? '' });
    trimNext = m[3] === '-';
    last = re.lastIndex;
  }
  let tail = src.slice(last);
  if (trimNext) tail = tail.replace(/^\s+/, '');
  out.push({ kind: 'text', text: tail });
  return out;
}

function parse(src: string, defines: Map<string, Node[]>): Node[] {
  const tokens = tokenize(src);
  let i = 0;
  function block(stopAt: string[]): { nodes: Node[]; stop: string } {
    const nodes: Node[] = [];
    while (i < tokens.length) {
      const t = tokens[i++];
      if (t === undefined) break;
      if (t.kind === 'text') {
        if (t.text !== '') nodes.push({ kind: 'text', text: t.text });
        continue;
      }
      const body = t.body;
      if (body.startsWith('/*')) continue;
      const word = body.split(/\s+/)[0] ?? '';
      if (stopAt.includes(word)) return { nodes, stop: word };
      if (word === 'if') {
        const thenPart = block(['else', 'end']);
        const elsePart = thenPart.stop === 'else' ? block(['end']).nodes : [];
        nodes.push({ kind: 'if', cond: body.slice(2).trim(), then: thenPart.nodes, else: elsePart });
      } else if (word === 'range') {
        nodes.push({ kind: 'range', expr: body.slice(5).trim(), body: block(['end']).nodes });
      } else if (word === 'define') {
        const name = JSON.parse(body.slice(6).trim()) as string;
        defines.set(name, block(['end']).nodes);
      } else if (['else', 'end', 'with', 'template', 'block'].includes(word)) {
        throw new Error(`helm-lite: unsupported or unbalanced action {{ ${body} }}`);
      } else {
        nodes.push({ kind: 'expr', expr: body });
      }
    }
    if (stopAt.length > 0) throw new Error(`helm-lite: missing {{ end }} (wanted ${stopAt.join('/')})`);
    return { nodes, stop: '' };
  }
  return block([]).nodes;
}

function splitArgs(cmd: string): string[] {
  return cmd.match(/"(?:[^"\\]|\\.)*"|\([^()]*\)|\S+/g) ?? [];
}

function lookup(path: string, dot: Scope, root: Root): unknown {
  if (path === '.') return dot;
  const base: unknown = path.startsWith('$.') ? root : dot;
  let value: unknown = base;
  for (const key of path.replace(/^\$?\./, '').split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object' && v !== null) return Object.keys(v).length > 0;
  return v !== undefined && v !== null && v !== false && v !== '' && v !== 0;
}

export class HelmLite {
  private readonly defines = new Map<string, Node[]>();
  constructor(private readonly root: Root) {}

  addHelpers(src: string): void {
    parse(src, this.defines);
  }

  render(src: string): string {
    return this.run(parse(src, this.defines), this.root);
  }

  private run(nodes: Node[], dot: Scope): string {
    let out = '';
    for (const node of nodes) {
      if (node.kind === 'text') out += node.text;
      else if (node.kind === 'expr') out += this.format(this.pipeline(node.expr, dot));
      else if (node.kind === 'if') out += this.run(truthy(this.pipeline(node.cond, dot)) ? node.then : node.else, dot);
      else {
        const list = this.pipeline(node.expr, dot);
        if (!Array.isArray(list)) throw new Error(`helm-lite: range over a non-list (${node.expr})`);
        for (const item of list) out += this.run(node.body, item);
      }
    }
    return out;
  }

  private format(v: unknown): string {
    if (v === undefined || v === null) return '';
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }

  private term(arg: string, dot: Scope): unknown {
    if (arg.startsWith('"')) return JSON.parse(arg) as string;
    if (arg.startsWith('(') && arg.endsWith(')')) return this.pipeline(arg.slice(1, -1), dot);
    if (/^-?\d+$/.test(arg)) return Number(arg);
    if (arg === '.' || arg.startsWith('.') || arg.startsWith('$.')) return lookup(arg, dot, this.root);
    throw new Error(`helm-lite: unsupported term ${arg}`);
  }

  private pipeline(expr: string, dot: Scope): unknown {
    let value: unknown;
    let first = true;
    for (const stage of expr.split('|').map((s) => s.trim())) {
      const [fn = '', ...rawArgs] = splitArgs(stage);
      const isFunction = /^[a-zA-Z]/.test(fn);
      if (!isFunction) {
        if (!first || rawArgs.length > 0) throw new Error(`helm-lite: bad pipeline ${expr}`);
        value = this.term(fn, dot);
      } else {
        const args = rawArgs.map((a) => this.term(a, dot));
        if (!first) args.push(value);
        value = this.call(fn, args);
      }
      first = false;
    }
    return value;
  }

  private call(fn: string, args: unknown[]): unknown {
    const str = (v: unknown): string => this.format(v);
    switch (fn) {
      case 'include': {
        const body = this.defines.get(String(args[0]));
        if (body === undefined) throw new Error(`helm-lite: no template ${String(args[0])}`);
        return this.run(body, args[1]);
      }
      case 'toYaml':
        return stringify(args[0]).trimEnd();
      case 'nindent':
        return `\n${this.indent(Number(args[0]), str(args[1]))}`;
      case 'indent':
        return this.indent(Number(args[0]), str(args[1]));
      case 'quote':
        return JSON.stringify(str(args[0]));
      case 'default':
        return truthy(args[1]) ? args[1] : args[0];
      case 'int': {
        const n = Number(args[0]);
        if (!Number.isFinite(n)) throw new Error(`helm-lite: int of ${str(args[0])}`);
        return Math.trunc(n);
      }
      case 'until': {
        if (!Number.isInteger(args[0])) throw new Error('helm-lite: until wants an int (as in Helm: until (int .Values.x))');
        return Array.from({ length: Math.max(0, args[0] as number) }, (_, i) => i);
      }
      case 'join':
        return (args[1] as unknown[]).map(str).join(str(args[0]));
      default:
        throw new Error(`helm-lite: unsupported function ${fn}`);
    }
  }

  private indent(n: number, text: string): string {
    const pad = ' '.repeat(n);
    return text
      .split('\n')
      .map((line) => pad + line)
      .join('\n');
  }
}
