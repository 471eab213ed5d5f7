import pLimit from "p-limit";
import { OWN_ACCOUNT, type AccountRef } from "../core/managed-account.js";
import type { OrganizationUser } from "../core/organization-user.js";
import type { LoadedManifest } from "../manifest/load-manifest.js";
import { chooseAccounts } from "../plan/accounts.js";
import type { GuardOptions } from "../plan/guards.js";
import { checkSavedPlanHost, prepareFromManifest, prepareFromSavedPlan, type PreparedPlan } from "../plan/prepare.js";
import { SavedPlanError, type RunShape, type SavedRun } from "../plan/saved-plan.js";
import { utcToday } from "../plan/lifecycle.js";
import type { PlanClock } from "../plan/plan.js";
import { SocketPool, type TelnyxClient } from "../telnyx/client.js";
import { readOrganization } from "../telnyx/read-organization.js";
import { listManagedAccounts } from "../telnyx/read-managed-accounts.js";
import { addSecret, prepareRedaction, type Io } from "../terminal/io.js";
import { accountLabel } from "../core/managed-account.js";
import { connect, type ApiOptions, type ClientHooks } from "./connect.js";
import {
  accountRefOf,
  cancelledChoices,
  CANCELLED_REASON,
  checkKeys,
  checkOrganizations,
  eachStopping,
  inAccount,
  refOf,
  skipReason,
  type InProgress,
  type SkippedTarget,
  type TargetToRead,
} from "./target-checks.js";

export type { SkippedTarget };

/** One organization of a run: its manifest, its plan, and the client that holds its own key. */
export interface Target {
  account: AccountRef;
  /** The key's own organization (a manifest without `account:`), not a managed account. */
  own: boolean;
  /** The manifest it was planned from; absent for a saved plan. */
  manifest?: LoadedManifest;
  prepared: PreparedPlan;
  /** The organization's users as read for the plan (what the plan keeps of them, and the rest: created_at). */
  liveUsers: readonly OrganizationUser[];
  /** Reads and removes with this organization's key; the manager's client for the own organization. */
  client: TelnyxClient;
}

/**
 * A run's organizations, planned, in the order of the manifests (or of the saved plan), with those skipped;
 * `close` closes every client. One organization is a list of one.
 */
export interface PlannedTargets {
  shape: RunShape;
  targets: Target[];
  skipped: SkippedTarget[];
  /** How many organizations the manifests (or the saved plan) named, the skipped ones included. */
  manifests: number;
  close(): void;
}

/** How a run connects: the API flags, the guards, and the hooks every client reports through. */
export interface TargetOptions extends ApiOptions {
  guards: GuardOptions;
  hooks?: ClientHooks;
  /**
   * The day every organization of the run is judged on (expires:) and idle days count to; the clock's now when absent.
   */
  clock?: PlanClock;
}

/** The day and moment of `now`, read once by a command, that every plan of its run is made on. */
export function planClock(now: Date): PlanClock {
  return { today: utcToday(now), now };
}

/** What a run plans: the manifests (their shape told by acrossAccounts), or a saved plan. */
export type RunInput = { manifests: readonly LoadedManifest[]; shape: RunShape } | { saved: SavedRun };

/**
 * Reads and plans every organization of a run, each with its own client and pacer, at most `concurrency`
 * organizations at once (see withManager): the steps of plan and apply between reading the manifests and
 * showing the plan, for one organization or many.
 */
export function planTargets(input: RunInput, options: TargetOptions, io: Io): Promise<PlannedTargets> {
  return "saved" in input
    ? planSavedTargets(input.saved, options, io)
    : planManifestTargets(input.manifests, input.shape, options, io);
}

/**
 * Plans every manifest against its organization: the managed accounts listed with the manager's key (only
 * when a manifest names one), each manifest matched to exactly one, each account's key fetched (kept in
 * memory and registered for redaction, never written), then each organization read with its own client and
 * planned. An account whose key is refused (cancelled: 401; disabled: 403), or whose key is not its own (see
 * checkKeys, checkOrganizations), is skipped and reported; any other failure stops the whole run before
 * anything is changed.
 */
function planManifestTargets(
  manifests: readonly LoadedManifest[],
  shape: RunShape,
  options: TargetOptions,
  io: Io,
): Promise<PlannedTargets> {
  const clock = options.clock ?? planClock(new Date());
  return withManager(
    options,
    io,
    shape,
    async (manager) => {
      const managed = manifests.some((manifest) => manifest.account !== undefined)
        ? await listManagedAccounts(manager, { concurrency: options.concurrency })
        : [];
      const cancelled = await cancelledChoices(manager, manifests, managed, options.concurrency);
      const chosen = new Map(
        chooseAccounts(
          manifests.filter((manifest) => !cancelled.has(manifest)),
          managed,
        ).map((choice) => [choice.manifest, choice.target]),
      );
      const work = manifests.map((manifest): TargetWork => {
        const gone = cancelled.get(manifest);
        // A cancelled account is reported as skipped: its key is never fetched, nothing in it is read.
        if (gone)
          return { skipped: { account: accountRefOf(gone), manifest: manifest.path, reason: CANCELLED_REASON } };
        const target = chosen.get(manifest)!;
        return {
          account: refOf(target),
          own: target.kind === "own",
          manifestPath: manifest.path,
          manifest,
          prepare: (liveUsers, host) => prepareFromManifest(manifest, liveUsers, host, options.guards, clock),
        };
      });
      return { work, known: [...managed, ...cancelled.values()].map(accountRefOf) };
    },
    { skipRefused: true },
  );
}

/**
 * A saved plan against the organizations as they are now: its host checked before any read, each account
 * fetched and read again with its own key, and each plan checked (prepareFromSavedPlan). Any organization
 * stale, not readable, or handed a key that is not its own, refuses the whole plan: nothing is applied.
 */
function planSavedTargets(saved: SavedRun, options: TargetOptions, io: Io): Promise<PlannedTargets> {
  const clock = options.clock ?? planClock(new Date());
  return withManager(
    options,
    io,
    saved.shape,
    async (manager) => {
      checkSavedPlanHost(saved.targets[0]!.saved, manager.host);
      const work = saved.targets.map(
        ({ account, saved: plan }): TargetWork => ({
          account: account ?? OWN_ACCOUNT,
          own: account === null,
          manifestPath: plan.manifest.path,
          prepare: (liveUsers, host) => prepareFromSavedPlan(plan, liveUsers, host, options.guards, clock),
        }),
      );
      return { work, known: saved.targets.flatMap(({ account }) => (account ? [account] : [])) };
    },
    { skipRefused: false },
  );
}

/** One organization to read and plan, or one skipped before it is read. */
type TargetWork = TargetToRead | { skipped: SkippedTarget };

/**
 * The organizations a run works on, and every managed account roster knows of (to tell whose organization a key reads).
 */
interface RunWork {
  work: TargetWork[];
  known: AccountRef[];
}

/**
 * The manager's client, the organizations `choose` names, and each one read with its own client and planned,
 * at most `concurrency` at once, in steps: every managed account's key fetched; the keys checked (none the
 * manager's, none handed for two accounts) before any request with them; every organization read, and planned
 * as it arrives; the organizations checked (none the manager's, none read for two accounts); only then the plans
 * taken, or the first failure among them thrown. With
 * `skipRefused`, an account whose key is refused or not its own is skipped and reported; without, it stops
 * the run. The key's own organization is read with the manager's client, and any failure in it stops the run.
 */
async function withManager(
  options: TargetOptions,
  io: Io,
  shape: RunShape,
  choose: (manager: TelnyxClient) => Promise<RunWork>,
  how: { skipRefused: boolean },
): Promise<PlannedTargets> {
  // One pool of sockets for every client: a managed account's requests go over the connections the manager's
  // opened. At most `concurrency` accounts are read at once, each up to `concurrency` pages at once (when the
  // groups report is refused): the agent must not queue what those bounds let through, as a request waiting
  // for a socket spends its timeout.
  // One organization alone keeps a client of its own, its sockets bounded by --concurrency.
  const sockets = shape === "accounts" ? new SocketPool(Math.max(options.concurrency, 1) ** 2) : undefined;
  const manager = connect(options, io, { ...options.hooks, ...(sockets ? { sockets } : {}) });
  const clients: TelnyxClient[] = [manager];
  const close = () => {
    clients.forEach((client) => client.close());
    sockets?.close();
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
    const skippable = (run: InProgress, error: unknown) =>
      !run.item.own && how.skipRefused ? skipReason(error) : undefined;
    let managerEmail = "";

    await eachStopping(
      active().filter((run) => !run.item.own),
      limit,
      async (run) => {
        try {
          const { account, apiKey } = await manager.getManagedAccount(run.item.account.id);
          addSecret(apiKey);
          run.apiKey = apiKey;
          if (managerEmail === "") managerEmail = account.api_user;
        } catch (error) {
          leave(run, skippable(run, error), error);
        }
      },
    );
    checkKeys(active(), io.env.TELNYX_API_KEY ?? "", refuse);
    // Every key is known now: the redactor of them all is made once the first reads are sent, while they are on
    // their way, rather than after the last, when the plan is written through it.
    setImmediate(() => prepareRedaction(io.env));

    await eachStopping(active(), limit, async (run) => {
      const { account, own } = run.item;
      let client = manager;
      try {
        if (!own) {
          client = connect(options, io, {
            ...options.hooks,
            ...(sockets ? { sockets } : {}),
            apiKey: run.apiKey!,
            authFailedMessage:
              `the API refused the key of the managed account ${accountLabel(account)} (401): the ` +
              `account may have been cancelled, or its key revoked; roster sent it nothing more`,
          });
          clients.push(client);
        }
        run.client = client;
        run.liveUsers = await readOrganization(client, { concurrency: options.concurrency });
      } catch (error) {
        leave(run, skippable(run, error), error);
        return;
      }
      // Planned while the other organizations' answers are on their way, once the answers that have arrived are
      // handled (so the next read is sent first). Planning is pure: its outcome is taken (or its failure thrown) only
      // once every organization is checked below.
      const liveUsers = run.liveUsers;
      run.planned = new Promise((resolve) =>
        setImmediate(() => resolve(outcomeOf(() => run.item.prepare(liveUsers, client.host)))),
      );
    });
    const outcomes = new Map<InProgress, PlanOutcome>();
    for (const run of active()) outcomes.set(run, await run.planned!);
    checkOrganizations(active(), { managerEmail, known }, refuse);

    const planned = new Map<InProgress, Target>();
    for (const run of active()) {
      const { account, own, manifest } = run.item;
      const outcome = outcomes.get(run)!;
      if ("error" in outcome) {
        leave(run, skippable(run, outcome.error), outcome.error);
        continue;
      }
      const { prepared } = outcome;
      const [liveUsers, client] = [run.liveUsers!, run.client!];
      // Both shapes written out, not spread: see rulesOf (src/plan/rules.ts).
      planned.set(
        run,
        manifest
          ? { account, own, manifest, prepared, liveUsers, client }
          : { account, own, prepared, liveUsers, client },
      );
    }
    const runOf = new Map(runs.map((run) => [run.item, run]));
    const ends = work.map((item) => {
      if ("skipped" in item) return item.skipped;
      const run = runOf.get(item)!;
      return run.left ?? planned.get(run)!;
    });
    return {
      shape,
      targets: ends.filter((end): end is Target => "prepared" in end),
      skipped: ends.filter((end): end is SkippedTarget => !("prepared" in end)),
      manifests: work.length,
      close,
    };
  } catch (error) {
    close();
    throw error;
  }
}

/** An organization's plan, or why it could not be planned. */
type PlanOutcome = NonNullable<Awaited<InProgress["planned"]>>;

/** What `prepare` gives, or the error it throws (or rejects with), as a value. */
async function outcomeOf(prepare: () => Promise<PreparedPlan> | PreparedPlan): Promise<PlanOutcome> {
  try {
    return { prepared: await prepare() };
  } catch (error) {
    return { error };
  }
}
