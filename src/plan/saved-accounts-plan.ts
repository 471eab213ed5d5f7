import { checksumMatches, checksumOf, SavedPlanError, savedPlanText, type SavedPlan } from "./saved-plan.js";
import { parseSavedPlan, readPlanFile, type SealOptions } from "./load-saved-plan.js";

// A plan across managed accounts, saved by `roster plan -f DIR --out FILE`: each account's plan exactly as a
// plan of one organization is saved (sealed, checked and applied the same way), with the account it is for,
// and a seal over the whole, so no account can be added, dropped or swapped.

/** The `format` of a saved plan across accounts. */
export const ACCOUNTS_PLAN_FORMAT = "roster-plan-accounts";
export const ACCOUNTS_PLAN_VERSION = 1;

/** The account a saved plan is for: a managed account (never its key), or null for the key's own organization. */
export interface SavedAccount {
  id: string;
  email: string;
  organization_name: string;
}

/** One account's saved plan. */
export interface SavedAccountPlan {
  account: SavedAccount | null;
  saved: SavedPlan;
}

/** A saved plan across accounts. */
export interface SavedAccountsPlan {
  createdAt: string;
  apiHost: string;
  accounts: SavedAccountPlan[];
}

/** The file's text: every account's plan sealed on its own with `apiKey` (the manager's), and the whole sealed too. */
export function savedAccountsPlanText(saved: SavedAccountsPlan, apiKey: string): string {
  const body = {
    format: ACCOUNTS_PLAN_FORMAT,
    format_version: ACCOUNTS_PLAN_VERSION,
    created_at: saved.createdAt,
    api_host: saved.apiHost,
    accounts: saved.accounts.map(({ account, saved: plan }) => ({ account, plan: JSON.parse(savedPlanText(plan, apiKey)) as unknown })),
  };
  return JSON.stringify({ ...body, checksum: checksumOf(body, apiKey) }, null, 2) + "\n";
}

/** Whether parsed JSON is a saved plan across accounts (by its format), to be read by parseSavedAccountsPlan. */
export function isAccountsPlan(data: unknown): boolean {
  return typeof data === "object" && data !== null && (data as { format?: unknown }).format === ACCOUNTS_PLAN_FORMAT;
}

/**
 * Checks a saved plan across accounts: its seal with `apiKey`, its version, then each account's plan with
 * every check of a plan of one organization (parseSavedPlan). One failure refuses the whole file. Pure.
 */
export function parseSavedAccountsPlan(data: unknown, file: string, apiKey: string, options: SealOptions = {}): SavedAccountsPlan {
  const fail = (why: string): never => {
    throw new SavedPlanError(`${file} ${why}`);
  };
  const head = data as Record<string, unknown>;
  if (head.format_version !== ACCOUNTS_PLAN_VERSION) {
    fail(`has plan format version ${JSON.stringify(head.format_version)}; this roster reads version ${ACCOUNTS_PLAN_VERSION}: make the plan again with this roster`);
  }
  const { checksum, ...body } = head;
  if (options.requireSeal !== false) {
    if (!apiKey) fail("cannot be checked without the API key it was made with: TELNYX_API_KEY is not set; export it first");
    if (typeof checksum !== "string" || !checksumMatches(body, checksum, apiKey)) {
      fail("was altered after roster saved it, or made with another API key (its checksum does not match): make the plan again with roster plan --out");
    }
  }
  if (typeof head.created_at !== "string" || typeof head.api_host !== "string" || !Array.isArray(head.accounts) || head.accounts.length === 0) {
    fail("is not a valid saved plan across accounts: make the plan again with roster plan --out");
  }
  const seen = new Set<string>();
  const accounts = (head.accounts as unknown[]).map((entry, index) => {
    const { account, plan } = (entry ?? {}) as { account?: unknown; plan?: unknown };
    if (account !== null && !validAccount(account)) fail(`names no valid account at accounts[${index}]: make the plan again with roster plan --out`);
    const id = account === null ? "" : (account as SavedAccount).id.toLowerCase();
    if (seen.has(id)) fail(`holds two plans for one account (${id || "the key's own organization"}): make the plan again with roster plan --out`);
    seen.add(id);
    const where = account === null ? "the key's own organization" : `account ${(account as SavedAccount).id}`;
    const saved = parseSavedPlan(JSON.stringify(plan ?? null), `${file} (${where})`, apiKey, options);
    if (saved.apiHost !== head.api_host) fail(`mixes API hosts (${saved.apiHost} in ${where}): make the plan again with roster plan --out`);
    return { account: account as SavedAccount | null, saved };
  });
  return { createdAt: head.created_at as string, apiHost: head.api_host as string, accounts };
}

function validAccount(value: unknown): value is SavedAccount {
  const account = value as Partial<SavedAccount> | null;
  return (
    typeof account === "object" &&
    account !== null &&
    typeof account.id === "string" &&
    account.id !== "" &&
    typeof account.email === "string" &&
    typeof account.organization_name === "string"
  );
}

/** Reads a saved plan of either kind: of one organization, or across accounts (told apart by its format). */
export async function loadAnySavedPlan(path: string, apiKey: string): Promise<SavedPlan | SavedAccountsPlan> {
  return parseAnySavedPlan(await readPlanFile(path), path, apiKey);
}

/** Checks the text of a saved plan of either kind (told apart by its format). Pure. */
export function parseAnySavedPlan(text: string, path: string, apiKey: string, options: SealOptions = {}): SavedPlan | SavedAccountsPlan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // parseSavedPlan words what a file that is not JSON is.
    return parseSavedPlan(text, path, apiKey, options);
  }
  return isAccountsPlan(data) ? parseSavedAccountsPlan(data, path, apiKey, options) : parseSavedPlan(text, path, apiKey, options);
}

/**
 * What a saved plan's seal says with `apiKey`: "good" when the whole file and (across accounts) every
 * account's plan in it were sealed with this key and not changed since; "mismatch" when any seal fails (made
 * with another key, or altered: an HMAC cannot tell the two apart); "unchecked" without a key. Pure.
 */
export function planSeal(text: string, apiKey: string): "good" | "mismatch" | "unchecked" {
  if (!apiKey) return "unchecked";
  const sealed = (doc: unknown): boolean => {
    if (typeof doc !== "object" || doc === null) return false;
    const { checksum, ...body } = doc as Record<string, unknown>;
    return typeof checksum === "string" && checksumMatches(body, checksum, apiKey);
  };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return "mismatch";
  }
  if (!sealed(data)) return "mismatch";
  if (isAccountsPlan(data)) {
    const accounts = (data as { accounts?: unknown }).accounts;
    if (!Array.isArray(accounts) || !accounts.every((entry) => sealed((entry as { plan?: unknown } | null)?.plan))) return "mismatch";
  }
  return "good";
}

/** Whether a loaded plan is across accounts. */
export function isSavedAccountsPlan(plan: SavedPlan | SavedAccountsPlan): plan is SavedAccountsPlan {
  return "accounts" in plan;
}
