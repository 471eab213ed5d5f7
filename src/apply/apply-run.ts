import type { AccountRef } from "../core/managed-account.js";
import type { Plan } from "../plan/plan.js";
import type { Rules } from "../plan/rules.js";
import type { ApiError } from "../telnyx/api-error.js";
import {
  applyPlan,
  assertPlanRemovable,
  type ApplyEvent,
  type ApplyResult,
  type ApplySummary,
  type ExecutorOptions,
  type Remover,
} from "./apply-plan.js";
import { fairSlots } from "./fair-slots.js";

export type { AccountRef };

/** One account's part of a run: its plan, its manifest's rules, and a remover that holds that account's own key. */
export interface AccountApply<A extends AccountRef = AccountRef> {
  account: A;
  plan: Pick<Plan, "removals">;
  rules: Rules;
  remover: Remover;
}

/** An event of one account's removals (its own start and done included), tagged with the account's id. */
export type AccountApplyEvent = ApplyEvent & { account_id: string };

/** How a run across accounts goes: `concurrency` bounds the removals in flight of every account together. */
export interface AccountsExecutorOptions extends Omit<ExecutorOptions, "onEvent" | "limit"> {
  onEvent?: (event: AccountApplyEvent) => void;
}

/** How one account's removals ended; `result.stoppedBy` is "auth", with `result.fatal`, when its key was refused. */
export interface AccountApplyResult<A extends AccountRef = AccountRef> {
  account: A;
  result: ApplyResult;
}

/** How a run across accounts ended: each account's result, in the order given, and the total. */
export interface AccountsApplyResult<A extends AccountRef = AccountRef> {
  accounts: AccountApplyResult<A>[];
  /** Every account's removals together. */
  summary: ApplySummary;
  /** The accounts whose key the API refused (401), with its error: each stopped alone, the others went on. */
  refused: { account: A; error: ApiError }[];
  /** Set when the run was interrupted: no removal started after it, in any account. */
  stoppedBy?: "interrupt";
}

/** The account of an event, when it is one of a run across accounts; undefined for a single organization's. */
export function accountOf(event: ApplyEvent): string | undefined {
  return "account_id" in event && typeof event.account_id === "string" ? event.account_id : undefined;
}

/**
 * Applies several accounts' plans in one run. Every account's plan is checked against its own rules before
 * anything is sent in any account (and each removal again just before its request, by applyPlan). At most
 * `concurrency` removals are in flight across all accounts, and a freed slot goes to the accounts in turn, so
 * an account with many removals does not hold back one with few. A key the API refuses stops its own account
 * (its other removals not started), not the others. A bug (an error that is not the API's) stops every account.
 */
export async function applyAcrossAccounts<A extends AccountRef>(
  runs: readonly AccountApply<A>[],
  options: AccountsExecutorOptions,
): Promise<AccountsApplyResult<A>> {
  const ids = new Set<string>();
  for (const run of runs) {
    if (ids.has(run.account.id))
      throw new Error(`refusing to apply: the run has two plans for the account ${run.account.id}; nothing was sent`);
    ids.add(run.account.id);
  }
  for (const run of runs) assertPlanRemovable(run.plan, run.rules);

  const slots = fairSlots(options.concurrency);
  // The caller's interruption, and a bug in any account's run: either way, no removal starts anywhere after it.
  const stop = new AbortController();
  // The run says once that it is stopping, for every account: one listener, not one an account.
  stop.signal.addEventListener("abort", () => options.onEvent?.({ type: "stopping", account_id: "" }), { once: true });
  const onAbort = () => stop.abort();
  if (options.signal?.aborted) stop.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const settled = await Promise.allSettled(
    runs.map((run) =>
      applyPlan(run.plan, run.rules, run.remover, {
        concurrency: options.concurrency,
        limit: slots.forAccount(run.account.id),
        signal: stop.signal,
        announceStop: false,
        ...(options.onEvent ? { onEvent: tagged(run.account.id, options.onEvent) } : {}),
      }).catch((error: unknown) => {
        stop.abort();
        throw error;
      }),
    ),
  ).finally(() => options.signal?.removeEventListener("abort", onAbort));
  const failure = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
  if (failure) throw failure.reason;

  const summary: ApplySummary = { removed: 0, already_absent: 0, failed: 0, unknown: 0, not_started: 0 };
  const accounts: AccountApplyResult<A>[] = [];
  const refused: AccountsApplyResult<A>["refused"] = [];
  settled.forEach((outcome, index) => {
    const result = (outcome as PromiseFulfilledResult<ApplyResult>).value;
    const account = runs[index]!.account;
    for (const key of Object.keys(summary) as (keyof ApplySummary)[]) summary[key] += result.summary[key];
    accounts.push({ account, result });
    if (result.stoppedBy === "auth" && result.fatal) refused.push({ account, error: result.fatal });
  });
  const result: AccountsApplyResult<A> = { accounts, summary, refused };
  if (options.signal?.aborted) result.stoppedBy = "interrupt";
  return result;
}

function tagged(accountId: string, onEvent: (event: AccountApplyEvent) => void): (event: ApplyEvent) => void {
  // Assigned to a new object, not spread: V8 (Node 20) gives each object spread from another a shape of its own
  // once the place that spreads has made a few (docs/performance.md).
  return (event) => onEvent(Object.assign({}, event, { account_id: accountId }));
}

/**
 * Every account's results as one run, for the progress view, the documents and the exit code; a run of one
 * organization is its own result.
 */
export function combinedResult(outcome: AccountsApplyResult, one: boolean): ApplyResult {
  if (one && outcome.accounts.length === 1) return outcome.accounts[0]!.result;
  return {
    summary: outcome.summary,
    results: outcome.accounts.flatMap((a) => a.result.results),
    ...(outcome.stoppedBy
      ? { stoppedBy: outcome.stoppedBy }
      : outcome.refused.length > 0
        ? { stoppedBy: "auth" as const, fatal: outcome.refused[0]!.error }
        : {}),
  };
}
