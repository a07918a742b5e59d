/**
 * Everything a command prints goes through Output. The result of a command goes to
 * stdout in the format of `-o`: `table` (the default: text and tables for people that fit
 * 80 columns), `wide` (every column, full timestamps), `json` (one JSON document and
 * nothing else, so `anodectl ... -o json | jq` always works; `--json` is short for it) or
 * `yaml`. JSON and YAML keys are snake_case. Progress, warnings and errors go to stderr.
 * Colour only when the stream is a TTY, NO_COLOR is unset and --no-color was not given.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import { stringify as yamlStringify } from 'yaml';

export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The smallest stream shape Output needs (process.stdout, or a capture in tests). */
export interface TextSink {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface OutputOptions {
  /** --json: the same as format json. */
  json: boolean;
  /** -o; default table (json when json is set). */
  format?: OutputFormat;
  /** false when --no-color was given. */
  color: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

/** Chalk level for stream: 0 (none) unless colour is allowed and the stream is a terminal. */
export function colorLevel(stream: TextSink, options: Pick<OutputOptions, 'color' | 'env'>): 0 | 1 | 2 | 3 {
  if (!options.color) return 0;
  // https://no-color.org: any non-empty value disables colour.
  if ((options.env['NO_COLOR'] ?? '') !== '') return 0;
  const force = options.env['FORCE_COLOR'];
  if (force !== undefined && force !== '') {
    if (force === '0' || force === 'false') return 0;
    return force === '2' ? 2 : force === '3' ? 3 : 1;
  }
  if (stream.isTTY !== true) return 0;
  if (options.env['TERM'] === 'dumb') return 0;
  const colorterm = options.env['COLORTERM'];
  if (colorterm === 'truecolor' || colorterm === '24bit') return 3;
  return options.env['TERM']?.includes('256') === true ? 2 : 1;
}

/** One column of a table: the header and how to get a cell from a row. */
export interface Column<Row> {
  header: string;
  value: (row: Row) => string | number | boolean | null | undefined;
  /** Shown only with -o wide (the default table keeps to 80 columns). */
  wide?: boolean;
}

/** "camelCaseKey" → "camel_case_key". */
export function snakeCase(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** A copy of value with every object key in snake_case (for results built from camelCase types). */
export function snakeCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCaseKeys);
  if (value !== null && typeof value === 'object' && !(value instanceof Date))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [snakeCase(k), snakeCaseKeys(v)]));
  return value;
}

// kubectl-style: no box drawing, columns separated by spaces, so output stays greppable.
const PLAIN_CHARS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

export class Output {
  /** The result is for a program (-o json or -o yaml): print nothing else on stdout, and no progress. */
  readonly json: boolean;
  readonly format: OutputFormat;
  /** -o wide: every column. */
  readonly wide: boolean;
  /** Styles for stdout (no-ops when stdout gets no colour). */
  readonly style: ChalkInstance;
  /** Styles for stderr. */
  readonly errStyle: ChalkInstance;

  constructor(
    private readonly stdout: TextSink,
    private readonly stderr: TextSink,
    options: OutputOptions,
  ) {
    this.format = options.format ?? (options.json ? 'json' : 'table');
    this.json = this.format === 'json' || this.format === 'yaml';
    this.wide = this.format === 'wide';
    this.style = new Chalk({ level: colorLevel(stdout, options) });
    this.errStyle = new Chalk({ level: colorLevel(stderr, options) });
  }

  /**
   * Prints a command's result: with -o json / --json, `value` as JSON; with -o yaml as
   * YAML; otherwise what `human` returns (nothing is printed for an empty string).
   */
  result<T>(value: T, human: (value: T) => string): void {
    if (this.json) {
      this.stdout.write(this.document(value));
      return;
    }
    const text = human(value);
    if (text !== '') this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** value as one JSON or YAML document (for -o json|yaml), newline-terminated. */
  document(value: unknown): string {
    if (this.format === 'yaml') return `${yamlStringify(value ?? null)}`;
    return `${JSON.stringify(value, null, 2)}\n`;
  }

  /** An ISO timestamp for a table cell: "2026-12-02 01:50" by default, in full with -o wide. */
  when(iso: string | null | undefined): string | null | undefined {
    if (iso === null || iso === undefined || iso === '' || this.wide) return iso;
    const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(iso);
    return m ? `${m[1]} ${m[2]}` : iso;
  }

  /** Raw text to stdout (for outputs that are themselves a format, e.g. a firewall ruleset). */
  raw(text: string): void {
    this.stdout.write(text);
  }

  /** Renders rows as a borderless table with upper-case headers. */
  table<Row>(allColumns: readonly Column<Row>[], rows: readonly Row[]): string {
    const columns = allColumns.filter((c) => this.wide || c.wide !== true);
    const head = columns.map((c) => this.style.bold(c.header.toUpperCase()));
    const cells = rows.map((row) => columns.map((c) => cellText(c.value(row))));
    const style = { head: [], border: [], 'padding-left': 0, 'padding-right': 0 };
    // Natural width of each column (the widest line of any cell), gaps of 2 between them.
    const widths = columns.map((_c, i) => Math.max(...[head[i]!, ...cells.map((r) => r[i]!)].map(textWidth)));
    const total = widths.reduce((a, b) => a + b, 0) + 2 * (columns.length - 1);
    let options: ConstructorParameters<typeof Table>[0] = { head, chars: PLAIN_CHARS, style };
    if (!this.wide && total > TABLE_WIDTH && columns.length > 0) {
      // Too wide for 80 columns: wrap the widest columns, one at a time, down to
      // MIN_WRAP_WIDTH each (-o wide never wraps).
      const colWidths = [...widths];
      let over = total - TABLE_WIDTH;
      while (over > 0) {
        const widest = colWidths.indexOf(Math.max(...colWidths));
        const cut = Math.min(over, colWidths[widest]! - MIN_WRAP_WIDTH);
        if (cut <= 0) break;
        colWidths[widest] = colWidths[widest]! - cut;
        over -= cut;
      }
      options = { ...options, colWidths, wordWrap: true, wrapOnWordBoundary: true };
    }
    const table = new Table(options);
    for (const row of cells) table.push(row);
    return trimLines(table.toString());
  }

  /** Renders label/value pairs, one per line, labels aligned. */
  details(pairs: readonly (readonly [string, string | number | boolean | null | undefined])[]): string {
    const table = new Table({ chars: PLAIN_CHARS, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 } });
    for (const [label, value] of pairs) table.push([this.style.bold(`${label}:`), cellText(value)]);
    return trimLines(table.toString());
  }

  /** A progress or status message (stderr). */
  info(message: string): void {
    this.stderr.write(`${message}\n`);
  }

  success(message: string): void {
    this.stderr.write(`${this.errStyle.green('✓')} ${message}\n`);
  }

  warn(message: string): void {
    this.stderr.write(`${this.errStyle.yellow('warning:')} ${message}\n`);
  }

  error(message: string, hint?: string): void {
    this.stderr.write(`${this.errStyle.red('error:')} ${message}\n`);
    if (hint !== undefined) this.stderr.write(`${this.errStyle.dim(`hint: ${hint}`)}\n`);
  }
}

/** The default table width (kubectl and gh keep to a terminal of 80 columns). */
export const TABLE_WIDTH = 80;
const MIN_WRAP_WIDTH = 20;

/** Display width of the widest line of text (ANSI colour codes take no room). */
export function textWidth(text: string): number {
  return Math.max(0, ...text.split('\n').map((line) => [...line.replace(/\x1b\[[0-9;]*m/g, '')].length));
}

function cellText(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined || value === '') return '-';
  return String(value);
}

function trimLines(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}
