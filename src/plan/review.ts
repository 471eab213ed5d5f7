import { normalizeEmail } from "../core/email.js";
import { groupKey } from "../core/groups.js";
import type { OrganizationUser } from "../core/organization-user.js";
import type { Blame, LineApproval } from "../files/git-blame.js";
import type { DesiredUser, Manifest } from "../manifest/manifest.js";
import { DEFAULT_WARN_BEFORE_EXPIRY_DAYS, expiryOf, idleDays, utcToday } from "./lifecycle.js";
import type { LiveEntry, Plan } from "./plan.js";

// An access review, pure: every live user of an organization, what apply would do with it, which manifest
// line keeps it and who approved that line (from git blame, read by the command), and what a reviewer should
// look at twice (idle, never signed in, expiring, expired, privileged).

/** A listed user's last day of access (`expires:`), if the manifest gives one. */
export function expiresOf(user: DesiredUser): string | undefined {
  return user.expires;
}

/** The manifest's `policy:`, its defaults filled in (a manifest object built in code may lack it). */
export function policyOf(manifest: Manifest): { warnBeforeExpiryDays: number; inactiveAfterDays?: number } {
  const policy = manifest.policy as Manifest["policy"] | undefined;
  return {
    warnBeforeExpiryDays: policy?.warnBeforeExpiryDays ?? DEFAULT_WARN_BEFORE_EXPIRY_DAYS,
    ...(policy?.inactiveAfterDays !== undefined ? { inactiveAfterDays: policy.inactiveAfterDays } : {}),
  };
}

/** What apply would do with a user: keep it (listed), remove it, or leave it as protected. */
export type ReviewDecision = "keep" | "remove" | "protected";

/** Why a user may stay: the manifest line that lists it, the protection that keeps it; null for a removal. */
export type KeptBy =
  | { reason: "manifest"; line: number }
  | { reason: "protect"; pattern: string; line?: number }
  | { reason: "group"; group: string; line?: number }
  | { reason: "owner" }
  | { reason: "unknown_record_type"; record_type: string }
  | { reason: "groups_unknown" };

/** What a reviewer should look at twice, in this order. */
export const REVIEW_FLAGS = ["idle", "never_signed_in", "expiring", "expired", "privileged"] as const;
export type ReviewFlag = (typeof REVIEW_FLAGS)[number];

/** One live user of the review. */
export interface ReviewRow {
  id: string;
  /** As the API spells it. */
  email: string;
  user_status: string;
  groups: string[] | null;
  last_sign_in_at: string | null;
  decision: ReviewDecision;
  kept_by: KeptBy | null;
  /** Who approved the manifest line that keeps the user; null without such a line, or without its commit. */
  approved: LineApproval | null;
  /** The user's last day of access, when the manifest gives one. */
  expires: string | null;
  /** Days since the last sign-in (or since creation, for one who never signed in); null when the API gave neither. */
  idle_days: number | null;
  flags: ReviewFlag[];
}

export interface ReviewSummary {
  users: number;
  keep: number;
  remove: number;
  protected: number;
  /** Users kept by a manifest line whose commit is known. */
  approved: number;
  idle: number;
  never_signed_in: number;
  expiring: number;
  expired: number;
  privileged: number;
}

/** One organization's review: its rows (by email), their counts, and what it could not tell (said once each). */
export interface Review {
  rows: ReviewRow[];
  summary: ReviewSummary;
  notes: string[];
}

export interface ReviewInput {
  plan: Plan;
  manifest: Manifest;
  /** The organization as read, for what the plan does not carry (when each user was created). */
  liveUsers: readonly OrganizationUser[];
  blame: Blame;
  now: Date;
}

/** The review of one organization, from its plan, its manifest and the blame of the manifest. Pure. */
export function reviewOf({ plan, manifest, liveUsers, blame, now }: ReviewInput): Review {
  const today = utcToday(now);
  const policy = policyOf(manifest);
  const listed = new Map(manifest.users.map((user) => [user.email, user]));
  const created = new Map(liveUsers.map((user) => [user.id, user.created_at ?? null]));
  const privileged = new Set((manifest.guards.requireForceForGroups ?? []).map(groupKey));
  const approvalAt = (line: number | undefined) =>
    line === undefined || blame.kind === "none" ? null : (blame.lines.get(line) ?? null);
  const uncommitted = new Set<number>();

  const row = (entry: LiveEntry, decision: ReviewDecision, keptBy: KeptBy | null): ReviewRow => {
    const wanted = listed.get(normalizeEmail(entry.email));
    const expires = wanted ? (expiresOf(wanted) ?? null) : null;
    const idle = idleDays({ last_sign_in_at: entry.last_sign_in_at, created_at: created.get(entry.id) ?? null }, now);
    const line = keptBy && "line" in keptBy ? keptBy.line : undefined;
    const approved = approvalAt(line);
    if (line !== undefined && blame.kind === "blamed" && approved === null) uncommitted.add(line);
    const expiry = expiryOf(expires ?? undefined, today, policy.warnBeforeExpiryDays).state;
    const flags = REVIEW_FLAGS.filter((flag) => {
      switch (flag) {
        case "idle":
          return policy.inactiveAfterDays !== undefined && idle !== null && idle >= policy.inactiveAfterDays;
        case "never_signed_in":
          return entry.last_sign_in_at === null;
        case "expiring":
        case "expired":
          return expiry === flag;
        case "privileged":
          return (entry.groups ?? []).some((group) => privileged.has(groupKey(group)));
      }
    });
    return {
      id: entry.id,
      email: entry.email,
      user_status: entry.user_status,
      groups: entry.groups,
      last_sign_in_at: entry.last_sign_in_at,
      decision,
      kept_by: keptBy,
      approved,
      expires,
      idle_days: idle,
      flags,
    };
  };

  const rows = [
    ...plan.kept.map((entry) => {
      const wanted = listed.get(normalizeEmail(entry.email));
      return row(entry, "keep", wanted ? { reason: "manifest", line: wanted.position.line } : null);
    }),
    ...plan.protected.map((entry) => row(entry, "protected", keptByProtection(entry, manifest))),
    ...plan.removals.map((entry) => row(entry, "remove", null)),
  ].sort((a, b) => compare(normalizeEmail(a.email), normalizeEmail(b.email)) || compare(a.email, b.email));
  return { rows, summary: summaryOf(rows), notes: notesOf(manifest.path, blame, uncommitted) };
}

/** The protection a plan gives a user, with the manifest line that holds its pattern or group when it has one. */
function keptByProtection(
  entry: Plan["protected"][number],
  manifest: Pick<Manifest, "protect" | "protectAt" | "protectGroups">,
): KeptBy {
  switch (entry.reason) {
    case "owner":
      return { reason: "owner" };
    case "groups_unknown":
      return { reason: "groups_unknown" };
    case "unknown_record_type":
      return { reason: "unknown_record_type", record_type: entry.record_type ?? "" };
    case "pattern": {
      const pattern = entry.pattern ?? "";
      const line = manifest.protectAt?.[manifest.protect.indexOf(pattern)]?.line;
      return { reason: "protect", pattern, ...(line !== undefined ? { line } : {}) };
    }
    case "group": {
      const group = entry.group ?? "";
      const line = manifest.protectGroups.find((g) => groupKey(g.name) === groupKey(group))?.position.line;
      return { reason: "group", group, ...(line !== undefined ? { line } : {}) };
    }
  }
}

function summaryOf(rows: readonly ReviewRow[]): ReviewSummary {
  const count = (test: (row: ReviewRow) => boolean) => rows.filter(test).length;
  const flagged = (flag: ReviewFlag) => count((row) => row.flags.includes(flag));
  return {
    users: rows.length,
    keep: count((row) => row.decision === "keep"),
    remove: count((row) => row.decision === "remove"),
    protected: count((row) => row.decision === "protected"),
    approved: count((row) => row.approved !== null),
    idle: flagged("idle"),
    never_signed_in: flagged("never_signed_in"),
    expiring: flagged("expiring"),
    expired: flagged("expired"),
    privileged: flagged("privileged"),
  };
}

/** Why approvals are missing, once: the manifest has no blame, or lines that keep users are not committed. */
function notesOf(path: string, blame: Blame, uncommitted: ReadonlySet<number>): string[] {
  // The reason names the manifest when it is about the manifest: "git was not found" is said once for a run.
  if (blame.kind === "none") return [`${blame.why}: approved is null for every user`];
  if (uncommitted.size === 0) return [];
  const lines = [...uncommitted].sort((a, b) => a - b);
  const shown = lines.slice(0, 10).join(", ") + (lines.length > 10 ? ` and ${lines.length - 10} more` : "");
  const what = lines.length === 1 ? `line ${shown} of ${path} is` : `lines ${shown} of ${path} are`;
  return [`${what} not committed yet: approved is null for the users they keep (commit them to record who approved)`];
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
