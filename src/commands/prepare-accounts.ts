import pLimit from "p-limit";
import type { AccountRef } from "../apply/apply-accounts.js";
import type { ManagedAccount } from "../core/managed-account.js";
import type { LoadedManifest } from "../manifest/load-manifest.js";
import { chooseAccounts, matchesSelector, type ManifestTarget } from "../plan/accounts.js";
import type { GuardOptions } from "../plan/guards.js";
import { checkSavedPlanHost, prepareFromManifest, prepareFromSavedPlan, type PreparedPlan } from "../plan/prepare.js";
import type { SavedAccountsPlan } from "../plan/saved-accounts-plan.js";
import { SavedPlanError } from "../plan/saved-plan.js";
import type { OrganizationUser } from "../core/organization-user.js";
import { ApiError } from "../telnyx/api-error.js";
import { SocketPool, type TelnyxClient } from "../telnyx/client.js";
import { readOrganization } from "../telnyx/read-organization.js";
import { listManagedAccounts } from "../telnyx/read-managed-accounts.js";
import { addSecret, type Io } from "../terminal/io.js";
import { accountLabel, OWN_ACCOUNT, type AccountsPlanView } from "../render/accounts-plan.js";
import { connect, type ApiOptions, type ClientHooks } from "./connect.js";

/** One account of a run across accounts: its manifest, its plan, and the client that holds its own key. */
export interface AccountPlan {
  account: AccountRef;
  /** The key's own organization (a manifest without `account:`), not a managed account. */
  own: boolean;
  /** The manifest it was planned from; absent for a saved plan. */
  manifest?: LoadedManifest;
  prepared: PreparedPlan;
  /** Reads and removes with this account's key; the manager's client for the own organization. */
  client: TelnyxClient;
}

/** An account a manifest names that could not be read: cancelled (401) or disabled (403). Reported and skipped. */
export interface SkippedAccount {
  account: AccountRef;
  manifest: string;
  reason: string;
}

/** Every account of the run, planned, with those skipped; `close` closes every client. */
export interface AccountsPrepared {
  accounts: AccountPlan[];
  skipped: SkippedAccount[];
  close(): void;
}

/** How a run across accounts connects: the API flags, the guards, and the hooks every client reports through. */
export interface AccountsOptions extends ApiOptions {
  guards: GuardOptions;
  hooks?: ClientHooks;
}

/**
 * Plans every manifest against its account: the managed accounts listed with the manager's key (only when a
 * manifest names one), each manifest matched to exactly one, each account's key fetched (kept in memory and
 * registered for redaction, never written), then each account read with its own client and planned. At most
 * `concurrency` accounts are fetched and read at once. An account whose key is refused (cancelled: 401;
 * disabled: 403) is skipped and reported; any other failure stops the whole run before anything is changed.
 */
export async function prepareAccounts(manifests: readonly LoadedManifest[], options: AccountsOptions, io: Io): Promise<AccountsPrepared> {
  return withManager(options, io, async (manager) => {
    const managed = manifests.some((manifest) => manifest.account !== undefined)
      ? await listManagedAccounts(manager, { concurrency: options.concurrency })
      : [];
    const cancelled = await cancelledChoices(manager, manifests, managed, options.concurrency);
    const chosen = chooseAccounts(
      manifests.filter((manifest) => !cancelled.has(manifest)),
      managed,
    );
    return manifests.map((manifest): AccountWork => {
      const gone = cancelled.get(manifest);
      // A cancelled account is reported as skipped: its key is never fetched, nothing in it is read.
      if (gone) return { skipped: { account: accountRefOf(gone), manifest: manifest.path, reason: CANCELLED_REASON } };
      const { target } = chosen.find((choice) => choice.manifest === manifest)!;
      return {
        account: refOf(target),
        own: target.kind === "own",
        manifestPath: manifest.path,
        manifest,
        prepare: (liveUsers, host) => prepareFromManifest(manifest, liveUsers, host, options.guards),
      };
    });
  }, { skipRefused: true });
}

/**
 * A saved plan across accounts against the accounts as they are now: each account fetched and read again
 * with its own key, and its saved plan checked (prepareFromSavedPlan). Any account stale, or not readable,
 * refuses the whole plan: nothing is applied in any account.
 */
export async function prepareSavedAccounts(saved: SavedAccountsPlan, options: AccountsOptions, io: Io): Promise<AccountsPrepared> {
  return withManager(options, io, async (manager) => {
    checkSavedPlanHost(saved.accounts[0]!.saved, manager.host);
    return saved.accounts.map(({ account, saved: plan }): AccountWork => ({
      account: account ?? OWN_ACCOUNT,
      own: account === null,
      manifestPath: plan.manifest.path,
      prepare: (liveUsers, host) => prepareFromSavedPlan(plan, liveUsers, host, options.guards),
    }));
  }, { skipRefused: false });
}

/** One account to read and plan, or one skipped before it is read. */
type AccountWork = AccountToRead | { skipped: SkippedAccount };

/** One account to read and plan: who it is, and how its plan is made from its live users. */
interface AccountToRead {
  account: AccountRef;
  own: boolean;
  manifestPath: string;
  manifest?: LoadedManifest;
  prepare(liveUsers: OrganizationUser[], host: string): Promise<PreparedPlan> | PreparedPlan;
}

/**
 * The manager's client, the accounts `choose` names, and each one read with its own client and planned, at
 * most `concurrency` at once. With `skipRefused`, an account whose key is refused is skipped and reported.
 */
async function withManager(
  options: AccountsOptions,
  io: Io,
  choose: (manager: TelnyxClient) => Promise<AccountWork[]>,
  how: { skipRefused: boolean },
): Promise<AccountsPrepared> {
  // One pool of sockets for every client: a managed account's requests go over the connections the manager's
  // opened. At most `concurrency` accounts are read at once, each up to `concurrency` pages at once (when the
  // groups report is refused): the agent must not queue what those bounds let through, as a request waiting
  // for a socket spends its timeout.
  const sockets = new SocketPool(Math.max(options.concurrency, 1) ** 2);
  const manager = connect(options, io, { ...options.hooks, sockets });
  const clients: TelnyxClient[] = [manager];
  const close = () => {
    clients.forEach((client) => client.close());
    sockets.close();
  };
  try {
    const work = await choose(manager);
    const limit = pLimit(options.concurrency);
    let stopped = false;
    const settled = await Promise.allSettled(
      work.map((item) =>
        limit(async (): Promise<AccountPlan | SkippedAccount | undefined> => {
          if ("skipped" in item) return item.skipped;
          if (stopped) return undefined;
          const { account, own, manifestPath, manifest, prepare } = item;
          let client = manager;
          try {
            if (!own) {
              const { apiKey } = await manager.getManagedAccount(account.id);
              addSecret(apiKey);
              client = connect(options, io, {
                ...options.hooks,
                sockets,
                apiKey,
                authFailedMessage: `the API refused the key of the managed account ${accountLabel(account)} (401): the account may have been cancelled, or its key revoked; roster sent it nothing more`,
              });
              clients.push(client);
            }
            const liveUsers = await readOrganization(client, { concurrency: options.concurrency });
            const prepared = await prepare(liveUsers, client.host);
            return { account, own, ...(manifest ? { manifest } : {}), prepared, client };
          } catch (error) {
            const reason = !own && how.skipRefused ? skipReason(error) : undefined;
            // One failure ends the run: no account not yet started is read, and those being read finish
            // before the error is reported, so nothing is printed after it.
            if (reason === undefined) {
              stopped = true;
              throw own ? error : inAccount(error, account);
            }
            return { account, manifest: manifestPath, reason };
          }
        }),
      ),
    );
    const failure = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
    if (failure) throw failure.reason;
    const outcomes = settled.map((outcome) => (outcome as PromiseFulfilledResult<AccountPlan | SkippedAccount>).value);
    // (No outcome is undefined here: a task only returns nothing after another failed, and then this throws.)
    return {
      accounts: outcomes.filter((outcome): outcome is AccountPlan => "prepared" in outcome),
      skipped: outcomes.filter((outcome): outcome is SkippedAccount => !("prepared" in outcome)),
      close,
    };
  } catch (error) {
    close();
    throw error;
  }
}

/** The plan across accounts as the renderers take it. */
export function accountsView(prepared: AccountsPrepared): AccountsPlanView {
  return {
    accounts: prepared.accounts.map(({ account, prepared: { plan, verdict, source } }) => ({ account, plan, verdict, source })),
    skipped: prepared.skipped,
  };
}

const CANCELLED_REASON = "the account is cancelled (the API lists it only among cancelled accounts)";

/**
 * The manifests naming a cancelled account, with it: the API lists cancelled accounts only when asked, so the
 * accounts are listed again with them only when a manifest's `account:` matches none of the others; a
 * manifest matching exactly one cancelled account is then skipped and reported, not an error.
 */
async function cancelledChoices(manager: TelnyxClient, manifests: readonly LoadedManifest[], active: readonly ManagedAccount[], concurrency: number): Promise<Map<LoadedManifest, ManagedAccount>> {
  const unmatched = manifests.filter((manifest) => manifest.account !== undefined && !active.some((account) => matchesSelector(account, manifest.account!)));
  const found = new Map<LoadedManifest, ManagedAccount>();
  if (unmatched.length === 0) return found;
  const activeIds = new Set(active.map((account) => account.id.toLowerCase()));
  const all = await listManagedAccounts(manager, { concurrency, includeCancelled: true });
  const cancelled = all.filter((account) => !activeIds.has(account.id.toLowerCase()));
  for (const manifest of unmatched) {
    const matches = cancelled.filter((account) => matchesSelector(account, manifest.account!));
    if (matches.length === 1) found.set(manifest, matches[0]!);
  }
  return found;
}

/** An API error or a stale saved plan met in a managed account, its message naming the account (unless it does already). */
function inAccount(error: unknown, account: AccountRef): unknown {
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
function skipReason(error: unknown): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (error.status === 401) return "its key was refused (401): the account is cancelled, or its key was revoked";
  if (error.status === 403) return "its key may not read its users (403): the account is disabled";
  return undefined;
}

/** The account a target names, as plans and results show it. */
function refOf(target: ManifestTarget): AccountRef {
  if (target.kind === "own") return OWN_ACCOUNT;
  return accountRefOf(target.account);
}

/** A managed account as plans and results name it: id, email, organization name ("" when it has none). */
export function accountRefOf(account: ManagedAccount): AccountRef {
  return { id: account.id, email: account.email, organization_name: account.organization_name ?? "" };
}
