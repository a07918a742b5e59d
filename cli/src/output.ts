/**
 * Everything a command prints goes through Output. The result of a command goes to
 * stdout: a table or text for people, or with --json one JSON document and nothing
 * else, so `anodectl ... --json | jq` always works. Progress, warnings and errors go to
 * stderr. Colour only when the stream is a TTY, NO_COLOR is unset and --no-color was not
 * given.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';

/** The smallest stream shape Output needs (process.stdout, or a capture in tests). */
export interface TextSink {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface OutputOptions {
  json: boolean;
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
  readonly json: boolean;
  /** Styles for stdout (no-ops when stdout gets no colour). */
  readonly style: ChalkInstance;
  /** Styles for stderr. */
  readonly errStyle: ChalkInstance;

  constructor(
    private readonly stdout: TextSink,
    private readonly stderr: TextSink,
    options: OutputOptions,
  ) {
    this.json = options.json;
    this.style = new Chalk({ level: colorLevel(stdout, options) });
    this.errStyle = new Chalk({ level: colorLevel(stderr, options) });
  }

  /**
   * Prints a command's result: with --json, `value` as JSON; otherwise what `human`
   * returns (nothing is printed for an empty string).
   */
  result<T>(value: T, human: (value: T) => string): void {
    if (this.json) {
      this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      return;
    }
    const text = human(value);
    if (text !== '') this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Raw text to stdout (for outputs that are themselves a format, e.g. a firewall ruleset). */
  raw(text: string): void {
    this.stdout.write(text);
  }

  /** Renders rows as a borderless table with upper-case headers. */
  table<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
    const table = new Table({
      head: columns.map((c) => this.style.bold(c.header.toUpperCase())),
      chars: PLAIN_CHARS,
      style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    });
    for (const row of rows) table.push(columns.map((c) => cellText(c.value(row))));
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
