import type { ApplyEvent } from "./apply-plan.js";

/** The executor's events, fanned out to every view and log that subscribes. */
export interface EventHub {
  emit(event: ApplyEvent): void;
  /** Replays the events so far, then delivers new ones, so a late subscriber misses nothing. */
  subscribe(listener: (event: ApplyEvent) => void): () => void;
}

export function eventHub(): EventHub {
  const history: ApplyEvent[] = [];
  const listeners = new Set<(event: ApplyEvent) => void>();
  return {
    emit(event) {
      history.push(event);
      for (const listener of listeners) listener(event);
    },
    subscribe(listener) {
      for (const event of history) listener(event);
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
