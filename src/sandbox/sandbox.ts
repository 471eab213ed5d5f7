import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { OrganizationUser } from "../core/organization-user.js";
import { checkFaults, type SandboxFaults } from "./faults.js";
import {
  managedAccountRoutes,
  type ManagedAccountEntry,
  type ManagedAccountSeed,
  type ManagerIdentity,
} from "./managed-accounts.js";
import { emptyStats, Organization, type AccountStatus, type SandboxStats } from "./organization.js";
import { errorReply, send } from "./replies.js";

export type { Fault, FaultRequest, SandboxFaults } from "./faults.js";
export type { RateModel } from "./rate-models.js";
export type { ManagedAccountSeed, ManagerIdentity } from "./managed-accounts.js";
export type { AccountStatus, SandboxStats } from "./organization.js";

/** The key the sandbox accepts when none is given: public, it guards nothing real. */
export const SANDBOX_DEFAULT_KEY = "sandbox-key";

/** The manager's id and email when the options name none. */
const DEFAULT_MANAGER_ID = "5c6b2a40-0d6e-4c38-9a1e-6f1d3a7b9e01";

export interface SandboxOptions {
  /** The users of the key's own organization (the manager's, when there are managed accounts). */
  users: readonly OrganizationUser[];
  /** The bearer token requests must carry: the manager's key when there are managed accounts. */
  apiKey?: string;
  /** Accounts the key's owner manages, each its own organization behind its own key; none by default. */
  managedAccounts?: readonly ManagedAccountSeed[];
  /** The manager as its managed accounts name it; by default a fixed id and the owner's email. */
  manager?: ManagerIdentity;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Added before every answer, in milliseconds. */
  latencyMs?: number;
  /** A random extra of up to this many milliseconds on every answer. */
  jitterMs?: number;
  /** Injected faults and the rate limit, for every key (each key counted on its own); none by default. */
  faults?: SandboxFaults;
  /** Serve https with this key and certificate (PEM) instead of plain http: to test proxies that tunnel. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Answer the groups report 403, as an account without access to it would: roster must fall back to pages. */
  refuseGroupsReport?: boolean;
}

/** One organization of the sandbox behind one key, for tests to look at and change. */
export interface SandboxOrganization {
  /** Its users as they are now. */
  users(): OrganizationUser[];
  /** What its key's requests met (requests with a key it held before, once revoked, included). */
  stats: SandboxStats;
  /** Accepts another key from now on: the old one is revoked (answered 401). */
  setApiKey(key: string): void;
}

/** A managed account of the sandbox. */
export interface SandboxManagedAccount extends SandboxOrganization {
  readonly id: string;
  readonly email: string;
  readonly organizationName: string;
  /** Its key now (what the single-account GET returns). */
  readonly apiKey: string;
  /** Active, disabled (its key answered 403) or cancelled (401, and listed only with include_cancelled_accounts). */
  status: AccountStatus;
}

export interface Sandbox {
  /** The base URL to give roster, e.g. http://127.0.0.1:43121/v2 */
  url: string;
  /** The key's own organization as it is now (the manager's, when there are managed accounts). */
  users(): OrganizationUser[];
  /** What the sandbox saw, every key together. */
  stats: SandboxStats;
  /** Accepts another key for the key's own organization from now on: a key revoked in the middle of a run. */
  setApiKey(key: string): void;
  /** The key's own organization (the manager's), with its own counters. */
  own: SandboxOrganization;
  /** The managed accounts, in the order they were given. */
  managedAccounts: readonly SandboxManagedAccount[];
  /** A managed account by id; throws for an unknown one. */
  managedAccount(id: string): SandboxManagedAccount;
  close(): Promise<void>;
}

const BASE_PATH = "/v2";

/**
 * Starts a simulator of the Organization Users endpoints on loopback, seeded with `users`; with
 * `managedAccounts`, of a manager account too: its key lists the managed accounts and gets each one's key,
 * and each managed account's key serves that account's own users.
 */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const faults = options.faults ?? {};
  checkFaults(faults);
  const latency = () => (options.latencyMs ?? 0) + (options.jitterMs ? Math.random() * options.jitterMs : 0);
  const totals = emptyStats();
  const common = { faults, latency, totals, ...(options.refuseGroupsReport ? { refuseGroupsReport: true } : {}) };
  const seeds = options.managedAccounts ?? [];
  checkAccounts(seeds, options.apiKey ?? SANDBOX_DEFAULT_KEY);
  const entries: ManagedAccountEntry[] = seeds.map((seed, index) => {
    const organization = new Organization({ ...common, users: seed.users, apiKey: seed.api_key, account: seed.id });
    organization.status = seed.status ?? "active";
    // One day apart from 2024-01-01 when not given: the default sort (newest first) then has an order to show.
    const created = seed.created_at ?? new Date(Date.UTC(2024, 0, 1 + index, 9)).toISOString();
    return { seed, created_at: created, updated_at: created, organization };
  });
  const owner = options.users.find((u) => u.record_type === "organization_owner");
  const manager = options.manager ?? { id: DEFAULT_MANAGER_ID, email: owner?.email ?? "manager@example.com" };
  const own = new Organization({
    ...common,
    users: options.users,
    apiKey: options.apiKey ?? SANDBOX_DEFAULT_KEY,
    ...(entries.length > 0 ? { manager: managedAccountRoutes(manager, entries) } : {}),
  });
  // Every key an organization holds or held, so that a revoked key's requests still count against its own
  // organization; a key never seen goes to the key's own organization, which answers it 401.
  const routes = new Map<string, Organization>([
    [own.apiKey, own],
    ...entries.map((e) => [e.organization.apiKey, e.organization] as const),
  ]);
  const rekey = (organization: Organization, key: string) => {
    const holder = routes.get(key);
    if (holder && holder !== organization) throw new Error("that key belongs to another organization of the sandbox");
    organization.apiKey = key;
    routes.set(key, organization);
  };

  const listener: RequestListener = (req, res) => {
    void serve(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) send(res, errorReply(500, "the sandbox failed"));
    });
  };
  const server = options.tls
    ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, listener)
    : createServer(listener);

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const path = url.pathname.startsWith(`${BASE_PATH}/`) ? url.pathname.slice(BASE_PATH.length) : undefined;
    const key = /^Bearer (.*)$/.exec(req.headers.authorization ?? "")?.[1];
    await (routes.get(key ?? "") ?? own).serve(req, res, url, path);
  }

  // The listener for a failed listen is the start's only: once listening, it is removed.
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const managedAccounts = entries.map((entry): SandboxManagedAccount => {
    const { organization, seed } = entry;
    return {
      id: seed.id,
      email: seed.email,
      organizationName: seed.organization_name,
      get apiKey() {
        return organization.apiKey;
      },
      get status() {
        return organization.status;
      },
      set status(status: AccountStatus) {
        organization.status = status;
        entry.updated_at = new Date().toISOString();
      },
      users: () => organization.users(),
      stats: organization.stats,
      setApiKey: (key) => rekey(organization, key),
    };
  });
  return {
    url: `${options.tls ? "https" : "http"}://${host}:${address.port}${BASE_PATH}`,
    users: () => own.users(),
    stats: totals,
    setApiKey: (key) => rekey(own, key),
    own: { users: () => own.users(), stats: own.stats, setApiKey: (key) => rekey(own, key) },
    managedAccounts,
    managedAccount: (id) => {
      const account = managedAccounts.find((a) => a.id === id);
      if (!account) throw new Error(`the sandbox has no managed account ${id}`);
      return account;
    },
    close: () =>
      new Promise<void>((resolve) => {
        // Hung requests hold their connections open: closing them all is what lets the server stop.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Refuses managed accounts the sandbox could not tell apart: the same id, or a key used twice. */
function checkAccounts(seeds: readonly ManagedAccountSeed[], managerKey: string): void {
  const ids = new Set<string>();
  const keys = new Set<string>([managerKey]);
  for (const seed of seeds) {
    if (ids.has(seed.id)) throw new Error(`sandbox managed account ${seed.id} is given twice`);
    // Never the key itself in the message: a sandbox's keys are made up, but messages about keys never name them.
    if (keys.has(seed.api_key))
      throw new Error(`sandbox managed account ${seed.id} has the same api_key as another account or the manager`);
    ids.add(seed.id);
    keys.add(seed.api_key);
  }
}
