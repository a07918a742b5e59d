import type { ChangeFeed } from '../metadata/types.js';

/**
 * Runs `refresh` on every settings announcement of the change feed and, as the fallback for
 * a lost notification, every feed.resyncIntervalMs; returns the function that stops it.
 * Any setting triggers it: settings change rarely, so no list has to be kept in step.
 */
export function followSettings(feed: ChangeFeed, refresh: () => Promise<void>, onError: (err: unknown) => void): () => void {
  const run = (): void => void refresh().catch(onError);
  const unsubscribe = feed.subscribe((change) => {
    if (change.kind === 'resync' || change.kind === 'setting') run();
  });
  const timer = feed.resyncIntervalMs === null ? null : setInterval(run, feed.resyncIntervalMs);
  timer?.unref();
  return () => {
    unsubscribe();
    if (timer) clearInterval(timer);
  };
}
