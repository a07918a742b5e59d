/**
 * The one way a command in cli/ shows progress. An animated ora spinner only when stderr
 * is a terminal that reports a width (ora divides by the column count: a pty of width 0
 * makes it clear Infinity lines, a synchronous loop that nothing can interrupt); otherwise
 * plain lines, printed when the text changes and at most every PLAIN_INTERVAL_MS. Either
 * way SIGINT and SIGTERM stop the spinner, restore the cursor and end the process as the
 * signal would (128+n), and the handlers are removed when the spinner stops.
 */
import ora, { type Ora } from 'ora';
import type { OutStream } from './context.js';

/** How often a plain-line spinner repeats an unchanged line (a change is printed at once, rate-limited). */
export const PLAIN_INTERVAL_MS = 5_000;
const PLAIN_MIN_GAP_MS = 1_000;

export interface SpinnerOptions {
  text: string;
  stream: OutStream;
  /** --json / -o json|yaml: print nothing at all. */
  silent: boolean;
  /** For tests: what a signal does once the spinner stopped (default: the signal's own default action). */
  onSignal?: (signal: NodeJS.Signals) => void;
}

export interface Spinner {
  /** true when an animated spinner draws on a terminal. */
  readonly animated: boolean;
  /** Updates the progress text. */
  update(text: string): void;
  /** Stops and removes the signal handlers; prints nothing. */
  stop(): void;
}

/** True when stream is a terminal with a usable width (the only case ora may animate). */
export function canAnimate(stream: OutStream): boolean {
  const columns = (stream as { columns?: unknown }).columns;
  return stream.isTTY === true && typeof columns === 'number' && Number.isFinite(columns) && columns >= 20;
}

export function startSpinner(options: SpinnerOptions): Spinner {
  const animated = !options.silent && canAnimate(options.stream);
  let ora_: Ora | undefined;
  let stopped = false;
  let lastText = '';
  let lastAt = 0;

  const plain = (text: string, force: boolean): void => {
    if (options.silent) return;
    const now = Date.now();
    const changed = text !== lastText;
    if (!force && now - lastAt < (changed ? PLAIN_MIN_GAP_MS : PLAIN_INTERVAL_MS)) return;
    lastText = text;
    lastAt = now;
    options.stream.write(`${text}\n`);
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    stop();
    if (options.onSignal !== undefined) options.onSignal(signal);
    // Our handlers are gone: raising the signal again ends the process the way the signal
    // would have (exit status 128+n seen by the shell), after ora restored the cursor.
    else process.kill(process.pid, signal);
  };
  const handlers: [NodeJS.Signals, () => void][] = (['SIGINT', 'SIGTERM'] as const).map((sig) => [sig, () => onSignal(sig)]);
  for (const [sig, fn] of handlers) process.on(sig, fn);

  function stop(): void {
    if (stopped) return;
    stopped = true;
    for (const [sig, fn] of handlers) process.off(sig, fn);
    ora_?.stop();
  }

  if (animated) {
    // discardStdin: false — ora would otherwise put stdin in raw mode and turn Ctrl-C into its own handling.
    ora_ = ora({ text: options.text, stream: options.stream, isEnabled: true, discardStdin: false }).start();
  } else {
    plain(options.text, true);
  }

  return {
    animated,
    update(text: string): void {
      if (stopped) return;
      if (ora_ !== undefined) ora_.text = text;
      else plain(text, false);
    },
    stop,
  };
}
