import { applyPlan, type ApplyEvent } from "../apply/apply-plan.js";
import { eventHub } from "../apply/event-hub.js";
import { APPLY_EXIT, applyExitCode } from "../apply/exit-code.js";
import { verify, type Verification } from "../apply/verify.js";
import { plural } from "../core/plural.js";
import { jsonText, sanitize } from "../core/safe-text.js";
import { reportApply } from "../github/job-summary.js";
import { acrossAccounts, readManifests } from "./read-manifests.js";
import type { GuardOptions } from "../plan/guards.js";
import { applyJson, NOTHING_APPLIED, verificationText } from "../render/apply-report.js";
import { readOrganization } from "../telnyx/read-organization.js";
import { write, type Io } from "../terminal/io.js";
import { askToApply, atWidth, checkAuditLogPath, connectForApply, previewLost, reportLostOutput, watchRun } from "./apply-output.js";
import type { ApiOptions } from "./connect.js";
import { preparePlan, prepareSavedPlan } from "./prepare-plan.js";
import { showPlan, type PlanFormat } from "./show-plan.js";

/** What `roster apply` was asked to do. */
export interface ApplyCommandOptions extends ApiOptions {
  /** The manifests: one file, or several files and folders for a run across accounts. */
  files: string[];
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

/**
 * Plans afresh (or takes a saved plan), shows the plan, checks the guards, asks, removes, verifies, in that
 * order. A saved plan is not asked about: saving it and applying it are the two steps of a review.
 */
export async function applyCommand(options: ApplyCommandOptions, io: Io): Promise<number> {
  // apply never removes anyone once its preview could not be written, a reader gone away included.
  if (io.output) io.output.closedPipeIsError = true;
  // Bad input is refused before any request: the audit log's path, the manifest or the saved plan.
  if (options.auditLog) checkAuditLogPath(options.auditLog);
  const manifests = options.planFile ? [] : await readManifests(options.files);
  const saved = options.planFile ? await (await import("./saved-plan-input.js")).loadSavedPlanForApply(options.planFile, options.ignoreManifestChange ?? false, io) : undefined;
  if (acrossAccounts(manifests) || (saved && "accounts" in saved)) {
    return (await import("./apply-accounts.js")).applyAccountsCommand(saved && "accounts" in saved ? { saved } : { manifests }, options, io);
  }
  const input = saved ? { saved } : { manifest: manifests[0]! };
  const interrupt = new AbortController();
  // The progress views hear of the client's retries and waits through the events, once removals start.
  const clientEvents: { emit?: (event: ApplyEvent) => void } = {};
  const client = connectForApply(options, io, interrupt.signal, clientEvents);
  try {
    // Read the organization and plan; show the plan.
    const { plan, verdict, rules, source } = input.saved
      ? await prepareSavedPlan(input.saved, client, options.concurrency, options.guards)
      : await preparePlan(input.manifest, client, options.concurrency, options.guards);
    const json = options.format === "json";
    const report = (result: Parameters<typeof reportApply>[4], closing: string | readonly string[]) => reportApply(io, plan, verdict, source, result, closing);
    if (!json) await showPlan(plan, verdict, source, options.format, io);

    // Stop here when there is nothing to do, a guard refuses, the plan was not seen, or nobody said yes.
    if (plan.summary.remove === 0) {
      report(undefined, "Nothing to apply: the organization already matches the manifest.");
      write(io.stdout, json ? jsonText(applyJson(NOTHING_APPLIED, undefined), 2) + "\n" : "\nNothing to apply: the organization already matches the manifest.\n", io.env);
      return APPLY_EXIT.ok;
    }
    if (!verdict.allowed) {
      report(undefined, "Not applied: a safety guard refused the plan. Nothing was changed.");
      write(io.stderr, `roster: refused: ${verdict.message}\nNothing was changed.\n`, io.env);
      return APPLY_EXIT.refused;
    }
    if (await previewLost(io)) return APPLY_EXIT.error;
    if (!options.yes && !input.saved) {
      const question = `Do you want to remove ${plural(plan.summary.remove, "user")} from the organization at ${client.host}?`;
      const stop = await askToApply(io, question, (closing) => report(undefined, closing));
      if (stop !== undefined) return stop;
    }
    // The last moment to stop with nothing changed: the preview and the question must have been written.
    if (await previewLost(io)) return APPLY_EXIT.error;

    // Apply: events to the audit log and the progress view; an interruption, a lost audit line or lost
    // output (a full disk, a closed terminal or pipe) stops new removals, and those in flight finish.
    const hub = eventHub();
    clientEvents.emit = hub.emit;
    const watch = await watchRun({ audit: hub, view: hub }, plan.summary.remove, { auditLog: options.auditLog, json }, interrupt, io);
    const result = await applyPlan(plan, rules, client, { concurrency: options.concurrency, onEvent: hub.emit, signal: interrupt.signal }).finally(watch.end);
    const { audit, view } = watch;
    await view?.finished;
    await io.output?.settled();

    // Verify, unless the run was stopped: it did not do all it planned, and its output may not show the answer.
    let verification: Verification | undefined;
    if (options.verify && !result.stoppedBy && !watch.writeFailure()) {
      verification = await verify(rules, () => readOrganization(client, { concurrency: options.concurrency }));
      if (!json) write(io.stdout, atWidth(verificationText(verification), io), io.env);
    }

    // Report, and the exit code: a pure function of what happened.
    const auditFailure = audit.failure;
    report(result, [verification ? verificationText(verification).trimEnd() : "", result.fatal ? `Error: ${result.fatal.message}` : "", auditFailure ? `Error: ${auditFailure}` : ""].filter(Boolean));
    if (json) write(io.stdout, jsonText(applyJson(result, verification), 2) + "\n", io.env);
    await io.output?.settled();
    watch.stopWatching();
    if (result.fatal) write(io.stderr, `roster: error: ${sanitize(result.fatal.message)}\n`, io.env);
    if (auditFailure) write(io.stderr, `roster: error: ${sanitize(auditFailure)}\n`, io.env);
    const writeFailure = watch.writeFailure();
    if (writeFailure) reportLostOutput(writeFailure, result, plan.summary.remove, verification, io);
    return applyExitCode({ result, verification, auditFailure: auditFailure !== undefined, writeFailure: writeFailure !== undefined, interrupted: watch.interrupted() });
  } finally {
    client.close();
  }
}
