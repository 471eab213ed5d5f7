import pLimit from "p-limit";
import type { AccountRef } from "../apply/apply-accounts.js";
import type { ManagedAccount } from "../core/managed-account.js";
import type { LoadedManifest } from "../manifest/load-manifest.js";
import { chooseAccounts, type ManifestTarget } from "../plan/accounts.js";
import type { GuardOptions } from "../plan/guards.js";
import { prepareFromManifest, type PreparedPlan } from "../plan/prepare.js";
import { ApiError } from "../telnyx/api-error.js";
import { SocketPool, type TelnyxClient } from "../telnyx/client.js";
import { readOrganization } from "../telnyx/read-organization.js";
import { listManagedAccounts } from "../telnyx/read-managed-accounts.js";
import { addSecret, type Io } from "../terminal/io.js";
import { accountLabel, OWN_ACCOUNT_ID, type AccountsPlanView } from "../render/accounts-plan.js";
import { connect, type ApiOptions, type ClientHooks } from "./connect.js";

/** One account of a run across accounts: its manifest, its plan, and the client that holds its own key. */
export interface AccountPlan {
  account: AccountRef;
  /** The key's own organization (a manifest without `account:`), not a managed account. */
  own: boolean;
  manifest: LoadedManifest;
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
    const managed = manifests.some((manifest) => manifest.account !== undefined)
      ? await listManagedAccounts(manager, { concurrency: options.concurrency })
      : [];
    const targets = chooseAccounts(manifests, managed);
    const limit = pLimit(options.concurrency);
    const outcomes = await Promise.all(
      targets.map(({ manifest, target }) =>
        limit(async (): Promise<AccountPlan | SkippedAccount> => {
          const account = refOf(target);
          let client = manager;
          try {
            if (target.kind === "managed") {
              const { apiKey } = await manager.getManagedAccount(target.account.id);
              addSecret(apiKey);
              client = connect(options, io, {
                ...options.hooks,
                sockets,
                apiKey,
                authFailedMessage: `the API refused the key of the managed account ${accountLabel(account)} (401): the account may be cancelled; nothing was changed in it`,
              });
              clients.push(client);
            }
            const liveUsers = await readOrganization(client, { concurrency: options.concurrency });
            const prepared = await prepareFromManifest(manifest, liveUsers, client.host, options.guards);
            return { account, own: target.kind === "own", manifest, prepared, client };
          } catch (error) {
            const reason = target.kind === "managed" ? skipReason(error) : undefined;
            if (reason === undefined) throw error;
            return { account, manifest: manifest.path, reason };
          }
        }),
      ),
    );
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

/** Why a managed account is skipped: its key refused while reading it. Any other failure stops the run. */
function skipReason(error: unknown): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (error.status === 401) return "its key was refused (401): the account is cancelled, or its key was revoked";
  if (error.status === 403) return "its key may not read its users (403): the account is disabled";
  return undefined;
}

/** The account a target names, as plans and results show it. */
function refOf(target: ManifestTarget): AccountRef {
  if (target.kind === "own") return { id: OWN_ACCOUNT_ID, email: "", organization_name: "" };
  return accountRefOf(target.account);
}

/** A managed account as plans and results name it: id, email, organization name ("" when it has none). */
export function accountRefOf(account: ManagedAccount): AccountRef {
  return { id: account.id, email: account.email, organization_name: account.organization_name ?? "" };
}
