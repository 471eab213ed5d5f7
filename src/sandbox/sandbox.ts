import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { OWNER_RECORD_TYPE, type OrganizationUser } from "../telnyx/organization-user.js";

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
}

/** What the sandbox saw, for tests and benchmarks to check against. */
export interface SandboxStats {
  requests: number;
  listRequests: number;
  /** Removal requests per user id, answered or not. */
  removeRequests: Map<string, number>;
  inFlightRemovals: number;
  maxInFlightRemovals: number;
}

export interface Sandbox {
  /** The base URL to give roster, e.g. http://127.0.0.1:43121/v2 */
  url: string;
  /** The organization as it is now. */
  users(): OrganizationUser[];
  stats: SandboxStats;
  close(): Promise<void>;
}

const ERRORS = {
  400: { code: "10015", title: "Bad Request" },
  401: { code: "10009", title: "Authentication failed" },
  403: { code: "10010", title: "Not authorized" },
  404: { code: "10005", title: "Resource not found" },
  429: { code: "10011", title: "Too many requests" },
} as const;

const BASE_PATH = "/v2";
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 250;

/** Starts a simulator of the Organization Users endpoints on loopback, seeded with `users`. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const apiKey = options.apiKey ?? SANDBOX_DEFAULT_KEY;
  const latency = () => (options.latencyMs ?? 0) + (options.jitterMs ? Math.random() * options.jitterMs : 0);
  const org = new Map<string, OrganizationUser>(options.users.map((u) => [u.id, structuredClone(u)]));
  const stats: SandboxStats = { requests: 0, listRequests: 0, removeRequests: new Map(), inFlightRemovals: 0, maxInFlightRemovals: 0 };

  const server = createServer((req, res) => {
    stats.requests += 1;
    void handle(req, res).catch(() => {
      if (!res.headersSent) sendError(res, 500, { code: "10000", title: "Internal error" }, "the sandbox failed");
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const path = url.pathname.startsWith(BASE_PATH + "/") ? url.pathname.slice(BASE_PATH.length) : undefined;
    const remove = path?.match(/^\/organizations\/users\/([^/]+)\/actions\/remove$/);
    if (remove && req.method === "POST") {
      const id = decodeURIComponent(remove[1]!);
      stats.removeRequests.set(id, (stats.removeRequests.get(id) ?? 0) + 1);
      stats.inFlightRemovals += 1;
      stats.maxInFlightRemovals = Math.max(stats.maxInFlightRemovals, stats.inFlightRemovals);
      try {
        await delay(latency());
        if (!authorized(req, res)) return;
        const user = org.get(id);
        if (!user) return sendError(res, 404, ERRORS[404], `No organization user with id ${id}`);
        if (user.record_type === OWNER_RECORD_TYPE) return sendError(res, 403, ERRORS[403], "The organization owner cannot be removed");
        org.delete(id);
        return sendJson(res, 200, { data: user });
      } finally {
        stats.inFlightRemovals -= 1;
      }
    }
    await delay(latency());
    if (!authorized(req, res)) return;
    if (req.method === "GET" && path === "/organizations/users") {
      stats.listRequests += 1;
      return listUsers(url, res);
    }
    if (req.method === "GET" && path === "/organizations/users/users_groups_report") {
      return groupsReport(req, res);
    }
    const one = path?.match(/^\/organizations\/users\/([^/]+)$/);
    if (req.method === "GET" && one) {
      const user = org.get(decodeURIComponent(one[1]!));
      if (!user) return sendError(res, 404, ERRORS[404], "Organization user not found");
      return sendJson(res, 200, { data: withGroups(user, url.searchParams.get("include_groups") === "true") });
    }
    return sendError(res, 404, ERRORS[404], `No route for ${req.method} ${url.pathname}`);
  }

  function authorized(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.headers.authorization === `Bearer ${apiKey}`) return true;
    sendError(res, 401, ERRORS[401], "Could not understand the provided credentials.");
    return false;
  }

  function matching(url: URL): OrganizationUser[] {
    const status = url.searchParams.get("filter[user_status]");
    const email = url.searchParams.get("filter[email]")?.toLowerCase();
    return [...org.values()].filter(
      (u) => (!status || u.user_status === status) && (!email || u.email.toLowerCase().includes(email)),
    );
  }

  function listUsers(url: URL, res: ServerResponse): void {
    const pageNumber = intParam(url, "page[number]", 1);
    const pageSize = intParam(url, "page[size]", DEFAULT_PAGE_SIZE);
    if (pageNumber === undefined || pageNumber < 1) return sendError(res, 400, ERRORS[400], "page[number] must be an integer >= 1", "/page/number");
    if (pageSize === undefined || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      return sendError(res, 400, ERRORS[400], `page[size] must be an integer from 1 to ${MAX_PAGE_SIZE}`, "/page/size");
    }
    const status = url.searchParams.get("filter[user_status]");
    if (status && !["enabled", "disabled", "blocked"].includes(status)) {
      return sendError(res, 400, ERRORS[400], "filter[user_status] must be enabled, disabled or blocked", "/filter/user_status");
    }
    const all = matching(url);
    const includeGroups = url.searchParams.get("include_groups") === "true";
    const data = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize).map((u) => withGroups(u, includeGroups));
    sendJson(res, 200, {
      data,
      meta: { total_pages: Math.ceil(all.length / pageSize), total_results: all.length, page_number: pageNumber, page_size: pageSize },
    });
  }

  function groupsReport(req: IncomingMessage, res: ServerResponse): void {
    const users = [...org.values()].map((u) => withGroups(u, true));
    if ((req.headers.accept ?? "").includes("text/csv")) {
      const header = "id,email,record_type,user_status,created_at,last_sign_in_at,groups";
      const rows = users.map((u) =>
        [u.id, u.email, u.record_type, u.user_status, u.created_at ?? "", u.last_sign_in_at ?? "", (u.groups ?? []).map((g) => g.name).join(";")]
          .map(csvField)
          .join(","),
      );
      res.writeHead(200, { "content-type": "text/csv" });
      res.end([header, ...rows].join("\n") + "\n");
      return;
    }
    sendJson(res, 200, { data: users });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}${BASE_PATH}`,
    users: () => [...org.values()].map((u) => structuredClone(u)),
    stats,
    close: () =>
      new Promise<void>((resolve) => {
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
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, error: { code: string; title: string }, detail: string, pointer = "/"): void {
  sendJson(res, status, {
    errors: [{ ...error, detail, source: { pointer }, meta: { url: `https://developers.telnyx.com/docs/overview/errors/${error.code}` } }],
  });
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
