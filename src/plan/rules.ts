import { normalizeEmail } from "../core/email.js";
import { groupKey } from "../core/groups.js";
import type { DesiredUser, ProtectedGroup } from "../manifest/manifest.js";
import { usersByEmail } from "../manifest/users-by-email.js";
import { compileProtectPattern, type ProtectPattern } from "../manifest/protect-pattern.js";
import {
  OWNER_RECORD_TYPE,
  recordTypeOf,
  SUB_USER_RECORD_TYPE,
  type OrganizationUser,
} from "../core/organization-user.js";
import { expiryOf } from "./lifecycle.js";
import type { ProtectionReason } from "./protection.js";

export { recordTypeOf };

/** What the manifest says of one live user. */
export type Verdict =
  | { kind: "keep" }
  | { kind: "protected"; reason: ProtectionReason; pattern?: string; group?: string }
  | { kind: "remove" };

/** The manifest reduced to what decides a user's fate; built once, asked once per live user. */
export interface Rules {
  /** The listed emails, as compared. */
  desiredEmails: { has(email: string): boolean };
  /** The last day of access (`expires:`) of each desired email that has one, by the email as compared. */
  expires?: ReadonlyMap<string, string>;
  /**
   * The day the rules judge on (YYYY-MM-DD, UTC): a desired email whose last day is before it is judged as
   * if not listed. Set whenever `expires` has an entry.
   */
  today?: string;
  patterns: readonly ProtectPattern[];
  /** Groups whose members are never removed (names as groupKey compares them), in the manifest's order. */
  groups: readonly string[];
  /**
   * The manifest users missing from the organization, by look (plan/lookalikes.ts): a removal that looks
   * like one is refused, as the plan was. Absent while no listed user is missing.
   */
  lookalikes?: { find(email: string): string[] };
}

/**
 * The rules of a manifest, or of the desired emails (with their last days), protect patterns and protected
 * groups a saved plan carries, judged on `today` (utcToday of the command's clock). A manifest with an
 * `expires:` needs the day: without it, no rule could tell whether that user is still listed.
 */
export function rulesOf(
  manifest: {
    users: readonly Pick<DesiredUser, "email" | "expires">[];
    protect: readonly string[];
    protectGroups?: readonly Pick<ProtectedGroup, "name">[];
  },
  today?: string,
): Rules {
  const expires = new Map<string, string>();
  for (const user of manifest.users)
    if (user.expires !== undefined) expires.set(normalizeEmail(user.email), user.expires);
  if (expires.size > 0 && today === undefined)
    throw new Error("rules of users with an end date (expires:) need the day they are judged on");
  const desiredEmails = usersByEmail(manifest.users);
  // An empty list is written as a literal: the empty lists .map() and [...set] make change kind in V8 as those
  // builtins meet other lists elsewhere, and each change made the planner that reads them be compiled again.
  const protectGroups = manifest.protectGroups ?? [];
  const patterns = manifest.protect.length > 0 ? manifest.protect.map(compileProtectPattern) : [];
  const groups = protectGroups.length > 0 ? [...new Set(protectGroups.map((group) => groupKey(group.name)))] : [];
  // Built by assignment, not spread: V8 gives each object spread from another a shape of its own once the place that
  // spreads has made a few, and the planner reading rules of 1,000 shapes was compiled again (docs/performance.md).
  const rules: Rules = { desiredEmails, patterns, groups };
  if (expires.size > 0) rules.expires = expires;
  if (today !== undefined) rules.today = today;
  return rules;
}

/** Whether the rules list this email (as compared) and its last day has not passed on the rules' day. */
export function isListed(rules: Pick<Rules, "desiredEmails" | "expires" | "today">, email: string): boolean {
  if (!rules.desiredEmails.has(email)) return false;
  const expires = rules.expires?.get(email);
  // A last day with no day to judge on is never taken as passed: the user stays (rulesOf refuses to build it).
  return expires === undefined || rules.today === undefined || expiryOf(expires, rules.today).state !== "expired";
}

/**
 * What judge reads of a user: its email, record type and groups (names, or the API's { name } objects; absent or null:
 * not known).
 */
export type Judged = Pick<OrganizationUser, "email"> & {
  record_type?: unknown;
  groups?: readonly (string | { name: string })[] | null;
};

/**
 * The one place that decides whether a live user may be removed. The planner uses it to build the plan,
 * and the executor asks it again before every request, so no path can remove a listed, owner or protected
 * user. A listed user whose `expires:` date has passed (on the rules' day) is judged as not listed, so the
 * owner, protect patterns and protected groups still keep it. `compared` is the user's email as compared, when the
 * caller has it already. Only a user whose
 * record type is organization_sub_user can be removed: an owner by any spelling, and any record type roster
 * does not know (missing or empty too), are protected. When the manifest protects groups, a member of one
 * is protected, and so is a user whose groups the API did not give: roster never guesses them.
 */
export function judge(user: Judged, rules: Rules, compared?: string): Verdict {
  const email = compared ?? normalizeEmail(user.email);
  // A listed user whose last day has passed is judged as if not listed: the protections below still apply.
  if (isListed(rules, email)) return { kind: "keep" };
  const recordType = recordTypeOf(user);
  if (recordType === OWNER_RECORD_TYPE) return { kind: "protected", reason: "owner" };
  if (recordType !== SUB_USER_RECORD_TYPE) return { kind: "protected", reason: "unknown_record_type" };
  const pattern = rules.patterns.find((p) => p.matches(email));
  if (pattern) return { kind: "protected", reason: "pattern", pattern: pattern.pattern };
  if (rules.groups.length > 0) {
    if (!user.groups) return { kind: "protected", reason: "groups_unknown" };
    const names = new Set(user.groups.map((group) => groupKey(typeof group === "string" ? group : group.name)));
    const group = rules.groups.find((name) => names.has(name));
    if (group !== undefined) return { kind: "protected", reason: "group", group };
  }
  return { kind: "remove" };
}

/** How many of these live users the rules would still remove: zero once apply has converged. */
export function countRemovable(liveUsers: readonly Judged[], rules: Rules): number {
  return liveUsers.filter((user) => judge(user, rules).kind === "remove").length;
}
