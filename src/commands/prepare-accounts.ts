import pLimit, { type LimitFunction } from "p-limit";
import type { AccountRef } from "../apply/apply-accounts.js";
import { normalizeEmail } from "../core/email.js";
import type { ManagedAccount } from "../core/managed-account.js";
import type { LoadedManifest } from "../manifest/load-manifest.js";
import { keysNotTheirOwn, organizationsNotTheirOwn } from "../plan/account-keys.js";
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
 * disabled: 403), or whose key is not its own (see checkKeys, checkOrganizations), is skipped and reported;
 * any other failure stops the whole run before anything is changed.
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
    const work = manifests.map((manifest): AccountWork => {
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
    return { work, known: [...managed, ...cancelled.values()].map(accountRefOf) };
  }, { skipRefused: true });
}

/**
 * A saved plan across accounts against the accounts as they are now: each account fetched and read again
 * with its own key, and its saved plan checked (prepareFromSavedPlan). Any account stale, not readable, or
 * handed a key that is not its own, refuses the whole plan: nothing is applied in any account.
 */
export async function prepareSavedAccounts(saved: SavedAccountsPlan, options: AccountsOptions, io: Io): Promise<AccountsPrepared> {
  return withManager(options, io, async (manager) => {
    checkSavedPlanHost(saved.accounts[0]!.saved, manager.host);
    const work = saved.accounts.map(({ account, saved: plan }): AccountWork => ({
      account: account ?? OWN_ACCOUNT,
      own: account === null,
      manifestPath: plan.manifest.path,
      prepare: (liveUsers, host) => prepareFromSavedPlan(plan, liveUsers, host, options.guards),
    }));
    return { work, known: saved.accounts.flatMap(({ account }) => (account ? [account] : [])) };
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

/** The accounts a run works on, and every managed account roster knows of (to tell whose organization a key reads). */
interface RunWork {
  work: AccountWork[];
  known: AccountRef[];
}

/** An account of the run on its way: its key once fetched, its users once read, or why it was left out. */
interface InProgress {
  item: AccountToRead;
  apiKey?: string;
  client?: TelnyxClient;
  liveUsers?: OrganizationUser[];
  left?: SkippedAccount;
}

/**
 * The manager's client, the accounts `choose` names, and each one read with its own client and planned, at
 * most `concurrency` at once, in steps: every managed account's key fetched; the keys checked (none the
 * manager's, none handed for two accounts) before any request with them; every account read; the
 * organizations checked (none the manager's, none read for two accounts); every account planned. With
 * `skipRefused`, an account whose key is refused or not its own is skipped and reported; without, it stops
 * the run.
 */
async function withManager(options: AccountsOptions, io: Io, choose: (manager: TelnyxClient) => Promise<RunWork>, how: { skipRefused: boolean }): Promise<AccountsPrepared> {
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
    const { work, known } = await choose(manager);
    const limit = pLimit(options.concurrency);
    const runs: InProgress[] = work.flatMap((item) => ("skipped" in item ? [] : [{ item }]));
    const active = () => runs.filter((run) => run.left === undefined);
    const leave = (run: InProgress, reason: string | undefined, error: unknown): void => {
      if (reason === undefined) throw run.item.own ? error : inAccount(error, run.item.account);
      run.left = { account: run.item.account, manifest: run.item.manifestPath, reason };
    };
    // A key that is not the account's own is refused whatever `how` says of keys the API refuses: in a saved
    // plan, it stops the whole plan, as any account that cannot be read does.
    const refuse = (run: InProgress, reason: string): void => {
      if (how.skipRefused) run.left = { account: run.item.account, manifest: run.item.manifestPath, reason };
      else throw new SavedPlanError(`${accountLabel(run.item.account)}: ${reason}`);
    };
    const skippable = (run: InProgress, error: unknown) => (!run.item.own && how.skipRefused ? skipReason(error) : undefined);
    let managerEmail = "";

    await eachStopping(active().filter((run) => !run.item.own), limit, async (run) => {
      try {
        const { account, apiKey } = await manager.getManagedAccount(run.item.account.id);
        addSecret(apiKey);
        run.apiKey = apiKey;
        if (managerEmail === "") managerEmail = account.api_user;
      } catch (error) {
        leave(run, skippable(run, error), error);
      }
    });
    checkKeys(active(), io.env.TELNYX_API_KEY ?? "", refuse);

    await eachStopping(active(), limit, async (run) => {
      const { account, own } = run.item;
      let client = manager;
      try {
        if (!own) {
          client = connect(options, io, {
            ...options.hooks,
            sockets,
            apiKey: run.apiKey!,
            authFailedMessage: `the API refused the key of the managed account ${accountLabel(account)} (401): the account may have been cancelled, or its key revoked; roster sent it nothing more`,
          });
          clients.push(client);
        }
        run.client = client;
        run.liveUsers = await readOrganization(client, { concurrency: options.concurrency });
      } catch (error) {
        leave(run, skippable(run, error), error);
      }
    });
    checkOrganizations(active(), { managerEmail, known }, refuse);

    const planned = new Map<InProgress, AccountPlan>();
    await eachStopping(active(), limit, async (run) => {
      const { account, own, manifest, prepare } = run.item;
      try {
        const prepared = await prepare(run.liveUsers!, run.client!.host);
        planned.set(run, { account, own, ...(manifest ? { manifest } : {}), prepared, client: run.client! });
      } catch (error) {
        leave(run, skippable(run, error), error);
      }
    });
    const outcomes = work.map((item) => {
      if ("skipped" in item) return item.skipped;
      const run = runs.find((candidate) => candidate.item === item)!;
      return run.left ?? planned.get(run)!;
    });
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

/**
 * `task` for each of `items`, at most `limit` at once. One failure ends the step: no item not yet started
 * starts, and those running finish before the failure is thrown, so nothing is printed after it.
 */
async function eachStopping<T>(items: readonly T[], limit: LimitFunction, task: (item: T) => Promise<void>): Promise<void> {
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

/** Refuses, before any request with it, each managed account handed the manager's key or a key handed for another account too. */
function checkKeys(runs: readonly InProgress[], managerKey: string, refuse: (run: InProgress, reason: string) => void): void {
  const managed = runs.filter((run) => run.apiKey !== undefined);
  const problems = keysNotTheirOwn(
    managed.map((run) => run.apiKey!),
    managerKey,
  );
  problems.forEach((problem, index) => {
    if (!problem) return;
    const run = managed[index]!;
    if (problem.kind === "manager-key") {
      refuse(run, `the API handed it the manager's own key (the one in TELNYX_API_KEY), which reads the manager's organization, not this account's: ${NOTHING_SENT}`);
    } else {
      const others = problem.others.map((at) => accountLabel(managed[at]!.item.account)).join(", ");
      refuse(run, `the API handed it the same key as ${others}, so roster cannot tell whose organization that key reads: ${NOTHING_SENT}`);
    }
  });
}

/** Refuses each managed account whose key read the manager's organization, another account's, or one read for another account too. */
function checkOrganizations(runs: readonly InProgress[], known: { managerEmail: string; known: readonly AccountRef[] }, refuse: (run: InProgress, reason: string) => void): void {
  const read = runs.map((run) => ({ own: run.item.own, email: run.item.account.email, users: run.liveUsers! }));
  const problems = organizationsNotTheirOwn(read, { managerEmail: known.managerEmail, accountEmails: known.known.map((account) => account.email) });
  problems.forEach((problem, index) => {
    if (!problem) return;
    const run = runs[index]!;
    if (problem.kind === "manager-organization") {
      refuse(run, `its key reads the manager's own organization (its owner is the manager), not this account's: ${NOTHING_PLANNED}`);
    } else if (problem.kind === "other-account") {
      const other = known.known.find((account) => normalizeEmail(account.email) === problem.email);
      refuse(run, `its key reads the organization of ${other ? accountLabel(other) : "another managed account"} (its owner has that account's email), not this account's: ${NOTHING_PLANNED}`);
    } else {
      const others = problem.others.map((at) => accountLabel(runs[at]!.item.account)).join(", ");
      refuse(run, `its key reads the same organization (the same owner) as the key of ${others}, so roster cannot tell whose it is: ${NOTHING_PLANNED}`);
    }
  });
}

const NOTHING_SENT = "roster sent nothing with that key and changed nothing in the account; ask Telnyx why GET /managed_accounts/{id} answered so";
const NOTHING_PLANNED = "nothing was planned or changed with that key; ask Telnyx why GET /managed_accounts/{id} answered so";

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
