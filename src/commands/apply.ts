import { applyAcrossAccounts, combinedResult } from "../apply/apply-run.js";
import type { ApplyEvent } from "../apply/apply-plan.js";
import { APPLY_EXIT, applyExitCode } from "../apply/exit-code.js";
import { verifyAccounts, type AccountsVerification } from "../apply/verify.js";
import { accountName } from "../core/managed-account.js";
import { jsonText, sanitize } from "../core/safe-text.js";
import { reportMarkdown } from "../github/job-summary.js";
import type { GuardOptions } from "../plan/guards.js";
import { runApplyMarkdown, type AccountsApplyView } from "../render/apply-markdown.js";
import {
  applyDocument,
  applyQuestion,
  closingLines,
  keyRefusedText,
  nothingToApplyText,
  refusedText,
  runVerificationText,
} from "../render/apply-report.js";
import { accountsSummary, oneOrganization } from "../render/run-plan.js";
import type { ApiOptions } from "../targets/connect.js";
import { planClock, planTargets } from "../targets/plan-targets.js";
import { readOrganization } from "../telnyx/read-organization.js";
import { write, type Io } from "../terminal/io.js";
import {
  applyHooks,
  askToApply,
  atWidth,
  checkAuditLogPath,
  previewLost,
  reportLostOutput,
  runHubs,
  untagged,
  watchRun,
} from "./apply-output.js";
import { acrossAccounts, readManifests } from "./read-manifests.js";
import { previewShowsVerdict, runView, showPlan, type PlanFormat } from "./show-plan.js";

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
    ? await (await import("./saved-plan-input.js")).loadSavedPlanForApply(
        options.planFile,
        options.ignoreManifestChange ?? false,
        io,
      )
    : undefined;
  const manifests = saved ? [] : await readManifests(options.files);
  const interrupt = new AbortController();
  // The progress view hears of the clients' retries and waits through the events, once removals start.
  const clientEvents: { emit?: (event: ApplyEvent) => void } = {};
  const hooks = applyHooks(options, io, interrupt.signal, clientEvents);
  const planned = await planTargets(
    saved ? { saved } : { manifests, shape: acrossAccounts(manifests) ? "accounts" : "organization" },
    { ...options, hooks, clock: planClock(new Date()) },
    io,
  );
  try {
    const view = runView(planned);
    const one = oneOrganization(view) !== undefined;
    const total = accountsSummary(view).remove;
    const json = options.format === "json";
    const report = (closing: string | readonly string[], run?: AccountsApplyView) =>
      reportMarkdown(io, "apply", total, () => runApplyMarkdown(view, run, closing));
    if (!json) await showPlan(view, options.format, io);

    // Stop here when there is nothing to do, a guard refuses, the plan was not seen, or nobody said yes.
    if (total === 0) {
      report(nothingToApplyText(view));
      write(
        io.stdout,
        json ? `${jsonText(applyDocument(view, undefined, undefined), 2)}\n` : `\n${nothingToApplyText(view)}\n`,
        io.env,
      );
      return APPLY_EXIT.ok;
    }
    if (view.accounts.some((a) => !a.verdict.allowed)) {
      // At a terminal the preview shows each refusal already; logs and CI get it on stderr too.
      const refused = refusedText(view, previewShowsVerdict(options.format, io));
      report(refused.closing);
      write(io.stderr, refused.stderr, io.env);
      return APPLY_EXIT.refused;
    }
    if (await previewLost(io)) return APPLY_EXIT.error;
    if (!options.yes && !saved) {
      const stop = await askToApply(io, applyQuestion(view), report);
      if (stop !== undefined) return stop;
    }
    // The last moment to stop with nothing changed: the preview and the question must have been written.
    if (await previewLost(io)) return APPLY_EXIT.error;

    // Apply: every organization's events to the audit log (with the account's id across accounts) and, as
    // one run, to the progress view; an interruption, a lost audit line or lost output stops new removals.
    const { auditHub, viewHub, forward } = runHubs(
      one ? new Map() : new Map(view.accounts.map(({ account }) => [account.id, accountName(account)])),
    );
    clientEvents.emit = viewHub.emit;
    const watch = await watchRun(
      { audit: auditHub, view: viewHub },
      total,
      { auditLog: options.auditLog, json },
      interrupt,
      io,
    );
    forward();
    viewHub.emit({ type: "start", total, concurrency: options.concurrency });
    const runs = planned.targets.filter((t) => t.prepared.plan.removals.length > 0);
    const outcome = await applyAcrossAccounts(
      runs.map((t) => ({ account: t.account, plan: t.prepared.plan, rules: t.prepared.rules, remover: t.client })),
      // The key's own organization alone keeps its audit lines as they always were: without an account id.
      {
        concurrency: options.concurrency,
        onEvent: (event) => auditHub.emit(one ? untagged(event) : event),
        signal: interrupt.signal,
      },
    ).finally(watch.end);
    const result = combinedResult(outcome, one);
    viewHub.emit({ type: "done", result });
    await watch.view?.finished;
    await io.output?.settled();
    if (outcome.refused.length > 0) write(io.stderr, keyRefusedText(view, outcome.refused), io.env);

    // Verify, unless the run was stopped: it did not do all it planned, and its output may not show the answer.
    let verification: AccountsVerification | undefined;
    let verifiedText = "";
    if (options.verify && !outcome.stoppedBy && !watch.writeFailure()) {
      // An organization whose key was refused is not read again.
      const stopped = new Set(outcome.refused.map((r) => r.account.id));
      const checks = planned.targets.filter((t) => !stopped.has(t.account.id));
      const read = (t: (typeof checks)[number]) => () =>
        readOrganization(t.client, { concurrency: options.concurrency });
      verification = await verifyAccounts(
        checks.map((t) => ({ account: t.account, rules: t.prepared.rules, read: read(t) })),
        { concurrency: options.concurrency },
      );
      verifiedText = runVerificationText(
        view,
        verification,
        outcome.refused.map((r) => r.account),
        result.results,
      );
      if (!json && verifiedText) write(io.stdout, atWidth(verifiedText, io), io.env);
    }

    // Report, and the exit code: a pure function of what happened.
    const auditFailure = watch.audit.failure;
    const removals = new Map(runs.map((t) => [t.account.id, t.prepared.plan.removals.length]));
    const parts = outcome.accounts.map(({ account, result }) => ({
      account,
      result,
      planned: removals.get(account.id) ?? 0,
    }));
    report(closingLines(view, result, verifiedText, auditFailure), { accounts: parts, result });
    if (json) write(io.stdout, `${jsonText(applyDocument(view, outcome, verification), 2)}\n`, io.env);
    await io.output?.settled();
    watch.stopWatching();
    if (auditFailure) write(io.stderr, `roster: error: ${sanitize(auditFailure)}\n`, io.env);
    const writeFailure = watch.writeFailure();
    if (writeFailure) reportLostOutput(writeFailure, result, total, verifiedText, io);
    const verified = verification ? { converged: verification.converged } : undefined;
    return applyExitCode({
      result,
      verification: verified,
      auditFailure: auditFailure !== undefined,
      writeFailure: writeFailure !== undefined,
      interrupted: watch.interrupted(),
    });
  } finally {
    planned.close();
  }
}
