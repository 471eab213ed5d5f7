import type { ManagedAccountSeed, SandboxOptions } from "../../src/sandbox/sandbox.js";
import { MIN_FRAGMENT } from "../../src/core/redact.js";
import { TEST_API_KEY } from "./cli.js";
import { exampleOrg, liveUser, manifestText } from "./org.js";

/**
 * A managed account of a few users: its owner and sub-users named first@slug.example.com, ids unique to the account.
 */
export function account(
  n: number,
  name: string,
  slug: string,
  firsts: readonly string[],
  extra: Partial<ManagedAccountSeed> = {},
): ManagedAccountSeed {
  const hex = String(n).repeat(8).slice(0, 8);
  const users = ["owner", ...firsts].map((first, i) =>
    liveUser(
      `${hex}-0000-4000-8000-${String(i).padStart(12, "0")}`,
      `${first}@${slug}.example.com`,
      i === 0 ? { record_type: "organization_owner", last_sign_in_at: "2026-11-20T01:00:00Z" } : {},
    ),
  );
  return {
    id: `${hex}-aaaa-4bbb-8ccc-${hex}dddd`,
    email: `accounts@${slug}.example.com`,
    organization_name: name,
    // Distinctive, so that a search of every output finds it if it leaks.
    api_key: `KEY0${n}MANAGED_${slug.toUpperCase()}_never_print_me`,
    users,
    ...extra,
  };
}

export const HARBOR = account(1, "Harbor Dental LLC", "harbor", ["amara", "bruno", "chen", "dalia", "emeka"]);
export const NORTHWIND = account(2, "Northwind Logistics Inc", "northwind", ["farah", "goran", "hana", "ivan"]);
export const CEDAR = account(3, "Cedar Realty Group", "cedar", ["jia", "kofi"]);
export const ACCOUNTS = [HARBOR, NORTHWIND, CEDAR];

/** The sandbox with the manager's own users and `accounts`. */
export function managerSandbox(
  accounts: readonly ManagedAccountSeed[] = ACCOUNTS,
  extra: Partial<SandboxOptions> = {},
): SandboxOptions {
  return { users: exampleOrg(), apiKey: TEST_API_KEY, managedAccounts: accounts, ...extra };
}

/** A manifest for `seed` (chosen by `by`) listing its owner and the users whose first name is given. */
export function manifestFor(
  seed: ManagedAccountSeed,
  keep: readonly string[],
  by: "id" | "email" | "organization_name" = "id",
  extra = "",
): string {
  const slug = seed.email.split("@")[1]!;
  const emails = ["owner", ...keep].map((first) => `${first}@${slug}`);
  return `${manifestText(emails, extra)}account:\n  ${by}: ${JSON.stringify(seed[by])}\n`;
}

/** How accounts are named in plans, results and errors: name, email, id. */
export const label = (seed: ManagedAccountSeed) => `${seed.organization_name} <${seed.email}> (${seed.id})`;

/** Fails if any run of 8 or more characters of any of `keys` is in `text`: not the whole key only, any piece of it. */
export function assertNoPieceOfKey(text: string, keys: readonly string[], where: string): void {
  for (const key of keys) {
    for (let i = 0; i + MIN_FRAGMENT <= key.length; i += 1) {
      if (text.includes(key.slice(i, i + MIN_FRAGMENT)))
        throw new Error(`${MIN_FRAGMENT} characters of a key (at ${i} of ${key.length}) appeared in ${where}`);
    }
  }
}
