import { plural } from "../core/plural.js";

/** The signals that interrupt an apply: Ctrl-C, a polite kill, the terminal going away. */
export const INTERRUPT_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** What an interruption does, given by the command: all of it is an effect at the edge. */
export interface InterruptHandlers {
  /** Shows a message beside the live progress, never drawn over. */
  say(text: string): void;
  /** The first signal: start no new removal; those in flight finish. */
  stop(): void;
  /** The second signal: record the removals still in flight (they may or may not happen); returns how many. */
  abandon(): number;
  /** Ends the process at once with this code. */
  exit(code: number): void;
}

/** Where signals come from: the process, or a stand-in in tests. */
export interface SignalSource {
  on(signal: string, handler: () => void): unknown;
  off(signal: string, handler: () => void): unknown;
}

/**
 * The first SIGINT, SIGTERM or SIGHUP (the terminal closed) stops new removals; a second exits at once with
 * `code`, after `abandon` has recorded the removals still in flight. All three mean "stop", so a script sees
 * one code for an interrupted apply whichever way it was stopped. Returns the function that stops listening.
 */
export function onInterrupt(handlers: InterruptHandlers, code: number, signals: SignalSource = process): () => void {
  let count = 0;
  const handler = () => {
    count += 1;
    if (count > 1) {
      const unknown = handlers.abandon();
      const what =
        unknown === 0 ? "" : ` ${plural(unknown, "removal")} in flight may or may not have happened; run roster plan.`;
      handlers.say(`\nExiting at once.${what}\n`);
      handlers.exit(code);
      return;
    }
    handlers.say(
      "\nInterrupted: no new removal will start; waiting for those in flight (press Ctrl-C again to exit at once).\n",
    );
    handlers.stop();
  };
  for (const signal of INTERRUPT_SIGNALS) signals.on(signal, handler);
  return () => {
    for (const signal of INTERRUPT_SIGNALS) signals.off(signal, handler);
  };
}
