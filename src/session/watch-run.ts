import { AuditLog } from "../apply/audit-log.js";
import { subscribeAudit, type AuditSubscription } from "../apply/audit-subscription.js";
import type { EventHub } from "../apply/event-hub.js";
import { APPLY_EXIT } from "../apply/exit-code.js";
import { onInterrupt } from "../apply/interrupts.js";
import { jsonText } from "../core/safe-text.js";
import { exitNow, redact, write, type Io } from "../terminal/io.js";
import type { OutputFailure } from "../terminal/output-watch.js";
import { startProgressView, type ProgressView } from "./progress-view.js";

/** What watches a run while removals go: the audit log, lost output, signals, and the progress view. */
export interface RunWatch {
  audit: AuditSubscription;
  view: ProgressView | undefined;
  /** The first write to stdout or stderr that failed during the run. */
  writeFailure(): OutputFailure | undefined;
  /** Whether SIGINT, SIGTERM or SIGHUP stopped the run. */
  interrupted(): boolean;
  /** Once the removals are done: stops listening for signals and closes the audit log. */
  end(): void;
  /** Once everything is written: stops watching the output. */
  stopWatching(): void;
}

/**
 * Starts watching a run: its events (`auditHub`, account ids included) to the audit log, `viewHub`'s to the
 * progress view (none with --format json). An interruption, a lost audit line or lost output (a full disk, a
 * closed terminal or pipe) aborts `interrupt`: no removal starts after it, and those in flight finish.
 */
export async function watchRun(
  hubs: { audit: EventHub; view: EventHub },
  total: number,
  options: { auditLog?: string | undefined; json: boolean },
  interrupt: AbortController,
  io: Io,
): Promise<RunWatch> {
  const log = options.auditLog ? AuditLog.open(options.auditLog, (text) => redact(text, io.env)) : undefined;
  const audit = subscribeAudit(hubs.audit, log, (entry) => {
    write(io.stderr, `roster: not in the audit log: ${jsonText(entry)}\n`, io.env);
    interrupt.abort();
  });
  let writeFailure: OutputFailure | undefined;
  const stopWatching = io.output?.onFailure((failure) => {
    writeFailure ??= failure;
    interrupt.abort();
  });
  let interrupted = false;
  const view = options.json ? undefined : await startProgressView(hubs.view, total, io);
  const stopSignals = onInterrupt(
    {
      say: view?.say ?? ((text) => write(io.stderr, text, io.env)),
      stop: () => {
        interrupted = true;
        interrupt.abort();
      },
      abandon: () => audit.abandon(new Date().toISOString()),
      exit: (code) => exitNow(io, code),
    },
    APPLY_EXIT.interrupted,
  );
  return {
    audit,
    view,
    writeFailure: () => writeFailure,
    interrupted: () => interrupted,
    end: () => {
      stopSignals();
      audit.close();
    },
    stopWatching: () => stopWatching?.(),
  };
}
