import { normalizeEmail } from "../manifest/email.js";
import type { Manifest } from "../manifest/manifest.js";
import type { OrganizationUser } from "../telnyx/organization-user.js";
import { judge, rulesOf, type ProtectionReason } from "./rules.js";

/** A live user the plan removes. */
export interface Removal {
  action: "remove";
  id: string;
  email: string;
  user_status: string;
  last_sign_in_at: string | null;
  record_type: string;
  created_at: string | null;
}

/** A live user the manifest does not list but roster never removes. */
export interface ProtectedUser {
  id: string;
  email: string;
  reason: ProtectionReason;
  pattern?: string;
}

/** A manifest user who is not in the organization: roster cannot invite, so the plan only reports it. */
export interface MissingUser {
  email: string;
  line: number;
}

export interface PlanSummary {
  remove: number;
  keep: number;
  protected: number;
  missing: number;
}

/** What apply would do: a value, built without I/O from the manifest and the live users. */
export interface Plan {
  summary: PlanSummary;
  /** Sorted by email. */
  changes: Removal[];
  protected: ProtectedUser[];
  missing: MissingUser[];
  /** How many distinct users the organization has now. */
  liveCount: number;
}

const byEmail = (a: { email: string }, b: { email: string }) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0);

export function planRemovals(manifest: Pick<Manifest, "users" | "protect">, liveUsers: readonly OrganizationUser[]): Plan {
  const rules = rulesOf(manifest);
  const changes: Removal[] = [];
  const protectedUsers: ProtectedUser[] = [];
  const present = new Set<string>();
  let keep = 0;
  for (const user of liveUsers) {
    const email = normalizeEmail(user.email);
    present.add(email);
    const verdict = judge(user, rules);
    if (verdict.kind === "keep") {
      keep += 1;
    } else if (verdict.kind === "protected") {
      const entry: ProtectedUser = { id: user.id, email, reason: verdict.reason };
      if (verdict.pattern !== undefined) entry.pattern = verdict.pattern;
      protectedUsers.push(entry);
    } else {
      changes.push({
        action: "remove",
        id: user.id,
        email,
        user_status: user.user_status,
        last_sign_in_at: user.last_sign_in_at ?? null,
        record_type: user.record_type,
        created_at: user.created_at ?? null,
      });
    }
  }
  const missing = manifest.users
    .filter((user) => !present.has(user.email))
    .map((user) => ({ email: user.email, line: user.position.line }));
  changes.sort(byEmail);
  protectedUsers.sort(byEmail);
  missing.sort(byEmail);
  return {
    summary: { remove: changes.length, keep, protected: protectedUsers.length, missing: missing.length },
    changes,
    protected: protectedUsers,
    missing,
    liveCount: liveUsers.length,
  };
}
