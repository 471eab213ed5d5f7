import type { ApplyResult } from "../apply/apply-plan.js";
import { OUTCOME_LABEL, outcomeCounts, resultProblem } from "./apply-lines.js";
import { plural } from "../core/plural.js";
import { escapeMarkdown, fencedBlock } from "./markdown.js";
import { sanitize } from "../core/safe-text.js";

/** GitHub shows at most this many bytes of one step's job summary. */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;

/** Room kept for the "left out" note, so it never pushes the text over the limit. */
const NOTE_ROOM = 300;

/**
 * What apply did, as Markdown after the plan's: the counts, one line per finished removal (in the order they
 * finished), then `closing` (the verification, or why nothing was applied). The whole text, plan included,
 * is never longer than `limitBytes` bytes: removals that do not fit are counted in a note instead.
 */
export function applyMarkdown(planMarkdown: string, result: ApplyResult | undefined, closing: string, total: number, limitBytes = STEP_SUMMARY_LIMIT): string {
  const tail = ["", escapeMarkdown(closing.trim())];
  if (!result) return cut(planMarkdown + tail.join("\n") + "\n", limitBytes);
  const { not_started } = result.summary;
  const verb = result.stoppedBy === "interrupt" ? "interrupted" : result.stoppedBy === "auth" ? "stopped" : "complete";
  const head = [
    "",
    `### roster apply ${verb}: ${outcomeCounts(result.summary)}${not_started > 0 ? `, ${not_started} not started` : ""}, of ${plural(total, "planned removal")}`,
  ];
  const rows = result.results.map((r) => {
    const row = `${OUTCOME_LABEL[r.outcome].padEnd(15)} ${sanitize(r.removal.email)}`;
    const problem = resultProblem(r);
    return problem !== undefined ? `${row}: ${problem}` : row;
  });
  const bytes = (text: string) => Buffer.byteLength(text, "utf8");
  let room = limitBytes - bytes(planMarkdown) - bytes([...head, ...tail].join("\n")) - NOTE_ROOM;
  let shown = 0;
  for (const row of rows) {
    room -= bytes(row) + 1;
    if (room < 0) break;
    shown += 1;
  }
  const block = rows.length > 0 ? ["", ...fencedBlock("text", rows.slice(0, shown))] : [];
  const left = rows.length - shown;
  const note = left > 0 ? ["", `… and ${left.toLocaleString("en-US")} more results left out: a job summary holds at most ${limitBytes.toLocaleString("en-US")} bytes. roster apply --format json, or --audit-log, lists them all.`] : [];
  return cut(planMarkdown + [...head, ...block, ...note, ...tail].join("\n") + "\n", limitBytes);
}

/** The last resort when even the plan does not fit: cut at a character boundary, never in the middle of one. */
function cut(text: string, limitBytes: number): string {
  const buffer = Buffer.from(text, "utf8");
  if (buffer.length <= limitBytes) return text;
  return new TextDecoder().decode(buffer.subarray(0, limitBytes)).replace(/\uFFFD$/, "");
}
