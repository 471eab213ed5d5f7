import { createInterface } from "node:readline/promises";
import { canPrompt, isInteractive, redact, write, type Io } from "../terminal/io.js";
import { applyPlan, type ApplyEvent, type ApplyResult } from "../apply/apply-plan.js";
import { AuditLog, auditEntry, unknownEntry } from "../apply/audit-log.js";
import { reportApply } from "../github/job-summary.js";
import { APPLY_EXIT, applyExitCode } from "../apply/exit-code.js";
import { describeOutputFailure, type OutputFailure } from "../terminal/output-watch.js";
import { notRegularFile } from "../files/regular-file.js";
import { loadManifest } from "../manifest/load-manifest.js";
import { countRemovable, type Rules } from "../plan/rules.js";
import type { Removal } from "../plan/plan.js";
import { linesToText, terminalWidth } from "../render/lines.js";
import { plural } from "../core/plural.js";
import { resultLine, summaryLines } from "../render/apply-lines.js";
import { colorWanted } from "../render/color.js";
import { wrapWords } from "../render/wrap-words.js";
import { jsonText, sanitize } from "../core/safe-text.js";
import { ApiError } from "../telnyx/api-error.js";
import type { TelnyxClient } from "../telnyx/client.js";
import { readOrganization } from "../telnyx/read-organization.js";
import { connect, type ApiOptions } from "./connect.js";
import type { GuardOptions } from "../plan/guards.js";
import { preparePlan, prepareSavedPlan } from "./prepare-plan.js";
import { showPlan, type PlanFormat } from "./show-plan.js";

export interface ApplyOptions extends ApiOptions {
  file: string;
  /** A plan saved by `roster plan --out`: apply exactly its removals, without the manifest and without a question. */
  planFile?: string;
  /** Apply a saved plan even when the manifest it was made from has changed since. */
  ignoreManifestChange?: boolean;
  format: PlanFormat;
  yes: boolean;
  guards: GuardOptions;
  /** Append one JSON line per finished removal to this file. */
  auditLog?: string;
  /** Read the organization again afterwards and report whether it converged. */
  verify: boolean;
}

export { APPLY_EXIT };

/** The signals that interrupt an apply: Ctrl-C, a polite kill, the terminal going away. */
const INTERRUPT_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Plans afresh (or takes a saved plan), shows the plan, checks the guards, asks, removes, verifies. A saved
 * plan is not asked about: saving it and applying it are the two steps of a review, as with Terraform.
 */
export async function applyCommand(options: ApplyOptions, io: Io): Promise<number> {
  // apply never removes anyone once its preview could not be written, a reader gone away included.
  if (io.output) io.output.closedPipeIsError = true;
  // An audit log that is not a file (a FIFO, a device) is refused before anything else, not after the question.
  if (options.auditLog) checkAuditLogPath(options.auditLog);
  // Bad input is refused before any request: the manifest, or the saved plan (whose checks load only when needed).
  const input = options.planFile
    ? { saved: await (await import("./saved-plan-input.js")).loadSavedPlanForApply(options.planFile, options.ignoreManifestChange ?? false, io) }
    : { manifest: await loadManifest(options.file) };
  const interrupt = new AbortController();
  // Set once removals start: the progress views hear of the client's retries and waits through the events.
  let clientEvent: ((event: ApplyEvent) => void) | undefined;
  const client = connect(options, io, {
    signal: interrupt.signal,
    onWait: (wait) => clientEvent?.({ type: "waiting", ...wait }),
    onRetry: (event) => {
      clientEvent?.({ type: "retrying", attempt: event.attempt, reason: event.reason, delayMs: event.delayMs });
      if (options.format !== "json" && !isInteractive(io)) {
        write(io.stderr, `retrying ${event.method} ${event.path.split("?")[0]} (attempt ${event.attempt}) after ${sanitize(event.reason)} in ${(event.delayMs / 1000).toFixed(1)} s\n`, io.env);
      }
    },
  });
  try {
    const { plan, verdict, rules, source } = input.saved
      ? await prepareSavedPlan(input.saved, client, options.concurrency, options.guards)
      : await preparePlan(input.manifest, client, options.concurrency, options.guards);
    const json = options.format === "json";
    if (!json) await showPlan(plan, verdict, source, options.format, io);

    if (plan.summary.remove === 0) {
      reportApply(io, plan, verdict, source, undefined, "Nothing to apply: the organization already matches the manifest.");
      if (json) write(io.stdout, jsonText(applyJson(emptyResult(), undefined), 2) + "\n", io.env);
      else write(io.stdout, "\nNothing to apply: the organization already matches the manifest.\n", io.env);
      return APPLY_EXIT.ok;
    }
    if (!verdict.allowed) {
      reportApply(io, plan, verdict, source, undefined, "Not applied: a safety guard refused the plan. Nothing was changed.");
      write(io.stderr, `roster: refused: ${verdict.message}\nNothing was changed.\n`, io.env);
      return APPLY_EXIT.refused;
    }
    if (await previewLost(io)) return APPLY_EXIT.error;
    if (!options.yes && !input.saved) {
      if (!canPrompt(io)) {
        reportApply(io, plan, verdict, source, undefined, "Not applied: no terminal to confirm at and no --yes. Nothing was changed.");
        write(io.stderr, "roster: refusing to apply without confirmation: no terminal to ask at. Review the plan, then pass --yes to apply unattended. Nothing was changed.\n", io.env);
        return APPLY_EXIT.error;
      }
      const answer = await confirm(io, plan.summary.remove, client.host);
      if (answer !== "yes") {
        write(io.stderr, atWidth(`\nApply cancelled${answer === "interrupted" ? " (Ctrl-C)" : ""}: nothing was changed.\n`, io), io.env);
        return answer === "interrupted" ? APPLY_EXIT.interrupted : APPLY_EXIT.error;
      }
    }

    // The last moment to stop with nothing changed: the preview and the question must have been written.
    if (await previewLost(io)) return APPLY_EXIT.error;

    const hub = eventHub();
    clientEvent = hub.emit;
    const audit = options.auditLog ? AuditLog.open(options.auditLog, (text) => redact(text, io.env)) : undefined;
    const inFlight = new Map<string, Removal>();
    let auditFailure: string | undefined;
    hub.subscribe((event) => {
      if (event.type === "sent") inFlight.set(event.removal.id, event.removal);
      if (event.type === "not_started") inFlight.delete(event.removal.id);
      if (event.type !== "finished") return;
      inFlight.delete(event.result.removal.id);
      if (!audit) return;
      const entry = auditEntry(event.result);
      try {
        audit.write(entry);
      } catch (error) {
        // A removal the log cannot record must not be followed by more: stop, and keep this record on stderr.
        auditFailure ??= `cannot append to the audit log ${audit.path} (${(error as NodeJS.ErrnoException).code ?? String(error)}): no further removal was started`;
        write(io.stderr, `roster: not in the audit log: ${jsonText(entry)}\n`, io.env);
        interrupt.abort();
      }
    });
    // Output that cannot be written (a full disk, a closed terminal or pipe) stops new removals, as an
    // interruption does; those in flight finish and get their audit lines.
    let writeFailure: OutputFailure | undefined;
    const stopWatching = io.output?.onFailure((failure) => {
      writeFailure ??= failure;
      interrupt.abort();
    });
    let interrupted = false;
    const view = json ? undefined : await startProgressView(hub, plan.summary.remove, io);
    const say = view?.say ?? ((text: string) => write(io.stderr, text, io.env));
    const stopSignals = onInterrupt(io, say, () => {
      interrupted = true;
      interrupt.abort();
    }, () => {
      // Exiting at once: the removals in flight may or may not happen, and the log says so.
      const time = new Date().toISOString();
      try {
        for (const removal of inFlight.values()) audit?.write(unknownEntry(removal, time));
      } catch {
        // Exiting anyway: the message below still names how many are unknown.
      }
      return inFlight.size;
    });
    let result: ApplyResult;
    try {
      result = await applyPlan(plan, rules, client, { concurrency: options.concurrency, onEvent: hub.emit, signal: interrupt.signal });
    } finally {
      stopSignals();
      audit?.close();
    }
    await view?.finished;
    await io.output?.settled();

    let verification: Verification | undefined;
    // Verification never follows a stop (an interruption, a lost audit line or lost output): the run did not
    // do all it planned, and its output could not show the answer anyway.
    if (options.verify && !result.stoppedBy && !writeFailure) {
      verification = await verify(rules, client, options.concurrency);
      if (!json) write(io.stdout, atWidth(verificationText(verification), io), io.env);
    }
    const closing = [verification ? verificationText(verification) : "", result.fatal ? `Error: ${result.fatal.message}` : "", auditFailure ? `Error: ${auditFailure}` : ""];
    reportApply(io, plan, verdict, source, result, closing.filter(Boolean).join(" "));
    if (json) write(io.stdout, jsonText(applyJson(result, verification), 2) + "\n", io.env);
    await io.output?.settled();
    stopWatching?.();
    if (result.fatal) write(io.stderr, `roster: error: ${sanitize(result.fatal.message)}\n`, io.env);
    if (auditFailure) write(io.stderr, `roster: error: ${sanitize(auditFailure)}\n`, io.env);
    if (writeFailure) reportLostOutput(writeFailure, result, plan.summary.remove, verification, io);
    return applyExitCode({ result, verification, auditFailure: auditFailure !== undefined, writeFailure: writeFailure !== undefined, interrupted });
  } finally {
    client.close();
  }
}

/** What reading the organization again after apply found; an error when it could not be read. */
type Verification = { converged: boolean; remaining: number } | { converged: false; error: string };

async function verify(rules: Rules, client: TelnyxClient, concurrency: number): Promise<Verification> {
  try {
    const remaining = countRemovable(await readOrganization(client, { concurrency }), rules);
    return { converged: remaining === 0, remaining };
  } catch (error) {
    // The removals are done and their results must still be printed: a failed read is reported, not thrown.
    if (error instanceof ApiError && error.kind !== "config") return { converged: false, error: error.message };
    throw error;
  }
}

function verificationText(verification: Verification): string {
  if ("error" in verification) return `Could not verify: ${sanitize(verification.error)}; run roster plan to check.\n`;
  if (verification.converged) return "Verified: the organization now matches the manifest.\n";
  const { remaining } = verification;
  return `Not converged: ${plural(remaining, "user")} the manifest does not list ${remaining === 1 ? "is" : "are"} still in the organization; run roster apply again.\n`;
}

function emptyResult(): ApplyResult {
  return { summary: { removed: 0, already_absent: 0, failed: 0, unknown: 0, not_started: 0 }, results: [] };
}

/**
 * Whether the preview (or the question) could not be written: then nothing is applied, since nobody may have
 * seen what would be removed. Says so on stderr when stderr still works.
 */
async function previewLost(io: Io): Promise<boolean> {
  const [failure] = (await io.output?.settled()) ?? [];
  if (!failure) return false;
  io.output!.reported = true;
  write(io.stderr, `roster: error: ${describeOutputFailure(failure)}: the plan could not be shown, so nothing was applied. Nothing was changed.\n`, io.env);
  return true;
}

/**
 * After output failed during apply: no further removal was started, and every result that may not have
 * reached stdout is written to stderr (when stderr still works), with the summary. The audit log has them all.
 */
function reportLostOutput(failure: OutputFailure, result: ApplyResult, total: number, verification: Verification | undefined, io: Io): void {
  io.output!.reported = true;
  if (io.output!.failed("stderr")) return;
  const stopped = result.stoppedBy ? "no further removal was started; " : "";
  write(io.stderr, `roster: error: ${describeOutputFailure(failure)}: ${stopped}the results follow here.\n`, io.env);
  if (!io.output!.failed("stdout")) return;
  write(io.stderr, linesToText([...result.results.map(resultLine), ...summaryLines(result, total)]), io.env);
  if (verification) write(io.stderr, verificationText(verification), io.env);
}

/** Refuses, before any request, an audit log path that names something other than a regular file. */
function checkAuditLogPath(path: string): void {
  const kind = notRegularFile(path);
  if (kind) throw new Error(`the audit log ${path} is ${kind}, not a file: give the path of a file to append to (it is created if missing). Nothing was changed.`);
}

/** The apply result as `--format json` prints it. */
export function applyJson(result: ApplyResult, verification: Verification | undefined) {
  const { removed, already_absent, failed, unknown, not_started } = result.summary;
  return {
    summary: { removed, already_absent, failed, ...(unknown > 0 ? { unknown } : {}), ...(not_started > 0 ? { not_started } : {}) },
    results: result.results.map((r) => ({
      id: r.removal.id,
      email: r.removal.email,
      outcome: r.outcome,
      ...(r.error !== undefined ? { error: r.error } : {}),
    })),
    ...(result.stoppedBy ? { stopped_by: result.stoppedBy } : {}),
    ...(verification ? { verified: verification } : {}),
  };
}

/** Asks at the terminal, as Terraform does: only "yes" approves; Ctrl-C at the question cancels. */
async function confirm(io: Io, count: number, host: string): Promise<"yes" | "no" | "interrupted"> {
  const rl = createInterface({ input: io.stdin, output: io.stdout });
  try {
    const question = `\nDo you want to remove ${plural(count, "user")} from the organization at ${host}?\n  Only 'yes' will be accepted to approve.\n\n`;
    write(io.stdout, atWidth(question, io), io.env);
    const answer = await rl.question("  Enter a value: ");
    write(io.stdout, "\n", io.env);
    return answer.trim() === "yes" ? "yes" : "no";
  } catch (error) {
    // readline rejects the question with an AbortError when Ctrl-C is pressed at it.
    if ((error as Error).name === "AbortError") return "interrupted";
    throw error;
  } finally {
    rl.close();
  }
}

interface EventHub {
  emit(event: ApplyEvent): void;
  /** Replays the events so far, then delivers new ones, so a late subscriber misses nothing. */
  subscribe(listener: (event: ApplyEvent) => void): () => void;
}

function eventHub(): EventHub {
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

/** The live progress: the ink view at a terminal, a plain log otherwise; `say` shows a message beside it. */
interface ProgressView {
  finished: Promise<void>;
  say(text: string): void;
}

/** Progress as removals finish: the ink view at a terminal; in logs a line per removal, or per tenth of a large run. */
async function startProgressView(hub: EventHub, total: number, io: Io): Promise<ProgressView> {
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

/** Text for the terminal wrapped at word boundaries to its width; unchanged for logs and pipes. */
function atWidth(text: string, io: Io): string {
  return isInteractive(io) ? wrapWords(text, terminalWidth(io.stdout)) : text;
}

/**
 * The first SIGINT, SIGTERM or SIGHUP (the terminal closed) stops new removals; a second exits at once, after
 * `abandon` has recorded the removals still in flight (it returns how many). All three mean "stop", and all
 * exit 130, so a script sees one code for an interrupted apply whichever way it was stopped.
 */
function onInterrupt(io: Io, say: (text: string) => void, stop: () => void, abandon: () => number): () => void {
  let count = 0;
  const handler = () => {
    count += 1;
    if (count > 1) {
      const unknown = abandon();
      const what = unknown === 0 ? "" : ` ${plural(unknown, "removal")} in flight may or may not have happened; run roster plan.`;
      say(`\nExiting at once.${what}\n`);
      process.exit(APPLY_EXIT.interrupted);
    }
    say("\nInterrupted: no new removal will start; waiting for those in flight (press Ctrl-C again to exit at once).\n");
    stop();
  };
  for (const signal of INTERRUPT_SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of INTERRUPT_SIGNALS) process.off(signal, handler);
  };
}
