import pLimit from "p-limit";
import type { OrganizationUser } from "../core/organization-user.js";
import { judge, type Rules } from "../plan/rules.js";
import { ApiError } from "../telnyx/api-error.js";
import type { AccountRef } from "./apply-run.js";

/** A user still in the organization whom the manifest does not list, as verification found them. */
export interface LeftUser {
  id: string;
  email: string;
}

/**
 * What reading the organization again after apply found: the users still to remove (`left`, in the order the
 * API gave them, `remaining` of them); an error when it could not be read.
 */
export type Verification =
  | { converged: boolean; remaining: number; left?: LeftUser[] }
  | { converged: false; error: string };

/**
 * Reads the organization again and finds the users the rules would still remove. The removals are done and
 * their results must still be printed: a failed read is reported, not thrown.
 */
export async function verify(rules: Rules, read: () => Promise<OrganizationUser[]>): Promise<Verification> {
  try {
    const left = removable(await read(), rules).map((user) => ({ id: user.id, email: user.email }));
    return { converged: left.length === 0, remaining: left.length, left };
  } catch (error) {
    if (error instanceof ApiError && error.kind !== "config") return { converged: false, error: error.message };
    throw error;
  }
}

function removable(users: readonly OrganizationUser[], rules: Rules): OrganizationUser[] {
  return users.filter((user) => judge(user, rules).kind === "remove");
}

/** One account to read again after a run across accounts: its rules, and a read with that account's own client. */
export interface AccountCheck<A extends AccountRef = AccountRef> {
  account: A;
  rules: Rules;
  read: () => Promise<OrganizationUser[]>;
}

/** What reading every account again found: each account's verification, in the order given, and the total. */
export interface AccountsVerification<A extends AccountRef = AccountRef> {
  accounts: { account: A; verification: Verification }[];
  /** Every account was read and none has a user left to remove. */
  converged: boolean;
  /** Users left to remove in the accounts that could be read. */
  remaining: number;
  /** Accounts that could not be read (their key refused, the API failing). */
  unreadable: number;
}

/**
 * Reads each account again with its own client and counts what its own rules would still remove, at most
 * `concurrency` accounts at a time. One account that cannot be read is reported as such; the others are still read.
 */
export async function verifyAccounts<A extends AccountRef>(
  checks: readonly AccountCheck<A>[],
  options: { concurrency: number },
): Promise<AccountsVerification<A>> {
  const limit = pLimit(options.concurrency);
  const accounts = await Promise.all(
    checks.map((check) =>
      limit(async () => ({ account: check.account, verification: await verify(check.rules, check.read) })),
    ),
  );
  let remaining = 0;
  let unreadable = 0;
  for (const { verification } of accounts) {
    if ("error" in verification) unreadable += 1;
    else remaining += verification.remaining;
  }
  return { accounts, converged: unreadable === 0 && remaining === 0, remaining, unreadable };
}
