import type { OrganizationUser } from "../core/organization-user.js";
import { countRemovable, type Rules } from "../plan/rules.js";
import { ApiError } from "../telnyx/api-error.js";

/** What reading the organization again after apply found; an error when it could not be read. */
export type Verification = { converged: boolean; remaining: number } | { converged: false; error: string };

/**
 * Reads the organization again and counts the users the rules would still remove. The removals are done and
 * their results must still be printed: a failed read is reported, not thrown.
 */
export async function verify(rules: Rules, read: () => Promise<OrganizationUser[]>): Promise<Verification> {
  try {
    const remaining = countRemovable(await read(), rules);
    return { converged: remaining === 0, remaining };
  } catch (error) {
    if (error instanceof ApiError && error.kind !== "config") return { converged: false, error: error.message };
    throw error;
  }
}
