import { APPLY_EXIT } from "../apply/exit-code.js";
import { acrossAccounts, readManifests } from "../manifest/read-manifests.js";
import type { GuardOptions } from "../plan/guards.js";
import { applyReport } from "../session/apply-report.js";
import { checkAuditLogPath } from "../session/audit-log-path.js";
import { stopBeforeApplying } from "../session/before-apply.js";
import { applyHooks, type ClientEvents } from "../session/client-hooks.js";
import { reportRun } from "../session/report-run.js";
import { runRemovals } from "../session/run-removals.js";
import { runView, showPlan, type PlanFormat } from "../session/show-plan.js";
import { verifyRun } from "../session/verify-run.js";
import type { ApiOptions } from "../targets/connect.js";
import { planClock, planTargets } from "../targets/plan-targets.js";
import type { Io } from "../terminal/io.js";

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
 * apply, for one organization or across accounts, in a fixed order: read the manifests (or the saved plan),
 * connect and plan each organization, show the plan, check the guards (one refusal refuses the whole run,
 * before anything is sent), ask once, remove across every organization (at most --concurrency in flight in
 * total, in turns, each with its own key and pacing; a refused key stops its own organization), read each
 * again, report, and the exit code. A saved plan is not asked about: saving it and applying it are the two
 * steps of a review.
 */
export async function applyCommand(options: ApplyCommandOptions, io: Io): Promise<number> {
  // apply never removes anyone once its preview could not be written, a reader gone away included.
  if (io.output) io.output.closedPipeIsError = true;
  // Bad input is refused before any request: the audit log's path, the manifest or the saved plan.
  if (options.auditLog) checkAuditLogPath(options.auditLog);
  const saved = options.planFile
    ? await (await import("../session/saved-plan-input.js")).loadSavedPlanForApply(
        options.planFile,
        options.ignoreManifestChange ?? false,
        io,
      )
    : undefined;
  const manifests = saved ? [] : await readManifests(options.files);
  const interrupt = new AbortController();
  // The progress view hears of the clients' retries and waits through the events, once removals start.
  const clientEvents: ClientEvents = {};
  const hooks = applyHooks(options, io, interrupt.signal, clientEvents);
  const planned = await planTargets(
    saved ? { saved } : { manifests, shape: acrossAccounts(manifests) ? "accounts" : "organization" },
    { ...options, hooks, clock: planClock(new Date()) },
    io,
  );
  try {
    const view = runView(planned);
    const json = options.format === "json";
    const report = applyReport(view, io);
    if (!json) await showPlan(view, options.format, io);

    // Stop here when there is nothing to do, a guard refuses, the plan was not seen, or nobody said yes.
    const ask = !options.yes && !saved;
    const stop = await stopBeforeApplying(view, { format: options.format, ask }, report, io);
    if (stop !== undefined) return stop;

    // Apply, then verify unless --no-verify, then report, and the exit code.
    const steps = { concurrency: options.concurrency, auditLog: options.auditLog, json };
    const run = await runRemovals(planned, view, steps, interrupt, clientEvents, io);
    const verified = options.verify ? await verifyRun(planned, view, run, steps, io) : { verifiedText: "" };
    return await reportRun(view, run, verified, steps, report, io);
  } finally {
    planned.close();
  }
}
