import type { ManagedAccount } from "../core/managed-account.js";
import { redactApiText } from "../core/redact.js";
import { ApiError } from "./api-error.js";
import { errorFor, pageEnvelope, quoted, shapeFailure, type ShapeFailure } from "./parse-answers.js";
import type { ApiResponse } from "./transport.js";

// What the manager's endpoints answer mean: the managed accounts of a page, one account with its key, and the
// errors of answers that are not a success. Pure. A managed account's key is a secret as much as the
// manager's own: it is returned apart from the account, and no message built here can hold one.

/** One page of managed accounts with the pagination the API reported. */
export interface ManagedAccountsPage {
  accounts: ManagedAccount[];
  totalPages: number;
  totalResults: number | undefined;
}

/** One managed account and its own V2 API key (GET /managed_accounts/{id}): the key lives in memory only. */
export interface ManagedAccountWithKey {
  account: ManagedAccount;
  apiKey: string;
}

/** Fields of an answer that hold secrets (the V2 key, the V1 token), wherever they appear. */
const SECRET_FIELDS = new Set(["api_key", "api_token"]);

/** Every string value of a secret field (api_key, api_token) anywhere in an answer, to keep out of messages. */
export function secretsIn(body: unknown): string[] {
  const found: string[] = [];
  const visit = (value: unknown, depth: number): void => {
    // A hostile answer can nest deeply: secrets sit near the top in every answer the API sends.
    if (depth > 8 || typeof value !== "object" || value === null) return;
    for (const [name, inner] of Object.entries(value)) {
      if (SECRET_FIELDS.has(name) && typeof inner === "string") found.push(inner);
      else visit(inner, depth + 1);
    }
  };
  visit(body, 0);
  return found;
}

/**
 * An ApiError like `error` with its message redacted of `secrets` (every run of 8 or more of their characters)
 * and of anything shaped like a key: the same rule as before a cut, so a message cut inside a key is safe too.
 */
export function scrubbed(error: ApiError, secrets: readonly string[]): ApiError {
  const message = redactApiText(error.message, secrets);
  if (message === error.message) return error;
  return new ApiError(error.kind, message, {
    ...(error.status !== undefined ? { status: error.status } : {}),
    ...(error.code !== undefined ? { code: error.code } : {}),
    ...(error.advice !== undefined ? { advice: redactApiText(error.advice, secrets) } : {}),
    attempts: error.attempts,
    mayHaveHappened: error.mayHaveHappened,
  });
}

/**
 * The error for a manager's endpoint that did not succeed: a 403 says the key is not a manager's, a 404 to
 * one account that it is not (or no longer) managed by this key. Secrets the answer holds, and the
 * client's own key (in `secrets`), never reach the message.
 */
export function managedAccountsErrorFor(
  method: string,
  path: string,
  response: ApiResponse,
  baseUrl: URL,
  secrets: readonly string[],
): ApiError {
  const all = [...secrets, ...secretsIn(response.body)];
  const base = errorFor(method, path, response, baseUrl, all);
  const options = {
    status: response.status,
    attempts: response.attempts,
    ...(base.code !== undefined ? { code: base.code } : {}),
  };
  if (response.status === 403) {
    return scrubbed(
      new ApiError("http", `${base.message}: the key in TELNYX_API_KEY is not a manager account's key`, {
        ...options,
        advice:
          "only a manager account (one Telnyx approved to manage accounts) can list its managed accounts and get " +
          "their keys: export the manager's API key, or leave account: out of the manifests",
      }),
      all,
    );
  }
  if (response.status === 404 && response.isApiJson && path.startsWith("/managed_accounts/")) {
    return scrubbed(
      new ApiError("http", `${base.message}: this key manages no account with that id`, {
        ...options,
        advice: "the account may have been cancelled or moved since it was listed: run roster again",
      }),
      all,
    );
  }
  return scrubbed(base, all);
}

/** One page of GET /managed_accounts, each account checked for what roster relies on. */
export function parseManagedAccountsPage(body: unknown, path: string): ManagedAccountsPage {
  const fail = secretSafeFailure(path, body);
  const { data, totalPages, totalResults } = pageEnvelope(body, fail);
  return {
    accounts: data.map((raw, index) => parseManagedAccount(raw, `data[${index}]`, fail)),
    totalPages,
    totalResults,
  };
}

/** GET /managed_accounts/{id}: the account asked for, and its key apart from it. */
export function parseManagedAccountWithKey(body: unknown, path: string, id: string): ManagedAccountWithKey {
  const fail = secretSafeFailure(path, body);
  if (typeof body !== "object" || body === null) return fail("not with JSON");
  const data = (body as { data?: unknown }).data;
  if (typeof data !== "object" || data === null || Array.isArray(data)) return fail('without a "data" object');
  const account = parseManagedAccount(data, "data", fail);
  // An answer about another account would hand this account's users to another account's key.
  if (account.id.toLowerCase() !== id.toLowerCase())
    return fail(`with another account (id ${quoted(account.id)}) than the one asked for`);
  const apiKey = (data as { api_key?: unknown }).api_key;
  if (typeof apiKey !== "string" || apiKey === "") return fail("without the account's api_key");
  // The key is sent as a bearer token: a key that cannot be is not one (and is never shown).
  if (!/^[\x21-\x7e]+$/.test(apiKey)) return fail("with an api_key holding spaces or control characters");
  return { account, apiKey };
}

/**
 * The account at `where`, built field by field: whatever else the answer carries (a key in a list item
 * above all) never enters it.
 */
function parseManagedAccount(raw: unknown, where: string, fail: ShapeFailure): ManagedAccount {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail(`with ${where} not an object`);
  const record = raw as Record<string, unknown>;
  const text = (field: string, required: boolean): string => {
    const value = record[field];
    if (typeof value === "string" && (value.trim() !== "" || !required)) return value;
    if (value === undefined && !required) return "";
    return fail(`with ${where} lacking a string ${field}`);
  };
  const id = text("id", true);
  const email = text("email", true);
  const name = record.organization_name;
  if (name !== undefined && name !== null && typeof name !== "string")
    return fail(`with ${where} having an organization_name that is not text`);
  return {
    id,
    email,
    organization_name: typeof name === "string" ? name : null,
    api_user: text("api_user", false),
    manager_account_id: text("manager_account_id", false),
    created_at: text("created_at", false),
    updated_at: text("updated_at", false),
  };
}

/** shapeFailure, with the answer's secrets kept out of the message. */
function secretSafeFailure(path: string, body: unknown): ShapeFailure {
  const fail = shapeFailure(path);
  return (what) => {
    try {
      return fail(what);
    } catch (error) {
      throw error instanceof ApiError ? scrubbed(error, secretsIn(body)) : error;
    }
  };
}
