import { sanitize } from "../core/safe-text.js";
import pLimit from "p-limit";
import { userIdKey } from "../core/same-record.js";
import type { Plan, Removal } from "../plan/plan.js";
import { protectionWords } from "../plan/protection.js";
import { judge, type Rules } from "../plan/rules.js";
import { ApiError } from "../telnyx/api-error.js";
import type { RemoveResult } from "../telnyx/client.js";
import type { Limit } from "./fair-slots.js";

/**
 * How one planned removal ended: "unknown" when the run was stopped while it waited to be sent again after
 * an attempt that may have gone through (a timeout, a cut connection, a 5xx): it may or may not have happened.
 */
export type Outcome = "removed" | "already_absent" | "failed" | "unknown";

export interface RemovalResult {
  removal: Removal;
  outcome: Outcome;
  /** HTTP status of the last answer, when there was one. */
  status?: number;
  attempts: number;
  error?: string;
  finishedAt: string;
  /** In a run across accounts, the account's name as the views show it beside the user. */
  account?: string;
}

export interface ApplySummary {
  removed: number;
  already_absent: number;
  failed: number;
  unknown: number;
  /**
   * Planned removals never sent (or only refused with a 429) because the run was interrupted or the key was refused.
   */
  not_started: number;
}

export interface ApplyResult {
  summary: ApplySummary;
  /** In the order the removals finished. */
  results: RemovalResult[];
  /** Set when the run stopped early: an interruption, or the API refusing the key. */
  stoppedBy?: "interrupt" | "auth";
  /** The error that stopped the run, when it was the API's. */
  fatal?: ApiError;
}

/** What the executor reports while it works; views subscribe, the executor knows nothing of them. */
export type ApplyEvent =
  | { type: "start"; total: number; concurrency: number }
  | { type: "sent"; removal: Removal }
  /** A planned removal that will not be sent (interrupted, or the key refused, before a request the API acted on). */
  | { type: "not_started"; removal: Removal }
  | { type: "finished"; result: RemovalResult; summary: ApplySummary }
  | { type: "done"; result: ApplyResult }
  /**
   * The run was told to stop (Ctrl-C, lost output, an audit line not written): no removal starts; those in flight
   * finish.
   */
  | { type: "stopping" }
  /** A request is about to be sent again (the client reports it; the command forwards it to the views). */
  | { type: "retrying"; attempt: number; reason: string; delayMs: number }
  /** Requests are held back until `untilMs` (the client reports it; the command forwards it to the views). */
  | { type: "waiting"; reason: "rate limit" | "429" | "retry"; untilMs: number };

/** The one effect apply needs: the API's remove call. */
export interface Remover {
  removeUser(id: string): Promise<RemoveResult>;
}

/** How the executor runs: the bound on removals in flight, who hears its events, what stops it. */
export interface ExecutorOptions {
  concurrency: number;
  onEvent?: (event: ApplyEvent) => void;
  /** Once aborted, no removal starts; those in flight finish. */
  signal?: AbortSignal;
  /**
   * Where each removal waits for its turn: slots shared across accounts (fairSlots); a bound of `concurrency` of its
   * own when not given.
   */
  limit?: Limit;
  /**
   * Whether the executor emits `stopping` itself when `signal` aborts (default): a run over many organizations says it
   * once for all.
   */
  announceStop?: boolean;
}

/** A removal the rules forbid reached the executor: a bug upstream, so nothing is sent at all. */
export class UnsafeRemovalError extends Error {
  constructor(removal: Removal, why: string) {
    super(`refusing to apply: the plan would remove ${removal.email}, who is ${why}; nothing was sent`);
    this.name = "UnsafeRemovalError";
  }
}

/**
 * Applies a plan's removals with at most `concurrency` in flight. Every removal is checked against the
 * manifest's rules before anything is sent, and again just before its request, so a listed, owner or
 * protected user can never be removed whatever the plan holds.
 */
export async function applyPlan(
  plan: Pick<Plan, "removals">,
  rules: Rules,
  remover: Remover,
  options: ExecutorOptions,
): Promise<ApplyResult> {
  assertPlanRemovable(plan, rules);
  const emit = options.onEvent ?? (() => {});
  const summary: ApplySummary = { removed: 0, already_absent: 0, failed: 0, unknown: 0, not_started: 0 };
  const results: RemovalResult[] = [];
  let stoppedBy: ApplyResult["stoppedBy"];
  let fatal: ApiError | undefined;
  const limit: Limit = options.limit ?? pLimit(options.concurrency);
  emit({ type: "start", total: plan.removals.length, concurrency: options.concurrency });
  // Said once, as soon as it happens: the views stop promising the whole run's time left.
  const onStop = () => emit({ type: "stopping" });
  const announce = options.announceStop !== false;
  if (announce && options.signal?.aborted) onStop();
  else if (announce) options.signal?.addEventListener("abort", onStop, { once: true });

  const finish = (result: RemovalResult) => {
    summary[result.outcome] += 1;
    results.push(result);
    emit({ type: "finished", result, summary: { ...summary } });
  };

  await Promise.all(
    plan.removals.map((removal) =>
      limit(async () => {
        const notStarted = () => {
          summary.not_started += 1;
          emit({ type: "not_started", removal });
        };
        if (options.signal?.aborted) stoppedBy ??= "interrupt";
        if (stoppedBy) return notStarted();
        assertRemovable(removal, rules);
        emit({ type: "sent", removal });
        try {
          const answer = await remover.removeUser(removal.id);
          finish({
            removal,
            outcome: answer.outcome,
            status: answer.status,
            attempts: answer.attempts,
            finishedAt: new Date().toISOString(),
          });
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          if (error.kind === "auth") {
            stoppedBy = "auth";
            fatal ??= error;
          }
          // Stopped before a request the API acted on (none sent, or only refused with a 429): nothing happened to this
          // user.
          if ((error.kind === "aborted" && !error.mayHaveHappened) || (error.kind === "auth" && error.attempts === 0)) {
            if (error.kind === "aborted") stoppedBy ??= "interrupt";
            return notStarted();
          }
          if (error.kind === "aborted") stoppedBy ??= "interrupt";
          const outcome = error.kind === "aborted" ? "unknown" : "failed";
          const result: RemovalResult = {
            removal,
            outcome,
            attempts: error.attempts,
            error: error.message,
            finishedAt: new Date().toISOString(),
          };
          if (error.status !== undefined) result.status = error.status;
          finish(result);
        }
      }),
    ),
  );
  options.signal?.removeEventListener("abort", onStop);
  // Interrupted while every removal was already under way (waiting out a 429 or a backoff): no queued removal
  // was left to notice, but the run was stopped all the same, and nothing may say it completed.
  if (options.signal?.aborted) stoppedBy ??= "interrupt";
  const result: ApplyResult = { summary, results };
  if (stoppedBy) result.stoppedBy = stoppedBy;
  if (fatal) result.fatal = fatal;
  emit({ type: "done", result });
  return result;
}

/** Throws UnsafeRemovalError, before anything is sent, when a removal is one the rules forbid or is planned twice. */
export function assertPlanRemovable(plan: Pick<Plan, "removals">, rules: Rules): void {
  const seen = new Set<string>();
  for (const removal of plan.removals) {
    assertRemovable(removal, rules);
    // One user whatever the letter case of its id (core/same-record.ts): the API would remove it twice.
    const id = userIdKey(removal.id);
    if (seen.has(id)) throw new UnsafeRemovalError(removal, "planned twice");
    seen.add(id);
  }
}

function assertRemovable(removal: Removal, rules: Rules): void {
  const verdict = judge(removal, rules);
  if (verdict.kind === "keep") throw new UnsafeRemovalError(removal, "listed in the manifest");
  if (verdict.kind === "protected")
    throw new UnsafeRemovalError(removal, protectionWords(verdict, removal.record_type));
  const alike = rules.lookalikes?.find(removal.email) ?? [];
  if (alike.length > 0)
    throw new UnsafeRemovalError(
      removal,
      `a look-alike of ${alike.map((email) => JSON.stringify(sanitize(email))).join(", ")}, whom the manifest lists`,
    );
}
