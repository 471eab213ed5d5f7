import type { IncomingMessage, ServerResponse } from "node:http";
import { OWNER_RECORD_TYPE, type OrganizationUser } from "../core/organization-user.js";
import { chooseFault, type FaultCounts, type SandboxFaults } from "./faults.js";
import { DEFAULT_RATE_LIMIT, rateLimiter, type RateLimiter } from "./rate-models.js";
import { errorReply, gatewayReply, intParam, jsonReply, send, type Reply } from "./replies.js";

/** What the sandbox saw, for tests and benchmarks to check against. */
export interface SandboxStats {
  requests: number;
  listRequests: number;
  /** Requests of the users_groups_report endpoint. */
  reportRequests: number;
  /** Removal requests per user id, answered or not (those cut or throttled before any work included). */
  removeRequests: Map<string, number>;
  inFlightRemovals: number;
  maxInFlightRemovals: number;
  /** Requests answered 401. */
  unauthorized: number;
  /** Requests refused by the real rate limit (429). */
  rateLimited: number;
  /** Faults injected, by kind. */
  faults: FaultCounts;
  /** Users removed whose answer was then lost (ghosts), by id. */
  ghostRemovals: Set<string>;
}

/** Whether an account's key works: a disabled account's key is refused (403), a cancelled one's is unknown (401). */
export type AccountStatus = "active" | "disabled" | "cancelled";

/** Fresh counters. */
export function emptyStats(): SandboxStats {
  return {
    requests: 0,
    listRequests: 0,
    reportRequests: 0,
    removeRequests: new Map(),
    inFlightRemovals: 0,
    maxInFlightRemovals: 0,
    unauthorized: 0,
    rateLimited: 0,
    faults: { error: 0, throttle: 0, reset: 0, hang: 0, ghost: 0 },
    ghostRemovals: new Set(),
  };
}

/** The answers of the manager's own endpoints (/managed_accounts), given only to the manager's organization. */
export type ManagerRoutes = (method: string, url: URL, path: string) => Reply | undefined;

export interface OrganizationOptions {
  users: readonly OrganizationUser[];
  apiKey: string;
  /** The managed account's id; undefined for the manager's (or the only) organization. */
  account?: string;
  faults: SandboxFaults;
  latency: () => number;
  refuseGroupsReport?: boolean;
  /** The counters of the whole sandbox, counted alongside this organization's own. */
  totals: SandboxStats;
  manager?: ManagerRoutes;
}

const BASE_PATH = "/v2";
const DEFAULT_PAGE_SIZE = 250;
const MAX_PAGE_SIZE = 250;

/**
 * One organization behind one API key: its users, and the key's own rate limit, faults and counters, as the
 * real API counts a key's requests together. The sandbox holds one for the manager (or the only
 * organization) and one per managed account, and hands each request to the one its key belongs to.
 */
export class Organization {
  readonly account: string | undefined;
  readonly stats = emptyStats();
  apiKey: string;
  status: AccountStatus = "active";
  readonly #options: OrganizationOptions;
  readonly #limiter: RateLimiter;
  readonly #occurrences = new Map<string, number>();
  readonly #org: Map<string, OrganizationUser>;
  #cachedListing: OrganizationUser[] | undefined;

  constructor(options: OrganizationOptions) {
    this.#options = options;
    this.account = options.account;
    this.apiKey = options.apiKey;
    const { faults } = options;
    this.#limiter = rateLimiter(
      faults.rateModel ?? "window",
      faults.rateLimit ?? DEFAULT_RATE_LIMIT,
      faults.rateWindowMs ?? 1000,
    );
    this.#org = new Map(options.users.map((u) => [u.id, structuredClone(u)]));
  }

  /** The organization as it is now. */
  users(): OrganizationUser[] {
    return [...this.#org.values()].map((u) => structuredClone(u));
  }

  /** How many users it has now. */
  get size(): number {
    return this.#org.size;
  }

  /** Counts into this organization's counters and the sandbox's totals at once. */
  #count(update: (stats: SandboxStats) => void): void {
    update(this.stats);
    update(this.#options.totals);
  }

  async serve(req: IncomingMessage, res: ServerResponse, url: URL, path: string | undefined): Promise<void> {
    const { faults } = this.#options;
    this.#count((s) => (s.requests += 1));
    const method = req.method ?? "GET";
    const removeId =
      method === "POST" ? path?.match(/^\/organizations\/users\/([^/]+)\/actions\/remove$/)?.[1] : undefined;
    const id = removeId === undefined ? undefined : decodeURIComponent(removeId);
    if (id !== undefined) this.#count((s) => s.removeRequests.set(id, (s.removeRequests.get(id) ?? 0) + 1));

    const window = this.#limiter.take(Date.now());
    if (!window.allowed || !faults.quietRateLimit)
      for (const [name, value] of Object.entries(window.headers)) res.setHeader(name, value);
    if (!window.allowed) {
      this.#count((s) => (s.rateLimited += 1));
      return send(res, errorReply(429, "Too many requests: slow down until x-ratelimit-reset"));
    }
    const target = (req.url ?? "/").startsWith(BASE_PATH) ? (req.url ?? "/").slice(BASE_PATH.length) : (req.url ?? "/");
    const occurrence = (this.#occurrences.get(`${method} ${target}`) ?? 0) + 1;
    this.#occurrences.set(`${method} ${target}`, occurrence);
    const fault = chooseFault(faults, {
      method,
      path: target,
      occurrence,
      ...(this.account !== undefined ? { account: this.account } : {}),
    });
    if (fault.kind !== "none") this.#count((s) => (s.faults[fault.kind] += 1));

    if (id !== undefined) {
      this.#count((s) => {
        s.inFlightRemovals += 1;
        s.maxInFlightRemovals = Math.max(s.maxInFlightRemovals, s.inFlightRemovals);
      });
      // In flight until answered or cut, a hung one included.
      res.once("close", () => this.#count((s) => (s.inFlightRemovals -= 1)));
    }
    await delay(this.#options.latency());
    switch (fault.kind) {
      case "hang":
        return; // never answered; the connection stays open until the client gives up or the sandbox closes
      case "reset":
        return void req.socket.destroy();
      case "error":
        return send(res, fault.status === 502 ? gatewayReply(502) : errorReply(fault.status, "injected fault"));
      case "throttle":
        // An injected 429 tells the window as a real one does (even under a quiet limit), with nothing left in it.
        for (const [name, value] of Object.entries(window.headers)) res.setHeader(name, value);
        res.setHeader("x-ratelimit-remaining", "0");
        return send(res, errorReply(429, "Too many requests (injected)"));
    }
    const reply = this.#answer(req, url, path, id);
    if (fault.kind !== "ghost") return send(res, reply);
    // The work is done; the answer is lost on the way back.
    if (id !== undefined && reply.status === 200) this.#count((s) => s.ghostRemovals.add(id));
    if (fault.loss === "reset") return void req.socket.destroy();
    if (fault.loss === "504") return send(res, gatewayReply(504));
    // "hang": no answer at all.
  }

  #answer(req: IncomingMessage, url: URL, path: string | undefined, removeId: string | undefined): Reply {
    // A cancelled account's keys no longer authenticate; a revoked key (one this organization held before) neither.
    if (req.headers.authorization !== `Bearer ${this.apiKey}` || this.status === "cancelled") {
      this.#count((s) => (s.unauthorized += 1));
      return errorReply(401, "Could not understand the provided credentials.");
    }
    // A disabled account is known and forbidden: "forbidding it to use Telnyx services" (the disable action).
    if (this.status === "disabled")
      return errorReply(403, "This account is disabled: its manager can enable it again.");
    const method = req.method ?? "GET";
    if (path?.startsWith("/managed_accounts")) {
      const reply = this.#options.manager?.(method, url, path);
      return reply ?? errorReply(403, "Only a manager account can manage accounts.");
    }
    if (removeId !== undefined) {
      const user = this.#org.get(removeId);
      if (!user) return errorReply(404, `No organization user with id ${removeId}`);
      if (user.record_type === OWNER_RECORD_TYPE) return errorReply(403, "The organization owner cannot be removed");
      this.#org.delete(removeId);
      this.#cachedListing = undefined;
      return jsonReply(200, { data: withGroups(user, url.searchParams.get("include_groups") === "true") });
    }
    if (method === "GET" && path === "/organizations/users") {
      this.#count((s) => (s.listRequests += 1));
      return this.#listUsers(url);
    }
    if (method === "GET" && path === "/organizations/users/users_groups_report") {
      this.#count((s) => (s.reportRequests += 1));
      if (this.#options.refuseGroupsReport)
        return errorReply(403, "You are not authorized to view the users groups report");
      return this.#groupsReport(req);
    }
    const one = path?.match(/^\/organizations\/users\/([^/]+)$/);
    if (method === "GET" && one) {
      const user = this.#org.get(decodeURIComponent(one[1]!));
      if (!user) return errorReply(404, "Organization user not found");
      return jsonReply(200, { data: withGroups(user, url.searchParams.get("include_groups") === "true") });
    }
    return errorReply(404, `No route for ${method} ${url.pathname}`);
  }

  #matching(url: URL): OrganizationUser[] {
    const status = url.searchParams.get("filter[user_status]");
    const email = url.searchParams.get("filter[email]")?.toLowerCase();
    // Unfiltered pages of a large organization are the common case: slice one cached listing, not a copy a page.
    if (!status && !email) return (this.#cachedListing ??= [...this.#org.values()]);
    return [...this.#org.values()].filter(
      (u) => (!status || u.user_status === status) && (!email || u.email.toLowerCase().includes(email)),
    );
  }

  #listUsers(url: URL): Reply {
    const pageNumber = intParam(url, "page[number]", 1);
    const pageSize = intParam(url, "page[size]", DEFAULT_PAGE_SIZE);
    if (pageNumber === undefined || pageNumber < 1)
      return errorReply(400, "page[number] must be an integer >= 1", "/page/number");
    if (pageSize === undefined || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      return errorReply(400, `page[size] must be an integer from 1 to ${MAX_PAGE_SIZE}`, "/page/size");
    }
    const status = url.searchParams.get("filter[user_status]");
    if (status && !["enabled", "disabled", "blocked"].includes(status)) {
      return errorReply(400, "filter[user_status] must be enabled, disabled or blocked", "/filter/user_status");
    }
    const all = this.#matching(url);
    const includeGroups = url.searchParams.get("include_groups") === "true";
    const data = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize).map((u) => withGroups(u, includeGroups));
    return jsonReply(200, {
      data,
      meta: {
        total_pages: Math.ceil(all.length / pageSize),
        total_results: all.length,
        page_number: pageNumber,
        page_size: pageSize,
      },
    });
  }

  #groupsReport(req: IncomingMessage): Reply {
    const users = [...this.#org.values()].map((u) => withGroups(u, true));
    if ((req.headers.accept ?? "").includes("text/csv")) {
      // The API's CSV has no record_type column: it cannot tell the owner, which is why roster reads JSON.
      const header = "id,email,user_status,created_at,last_sign_in_at,groups";
      const rows = users.map((u) =>
        [
          u.id,
          u.email,
          u.user_status,
          u.created_at ?? "",
          u.last_sign_in_at ?? "",
          (u.groups ?? []).map((g) => g.name).join(", "),
        ]
          .map(csvField)
          .join(","),
      );
      return { status: 200, contentType: "text/csv", body: `${[header, ...rows].join("\n")}\n` };
    }
    return jsonReply(200, { data: users });
  }
}

function withGroups(user: OrganizationUser, include: boolean): OrganizationUser {
  if (include) return { ...user, groups: user.groups ?? [] };
  const { groups: _groups, ...rest } = user;
  return rest;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
