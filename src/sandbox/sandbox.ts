import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { OWNER_RECORD_TYPE, type OrganizationUser } from "../core/organization-user.js";
import { checkFaults, chooseFault, type FaultCounts, type SandboxFaults } from "./faults.js";
import { rateLimiter } from "./rate-models.js";

export type { Fault, FaultRequest, SandboxFaults } from "./faults.js";
export type { RateModel } from "./rate-models.js";

/** The key the sandbox accepts when none is given: public, it guards nothing real. */
export const SANDBOX_DEFAULT_KEY = "sandbox-key";

export interface SandboxOptions {
  users: readonly OrganizationUser[];
  /** The bearer token requests must carry. */
  apiKey?: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Added before every answer, in milliseconds. */
  latencyMs?: number;
  /** A random extra of up to this many milliseconds on every answer. */
  jitterMs?: number;
  /** Injected faults and the rate limit; none by default. */
  faults?: SandboxFaults;
  /** Serve https with this key and certificate (PEM) instead of plain http: to test proxies that tunnel. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Answer the groups report 403, as an account without access to it would: roster must fall back to pages. */
  refuseGroupsReport?: boolean;
}

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

export interface Sandbox {
  /** The base URL to give roster, e.g. http://127.0.0.1:43121/v2 */
  url: string;
  /** The organization as it is now. */
  users(): OrganizationUser[];
  stats: SandboxStats;
  /** Accepts another key from now on: a key revoked in the middle of a run. */
  setApiKey(key: string): void;
  close(): Promise<void>;
}

/** An answer the sandbox has decided on, before faults decide whether it is delivered. */
interface Reply {
  status: number;
  body: string;
  contentType: string;
}

/** The API's error codes and titles by status (Telnyx's error list and the endpoints' published examples). */
const ERRORS = {
  400: { code: "10015", title: "Bad Request" },
  401: { code: "10009", title: "Authentication failed" },
  403: { code: "10010", title: "Not authorized" },
  404: { code: "10005", title: "Resource not found" },
  408: { code: "10008", title: "Request timeout" },
  429: { code: "10011", title: "Too many requests" },
  500: { code: "10007", title: "Unexpected error" },
  // Telnyx lists no code of its own for an unavailable service: its "unexpected error" is the nearest.
  503: { code: "10007", title: "Unexpected error" },
} as const;

// The published examples carry `source.pointer` on 400, 403 and 404 and none on 401; errors the examples do
// not show (408, 429, 5xx) name no part of the request either.
const WITH_SOURCE = new Set([400, 403, 404]);

const BASE_PATH = "/v2";
const DEFAULT_PAGE_SIZE = 250;
const MAX_PAGE_SIZE = 250;

/** Starts a simulator of the Organization Users endpoints on loopback, seeded with `users`. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  let apiKey = options.apiKey ?? SANDBOX_DEFAULT_KEY;
  const faults = options.faults ?? {};
  checkFaults(faults);
  const windowMs = faults.rateWindowMs ?? 1000;
  const limiter = faults.rateLimit !== undefined ? rateLimiter(faults.rateModel ?? "window", faults.rateLimit, windowMs) : undefined;
  const occurrences = new Map<string, number>();
  const latency = () => (options.latencyMs ?? 0) + (options.jitterMs ? Math.random() * options.jitterMs : 0);
  const org = new Map<string, OrganizationUser>(options.users.map((u) => [u.id, structuredClone(u)]));
  let cachedListing: OrganizationUser[] | undefined;
  const listing = () => (cachedListing ??= [...org.values()]);
  const stats: SandboxStats = {
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

  const listener: RequestListener = (req, res) => {
    stats.requests += 1;
    void serve(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) send(res, errorReply(500, ERRORS[500], "the sandbox failed"));
    });
  };
  const server = options.tls ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, listener) : createServer(listener);

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const path = url.pathname.startsWith(BASE_PATH + "/") ? url.pathname.slice(BASE_PATH.length) : undefined;
    const method = req.method ?? "GET";
    const removeId = method === "POST" ? path?.match(/^\/organizations\/users\/([^/]+)\/actions\/remove$/)?.[1] : undefined;
    const id = removeId === undefined ? undefined : decodeURIComponent(removeId);
    if (id !== undefined) stats.removeRequests.set(id, (stats.removeRequests.get(id) ?? 0) + 1);

    const window = limiter?.take(Date.now());
    if (window && (!window.allowed || !faults.quietRateLimit)) for (const [name, value] of Object.entries(window.headers)) res.setHeader(name, value);
    if (window && !window.allowed) {
      stats.rateLimited += 1;
      return send(res, errorReply(429, ERRORS[429], "Too many requests: slow down until x-ratelimit-reset"));
    }
    const target = (req.url ?? "/").startsWith(BASE_PATH) ? (req.url ?? "/").slice(BASE_PATH.length) : (req.url ?? "/");
    const occurrence = (occurrences.get(`${method} ${target}`) ?? 0) + 1;
    occurrences.set(`${method} ${target}`, occurrence);
    const fault = chooseFault(faults, { method, path: target, occurrence });
    if (fault.kind !== "none") stats.faults[fault.kind] += 1;

    if (id !== undefined) {
      stats.inFlightRemovals += 1;
      stats.maxInFlightRemovals = Math.max(stats.maxInFlightRemovals, stats.inFlightRemovals);
      // In flight until answered or cut, a hung one included.
      res.once("close", () => (stats.inFlightRemovals -= 1));
    }
    await delay(latency());
    switch (fault.kind) {
      case "hang":
        return; // never answered; the connection stays open until the client gives up or the sandbox closes
      case "reset":
        return void req.socket.destroy();
      case "error":
        return send(res, fault.status === 502 ? gatewayReply(502) : errorReply(fault.status, ERRORS[fault.status], "injected fault"));
      case "throttle": {
        res.setHeader("x-ratelimit-remaining", "0");
        if (!limiter) res.setHeader("x-ratelimit-reset", String(windowMs >= 1000 ? Math.ceil(windowMs / 1000) : windowMs / 1000));
        return send(res, errorReply(429, ERRORS[429], "Too many requests (injected)"));
      }
    }
    const reply = answer(req, url, path, id);
    if (fault.kind !== "ghost") return send(res, reply);
    // The work is done; the answer is lost on the way back.
    if (id !== undefined && reply.status === 200) stats.ghostRemovals.add(id);
    if (fault.loss === "reset") return void req.socket.destroy();
    if (fault.loss === "504") return send(res, gatewayReply(504));
    // "hang": no answer at all.
  }

  function answer(req: IncomingMessage, url: URL, path: string | undefined, removeId: string | undefined): Reply {
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      stats.unauthorized += 1;
      return errorReply(401, ERRORS[401], "Could not understand the provided credentials.");
    }
    if (removeId !== undefined) {
      const user = org.get(removeId);
      if (!user) return errorReply(404, ERRORS[404], `No organization user with id ${removeId}`);
      if (user.record_type === OWNER_RECORD_TYPE) return errorReply(403, ERRORS[403], "The organization owner cannot be removed");
      org.delete(removeId);
      cachedListing = undefined;
      return jsonReply(200, { data: withGroups(user, url.searchParams.get("include_groups") === "true") });
    }
    if (req.method === "GET" && path === "/organizations/users") {
      stats.listRequests += 1;
      return listUsers(url);
    }
    if (req.method === "GET" && path === "/organizations/users/users_groups_report") {
      stats.reportRequests += 1;
      if (options.refuseGroupsReport) return errorReply(403, ERRORS[403], "You are not authorized to view the users groups report");
      return groupsReport(req);
    }
    const one = path?.match(/^\/organizations\/users\/([^/]+)$/);
    if (req.method === "GET" && one) {
      const user = org.get(decodeURIComponent(one[1]!));
      if (!user) return errorReply(404, ERRORS[404], "Organization user not found");
      return jsonReply(200, { data: withGroups(user, url.searchParams.get("include_groups") === "true") });
    }
    return errorReply(404, ERRORS[404], `No route for ${req.method} ${url.pathname}`);
  }

  function matching(url: URL): OrganizationUser[] {
    const status = url.searchParams.get("filter[user_status]");
    const email = url.searchParams.get("filter[email]")?.toLowerCase();
    // Unfiltered pages of a large organization are the common case: slice one cached listing, not a copy a page.
    if (!status && !email) return listing();
    return [...org.values()].filter(
      (u) => (!status || u.user_status === status) && (!email || u.email.toLowerCase().includes(email)),
    );
  }

  function listUsers(url: URL): Reply {
    const pageNumber = intParam(url, "page[number]", 1);
    const pageSize = intParam(url, "page[size]", DEFAULT_PAGE_SIZE);
    if (pageNumber === undefined || pageNumber < 1) return errorReply(400, ERRORS[400], "page[number] must be an integer >= 1", "/page/number");
    if (pageSize === undefined || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      return errorReply(400, ERRORS[400], `page[size] must be an integer from 1 to ${MAX_PAGE_SIZE}`, "/page/size");
    }
    const status = url.searchParams.get("filter[user_status]");
    if (status && !["enabled", "disabled", "blocked"].includes(status)) {
      return errorReply(400, ERRORS[400], "filter[user_status] must be enabled, disabled or blocked", "/filter/user_status");
    }
    const all = matching(url);
    const includeGroups = url.searchParams.get("include_groups") === "true";
    const data = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize).map((u) => withGroups(u, includeGroups));
    return jsonReply(200, {
      data,
      meta: { total_pages: Math.ceil(all.length / pageSize), total_results: all.length, page_number: pageNumber, page_size: pageSize },
    });
  }

  function groupsReport(req: IncomingMessage): Reply {
    const users = [...org.values()].map((u) => withGroups(u, true));
    if ((req.headers.accept ?? "").includes("text/csv")) {
      // The API's CSV has no record_type column: it cannot tell the owner, which is why roster reads JSON.
      const header = "id,email,user_status,created_at,last_sign_in_at,groups";
      const rows = users.map((u) =>
        [u.id, u.email, u.user_status, u.created_at ?? "", u.last_sign_in_at ?? "", (u.groups ?? []).map((g) => g.name).join(", ")]
          .map(csvField)
          .join(","),
      );
      return { status: 200, contentType: "text/csv", body: [header, ...rows].join("\n") + "\n" };
    }
    return jsonReply(200, { data: users });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `${options.tls ? "https" : "http"}://${host}:${address.port}${BASE_PATH}`,
    users: () => [...org.values()].map((u) => structuredClone(u)),
    stats,
    setApiKey: (key) => {
      apiKey = key;
    },
    close: () =>
      new Promise<void>((resolve) => {
        // Hung requests hold their connections open: closing them all is what lets the server stop.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function withGroups(user: OrganizationUser, include: boolean): OrganizationUser {
  if (include) return { ...user, groups: user.groups ?? [] };
  const { groups: _groups, ...rest } = user;
  return rest;
}

function intParam(url: URL, name: string, fallback: number): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  return /^\d+$/.test(raw) ? Number(raw) : undefined;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function jsonReply(status: number, body: unknown): Reply {
  return { status, contentType: "application/json", body: JSON.stringify(body) };
}

function errorReply(status: keyof typeof ERRORS, error: { code: string; title: string }, detail: string, pointer = "/"): Reply {
  const source = WITH_SOURCE.has(status) ? { source: { pointer } } : {};
  return jsonReply(status, {
    errors: [{ ...error, detail, ...source, meta: { url: `https://developers.telnyx.com/docs/overview/errors/${error.code}` } }],
  });
}

/** What a load balancer in front of the API sends when the API behind it fails: HTML, not the API's JSON. */
function gatewayReply(status: 502 | 504): Reply {
  const title = status === 502 ? "502 Bad Gateway" : "504 Gateway Timeout";
  return { status, contentType: "text/html", body: `<html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>` };
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  res.writeHead(reply.status, { "content-type": reply.contentType, "content-length": Buffer.byteLength(reply.body) });
  res.end(reply.body);
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
