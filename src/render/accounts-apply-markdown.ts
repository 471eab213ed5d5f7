import type { AccountRef } from "../apply/apply-accounts.js";
import type { ApplyResult } from "../apply/apply-plan.js";
import { plural } from "../core/plural.js";
import { clip } from "../core/safe-text.js";
import { accountLabel, shares } from "./accounts-plan.js";
import { outcomeCounts } from "./apply-lines.js";
import { applyOutcome, bytesOf, closingMarkdown, NOTE_ROOM, resultRows, rowsWithin, STEP_SUMMARY_LIMIT, summaryLimitText, withinBytes } from "./apply-markdown.js";
import { escapeMarkdown, fencedBlock } from "./markdown.js";

/** One account's part of an apply across accounts: its results, and how many removals its plan had. */
export interface AccountApplyPart {
  account: AccountRef;
  result: ApplyResult;
  planned: number;
}

/** An apply across accounts: each account's part (those with removals), and every account's together. */
export interface AccountsApplyView {
  accounts: readonly AccountApplyPart[];
  result: ApplyResult;
}

/** Room kept in each account's section for its own "left out" line. */
const ACCOUNT_NOTE_ROOM = 80;

/**
 * What apply across accounts did, as Markdown after the plan's (as applyMarkdown does for one organization):
 * the total, then each account's counts, why it stopped (its key refused) and one line per finished removal,
 * then `closing` (the verification, or why nothing was applied). Every value from the API is escaped or in a
 * fenced block. Never longer than `limitBytes` bytes: every account keeps its heading and counts, and the room
 * left is shared among the accounts' results as the plan across accounts shares a comment's (the longest cut
 * first); the results left out are counted.
 */
export function accountsApplyMarkdown(planMarkdown: string, run: AccountsApplyView | undefined, closing: string | readonly string[], total: number, limitBytes = STEP_SUMMARY_LIMIT): string {
  const tail = ["", ...closingMarkdown(closing)];
  if (!run) return withinBytes(planMarkdown + tail.join("\n") + "\n", limitBytes);
  const stopped = run.accounts.filter((a) => a.result.stoppedBy === "auth").length;
  const { not_started } = run.result.summary;
  const verb = run.result.stoppedBy === "interrupt" ? "interrupted" : "complete";
  const counts = `${outcomeCounts(run.result.summary)}${not_started > 0 ? `, ${not_started} not started` : ""}, of ${plural(total, "planned removal")}`;
  const head = ["", `## roster apply ${verb} across ${plural(run.accounts.length, "account")}: ${counts}${stopped > 0 ? `; ${plural(stopped, "account")} stopped by a refused key` : ""}`];

  const sections = run.accounts.map(({ account, result, planned }) => {
    const rows = resultRows(result.results);
    const fatal = result.fatal ? ["", `**Stopped:** ${escapeMarkdown(clip(result.fatal.message, 1000))}`] : [];
    const top = ["", `#### ${escapeMarkdown(accountLabel(account))}`, "", `##### roster apply ${applyOutcome(result, planned)}`, ...fatal];
    // A fence around every row is at least as long as around some of them: its size holds for the rows shown.
    const fences = rows.length > 0 ? fencedBlock("text", rows).filter((_, i, all) => i === 0 || i === all.length - 1) : [];
    const fenceBytes = fences.reduce((n, fence) => n + bytesOf(fence) + 1, rows.length > 0 ? 1 : 0);
    return { top, rows, fixed: bytesOf(top.join("\n")) + fenceBytes + ACCOUNT_NOTE_ROOM };
  });
  const fixed = bytesOf(planMarkdown) + bytesOf([...head, ...tail].join("\n")) + NOTE_ROOM + sections.reduce((n, s) => n + s.fixed, 0);
  const wanted = sections.map((s) => s.rows.reduce((n, row) => n + bytesOf(row) + 1, 0));
  const given = shares(wanted, Math.max(0, limitBytes - fixed));

  let leftOut = false;
  const body = sections.flatMap((section, i) => {
    const shown = rowsWithin(section.rows, given[i]!);
    const left = section.rows.length - shown;
    if (left > 0) leftOut = true;
    const block = shown > 0 ? ["", ...fencedBlock("text", section.rows.slice(0, shown))] : [];
    const note = left > 0 ? ["", `… and ${left.toLocaleString("en-US")} more ${left === 1 ? "result" : "results"} of this account left out.`] : [];
    return [...section.top, ...block, ...note];
  });
  const note = leftOut ? ["", `Some accounts' results are left out: ${summaryLimitText(limitBytes)}`] : [];
  return withinBytes(planMarkdown + [...head, ...body, ...note, ...tail].join("\n") + "\n", limitBytes);
}
