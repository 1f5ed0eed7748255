import type { Clock } from './health-monitor.js';

/**
 * Calls `report(elapsedMs)` once `firstMs` have passed, then each time the elapsed time has doubled
 * (10 s, 20 s, 40 s, ...), until the returned function is called: a step that hangs is said in the
 * log early, and then sparsely, not once a second.
 */
export function reportWhileSlow(clock: Clock, firstMs: number, report: (elapsedMs: number) => void): () => void {
  const startedAt = clock.now();
  let cancelTimer = (): void => {};
  const reportAt = (dueMs: number): void => {
    cancelTimer = clock.setTimer(() => {
      report(Math.round(clock.now() - startedAt));
      reportAt(dueMs * 2);
    }, dueMs - (clock.now() - startedAt));
  };
  reportAt(firstMs);
  return () => cancelTimer();
}
