import type { ApplyEvent, ApplyResult } from "../apply/apply-plan.js";
import type { AccountApplyEvent } from "../apply/apply-run.js";
import { eventHub, type EventHub } from "../apply/event-hub.js";
import { notRegularFile } from "../files/regular-file.js";
import { resultLine, summaryLines } from "../render/apply-lines.js";
import { colorWanted } from "../render/color.js";
import { linesToText, terminalWidth } from "../render/lines.js";
import { wrapWords } from "../render/wrap-words.js";
import { isInteractive, redact, write, type Io } from "../terminal/io.js";
import { describeOutputFailure, type OutputFailure } from "../terminal/output-watch.js";
import { sanitize } from "../core/safe-text.js";
import type { ClientHooks } from "../targets/connect.js";
import { AuditLog } from "../apply/audit-log.js";
import { subscribeAudit, type AuditSubscription } from "../apply/audit-subscription.js";
import { APPLY_EXIT } from "../apply/exit-code.js";
import { onInterrupt } from "../apply/interrupts.js";
import { jsonText } from "../core/safe-text.js";
import { canPrompt, exitNow } from "../terminal/io.js";
import { confirm } from "../terminal/confirm.js";

/** The hooks of an apply's clients: stopped by `signal`, retries and waits to `events.emit`, retries logged in CI. */
export function applyHooks(
  options: { format: string },
  io: Io,
  signal: AbortSignal,
  events: { emit?: (event: ApplyEvent) => void },
): ClientHooks {
  return {
    signal,
    onWait: (wait) => events.emit?.({ type: "waiting", ...wait }),
    onRetry: (event) => {
      events.emit?.({ type: "retrying", attempt: event.attempt, reason: event.reason, delayMs: event.delayMs });
      if (options.format !== "json" && !isInteractive(io)) {
        write(
          io.stderr,
          `retrying ${event.method} ${event.path.split("?")[0]} (attempt ${event.attempt}) after ${sanitize(event.reason)} in ${(event.delayMs / 1000).toFixed(1)} s\n`,
          io.env,
        );
      }
    },
  };
}

/**
 * The hubs of a run's events: every organization's (with its account's id) for the audit log, and the same as
 * one run for the progress view, each result with its account's name from `names` (across accounts: one email
 * may be a user of two accounts). The view hears the run's own start and done, not each organization's.
 */
export function runHubs(names: ReadonlyMap<string, string>): {
  auditHub: EventHub;
  viewHub: EventHub;
  forward(): void;
} {
  const auditHub = eventHub();
  const viewHub = eventHub();
  // Subscribed after the audit log (watchRun), so that each removal is in the log before it is shown: a run
  // killed between the two has shown nothing the log lacks.
  const forward = () =>
    auditHub.subscribe((event) => {
      const name = event.type === "finished" ? names.get((event as AccountApplyEvent).account_id) : undefined;
      if (event.type === "finished")
        viewHub.emit({ ...event, result: { ...event.result, ...(name !== undefined ? { account: name } : {}) } });
      else if (event.type !== "start" && event.type !== "done") viewHub.emit(event);
    });
  return { auditHub, viewHub, forward };
}

/** An event without the account's id it was tagged with: the key's own organization alone logs none, as ever. */
export function untagged(event: AccountApplyEvent): ApplyEvent {
  const { account_id: _, ...rest } = event;
  return rest as ApplyEvent;
}

/** The live progress: the ink view at a terminal, a plain log otherwise; `say` shows a message beside it. */
export interface ProgressView {
  finished: Promise<void>;
  say(text: string): void;
}

/** Progress as removals finish: the ink view at a terminal; in logs a line per removal, or per tenth of a large run. */
export async function startProgressView(hub: EventHub, total: number, io: Io): Promise<ProgressView> {
  write(io.stdout, "\n", io.env);
  const say = (text: string) => write(io.stderr, text, io.env);
  if (isInteractive(io)) {
    const { renderApplyProgress } = await import("../render/ink/render-apply.js");
    const view = renderApplyProgress(hub.subscribe, total, io.stdout, io.stderr, colorWanted(io.env));
    return { finished: view.finished, say: (text) => view.say(atWidth(redact(text, io.env), io)) };
  }
  const { logApplyProgress } = await import("../render/progress-log.js");
  return { finished: logApplyProgress(hub.subscribe, total, (text) => write(io.stdout, text, io.env)), say };
}

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

/**
 * Asks at the terminal whether to apply `question`'s removals. Undefined when the answer is 'yes'; otherwise
 * the exit code, with what happened said (and `report`ed): no terminal to ask at, or the answer was not 'yes'.
 */
export async function askToApply(
  io: Io,
  question: string,
  report: (closing: string) => void,
): Promise<number | undefined> {
  if (!canPrompt(io)) {
    report("Not applied: no terminal to confirm at and no --yes. Nothing was changed.");
    write(
      io.stderr,
      "roster: refusing to apply without confirmation: no terminal to ask at. Review the plan, then pass --yes to apply unattended. Nothing was changed.\n",
      io.env,
    );
    return APPLY_EXIT.error;
  }
  const answer = await confirm(io, atWidth(`\n${question}\n  Only 'yes' will be accepted to approve.\n\n`, io));
  if (answer === "yes") return undefined;
  write(
    io.stderr,
    atWidth(`\nApply cancelled${answer === "interrupted" ? " (Ctrl-C)" : ""}: nothing was changed.\n`, io),
    io.env,
  );
  return answer === "interrupted" ? APPLY_EXIT.interrupted : APPLY_EXIT.error;
}

/** Text for the terminal wrapped at word boundaries to its width; unchanged for logs and pipes. */
export function atWidth(text: string, io: Io): string {
  return isInteractive(io) ? wrapWords(text, terminalWidth(io.stdout)) : text;
}

/**
 * Whether the preview (or the question) could not be written: then nothing is applied, since nobody may have
 * seen what would be removed. Says so on stderr when stderr still works.
 */
export async function previewLost(io: Io): Promise<boolean> {
  const [failure] = (await io.output?.settled()) ?? [];
  if (!failure) return false;
  io.output!.reported = true;
  write(
    io.stderr,
    `roster: error: ${describeOutputFailure(failure)}: the plan could not be shown, so nothing was applied. Nothing was changed.\n`,
    io.env,
  );
  return true;
}

/**
 * After output failed during apply: no further removal was started, and every result that may not have
 * reached stdout is written to stderr (when stderr still works), with the summary. The audit log has them all.
 */
export function reportLostOutput(
  failure: OutputFailure,
  result: ApplyResult,
  total: number,
  verifiedText: string,
  io: Io,
): void {
  io.output!.reported = true;
  if (io.output!.failed("stderr")) return;
  const stopped = result.stoppedBy ? "no further removal was started; " : "";
  write(io.stderr, `roster: error: ${describeOutputFailure(failure)}: ${stopped}the results follow here.\n`, io.env);
  if (!io.output!.failed("stdout")) return;
  write(io.stderr, linesToText([...result.results.map(resultLine), ...summaryLines(result, total)]), io.env);
  if (verifiedText) write(io.stderr, verifiedText, io.env);
}

/** Refuses, before any request, an audit log path that names something other than a regular file. */
export function checkAuditLogPath(path: string): void {
  const kind = notRegularFile(path);
  if (kind)
    throw new Error(
      `the audit log ${path} is ${kind}, not a file: give the path of a file to append to (it is created if missing). Nothing was changed.`,
    );
}
