import { accountLabel } from "../core/managed-account.js";
import { plural } from "../core/plural.js";
import type { ReviewRow } from "../plan/review.js";
import { bytesOf, NOTE_ROOM, STEP_SUMMARY_LIMIT } from "./apply-markdown.js";
import { codeSpan, escapeMarkdown } from "./markdown.js";
import {
  keptByText,
  oneReview,
  reviewCountsText,
  reviewTotals,
  type AccountReview,
  type ReviewView,
} from "./review-json.js";

// `review --format markdown` (the default, and the GitHub job summary): a document a reviewer attaches to an
// audit ticket. The counts first, then what roster could not tell, then one table row a user. Every value
// comes from the API, the manifest or Git: each is escaped (escapeMarkdown escapes the table's pipes too).

const HEADER = [
  "Email",
  "Status",
  "Groups",
  "Last sign-in",
  "Decision",
  "Kept by",
  "Approved by",
  "Date",
  "Commit",
  "Pull request",
  "Subject",
  "Expires",
  "Idle days",
  "Flags",
];

function cells(row: ReviewRow): string[] {
  const approved = row.approved;
  const escaped = [
    row.email,
    row.user_status,
    row.groups === null ? "(unknown)" : row.groups.join(", "),
    row.last_sign_in_at ?? "never",
    row.decision,
    keptByText(row.kept_by),
    approved ? `${approved.author} <${approved.author_email}>` : "",
    approved?.date.slice(0, 10) ?? "",
    approved?.commit.slice(0, 12) ?? "",
    approved?.subject ?? "",
    row.expires ?? "",
    row.idle_days === null ? "" : String(row.idle_days),
    row.flags.join(", "),
  ].map(escapeMarkdown);
  // A number of roster's own making, not text from outside: "#42", as GitHub names pull requests.
  const pullRequest = approved?.pull_request == null ? "" : `#${approved.pull_request}`;
  return [...escaped.slice(0, 9), pullRequest, ...escaped.slice(9)];
}

const tableRow = (values: readonly string[]) => `| ${values.join(" | ")} |`;

/** One organization's table, under its heading (or its counts as the heading) and notes. */
function organizationPart(a: AccountReview, heading?: string): string[] {
  const notes = a.review.notes.map((note) => `> **Note:** ${escapeMarkdown(note)}`);
  const counts = escapeMarkdown(reviewCountsText(a.review.summary));
  return [
    ...(heading === undefined ? [`### roster review: ${counts}`] : [heading, "", `**${counts}**`]),
    "",
    `Manifest ${codeSpan(a.manifest)}; organization read at ${codeSpan(a.host)}.`,
    ...(notes.length > 0 ? ["", ...notes] : []),
    "",
    tableRow(HEADER),
    tableRow(HEADER.map(() => "---")),
    ...a.review.rows.map((row) => tableRow(cells(row))),
  ];
}

/**
 * The review within the job summary's limit: whole when it fits; else every heading, count and note kept, and
 * the table rows from the last on left out, with a note saying how many and how to get them all.
 */
export function reviewSummaryMarkdown(view: ReviewView, limit = STEP_SUMMARY_LIMIT): string {
  const whole = reviewMarkdown(view);
  if (bytesOf(whole) <= limit) return whole;
  const lines = whole.split("\n");
  const isRow = (line: string) => line.startsWith("| ") && !line.startsWith("| Email |") && !line.startsWith("| --- |");
  let size = bytesOf(whole) + NOTE_ROOM;
  const dropped = new Set<number>();
  for (let i = lines.length - 1; i >= 0 && size > limit; i -= 1) {
    if (!isRow(lines[i]!)) continue;
    size -= bytesOf(lines[i]!) + 1;
    dropped.add(i);
  }
  const kept = lines.filter((_, i) => !dropped.has(i)).join("\n");
  return (
    `${kept}\n**${plural(dropped.size, "user")} left out** to keep within the job summary's limit: run roster ` +
    `review -o review.md for every row.\n`
  );
}

/** The access review as Markdown: one organization's, or every account's under its heading, the total first. */
export function reviewMarkdown(view: ReviewView): string {
  const generated = `Generated ${escapeMarkdown(view.generatedAt)} by roster review; nothing was changed.`;
  const one = oneReview(view);
  if (one) return `${[...organizationPart(one), "", generated].join("\n")}\n`;
  const head = [
    `## roster review across ${plural(view.accounts.length, "account")}: ` +
      `${escapeMarkdown(reviewCountsText(reviewTotals(view)))}`,
    "",
    generated,
  ];
  const skipped =
    view.skipped.length > 0
      ? [
          "",
          `**Skipped (${view.skipped.length})**: not read, not reviewed.`,
          "",
          ...view.skipped.map((s) => `- ${escapeMarkdown(accountLabel(s.account))}: ${escapeMarkdown(s.reason)}`),
        ]
      : [];
  const parts = view.accounts.flatMap((a) => [
    "",
    ...organizationPart(a, `#### ${escapeMarkdown(accountLabel(a.account))}`),
  ]);
  return `${[...head, ...skipped, ...parts].join("\n")}\n`;
}
