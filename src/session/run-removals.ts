import { applyAcrossAccounts, combinedResult, type AccountsApplyResult } from "../apply/apply-run.js";
import type { ApplyResult } from "../apply/apply-plan.js";
import { accountName } from "../core/managed-account.js";
import { keyRefusedText } from "../render/apply-report.js";
import { accountsSummary, oneOrganization, type RunView } from "../render/run-plan.js";
import type { PlannedTargets, Target } from "../targets/plan-targets.js";
import { write, type Io } from "../terminal/io.js";
import type { ClientEvents } from "./client-hooks.js";
import { runHubs, untagged } from "./run-hubs.js";
import { watchRun, type RunWatch } from "./watch-run.js";

/** What a run's removals came to: every organization's outcome, as one result, and what watched them. */
export interface RemovalRun {
  outcome: AccountsApplyResult<Target["account"]>;
  result: ApplyResult;
  /** The organizations that had removals to send. */
  runs: Target[];
  watch: RunWatch;
}

/**
 * Removes across every organization: at most `concurrency` in flight in total, in turns, each with its own key
 * and pacing (a refused key stops its own organization, said on stderr). Every organization's events go to the
 * audit log (with the account's id across accounts) and, as one run, to the progress view; an interruption, a
 * lost audit line or lost output stops new removals.
 */
export async function runRemovals(
  planned: PlannedTargets,
  view: RunView,
  options: { concurrency: number; auditLog?: string | undefined; json: boolean },
  interrupt: AbortController,
  clientEvents: ClientEvents,
  io: Io,
): Promise<RemovalRun> {
  const one = oneOrganization(view) !== undefined;
  const total = accountsSummary(view).remove;
  const { auditHub, viewHub, forward } = runHubs(
    one ? new Map() : new Map(view.accounts.map(({ account }) => [account.id, accountName(account)])),
  );
  clientEvents.emit = viewHub.emit;
  const watch = await watchRun(
    { audit: auditHub, view: viewHub },
    total,
    { auditLog: options.auditLog, json: options.json },
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
  return { outcome, result, runs, watch };
}
