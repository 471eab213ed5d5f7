import { open } from "node:fs/promises";
import { fileKind, READ_NONBLOCK } from "../files/regular-file.js";
import { readProblem } from "../files/file-error.js";
import { parseSavedPlan, type SealOptions } from "./plan-file.js";
import {
  ACCOUNTS_PLAN_FORMAT,
  ACCOUNTS_PLAN_VERSION,
  checksumMatches,
  SavedPlanError,
  type SavedAccount,
  type SavedRun,
} from "./saved-plan.js";

// The one loader of saved plans: either file roster 0.1 writes (one organization's plan, format 3, or the
// list of accounts' plans), read into the one form every command takes, a list of organizations.

/** No saved plan comes near this: 20,000 users take about 6 MB. */
export const MAX_PLAN_FILE_BYTES = 256 * 1024 * 1024;

/**
 * The text of a saved plan's file, read without blocking and within the size any plan has; a SavedPlanError naming the
 * file.
 */
export async function readPlanFile(path: string): Promise<string> {
  let text: string;
  try {
    // Without blocking (a FIFO opened plainly waits for a writer forever), then checked on the open file, so
    // what is checked is what is read.
    const file = await open(path, READ_NONBLOCK);
    try {
      const info = await file.stat();
      const kind = fileKind(info);
      if (kind)
        throw new SavedPlanError(`${path} is ${kind}, not a file: give the path of a plan saved by roster plan --out`);
      if (info.size > MAX_PLAN_FILE_BYTES)
        throw new SavedPlanError(
          `${path} is ${info.size} bytes, more than any saved plan: make the plan again with roster plan --out`,
        );
      text = await file.readFile("utf8");
    } finally {
      await file.close();
    }
  } catch (error) {
    if (error instanceof SavedPlanError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new SavedPlanError(
      code === "ENOENT"
        ? `${path}: no such file: save a plan first with roster plan --out ${path}`
        : `cannot read the plan ${path}: ${readProblem(code, path)}`,
    );
  }
  return text;
}

/** Reads and checks a saved plan of either file (told apart by its format), its seals with `apiKey`. */
export async function loadSavedRun(path: string, apiKey: string): Promise<SavedRun> {
  return parseSavedRun(await readPlanFile(path), path, apiKey);
}

/**
 * Checks the text of a saved plan of either file and returns it as a list of organizations; every failure
 * is a SavedPlanError naming the file, and refuses the whole plan. Pure.
 */
export function parseSavedRun(text: string, path: string, apiKey: string, options: SealOptions = {}): SavedRun {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  if (isAccountsFile(data)) return parseAccountsFile(data, path, apiKey, options);
  // parseSavedPlan words what a file that is not JSON, or not a plan, is.
  const saved = parseSavedPlan(text, path, apiKey, options);
  return {
    shape: "organization",
    createdAt: saved.createdAt,
    apiHost: saved.apiHost,
    targets: [{ account: null, saved }],
  };
}

/** Whether parsed JSON is a saved plan across accounts (by its format). */
function isAccountsFile(data: unknown): boolean {
  return typeof data === "object" && data !== null && (data as { format?: unknown }).format === ACCOUNTS_PLAN_FORMAT;
}

/**
 * Checks a saved plan across accounts: its seal with `apiKey`, its version, then each account's plan with
 * every check of a plan of one organization (parseSavedPlan). One failure refuses the whole file. Pure.
 */
function parseAccountsFile(data: unknown, file: string, apiKey: string, options: SealOptions): SavedRun {
  const fail = (why: string): never => {
    throw new SavedPlanError(`${file} ${why}`);
  };
  const head = data as Record<string, unknown>;
  if (head.format_version !== ACCOUNTS_PLAN_VERSION) {
    fail(
      `has plan format version ${JSON.stringify(head.format_version)}; this roster reads version ` +
        `${ACCOUNTS_PLAN_VERSION}: make the plan again with this roster`,
    );
  }
  const { checksum, ...body } = head;
  if (options.requireSeal !== false) {
    if (!apiKey)
      fail("cannot be checked without the API key it was made with: TELNYX_API_KEY is not set; export it first");
    if (typeof checksum !== "string" || !checksumMatches(body, checksum, apiKey)) {
      fail(
        "was altered after roster saved it, or made with another API key (its checksum does not match): make the plan " +
          "again with roster plan --out",
      );
    }
  }
  if (
    typeof head.created_at !== "string" ||
    typeof head.api_host !== "string" ||
    !Array.isArray(head.accounts) ||
    head.accounts.length === 0
  ) {
    fail("is not a valid saved plan across accounts: make the plan again with roster plan --out");
  }
  const seen = new Set<string>();
  const accounts = (head.accounts as unknown[]).map((entry, index) => {
    const { account, plan } = (entry ?? {}) as { account?: unknown; plan?: unknown };
    if (account !== null && !validAccount(account))
      fail(`names no valid account at accounts[${index}]: make the plan again with roster plan --out`);
    const id = account === null ? "" : (account as SavedAccount).id.toLowerCase();
    if (seen.has(id))
      fail(
        `holds two plans for one account (${id || "the key's own organization"}): make the plan again with roster ` +
          `plan --out`,
      );
    seen.add(id);
    const where = account === null ? "the key's own organization" : `account ${(account as SavedAccount).id}`;
    const saved = parseSavedPlan(JSON.stringify(plan ?? null), `${file} (${where})`, apiKey, options);
    if (saved.apiHost !== head.api_host)
      fail(`mixes API hosts (${saved.apiHost} in ${where}): make the plan again with roster plan --out`);
    return { account: account as SavedAccount | null, saved };
  });
  return {
    shape: "accounts",
    createdAt: head.created_at as string,
    apiHost: head.api_host as string,
    targets: accounts,
  };
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
  if (isAccountsFile(data)) {
    const accounts = (data as { accounts?: unknown }).accounts;
    if (!Array.isArray(accounts) || !accounts.every((entry) => sealed((entry as { plan?: unknown } | null)?.plan)))
      return "mismatch";
  }
  return "good";
}
