import { open } from "node:fs/promises";
import { fileKind, READ_NONBLOCK } from "../files/regular-file.js";
import { readProblem } from "../files/file-error.js";
import type { OrganizationUser } from "../core/organization-user.js";
import type { ManagedAccountSeed } from "./managed-accounts.js";

/** What a sandbox state file holds: the key's own users and, in the object form, its managed accounts. */
export interface SandboxState {
  users: OrganizationUser[];
  managedAccounts: ManagedAccountSeed[];
}

const FORMS =
  'a JSON array of users, like examples/org.json, or an object { "users": [...], "managed_accounts": [...] }, like examples/managed-accounts.json';
const STATE_FIELDS = ["users", "managed_accounts"];
const ACCOUNT_FIELDS = ["id", "email", "organization_name", "api_key", "status", "created_at", "users"];
const STATUSES = ["active", "disabled", "cancelled"];

/** Reads a sandbox seed: a JSON array of organization users (the users of the object form, if it is one). */
export async function readSeed(path: string): Promise<OrganizationUser[]> {
  return (await readSandboxState(path)).users;
}

/** Reads a sandbox state file in either form, refusing anything the sandbox would have to guess about. */
export async function readSandboxState(path: string): Promise<SandboxState> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readRegular(path));
  } catch (error) {
    // A system error in words (never a bare code); a JSON error says where the text stops being JSON.
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code
      ? readProblem(code, path)
      : error instanceof SyntaxError
        ? `not JSON: ${error.message}`
        : (error as Error).message;
    throw new Error(`${path}: cannot read the sandbox state (${reason}): give ${FORMS}`);
  }
  if (Array.isArray(parsed)) return { users: checkUsers(path, "", parsed), managedAccounts: [] };
  if (parsed === null || typeof parsed !== "object") throw new Error(`${path}: the sandbox state must be ${FORMS}`);
  const state = parsed as Record<string, unknown>;
  const unknown = Object.keys(state).find((key) => !STATE_FIELDS.includes(key));
  if (unknown !== undefined)
    throw new Error(
      `${path}: the sandbox state has an unknown field ${JSON.stringify(unknown)}: it takes "users" and ` +
        `"managed_accounts"`,
    );
  if (!Array.isArray(state.users))
    throw new Error(
      `${path}: "users" must be a JSON array of the manager's own users, like examples/managed-accounts.json`,
    );
  const accounts = state.managed_accounts ?? [];
  if (!Array.isArray(accounts))
    throw new Error(
      `${path}: "managed_accounts" must be a JSON array of accounts, like examples/managed-accounts.json`,
    );
  const managedAccounts = accounts.map((account, index) => checkAccount(path, index, account));
  // Organization names may repeat, as in the API (a manifest naming one must then say which); ids, logins and keys may
  // not.
  for (const [field, what] of [
    ["id", "id"],
    ["api_key", '"api_key"'],
    ["email", "email"],
  ] as const) {
    const seen = new Map<string, number>();
    managedAccounts.forEach((account, index) => {
      const earlier = seen.get(account[field]);
      // A key is a secret even in a made-up state file: say which accounts share it, never what it is.
      const value = field === "api_key" ? "" : ` ${JSON.stringify(account[field])}`;
      if (earlier !== undefined)
        throw new Error(
          `${path}: managed accounts ${earlier + 1} and ${index + 1} have the same ${what}${value}: each account ` +
            `needs its own`,
        );
      seen.set(account[field], index);
    });
  }
  return { users: checkUsers(path, "", state.users), managedAccounts };
}

function checkAccount(path: string, index: number, value: unknown): ManagedAccountSeed {
  const where = `${path}: managed account ${index + 1}`;
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new Error(`${where} must be an object, like examples/managed-accounts.json`);
  const account = value as Record<string, unknown>;
  const named =
    typeof account.organization_name === "string" ? `${where} (${JSON.stringify(account.organization_name)})` : where;
  const unknown = Object.keys(account).find((key) => !ACCOUNT_FIELDS.includes(key));
  if (unknown !== undefined)
    throw new Error(
      `${named} has an unknown field ${JSON.stringify(unknown)}: it takes ` +
        `${ACCOUNT_FIELDS.map((f) => `"${f}"`).join(", ")}`,
    );
  for (const field of ["id", "email", "organization_name", "api_key"]) {
    if (typeof account[field] !== "string" || account[field] === "")
      throw new Error(`${named} needs a non-empty string "${field}"`);
  }
  if (account.status !== undefined && !STATUSES.includes(account.status as string)) {
    throw new Error(
      `${named} has "status" ${JSON.stringify(account.status)}: it must be "active", "disabled" or "cancelled"`,
    );
  }
  if (
    account.created_at !== undefined &&
    (typeof account.created_at !== "string" || Number.isNaN(Date.parse(account.created_at)))
  ) {
    throw new Error(`${named} has a "created_at" that is not an ISO 8601 date, like "2024-03-01T09:00:00Z"`);
  }
  if (!Array.isArray(account.users))
    throw new Error(`${named} needs "users": a JSON array of its organization's users`);
  return {
    ...(account as unknown as ManagedAccountSeed),
    users: checkUsers(path, `${named.slice(path.length + 2)}: `, account.users),
  };
}

function checkUsers(path: string, within: string, users: unknown[]): OrganizationUser[] {
  users.forEach((user, index) => {
    const u = user as Partial<OrganizationUser>;
    if (typeof u?.id !== "string" || typeof u.email !== "string" || typeof u.record_type !== "string") {
      throw new Error(`${path}: ${within}user ${index + 1} needs string "id", "email" and "record_type" fields`);
    }
    // The sandbox serves groups as the API does ({ id, name }); a seed that says otherwise would make it lie.
    const groups = u.groups as unknown;
    if (
      groups !== undefined &&
      !(Array.isArray(groups) && groups.every((g) => typeof g?.id === "string" && typeof g?.name === "string"))
    ) {
      throw new Error(
        `${path}: ${within}user ${index + 1} has "groups" that are not a list of { "id": string, "name": string }, ` +
          `like examples/org.json`,
      );
    }
  });
  return users as OrganizationUser[];
}

/** The file's text; a FIFO or a device is refused without blocking on it. */
async function readRegular(path: string): Promise<string> {
  const file = await open(path, READ_NONBLOCK);
  try {
    const kind = fileKind(await file.stat());
    if (kind) throw new Error(`it is ${kind}, not a file`);
    return await file.readFile("utf8");
  } finally {
    await file.close();
  }
}
