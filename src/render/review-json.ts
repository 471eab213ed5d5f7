import type { AccountRef } from "../core/managed-account.js";
import { plural } from "../core/plural.js";
import type { RunShape } from "../plan/saved-plan.js";
import type { KeptBy, Review, ReviewRow, ReviewSummary } from "../plan/review.js";
import { accountData, type SkippedAccountView } from "./run-plan.js";

// `roster review`: a run's organizations, each with its access review, as every review format takes them; and
// the review as JSON. One organization is one document; across accounts, one entry an account, as plan's JSON.

/** One organization's review in a run. */
export interface AccountReview {
  account: AccountRef;
  /** The manifest and API host it was reviewed from. */
  manifest: string;
  host: string;
  review: Review;
}

/** A run's review: its organizations in the order of the manifests, and what the whole run could not tell. */
export interface ReviewView {
  shape: RunShape;
  accounts: AccountReview[];
  skipped: SkippedAccountView[];
  /** How many organizations the manifests named, the skipped ones included. */
  manifests: number;
  /** When the organizations were read, ISO 8601. */
  generatedAt: string;
  /** Every account's notes, each once. */
  notes: string[];
}

/** The one organization a review is about, shown without account headings; undefined across accounts. */
export function oneReview(view: ReviewView): AccountReview | undefined {
  return view.shape === "organization" ? view.accounts[0] : undefined;
}

/** The counts of every account's review together. */
export function reviewTotals(view: Pick<ReviewView, "accounts">): ReviewSummary {
  const total: ReviewSummary = {
    users: 0,
    keep: 0,
    remove: 0,
    protected: 0,
    approved: 0,
    idle: 0,
    never_signed_in: 0,
    expiring: 0,
    expired: 0,
    privileged: 0,
  };
  for (const { review } of view.accounts)
    for (const key of Object.keys(total) as (keyof ReviewSummary)[]) total[key] += review.summary[key];
  return total;
}

/** The counts in words: "27 users: 21 kept by the manifest, 3 to remove, 3 protected; 20 approved in Git; ...". */
export function reviewCountsText(summary: ReviewSummary): string {
  const flags = (["idle", "never_signed_in", "expiring", "expired", "privileged"] as const)
    .filter((flag) => summary[flag] > 0)
    .map((flag) => `${summary[flag]} ${flag.replace(/_/g, " ")}`);
  return (
    `${plural(summary.users, "user")}: ${summary.keep} kept by the manifest, ${summary.remove} to remove, ` +
    `${summary.protected} protected; ${summary.approved} approved in Git` +
    (flags.length > 0 ? `; ${flags.join(", ")}` : "")
  );
}

/** Why a user may stay, in a few words: "manifest line 12", "protect *@x.example (line 30)", "owner". */
export function keptByText(keptBy: KeptBy | null): string {
  if (keptBy === null) return "";
  const at = (line: number | undefined) => (line === undefined ? "" : ` (line ${line})`);
  switch (keptBy.reason) {
    case "manifest":
      return `manifest line ${keptBy.line}`;
    case "protect":
      return `protect ${keptBy.pattern}${at(keptBy.line)}`;
    case "group":
      return `protected group ${keptBy.group}${at(keptBy.line)}`;
    case "unknown_record_type":
      return `unknown record type ${keptBy.record_type}`;
    case "owner":
    case "groups_unknown":
      return keptBy.reason.replace(/_/g, " ");
  }
}

/** One user as the JSON review gives it: keys are only ever added. */
const userJson = (row: ReviewRow) => ({
  email: row.email,
  id: row.id,
  user_status: row.user_status,
  groups: row.groups,
  last_sign_in_at: row.last_sign_in_at,
  decision: row.decision,
  kept_by: row.kept_by,
  approved: row.approved,
  expires: row.expires,
  idle_days: row.idle_days,
  flags: row.flags,
});

/** One organization's part of the JSON review. */
const organizationJson = (a: AccountReview) => ({
  manifest: a.manifest,
  host: a.host,
  users: a.review.rows.map(userJson),
  summary: a.review.summary,
  notes: a.review.notes,
});

/**
 * `review --format json` (format_version 1): one organization's document; for one manifest naming an account,
 * with its account; across accounts, each account's entry and the total, as plan's JSON.
 */
export function reviewJson(view: ReviewView) {
  const head = { format_version: 1, generated_at: view.generatedAt };
  const one = oneReview(view);
  if (one) return { ...head, ...organizationJson(one) };
  if (view.manifests === 1 && view.accounts.length === 1) {
    const [only] = view.accounts;
    return { ...head, ...organizationJson(only!), account: accountData(only!.account) };
  }
  return {
    ...head,
    accounts: view.accounts.map((a) => ({ account: accountData(a.account), ...organizationJson(a) })),
    skipped: view.skipped.map((s) => ({ account: accountData(s.account), manifest: s.manifest, reason: s.reason })),
    summary: { ...reviewTotals(view), accounts: view.accounts.length, skipped: view.skipped.length },
    notes: view.notes,
  };
}
