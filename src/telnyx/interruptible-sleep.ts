/**
 * A sleep that ends early when `signal` aborts, for the waits of one client (retry backoffs, rate-limit
 * pauses). All the waits share one abort listener, however many are pending at once: a listener per wait
 * would pile up on the run's signal (Node warns past 10: MaxListenersExceededWarning), and each wait clears
 * its timer when it ends, so none keeps the process alive after the run.
 */
export function interruptibleSleep(signal: AbortSignal | undefined): (ms: number) => Promise<void> {
  const pending = new Set<() => void>();
  signal?.addEventListener("abort", () => {
    for (const wake of [...pending]) wake();
  }, { once: true });
  return (ms) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const wake = () => {
        clearTimeout(timer);
        pending.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      pending.add(wake);
    });
}
