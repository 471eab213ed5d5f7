/** The waits pending on each signal, of every client that shares it. */
const pendingWaits = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * A sleep that ends early when `signal` aborts, for the waits of a run's clients (retry backoffs, rate-limit
 * pauses). Every wait on one signal, of every client of the run (one client a managed account), shares one
 * abort listener, added when the first wait starts and removed when the last one ends: a listener a wait, or
 * a client, would pile up on the run's signal (Node warns past 10: MaxListenersExceededWarning), and none is
 * left on it once nothing waits. Each wait clears its timer when it ends, so none keeps the process alive
 * after the run.
 */
export function interruptibleSleep(signal: AbortSignal | undefined): (ms: number) => Promise<void> {
  return (ms) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const wake = () => {
        clearTimeout(timer);
        if (signal) leave(signal, wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      if (signal) join(signal, wake);
    });
}

/** The one listener of every signal: wakes each wait pending on it. */
function wakeAll(event: Event): void {
  for (const wake of [...(pendingWaits.get(event.target as AbortSignal) ?? [])]) wake();
}

function join(signal: AbortSignal, wake: () => void): void {
  let pending = pendingWaits.get(signal);
  if (!pending) {
    pending = new Set();
    pendingWaits.set(signal, pending);
    signal.addEventListener("abort", wakeAll, { once: true });
  }
  pending.add(wake);
}

function leave(signal: AbortSignal, wake: () => void): void {
  const pending = pendingWaits.get(signal);
  if (!pending?.delete(wake) || pending.size > 0) return;
  pendingWaits.delete(signal);
  signal.removeEventListener("abort", wakeAll);
}
