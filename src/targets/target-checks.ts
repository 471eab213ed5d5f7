import type { LimitFunction } from "p-limit";
import { normalizeEmail } from "../core/email.js";
import { accountLabel, OWN_ACCOUNT, type AccountRef, type ManagedAccount } from "../core/managed-account.js";
import type { OrganizationUser } from "../core/organization-user.js";
import type { LoadedManifest } from "../manifest/load-manifest.js";
import { keysNotTheirOwn, organizationsNotTheirOwn } from "../plan/account-keys.js";
import { selectorMatcher, type ManifestTarget } from "../plan/accounts.js";
import type { PreparedPlan } from "../plan/prepare.js";
import { SavedPlanError } from "../plan/saved-plan.js";
import { ApiError } from "../telnyx/api-error.js";
import type { TelnyxClient } from "../telnyx/client.js";
import { listManagedAccounts } from "../telnyx/read-managed-accounts.js";

// The checks of a run's organizations before and while they are read: whose key reads whose organization,
// which accounts are cancelled, and what a refused key means; with the words each says.

/** An account a manifest names that could not be read: cancelled (401) or disabled (403). Reported and skipped. */
export interface SkippedTarget {
  account: AccountRef;
  manifest: string;
  reason: string;
}

/** One account to read and plan: who it is, and how its plan is made from its live users. */
export interface TargetToRead {
  account: AccountRef;
  own: boolean;
  manifestPath: string;
  manifest?: LoadedManifest;
  prepare(liveUsers: OrganizationUser[], host: string): Promise<PreparedPlan> | PreparedPlan;
}

/** An account of the run on its way: its key once fetched, its users once read, or why it was left out. */
export interface InProgress {
  item: TargetToRead;
  apiKey?: string;
  client?: TelnyxClient;
  liveUsers?: OrganizationUser[];
  /** Its plan, or why it could not be planned, made once it is read. */
  planned?: Promise<{ prepared: PreparedPlan } | { error: unknown }>;
  left?: SkippedTarget;
}

/**
 * `task` for each of `items`, at most `limit` at once. One failure ends the step: no item not yet started
 * starts, and those running finish before the failure is thrown, so nothing is printed after it.
 */
export async function eachStopping<T>(
  items: readonly T[],
  limit: LimitFunction,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let stopped = false;
  const settled = await Promise.allSettled(
    items.map((item) =>
      limit(async () => {
        if (stopped) return;
        try {
          await task(item);
        } catch (error) {
          stopped = true;
          throw error;
        }
      }),
    ),
  );
  const failure = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
  if (failure) throw failure.reason;
}

/**
 * Refuses, before any request with it, each managed account handed the manager's key or a key handed for another
 * account too.
 */
export function checkKeys(
  runs: readonly InProgress[],
  managerKey: string,
  refuse: (run: InProgress, reason: string) => void,
): void {
  const managed = runs.filter((run) => run.apiKey !== undefined);
  const problems = keysNotTheirOwn(
    managed.map((run) => run.apiKey!),
    managerKey,
  );
  problems.forEach((problem, index) => {
    if (!problem) return;
    const run = managed[index]!;
    if (problem.kind === "manager-key") {
      refuse(
        run,
        `the API handed it the manager's own key (the one in TELNYX_API_KEY), which reads the manager's organization, ` +
          `not this account's: ${NOTHING_SENT}`,
      );
    } else {
      const others = problem.others.map((at) => accountLabel(managed[at]!.item.account)).join(", ");
      refuse(
        run,
        `the API handed it the same key as ${others}, so roster cannot tell whose organization that key reads: ` +
          `${NOTHING_SENT}`,
      );
    }
  });
}

/**
 * Refuses each managed account whose key read the manager's organization, another account's, or one read for another
 * account too.
 */
export function checkOrganizations(
  runs: readonly InProgress[],
  known: { managerEmail: string; known: readonly AccountRef[] },
  refuse: (run: InProgress, reason: string) => void,
): void {
  const read = runs.map((run) => ({ own: run.item.own, email: run.item.account.email, users: run.liveUsers! }));
  const problems = organizationsNotTheirOwn(read, {
    managerEmail: known.managerEmail,
    accountEmails: known.known.map((account) => account.email),
  });
  problems.forEach((problem, index) => {
    if (!problem) return;
    const run = runs[index]!;
    if (problem.kind === "manager-organization") {
      refuse(
        run,
        `its key reads the manager's own organization (its owner is the manager), not this account's: ` +
          `${NOTHING_PLANNED}`,
      );
    } else if (problem.kind === "other-account") {
      const other = known.known.find((account) => normalizeEmail(account.email) === problem.email);
      refuse(
        run,
        `its key reads the organization of ${other ? accountLabel(other) : "another managed account"} (its owner has ` +
          `that account's email), not this account's: ${NOTHING_PLANNED}`,
      );
    } else {
      const others = problem.others.map((at) => accountLabel(runs[at]!.item.account)).join(", ");
      refuse(
        run,
        `its key reads the same organization (the same owner) as the key of ${others}, so roster cannot tell whose it ` +
          `is: ${NOTHING_PLANNED}`,
      );
    }
  });
}

const NOTHING_SENT =
  "roster sent nothing with that key and changed nothing in the account; ask Telnyx why GET /managed_accounts/{id} " +
  "answered so";
const NOTHING_PLANNED =
  "nothing was planned or changed with that key; ask Telnyx why GET /managed_accounts/{id} answered so";

export const CANCELLED_REASON = "the account is cancelled (the API lists it only among cancelled accounts)";

/**
 * The manifests naming a cancelled account, with it: the API lists cancelled accounts only when asked, so the
 * accounts are listed again with them only when a manifest's `account:` matches none of the others; a
 * manifest matching exactly one cancelled account is then skipped and reported, not an error.
 */
export async function cancelledChoices(
  manager: TelnyxClient,
  manifests: readonly LoadedManifest[],
  active: readonly ManagedAccount[],
  concurrency: number,
): Promise<Map<LoadedManifest, ManagedAccount>> {
  const activeMatching = selectorMatcher(active);
  const unmatched = manifests.filter(
    (manifest) => manifest.account !== undefined && activeMatching(manifest.account).length === 0,
  );
  const found = new Map<LoadedManifest, ManagedAccount>();
  if (unmatched.length === 0) return found;
  const activeIds = new Set(active.map((account) => account.id.toLowerCase()));
  const all = await listManagedAccounts(manager, { concurrency, includeCancelled: true });
  const cancelled = all.filter((account) => !activeIds.has(account.id.toLowerCase()));
  const cancelledMatching = selectorMatcher(cancelled);
  for (const manifest of unmatched) {
    const matches = cancelledMatching(manifest.account!);
    if (matches.length === 1) found.set(manifest, matches[0]!);
  }
  return found;
}

/**
 * An API error or a stale saved plan met in a managed account, its message naming the account (unless it does already).
 */
export function inAccount(error: unknown, account: AccountRef): unknown {
  const label = accountLabel(account);
  if (error instanceof SavedPlanError) return new SavedPlanError(`${label}: ${error.message}`);
  if (!(error instanceof ApiError) || error.message.includes(label)) return error;
  const { kind, status, code, attempts, advice, mayHaveHappened } = error;
  return new ApiError(kind, `${label}: ${error.message}`, {
    attempts,
    mayHaveHappened,
    ...(status !== undefined ? { status } : {}),
    ...(code !== undefined ? { code } : {}),
    ...(advice !== undefined ? { advice } : {}),
  });
}

/** Why a managed account is skipped: its key refused while reading it. Any other failure stops the run. */
export function skipReason(error: unknown): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (error.status === 401) return "its key was refused (401): the account is cancelled, or its key was revoked";
  if (error.status === 403) return "its key may not read its users (403): the account is disabled";
  return undefined;
}

/** The account a target names, as plans and results show it. */
export function refOf(target: ManifestTarget): AccountRef {
  if (target.kind === "own") return OWN_ACCOUNT;
  return accountRefOf(target.account);
}

/** A managed account as plans and results name it: id, email, organization name ("" when it has none). */
export function accountRefOf(account: ManagedAccount): AccountRef {
  return { id: account.id, email: account.email, organization_name: account.organization_name ?? "" };
}
