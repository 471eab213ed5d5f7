import { accountOf, applyAcrossAccounts, type AccountsApplyResult } from "../apply/apply-accounts.js";
import type { ApplyEvent, ApplyResult } from "../apply/apply-plan.js";
import { eventHub } from "../apply/event-hub.js";
import { APPLY_EXIT, applyExitCode } from "../apply/exit-code.js";
import { verifyAccounts, type AccountsVerification } from "../apply/verify.js";
import { plural } from "../core/plural.js";
import { jsonText, sanitize } from "../core/safe-text.js";
import { reportMarkdown } from "../github/job-summary.js";
import type { LoadedManifest } from "../manifest/load-manifest.js";
import { accountData, accountLabel, accountName, accountsMarkdown, accountsSummary } from "../render/accounts-plan.js";
import { accountsVerificationText, applyJson, NOTHING_APPLIED } from "../render/apply-report.js";
import { accountsApplyMarkdown, type AccountsApplyView } from "../render/accounts-apply-markdown.js";
import { readOrganization } from "../telnyx/read-organization.js";
import { write, type Io } from "../terminal/io.js";
import type { ApplyCommandOptions } from "./apply.js";
import { applyHooks, askToApply, atWidth, previewLost, watchRun } from "./apply-output.js";
import { accountsView, prepareAccounts, prepareSavedAccounts, type AccountsOptions, type SkippedAccount } from "./prepare-accounts.js";
import type { SavedAccountsPlan } from "../plan/saved-accounts-plan.js";
import { showAccountsPlan } from "./show-plan.js";

/**
 * apply across accounts: every account planned and shown with the total, one confirmation for the whole
 * plan, then the removals of every account at most --concurrency in flight in total, in turns, each account
 * with its own key and pacing; a refused key stops its own account. Then every account is read again.
 * Any account refused by a guard refuses the whole run, before anything is sent.
 */
export async function applyAccountsCommand(input: { manifests: LoadedManifest[] } | { saved: SavedAccountsPlan }, options: ApplyCommandOptions, io: Io): Promise<number> {
  const interrupt = new AbortController();
  const events: { emit?: (event: ApplyEvent) => void } = {};
  const prepare = "saved" in input ? (o: AccountsOptions) => prepareSavedAccounts(input.saved, o, io) : (o: AccountsOptions) => prepareAccounts(input.manifests, o, io);
  const prepared = await prepare({ ...options, hooks: applyHooks(options, io, interrupt.signal, events) });
  try {
    const view = accountsView(prepared);
    const total = accountsSummary(view);
    const json = options.format === "json";
    const manifests = "manifests" in input ? input.manifests.length : input.saved.accounts.length;
    const single = manifests === 1 && view.accounts.length === 1 ? view.accounts[0]!.account : undefined;
    // The job summary: the plan, then (once removals were sent) each account's results, then `closing`.
    const report = (closing: string | readonly string[], run?: AccountsApplyView) => reportMarkdown(io, "apply", total.remove, () => accountsApplyMarkdown(accountsMarkdown(view), run, closing, total.remove));
    if (!json) await showAccountsPlan(view, options.format, io);

    if (total.remove === 0) {
      report("Nothing to apply: every account already matches its manifest.");
      const nothing = single ? { ...applyJson(NOTHING_APPLIED, undefined), account: accountData(single) } : { ...accountsJsonResult(undefined, undefined, prepared.skipped), message: "nothing to apply" };
      write(io.stdout, json ? jsonText(nothing, 2) + "\n" : "\nNothing to apply: every account already matches its manifest.\n", io.env);
      return APPLY_EXIT.ok;
    }
    const refused = view.accounts.filter((a) => !a.verdict.allowed);
    if (refused.length > 0) {
      report("Not applied: a safety guard refused the plan of an account. Nothing was changed.");
      const lines = refused.map((a) => `roster: refused: ${accountLabel(a.account)}: ${a.verdict.message}\n`).join("");
      write(io.stderr, `${lines}Nothing was changed in any account.\n`, io.env);
      return APPLY_EXIT.refused;
    }
    if (await previewLost(io)) return APPLY_EXIT.error;
    // A saved plan is not asked about: saving it and applying it are the two steps of a review.
    if (!options.yes && !("saved" in input)) {
      const withRemovals = view.accounts.filter((a) => a.plan.summary.remove > 0).length;
      const stop = await askToApply(io, `Do you want to remove ${plural(total.remove, "user")} from ${plural(withRemovals, "account")}?`, report);
      if (stop !== undefined) return stop;
    }
    if (await previewLost(io)) return APPLY_EXIT.error;

    // The audit log hears every account's events (with its id); the progress view hears them as one run.
    const accountsHub = eventHub();
    const viewHub = eventHub();
    events.emit = (event) => viewHub.emit(event);
    // Each result is shown with its account's name: one email may be a user of two accounts.
    const names = new Map(view.accounts.map(({ account }) => [account.id, accountName(account)]));
    accountsHub.subscribe((event) => {
      if (event.type === "finished") viewHub.emit({ ...event, result: { ...event.result, account: names.get(accountOf(event) ?? "") ?? "" } });
      else if (event.type !== "start" && event.type !== "done") viewHub.emit(event);
    });
    const watch = await watchRun({ audit: accountsHub, view: viewHub }, total.remove, { auditLog: options.auditLog, json }, interrupt, io);
    viewHub.emit({ type: "start", total: total.remove, concurrency: options.concurrency });
    const runs = prepared.accounts.filter((a) => a.prepared.plan.removals.length > 0);
    const outcome = await applyAcrossAccounts(
      runs.map((a) => ({ account: a.account, plan: a.prepared.plan, rules: a.prepared.rules, remover: a.client })),
      { concurrency: options.concurrency, onEvent: accountsHub.emit, signal: interrupt.signal },
    ).finally(watch.end);
    const combined = combinedResult(outcome);
    viewHub.emit({ type: "done", result: combined });
    await watch.view?.finished;
    await io.output?.settled();
    for (const { account, error } of outcome.refused) {
      // A managed account's refused key names its account already; the own organization's does not.
      const message = sanitize(error.message);
      const named = message.includes(accountLabel(account)) ? message : `${accountLabel(account)}: ${message}`;
      write(io.stderr, `roster: error: ${named}; the other accounts went on\n`, io.env);
    }

    let verification: AccountsVerification | undefined;
    let verifiedText = "";
    if (options.verify && !outcome.stoppedBy && !watch.writeFailure()) {
      const stopped = new Set(outcome.refused.map((r) => r.account.id));
      verification = await verifyAccounts(
        prepared.accounts
          .filter((a) => !stopped.has(a.account.id))
          .map((a) => ({ account: a.account, rules: a.prepared.rules, read: () => readOrganization(a.client, { concurrency: options.concurrency }) })),
        { concurrency: options.concurrency },
      );
      verifiedText = accountsVerificationText(verification, outcome.refused.map((r) => r.account));
      if (!json) write(io.stdout, atWidth(verifiedText, io), io.env);
    }

    const auditFailure = watch.audit.failure;
    const planned = new Map(runs.map((a) => [a.account.id, a.prepared.plan.removals.length]));
    const parts = outcome.accounts.map(({ account, result }) => ({ account, result, planned: planned.get(account.id) ?? 0 }));
    // verifiedText's lines are roster's own, its values made safe: each is a line of the summary.
    report([...verifiedText.split("\n"), auditFailure ? `Error: ${auditFailure}` : ""].filter(Boolean), { accounts: parts, result: combined });
    if (json) {
      // One manifest keeps the document of one organization, with its account beside it.
      const document = single ? { ...applyJson(combined, verification?.accounts[0]?.verification), account: accountData(single) } : accountsJsonResult(outcome, verification, prepared.skipped);
      write(io.stdout, jsonText(document, 2) + "\n", io.env);
    }
    await io.output?.settled();
    watch.stopWatching();
    if (auditFailure) write(io.stderr, `roster: error: ${sanitize(auditFailure)}\n`, io.env);
    const verified = verification ? { converged: verification.converged } : undefined;
    return applyExitCode({ result: combined, verification: verified, auditFailure: auditFailure !== undefined, writeFailure: watch.writeFailure() !== undefined, interrupted: watch.interrupted() });
  } finally {
    prepared.close();
  }
}

/** Every account's results as one run, for the progress view and the exit code. */
function combinedResult(outcome: AccountsApplyResult): ApplyResult {
  return {
    summary: outcome.summary,
    results: outcome.accounts.flatMap((a) => a.result.results),
    ...(outcome.stoppedBy ? { stoppedBy: outcome.stoppedBy } : outcome.refused.length > 0 ? { stoppedBy: "auth" as const, fatal: outcome.refused[0]!.error } : {}),
  };
}

/** `apply --format json` across accounts: each account's results, the total and the verification. */
function accountsJsonResult(outcome: AccountsApplyResult | undefined, verification: AccountsVerification | undefined, skipped: readonly SkippedAccount[]) {
  const byAccount = new Map(verification?.accounts.map((a) => [a.account.id, a.verification]));
  return {
    format_version: 1,
    accounts: (outcome?.accounts ?? []).map(({ account, result }) => ({
      account: accountData(account),
      ...applyJson(result, byAccount.get(account.id)),
      ...(result.fatal ? { error: result.fatal.message } : {}),
    })),
    // As plan's document has them: an account left out is named, never silently missing.
    skipped: skipped.map((s) => ({ account: accountData(s.account), manifest: s.manifest, reason: s.reason })),
    ...(outcome ? { summary: applyJson(combinedResult(outcome), undefined).summary } : {}),
    ...(verification ? { verified: { converged: verification.converged, remaining: verification.remaining, unreadable: verification.unreadable } } : {}),
  };
}
