/** Runs a task when the bound allows, as p-limit's limit does: the executor sends each removal through one. */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

/** A bound on tasks in flight shared by several accounts, handed out to them in turn. */
export interface FairSlots {
  /** The limit one account's tasks go through; every account's limit draws on the same slots. */
  forAccount(account: string): Limit;
  /** Tasks running now, every account together. */
  readonly inFlight: number;
}

/**
 * At most `concurrency` tasks in flight across all accounts, and a freed slot goes to the accounts waiting in
 * turn (round robin), not to whichever queued first: a p-limit shared by every account would send an account's
 * 500 removals before another's 3, which would wait for all of them. Each account's own tasks start in the
 * order it queued them.
 */
export function fairSlots(concurrency: number): FairSlots {
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`the concurrency must be a whole number of at least 1, not ${concurrency}`);
  let free = concurrency;
  /** Each waiting account's tasks, in the order it queued them. */
  const waiting = new Map<string, (() => void)[]>();
  /** The accounts with a task waiting, in the order they get the next free slots. */
  const turns: string[] = [];

  const grant = () => {
    while (free > 0 && turns.length > 0) {
      const account = turns.shift()!;
      const queue = waiting.get(account)!;
      const start = queue.shift()!;
      // Served: to the back of the line, behind every other account waiting, if it has more.
      if (queue.length > 0) turns.push(account);
      else waiting.delete(account);
      free -= 1;
      start();
    }
  };

  const acquire = (account: string) =>
    new Promise<void>((resolve) => {
      const queue = waiting.get(account);
      if (queue) queue.push(resolve);
      else {
        waiting.set(account, [resolve]);
        turns.push(account);
      }
      grant();
    });

  return {
    forAccount(account) {
      return async <T>(task: () => Promise<T>): Promise<T> => {
        await acquire(account);
        try {
          return await task();
        } finally {
          free += 1;
          grant();
        }
      };
    },
    get inFlight() {
      return concurrency - free;
    },
  };
}
