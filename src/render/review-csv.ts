import { accountLabel } from "../core/managed-account.js";
import { sanitize } from "../core/safe-text.js";
import type { ReviewRow } from "../plan/review.js";
import { keptByText, oneReview, type ReviewView } from "./review-json.js";

// `review --format csv`: a header row and one row a user (RFC 4180), for a spreadsheet or an audit tool.
// Every cell is untrusted text: control characters are escaped visibly, and a cell a spreadsheet would take
// for a formula (=, +, -, @, or a tab or carriage return first) is prefixed with ' so it is shown, not run.

/** The columns, in order; across accounts, `account` comes first. */
export const REVIEW_CSV_COLUMNS = [
  "email",
  "user_status",
  "groups",
  "last_sign_in_at",
  "decision",
  "kept_by",
  "approved_by",
  "author_email",
  "date",
  "commit",
  "subject",
  "pull_request",
  "expires",
  "idle_days",
  "flags",
] as const;

/** One cell as RFC 4180 writes it: quoted when it holds a quote, a comma or a line break; safe in a spreadsheet. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  const visible = sanitize(safe);
  return /[",\r\n]/.test(visible) ? `"${visible.replace(/"/g, '""')}"` : visible;
}

function cellsOf(row: ReviewRow): string[] {
  const approved = row.approved;
  return [
    row.email,
    row.user_status,
    row.groups === null ? "(unknown)" : row.groups.join("; "),
    row.last_sign_in_at ?? "",
    row.decision,
    keptByText(row.kept_by),
    approved?.author ?? "",
    approved?.author_email ?? "",
    approved?.date ?? "",
    approved?.commit ?? "",
    approved?.subject ?? "",
    approved?.pull_request === null || approved === null ? "" : String(approved.pull_request),
    row.expires ?? "",
    row.idle_days === null ? "" : String(row.idle_days),
    row.flags.join("; "),
  ];
}

/** The review as CSV: the header row, then one row a user, each line ended by CRLF. */
export function reviewCsv(view: ReviewView): string {
  const across = oneReview(view) === undefined;
  const header = across ? ["account", ...REVIEW_CSV_COLUMNS] : [...REVIEW_CSV_COLUMNS];
  const rows = view.accounts.flatMap((a) =>
    a.review.rows.map((row) => (across ? [accountLabel(a.account), ...cellsOf(row)] : cellsOf(row))),
  );
  return [header, ...rows].map((cells) => `${cells.map(csvCell).join(",")}\r\n`).join("");
}
