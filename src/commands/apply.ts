import { createInterface } from "node:readline/promises";
import { canPrompt, isInteractive, redact, write, type Io } from "../cli/io.js";
import { applyPlan, type ApplyEvent, type ApplyResult } from "../apply/apply-plan.js";
import { AuditLog, auditEntry, unknownEntry } from "../apply/audit-log.js";
import { loadManifest } from "../manifest/load-manifest.js";
import { countRemovable, type Rules } from "../plan/rules.js";
import type { Removal } from "../plan/plan.js";
import { linesToText, plural } from "../render/lines.js";
import { resultLine, summaryLines } from "../render/apply-lines.js";
import { jsonText, sanitize } from "../render/sanitize.js";
import { ApiError } from "../telnyx/api-error.js";
import type { TelnyxClient } from "../telnyx/client.js";
import { readOrganization } from "../telnyx/read-organization.js";
import { connect, type ApiOptions } from "./connect.js";
import { preparePlan, prepareSavedPlan, type GuardFlags } from "./prepare-plan.js";
import { showPlan, type PlanFormat } from "./show-plan.js";

export interface ApplyOptions extends ApiOptions {
  file: string;
  /** A plan saved by `roster plan --out`: apply exactly its removals, without the manifest and without a question. */
  planFile?: string;
  /** Apply a saved plan even when the manifest it was made from has changed since. */
  ignoreManifestChange?: boolean;
  format: PlanFormat;
  yes: boolean;
  guards: GuardFlags;
  /** Append one JSON line per finished removal to this file. */
  auditLog?: string;
  /** Read the organization again afterwards and report whether it converged. */
  verify: boolean;
}

export const APPLY_EXIT = { ok: 0, error: 1, refused: 3, interrupted: 130 } as const;

/**
 * Plans afresh (or takes a saved plan), shows the plan, checks the guards, asks, removes, verifies. A saved
 * plan is not asked about: saving it and applying it are the two steps of a review, as with Terraform.
 */
export async function applyCommand(options: ApplyOptions, io: Io): Promise<number> {
  // Bad input is refused before any request: the manifest, or the saved plan (whose checks load only when needed).
  const input = options.planFile
    ? { saved: await (await import("./saved-plan-input.js")).loadSavedPlanForApply(options.planFile, options.ignoreManifestChange ?? false, io) }
    : { manifest: await loadManifest(options.file) };
  const interrupt = new AbortController();
  const client = connect(options, io, {
    signal: interrupt.signal,
    onRetry: (event) => {
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
      if (json) write(io.stdout, jsonText(applyJson(emptyResult(), undefined), 2) + "\n", io.env);
      else write(io.stdout, "\nNothing to apply: the organization already matches the manifest.\n", io.env);
      return APPLY_EXIT.ok;
    }
    if (!verdict.allowed) {
      write(io.stderr, `roster: refused: ${verdict.message}\nNothing was changed.\n`, io.env);
      return APPLY_EXIT.refused;
    }
    if (!options.yes && !input.saved) {
      if (!canPrompt(io)) {
        write(io.stderr, "roster: refusing to apply without confirmation: no terminal to ask at. Review the plan, then pass --yes to apply unattended. Nothing was changed.\n", io.env);
        return APPLY_EXIT.error;
      }
      const answer = await confirm(io, plan.summary.remove, client.host);
      if (answer !== "yes") {
        write(io.stderr, `\nApply cancelled${answer === "interrupted" ? " (Ctrl-C)" : ""}: nothing was changed.\n`, io.env);
        return answer === "interrupted" ? APPLY_EXIT.interrupted : APPLY_EXIT.error;
      }
    }

    const hub = eventHub();
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
    const view = json ? undefined : await startProgressView(hub, plan.summary.remove, io);
    const stopSignals = onInterrupt(io, () => interrupt.abort(), () => {
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

    let verification: Verification | undefined;
    if (options.verify && !result.stoppedBy) {
      verification = await verify(rules, client, options.concurrency);
      if (!json) write(io.stdout, verificationText(verification), io.env);
    }
    if (json) write(io.stdout, jsonText(applyJson(result, verification), 2) + "\n", io.env);
    if (result.fatal) write(io.stderr, `roster: error: ${sanitize(result.fatal.message)}\n`, io.env);
    if (auditFailure) {
      write(io.stderr, `roster: error: ${sanitize(auditFailure)}\n`, io.env);
      return APPLY_EXIT.error;
    }
    if (result.stoppedBy === "interrupt") return APPLY_EXIT.interrupted;
    if (result.fatal || result.summary.failed > 0 || (verification && "error" in verification)) return APPLY_EXIT.error;
    return APPLY_EXIT.ok;
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
  return { summary: { removed: 0, already_absent: 0, failed: 0, not_started: 0 }, results: [] };
}

/** The apply result as `--format json` prints it. */
export function applyJson(result: ApplyResult, verification: Verification | undefined) {
  const { removed, already_absent, failed, not_started } = result.summary;
  return {
    summary: { removed, already_absent, failed, ...(not_started > 0 ? { not_started } : {}) },
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
    write(io.stdout, `\nDo you want to remove ${plural(count, "user")} from the organization at ${host}?\n  Only 'yes' will be accepted to approve.\n\n`, io.env);
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

/** Progress as removals finish: the ink view at a terminal, one plain line each in logs. */
async function startProgressView(hub: EventHub, total: number, io: Io): Promise<{ finished: Promise<void> }> {
  write(io.stdout, "\n", io.env);
  if (isInteractive(io)) {
    const { renderApplyProgress } = await import("../render/ink/render-apply.js");
    return { finished: renderApplyProgress(hub.subscribe, total, io.stdout) };
  }
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  hub.subscribe((event) => {
    if (event.type === "finished") write(io.stdout, linesToText([resultLine(event.result)]), io.env);
    if (event.type === "done") {
      write(io.stdout, linesToText(summaryLines(event.result, total)), io.env);
      done();
    }
  });
  return { finished };
}

/**
 * The first SIGINT or SIGTERM stops new removals; a second exits at once, after `abandon` has recorded the
 * removals still in flight (it returns how many).
 */
function onInterrupt(io: Io, stop: () => void, abandon: () => number): () => void {
  let count = 0;
  const handler = () => {
    count += 1;
    if (count > 1) {
      const unknown = abandon();
      const what = unknown === 0 ? "" : ` ${plural(unknown, "removal")} in flight may or may not have happened; run roster plan.`;
      write(io.stderr, `\nExiting at once.${what}\n`, io.env);
      process.exit(APPLY_EXIT.interrupted);
    }
    write(io.stderr, "\nInterrupted: no new removal will start; waiting for those in flight (press Ctrl-C again to exit at once).\n", io.env);
    stop();
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}
