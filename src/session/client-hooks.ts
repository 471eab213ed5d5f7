import type { ApplyEvent } from "../apply/apply-plan.js";
import { sanitize } from "../core/safe-text.js";
import type { ClientHooks } from "../targets/connect.js";
import { isInteractive, write, type Io } from "../terminal/io.js";

/** Where the clients' retries and waits go: the progress view's hub, once removals start. */
export interface ClientEvents {
  emit?: (event: ApplyEvent) => void;
}

/** The hooks of an apply's clients: stopped by `signal`, retries and waits to `events.emit`, retries logged in CI. */
export function applyHooks(
  options: { format: string },
  io: Io,
  signal: AbortSignal,
  events: ClientEvents,
): ClientHooks {
  return {
    signal,
    onWait: (wait) => events.emit?.({ type: "waiting", ...wait }),
    onRetry: (event) => {
      events.emit?.({ type: "retrying", attempt: event.attempt, reason: event.reason, delayMs: event.delayMs });
      if (options.format !== "json" && !isInteractive(io)) {
        write(
          io.stderr,
          `retrying ${event.method} ${event.path.split("?")[0]} (attempt ${event.attempt}) after ` +
            `${sanitize(event.reason)} in ${(event.delayMs / 1000).toFixed(1)} s\n`,
          io.env,
        );
      }
    },
  };
}
