import { normalizeEmail } from "../manifest/email.js";
import type { DesiredUser } from "../manifest/manifest.js";
import { compileProtectPattern, type ProtectPattern } from "../manifest/protect-pattern.js";
import { OWNER_RECORD_TYPE, type OrganizationUser } from "../telnyx/organization-user.js";

/** Why a user the manifest does not list is still never removed. */
export type ProtectionReason = "owner" | "pattern";

/** What the manifest says of one live user. */
export type Verdict =
  | { kind: "keep" }
  | { kind: "protected"; reason: ProtectionReason; pattern?: string }
  | { kind: "remove" };

/** The manifest reduced to what decides a user's fate; built once, asked once per live user. */
export interface Rules {
  desiredEmails: ReadonlySet<string>;
  patterns: readonly ProtectPattern[];
}

/** The rules of a manifest, or of the desired emails and protect patterns a saved plan carries. */
export function rulesOf(manifest: { users: readonly Pick<DesiredUser, "email">[]; protect: readonly string[] }): Rules {
  return {
    desiredEmails: new Set(manifest.users.map((user) => normalizeEmail(user.email))),
    patterns: manifest.protect.map(compileProtectPattern),
  };
}

/**
 * The one place that decides whether a live user may be removed. The planner uses it to build the plan,
 * and the executor asks it again before every request, so no path can remove a listed, owner or protected
 * user.
 */
export function judge(user: Pick<OrganizationUser, "email" | "record_type">, rules: Rules): Verdict {
  const email = normalizeEmail(user.email);
  if (rules.desiredEmails.has(email)) return { kind: "keep" };
  if (user.record_type === OWNER_RECORD_TYPE) return { kind: "protected", reason: "owner" };
  const pattern = rules.patterns.find((p) => p.matches(email));
  if (pattern) return { kind: "protected", reason: "pattern", pattern: pattern.pattern };
  return { kind: "remove" };
}

/** How many of these live users the rules would still remove: zero once apply has converged. */
export function countRemovable(liveUsers: readonly Pick<OrganizationUser, "email" | "record_type">[], rules: Rules): number {
  return liveUsers.filter((user) => judge(user, rules).kind === "remove").length;
}
