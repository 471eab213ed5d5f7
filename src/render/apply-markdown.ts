import type { ApplyResult, RemovalResult } from "../apply/apply-plan.js";
import { accountLabel, type AccountRef } from "../core/managed-account.js";
import { OUTCOME_LABEL, outcomeCounts, resultProblem } from "./apply-lines.js";
import { plural, thousands } from "../core/plural.js";
import { escapeMarkdown, fencedBlock } from "./markdown.js";
import { clip, sanitize } from "../core/safe-text.js";
import { accountsMarkdown, runMarkdown, shares } from "./run-markdown.js";
import { accountsSummary, oneOrganization, type RunView } from "./run-plan.js";

/** GitHub shows at most this many bytes of one step's job summary. */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;

/** Room kept for the "left out" note, so it never pushes the text over the limit. */
export const NOTE_ROOM = 300;

/** The size of a text as the job summary counts it. */
export const bytesOf = (text: string): number => Buffer.byteLength(text, "utf8");

/**
 * An apply as Markdown (the job summary): the run's plan, then what happened (`run`, once removals were sent)
 * and `closing`: for one organization applyMarkdown, across accounts accountsApplyMarkdown.
 */
export function runApplyMarkdown(
  view: RunView,
  run: AccountsApplyView | undefined,
  closing: string | readonly string[],
): string {
  const one = oneOrganization(view);
  if (one) return applyMarkdown(runMarkdown(view), run?.result, closing, one.plan.summary.remove);
  return accountsApplyMarkdown(accountsMarkdown(view), run, closing, accountsSummary(view).remove);
}

/**
 * What apply did, as Markdown after the plan's: the counts, one line per finished removal (in the order they
 * finished), then `closing` (the verification, or why nothing was applied: closingMarkdown). The whole text, plan
 * included,
 * is never longer than `limitBytes` bytes: removals that do not fit are counted in a note instead.
 */
export function applyMarkdown(
  planMarkdown: string,
  result: ApplyResult | undefined,
  closing: string | readonly string[],
  total: number,
  limitBytes = STEP_SUMMARY_LIMIT,
): string {
  const tail = ["", ...closingMarkdown(closing)];
  if (!result) return withinBytes(`${planMarkdown + tail.join("\n")}\n`, limitBytes);
  const head = ["", `### roster apply ${applyOutcome(result, total)}`];
  const rows = resultRows(result.results);
  const shown = rowsWithin(
    rows,
    limitBytes - bytesOf(planMarkdown) - bytesOf([...head, ...tail].join("\n")) - NOTE_ROOM,
  );
  const block = rows.length > 0 ? ["", ...fencedBlock("text", rows.slice(0, shown))] : [];
  const left = rows.length - shown;
  const note = left > 0 ? ["", `… and ${thousands(left)} more results left out: ${summaryLimitText(limitBytes)}`] : [];
  return withinBytes(`${planMarkdown + [...head, ...block, ...note, ...tail].join("\n")}\n`, limitBytes);
}

/** How an apply ended, for its heading: "complete: 3 removed, 0 already absent, 0 failed, of 3 planned removals". */
export function applyOutcome(result: ApplyResult, planned: number): string {
  const { not_started } = result.summary;
  const verb = result.stoppedBy === "interrupt" ? "interrupted" : result.stoppedBy === "auth" ? "stopped" : "complete";
  return (
    `${verb}: ${outcomeCounts(result.summary)}${not_started > 0 ? `, ${not_started} not started` : ""}, of ` +
    `${plural(planned, "planned removal")}`
  );
}

/** Each finished removal as a row of a fenced block (shown literally): outcome, email, and what went wrong. */
export function resultRows(results: readonly RemovalResult[]): string[] {
  return results.map((r) => {
    const row = `${OUTCOME_LABEL[r.outcome].padEnd(15)} ${sanitize(r.removal.email)}`;
    const problem = resultProblem(r);
    return problem !== undefined ? `${row}: ${problem}` : row;
  });
}

/** How many of `rows` fit, one a line, in `room` bytes. */
export function rowsWithin(rows: readonly string[], room: number): number {
  let shown = 0;
  for (const row of rows) {
    room -= bytesOf(row) + 1;
    if (room < 0) break;
    shown += 1;
  }
  return shown;
}

/** The end of every note of results left out: the limit, and where the rest is. */
export function summaryLimitText(limitBytes: number): string {
  return (
    `a job summary holds at most ${thousands(limitBytes)} bytes. roster apply --format json, or ` +
    `--audit-log, lists them all.`
  );
}

/**
 * The closing of an apply (the verification, errors) as Markdown, every line escaped: one text is one
 * paragraph (a line break in it is shown escaped, as in every value); each of several lines is a paragraph of
 * its own, and lines indented by two spaces (an account's line under the total) are a list.
 */
export function closingMarkdown(closing: string | readonly string[]): string[] {
  const lines = typeof closing === "string" ? [closing] : closing.filter((l) => l.trim() !== "");
  if (lines.length <= 1) return [escapeMarkdown((lines[0] ?? "").trim())];
  const out: string[] = [];
  let inList = false;
  for (const text of lines) {
    const item = text.startsWith("  ");
    if (out.length > 0 && !(item && inList)) out.push("");
    out.push(item ? `- ${escapeMarkdown(text.trim())}` : escapeMarkdown(text.trim()));
    inList = item;
  }
  return out;
}

/** The last resort when even the plan does not fit: cut at a character boundary, never in the middle of one. */
export function withinBytes(text: string, limitBytes: number): string {
  const buffer = Buffer.from(text, "utf8");
  if (buffer.length <= limitBytes) return text;
  return new TextDecoder().decode(buffer.subarray(0, limitBytes)).replace(/\uFFFD$/, "");
}

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
export function accountsApplyMarkdown(
  planMarkdown: string,
  run: AccountsApplyView | undefined,
  closing: string | readonly string[],
  total: number,
  limitBytes = STEP_SUMMARY_LIMIT,
): string {
  const tail = ["", ...closingMarkdown(closing)];
  if (!run) return withinBytes(`${planMarkdown + tail.join("\n")}\n`, limitBytes);
  const stopped = run.accounts.filter((a) => a.result.stoppedBy === "auth").length;
  const { not_started } = run.result.summary;
  const verb = run.result.stoppedBy === "interrupt" ? "interrupted" : "complete";
  const counts =
    `${outcomeCounts(run.result.summary)}${not_started > 0 ? `, ${not_started} not started` : ""}, of ` +
    `${plural(total, "planned removal")}`;
  const head = [
    "",
    `## roster apply ${verb} across ${plural(run.accounts.length, "account")}: ` +
      `${counts}${stopped > 0 ? `; ${plural(stopped, "account")} stopped by a refused key` : ""}`,
  ];

  const sections = run.accounts.map(({ account, result, planned }) => {
    const rows = resultRows(result.results);
    const fatal = result.fatal ? ["", `**Stopped:** ${escapeMarkdown(clip(result.fatal.message, 1000))}`] : [];
    const top = [
      "",
      `#### ${escapeMarkdown(accountLabel(account))}`,
      "",
      `##### roster apply ${applyOutcome(result, planned)}`,
      ...fatal,
    ];
    // A fence around every row is at least as long as around some of them: its size holds for the rows shown.
    const fences =
      rows.length > 0 ? fencedBlock("text", rows).filter((_, i, all) => i === 0 || i === all.length - 1) : [];
    const fenceBytes = fences.reduce((n, fence) => n + bytesOf(fence) + 1, rows.length > 0 ? 1 : 0);
    return { top, rows, fixed: bytesOf(top.join("\n")) + fenceBytes + ACCOUNT_NOTE_ROOM };
  });
  const fixed =
    bytesOf(planMarkdown) +
    bytesOf([...head, ...tail].join("\n")) +
    NOTE_ROOM +
    sections.reduce((n, s) => n + s.fixed, 0);
  const wanted = sections.map((s) => s.rows.reduce((n, row) => n + bytesOf(row) + 1, 0));
  const given = shares(wanted, Math.max(0, limitBytes - fixed));

  let leftOut = false;
  const body = sections.flatMap((section, i) => {
    const shown = rowsWithin(section.rows, given[i]!);
    const left = section.rows.length - shown;
    if (left > 0) leftOut = true;
    const block = shown > 0 ? ["", ...fencedBlock("text", section.rows.slice(0, shown))] : [];
    const note =
      left > 0
        ? ["", `… and ${thousands(left)} more ${left === 1 ? "result" : "results"} of this account left out.`]
        : [];
    return [...section.top, ...block, ...note];
  });
  const note = leftOut ? ["", `Some accounts' results are left out: ${summaryLimitText(limitBytes)}`] : [];
  return withinBytes(`${planMarkdown + [...head, ...body, ...note, ...tail].join("\n")}\n`, limitBytes);
}
