import { normalizeEmail } from "../manifest/email.js";
import type { Manifest } from "../manifest/manifest.js";
import type { OrganizationUser } from "../telnyx/organization-user.js";
import { judge, rulesOf, type ProtectionReason } from "./rules.js";

/** A live user as every part of a plan shows it: the email as compared, status and last sign-in. */
export interface LiveEntry {
  id: string;
  /** Trimmed and lower-cased. */
  email: string;
  user_status: string;
  last_sign_in_at: string | null;
}

/** A live user the plan removes, with what the executor and the audit log need. */
export interface Removal extends LiveEntry {
  action: "remove";
  record_type: string;
  created_at: string | null;
}

/** A live user the manifest does not list but roster never removes. */
export interface ProtectedUser extends LiveEntry {
  reason: ProtectionReason;
  pattern?: string;
}

/** A manifest user who is not in the organization: roster cannot invite, so the plan only reports it. */
export interface MissingUser {
  email: string;
  line: number;
  col: number;
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
  /** Live users the manifest lists, sorted by email: with the others, the whole live roster. */
  kept: LiveEntry[];
  missing: MissingUser[];
  /** How many distinct users the organization has now. */
  liveCount: number;
}

const byEmail = (a: { email: string }, b: { email: string }) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0);

/** What apply would do with these live users under this manifest: pure, built without I/O. */
export function planRemovals(manifest: Pick<Manifest, "users" | "protect">, liveUsers: readonly OrganizationUser[]): Plan {
  const rules = rulesOf(manifest);
  const changes: Removal[] = [];
  const protectedUsers: ProtectedUser[] = [];
  const kept: LiveEntry[] = [];
  const present = new Set<string>();
  for (const user of liveUsers) {
    const entry: LiveEntry = { id: user.id, email: normalizeEmail(user.email), user_status: user.user_status, last_sign_in_at: user.last_sign_in_at ?? null };
    present.add(entry.email);
    const verdict = judge(user, rules);
    if (verdict.kind === "keep") {
      kept.push(entry);
    } else if (verdict.kind === "protected") {
      protectedUsers.push({ ...entry, reason: verdict.reason, ...(verdict.pattern !== undefined ? { pattern: verdict.pattern } : {}) });
    } else {
      changes.push({ action: "remove", ...entry, record_type: user.record_type, created_at: user.created_at ?? null });
    }
  }
  const missing = manifest.users
    .filter((user) => !present.has(user.email))
    .map((user) => ({ email: user.email, line: user.position.line, col: user.position.col }));
  changes.sort(byEmail);
  protectedUsers.sort(byEmail);
  kept.sort(byEmail);
  missing.sort(byEmail);
  return {
    summary: { remove: changes.length, keep: kept.length, protected: protectedUsers.length, missing: missing.length },
    changes,
    protected: protectedUsers,
    kept,
    missing,
    liveCount: liveUsers.length,
  };
}
