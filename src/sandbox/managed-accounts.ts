import type { OrganizationUser } from "../core/organization-user.js";
import type { AccountStatus, Organization } from "./organization.js";
import { errorReply, intParam, jsonReply, type Reply } from "./replies.js";

/** A managed account as the sandbox is seeded with it: the account, its key, and its organization's users. */
export interface ManagedAccountSeed {
  /** The account's id (a UUID in the real API). */
  id: string;
  /** The managed account's email. */
  email: string;
  organization_name: string;
  /** The account's own V2 API key: its key serves its users, and only the single-account GET returns it. */
  api_key: string;
  /** "active" unless said otherwise. */
  status?: AccountStatus;
  /** When it was created (ISO 8601); one day after the account before it when not given. */
  created_at?: string;
  users: readonly OrganizationUser[];
}

/** The manager account itself, as managed accounts name it (`manager_account_id`, and `api_user`, its email). */
export interface ManagerIdentity {
  id: string;
  email: string;
}

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 250;
const SORTS = ["created_at", "-created_at", "email", "-email"];
const FILTERS = [
  "filter[email][eq]",
  "filter[email][contains]",
  "filter[organization_name][eq]",
  "filter[organization_name][contains]",
  "filter[status][eq]",
] as const;
/** The published values of filter[status][eq], and the sandbox's statuses each one matches (none is blocked). */
const STATUS_FILTERS: Record<string, readonly AccountStatus[]> = {
  all: ["active", "disabled", "cancelled"],
  active: ["active"],
  enabled: ["active"],
  disabled: ["disabled"],
  cancelled: ["cancelled"],
  blocked: [],
};

/** One managed account in the sandbox: what the API publishes of it, and the organization its key reaches. */
export interface ManagedAccountEntry {
  seed: ManagedAccountSeed;
  created_at: string;
  updated_at: string;
  organization: Organization;
}

/**
 * The manager's endpoints over its managed accounts: the list (paged, filtered, sorted, without keys), one
 * account (with its keys), and the disable and enable actions. Answers only; the key check is the caller's.
 */
export function managedAccountRoutes(manager: ManagerIdentity, accounts: readonly ManagedAccountEntry[]) {
  const byId = new Map(accounts.map((a) => [a.seed.id, a]));
  return (method: string, url: URL, path: string): Reply | undefined => {
    if (method === "GET" && path === "/managed_accounts") return list(url);
    const match = path.match(/^\/managed_accounts\/([^/]+)(\/actions\/(disable|enable))?$/);
    if (!match) return errorReply(404, `No route for ${method} ${url.pathname}`);
    const account = byId.get(decodeURIComponent(match[1]!));
    const action = match[3];
    if ((method === "GET" && !action) || (method === "POST" && action)) {
      if (!account) return errorReply(404, "Managed account not found");
      if (action) {
        if (account.organization.status === "cancelled")
          return errorReply(422, "A cancelled account can be neither enabled nor disabled.");
        const status = action === "disable" ? "disabled" : "active";
        if (account.organization.status !== status) {
          account.organization.status = status;
          account.updated_at = new Date().toISOString();
        }
      }
      return jsonReply(200, { data: single(account) });
    }
    return errorReply(404, `No route for ${method} ${url.pathname}`);
  };

  function listing(account: ManagedAccountEntry) {
    return {
      record_type: "managed_account",
      id: account.seed.id,
      email: account.seed.email,
      api_user: manager.email,
      organization_name: account.seed.organization_name,
      manager_account_id: manager.id,
      created_at: account.created_at,
      updated_at: account.updated_at,
      managed_account_allow_custom_pricing: false,
      rollup_billing: false,
    };
  }

  function single(account: ManagedAccountEntry) {
    return {
      ...listing(account),
      api_key: account.organization.apiKey,
      api_token: v1Token(account.seed.id),
      balance: {
        record_type: "balance",
        balance: "0.00",
        credit_limit: "0.00",
        available_credit: "0.00",
        currency: "USD",
      },
    };
  }

  function list(url: URL): Reply {
    const pageNumber = intParam(url, "page[number]", 1);
    const pageSize = intParam(url, "page[size]", DEFAULT_PAGE_SIZE);
    if (pageNumber === undefined || pageNumber < 1)
      return errorReply(400, "page[number] must be an integer >= 1", "/page/number");
    if (pageSize === undefined || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      return errorReply(400, `page[size] must be an integer from 1 to ${MAX_PAGE_SIZE}`, "/page/size");
    }
    // The published filter object allows no other keys: the API refuses a filter it does not know, it does not
    // ignore it (a client that misspells one would otherwise read every account as matching).
    for (const name of new Set(url.searchParams.keys())) {
      if ((name === "filter" || name.startsWith("filter[")) && !(FILTERS as readonly string[]).includes(name)) {
        return errorReply(400, `${name} is not a filter of this list: use ${FILTERS.join(", ")}`, pointer(name));
      }
    }
    const statusFilter = url.searchParams.get("filter[status][eq]");
    if (statusFilter !== null && !Object.hasOwn(STATUS_FILTERS, statusFilter)) {
      return errorReply(
        400,
        `filter[status][eq] must be one of ${Object.keys(STATUS_FILTERS).join(", ")}`,
        pointer("filter[status][eq]"),
      );
    }
    for (const name of FILTERS) {
      const value = url.searchParams.get(name);
      if (name.endsWith("[contains]") && value !== null && value.length < 3) {
        return errorReply(400, `${name} requires at least three characters`, pointer(name));
      }
    }
    // Absent, the published text says, the newest come first; `created_at` asks for the oldest first.
    const sort = url.searchParams.get("sort") ?? "-created_at";
    if (!SORTS.includes(sort))
      return errorReply(400, "sort must be created_at or email, with a - prefix for descending", "/sort");
    const cancelled = url.searchParams.get("include_cancelled_accounts")?.toLowerCase() ?? "false";
    if (cancelled !== "true" && cancelled !== "false") {
      return errorReply(400, "include_cancelled_accounts must be true or false", "/include_cancelled_accounts");
    }
    const emailEq = url.searchParams.get("filter[email][eq]");
    const emailContains = url.searchParams.get("filter[email][contains]")?.toLowerCase();
    const nameEq = url.searchParams.get("filter[organization_name][eq]");
    const nameContains = url.searchParams.get("filter[organization_name][contains]")?.toLowerCase();
    const statuses = statusFilter === null ? undefined : STATUS_FILTERS[statusFilter]!;
    // Cancelled accounts are listed with include_cancelled_accounts, or when the status filter names them.
    const listsCancelled = cancelled === "true" || statusFilter === "cancelled";
    const key = sort.replace(/^-/, "") as "created_at" | "email";
    const direction = sort.startsWith("-") ? -1 : 1;
    const all = accounts
      .filter(
        (a) =>
          (listsCancelled || a.organization.status !== "cancelled") &&
          (statuses === undefined || statuses.includes(a.organization.status)) &&
          (emailEq === null || a.seed.email === emailEq) &&
          (emailContains === undefined || a.seed.email.toLowerCase().includes(emailContains)) &&
          (nameEq === null || a.seed.organization_name === nameEq) &&
          (nameContains === undefined || a.seed.organization_name.toLowerCase().includes(nameContains)),
      )
      // Ties broken by id, so that pages read one after another (or at once) never repeat or skip an account.
      .sort((a, b) => direction * (compare(sortValue(a, key), sortValue(b, key)) || compare(a.seed.id, b.seed.id)));
    return jsonReply(200, {
      data: all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize).map(listing),
      meta: {
        page_number: pageNumber,
        page_size: pageSize,
        total_pages: Math.ceil(all.length / pageSize),
        total_results: all.length,
      },
    });
  }
}

function sortValue(account: ManagedAccountEntry, key: "created_at" | "email"): string {
  return key === "email" ? account.seed.email : account.created_at;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pointer(name: string): string {
  return `/${name.replace(/\]/g, "").split("[").join("/")}`;
}

/** A V1 token made from the account id: the published shape requires one; nothing in the sandbox accepts it. */
function v1Token(id: string): string {
  return `v1-${Buffer.from(id).toString("base64url").slice(0, 22)}`;
}
