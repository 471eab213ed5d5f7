// An independent fake of the Telnyx API for `npm run bench`: plain node:http, none of roster's code (not the
// sandbox), so a row measures roster against an API it was not written beside. It serves only what the bench
// rows ask: the groups report, removing a user, and a manager's managed accounts (list and retrieve). Answers
// are built once up front, so the fake spends as little of the machine's CPU as it can.
//
//   node scripts/bench-fake-api.mjs STATE.json
//
// STATE.json: { key, latencyMs, users: [user records], managed_accounts?: [{ id, email, organization_name,
// api_key, created_at, users }], rate?: { limit, windowMs } }. The rate limit, when given, counts each key's
// requests on arrival in windows that start with the first request after the last window ended (not on the
// clock's second); every served answer says x-ratelimit-limit, -remaining and -reset (whole seconds, rounded
// up); a refused one is a 429 with no rate-limit header at all. Every answer, a 429 too, comes after latencyMs.
// Prints its base URL on the first line, then, on SIGTERM, one JSON line of counts before it exits.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const state = JSON.parse(readFileSync(process.argv[2], "utf8"));
const latency = state.latencyMs ?? 25;
const JSON_TYPE = { "content-type": "application/json" };
const error = (code, title) => JSON.stringify({ errors: [{ code, title, detail: title }] });
const NOT_FOUND = error("10005", "Resource not found");
const UNAUTHORIZED = error("10009", "Authentication failed");
const TOO_MANY = error("10011", "Too many requests");
const MANAGER = "5c6b2a40-0d6e-4c38-9a1e-6f1d3a7b9e01";
const counts = { requests: 0, served: 0, refused: 0, removed: 0, maxInWindow: 0 };

/** One key's organization: its users, its report built once, its rate window. */
function organization(users) {
  const byId = new Map(users.map((u) => [u.id, u]));
  return { byId, report: undefined, windowStart: Number.NEGATIVE_INFINITY, count: 0 };
}
const orgs = new Map([[state.key, organization(state.users)]]);
const accounts = state.managed_accounts ?? [];
const record = (a) => ({
  record_type: "managed_account",
  id: a.id,
  email: a.email,
  api_user: "owner@example.com",
  organization_name: a.organization_name,
  manager_account_id: MANAGER,
  created_at: a.created_at,
  updated_at: a.created_at,
  managed_account_allow_custom_pricing: false,
  rollup_billing: false,
});
const retrieved = new Map();
for (const a of accounts) {
  orgs.set(a.api_key, organization(a.users));
  const balance = { record_type: "balance", balance: "0.00", credit_limit: "0.00", available_credit: "0.00" };
  const data = { ...record(a), api_key: a.api_key, api_token: "v1-bench", balance: { ...balance, currency: "USD" } };
  retrieved.set(a.id, JSON.stringify({ data }));
}

function listPage(url) {
  const number = Number(url.searchParams.get("page[number]") ?? 1);
  const size = Number(url.searchParams.get("page[size]") ?? 20);
  const data = accounts.slice((number - 1) * size, number * size).map(record);
  const total_pages = Math.max(1, Math.ceil(accounts.length / size));
  const meta = { page_number: number, page_size: size, total_pages, total_results: accounts.length };
  return JSON.stringify({ data, meta });
}

/** Counts one request of `org` at `now`: the headers of a served answer, or undefined for a 429. */
function take(org, now) {
  const rate = state.rate;
  if (!rate) return {};
  if (now >= org.windowStart + rate.windowMs) {
    org.windowStart = now;
    org.count = 0;
  }
  org.count += 1;
  if (org.count > rate.limit) return undefined;
  counts.maxInWindow = Math.max(counts.maxInWindow, org.count);
  const seconds = (org.windowStart + rate.windowMs - now) / 1000;
  return {
    "x-ratelimit-limit": String(rate.limit),
    "x-ratelimit-remaining": String(rate.limit - org.count),
    "x-ratelimit-reset": String(Math.max(1, Math.ceil(seconds))),
  };
}

function answer(req) {
  const url = new URL(req.url, "http://fake");
  const path = url.pathname.replace(/^\/v2/, "");
  const org = orgs.get(/^Bearer (.*)$/.exec(req.headers.authorization ?? "")?.[1]);
  if (!org) return [401, {}, UNAUTHORIZED];
  const headers = take(org, Date.now());
  if (!headers) {
    counts.refused += 1;
    return [429, {}, TOO_MANY];
  }
  counts.served += 1;
  if (req.method === "GET" && path === "/organizations/users/users_groups_report") {
    org.report ??= JSON.stringify({ data: [...org.byId.values()] });
    return [200, headers, org.report];
  }
  const remove = req.method === "POST" && /^\/organizations\/users\/([^/]+)\/actions\/remove$/.exec(path);
  if (remove) {
    const user = org.byId.get(decodeURIComponent(remove[1]));
    if (!user) return [404, headers, NOT_FOUND];
    org.byId.delete(user.id);
    org.report = undefined;
    counts.removed += 1;
    return [200, headers, JSON.stringify({ data: user })];
  }
  if (org === orgs.get(state.key) && req.method === "GET") {
    if (path === "/managed_accounts") return [200, headers, listPage(url)];
    const one = /^\/managed_accounts\/([^/]+)$/.exec(path);
    if (one && retrieved.has(one[1])) return [200, headers, retrieved.get(one[1])];
  }
  return [404, headers, NOT_FOUND];
}

const server = createServer((req, res) => {
  counts.requests += 1;
  req.resume();
  req.on("end", () => {
    const [status, headers, body] = answer(req);
    setTimeout(() => {
      res.writeHead(status, { ...headers, ...JSON_TYPE });
      res.end(body);
    }, latency);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}/v2\n`);
});
process.on("SIGTERM", () => {
  process.stdout.write(`${JSON.stringify(counts)}\n`);
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
