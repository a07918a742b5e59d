import { fsyncDir } from '../util/fsync-dir.js';

interface DirState {
  running: Promise<void> | null;
  next: Promise<void> | null;
}

/**
 * Shares directory fsyncs between concurrent writers (group commit). A caller is covered
 * only by a sync that *starts* after its rename, so callers arriving while a sync runs
 * wait for the single next one instead of each paying for their own.
 */
export class CoalescedDirSync {
  readonly #dirs = new Map<string, DirState>();

  sync(dir: string): Promise<void> {
    let state = this.#dirs.get(dir);
    if (state === undefined) {
      state = { running: null, next: null };
      this.#dirs.set(dir, state);
    }
    const { running } = state;
    if (running === null) return this.#start(dir, state);
    if (state.next !== null) return state.next;
    const s = state;
    const next = running.then(noop, noop).then(() => {
      s.next = null;
      return this.#start(dir, s);
    });
    s.next = next;
    return next;
  }

  #start(dir: string, state: DirState): Promise<void> {
    const run: Promise<void> = fsyncDir(dir).finally(() => {
      if (state.running === run) state.running = null;
    });
    state.running = run;
    return run;
  }
}

function noop(): void {}
