import { normalizeEmail } from "../core/email.js";
import type { OrganizationUser } from "../core/organization-user.js";

// Whether the key the manager's GET /managed_accounts/{id} handed for an account can be that account's own.
// Pure: the keys and what each key read are handed in; nothing here is ever shown (the findings name
// accounts by their index in the run, never a key).
//
// What the answers can prove: a key that is the manager's own, or one handed for two accounts of the run
// (before any request with it); an organization whose owner is the manager (its email is the managed
// accounts' api_user), or is another managed account's email, or is the owner of another organization of
// the run (after reading it, before planning). What they cannot: the Organization Users answers name no
// account and no organization, and a managed account's email need not be its owner's, so a key of an
// organization outside the run, owned by someone roster knows nothing of, reads as any other would.

/** Why an account's key is not its own, found before any request with it. */
export type KeyProblem =
  /** The key is TELNYX_API_KEY, the manager's own: it reads the manager's organization. */
  | { kind: "manager-key" }
  /** The same key was handed for the accounts at `others` (indexes in the run) too: roster cannot tell whose it is. */
  | { kind: "shared-key"; others: number[] };

/** For each key of the run, in order, why it cannot be its account's own, or undefined. */
export function keysNotTheirOwn(keys: readonly string[], managerKey: string): (KeyProblem | undefined)[] {
  const handedFor = indexesBy(keys.map((key) => [key]));
  return keys.map((key, index): KeyProblem | undefined => {
    if (key === managerKey) return { kind: "manager-key" };
    const others = handedFor.get(key)!.filter((at) => at !== index);
    return others.length > 0 ? { kind: "shared-key", others } : undefined;
  });
}

/** One organization of the run as its key read it. */
export interface ReadOrganization {
  /** The key's own organization (TELNYX_API_KEY's), which is never refused: the others are compared with it. */
  own: boolean;
  /** The managed account's email, as the manager lists it ("" for the own organization). */
  email: string;
  users: readonly OrganizationUser[];
}

/** What else roster knows of the manager's accounts: the manager's email, and every managed account's. */
export interface KnownAccounts {
  /** The managed accounts' api_user: the manager account's email; "" when the API gave none. */
  managerEmail: string;
  /** Every managed account's email the manager listed (or the run names). */
  accountEmails: readonly string[];
}

/** Why the organization a managed account's key read is not that account's. */
export type OrganizationProblem =
  /** Its owner is the manager (the managed accounts' api_user): the key reads the manager's own organization. */
  | { kind: "manager-organization" }
  /** Its owner's email is another managed account's email. */
  | { kind: "other-account"; email: string }
  /** The organizations read for the accounts at `others` have the same owner: one organization, read twice. */
  | { kind: "same-organization"; others: number[] };

/**
 * For each organization read, in order, why it cannot be its managed account's, or undefined (always for the own one).
 */
export function organizationsNotTheirOwn(
  read: readonly ReadOrganization[],
  known: KnownAccounts,
): (OrganizationProblem | undefined)[] {
  const owners = read.map((organization) =>
    organization.users.filter((user) => user.record_type === "organization_owner"),
  );
  const ownerIds = owners.map((list) => new Set(list.map((user) => user.id)));
  // Which organizations each owner id was read in: one pass, not every organization against every other.
  const readBy = indexesBy(ownerIds.map((ids) => [...ids]));
  const managerEmail = known.managerEmail === "" ? undefined : normalizeEmail(known.managerEmail);
  const accountEmails = new Set(known.accountEmails.map(normalizeEmail));
  return read.map((organization, index): OrganizationProblem | undefined => {
    if (organization.own) return undefined;
    const email = normalizeEmail(organization.email);
    const ownerEmails = owners[index]!.map((user) => normalizeEmail(user.email)).filter((owner) => owner !== email);
    if (managerEmail !== undefined && managerEmail !== email && ownerEmails.includes(managerEmail))
      return { kind: "manager-organization" };
    const others = [...new Set([...ownerIds[index]!].flatMap((id) => readBy.get(id)!))]
      .filter((at) => at !== index)
      .sort((a, b) => a - b);
    if (others.some((at) => read[at]!.own)) return { kind: "manager-organization" };
    if (others.length > 0) return { kind: "same-organization", others };
    const taken = ownerEmails.find((owner) => accountEmails.has(owner));
    return taken !== undefined ? { kind: "other-account", email: taken } : undefined;
  });
}

/** For each value, the indexes of the lists that hold it, in order: one pass over every list. */
function indexesBy(lists: readonly (readonly string[])[]): Map<string, number[]> {
  const found = new Map<string, number[]>();
  lists.forEach((values, index) => {
    for (const value of new Set(values)) {
      const at = found.get(value);
      if (at) at.push(index);
      else found.set(value, [index]);
    }
  });
  return found;
}
