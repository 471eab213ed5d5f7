import type { ApplyResult, ApplySummary, RemovalResult } from "../apply/apply-plan.js";
import { line, toned, type Line } from "./lines.js";
import { plural } from "../core/plural.js";
import { sanitize } from "../core/safe-text.js";

/** How each outcome of a removal is worded, in every format. */
export const OUTCOME_LABEL = { removed: "removed", already_absent: "already absent", failed: "failed", unknown: "unknown" } as const;
const TONE = { removed: "remove", already_absent: "muted", failed: "error", unknown: "warn" } as const;

/** One finished removal, as a row of the progress log. */
export function resultLine(result: RemovalResult): Line {
  const label = toned(TONE[result.outcome], `  ${OUTCOME_LABEL[result.outcome].padEnd(15)}`);
  const email = sanitize(result.removal.email);
  if (result.outcome === "failed" || result.outcome === "unknown") return line(label, email, toned("error", `: ${sanitize(result.error ?? "unknown error")}`));
  return line(label, email);
}

/** The live counter under the progress log. */
export function progressLine(summary: ApplySummary, total: number): Line {
  const done = summary.removed + summary.already_absent + summary.failed + summary.unknown;
  return line(
    toned("heading", `Removing: ${done} of ${total} done`),
    ` (${summary.removed} removed, ${summary.already_absent} already absent, `,
    toned(summary.failed > 0 ? "error" : "plain", `${summary.failed} failed`),
    ")",
  );
}

/** The closing summary of an apply. */
export function summaryLines(result: ApplyResult, total: number): Line[] {
  const { summary } = result;
  // "unknown" (stopped while waiting to retry a removal that may have gone through) is rare: named only when it happened.
  const counts = `${summary.removed} removed, ${summary.already_absent} already absent, ${summary.failed} failed${summary.unknown > 0 ? `, ${summary.unknown} unknown` : ""}`;
  const lines: Line[] = [line("")];
  if (result.stoppedBy === "interrupt") {
    lines.push(line(toned("warn", `Apply interrupted: ${counts}, ${summary.not_started} not started, of ${plural(total, "planned removal")}.`)));
    lines.push(line(toned("muted", "Run roster apply again to finish: removals already made are found absent.")));
  } else if (result.stoppedBy === "auth") {
    lines.push(line(toned("error", `Apply stopped: ${counts}, ${summary.not_started} not started, of ${plural(total, "planned removal")}.`)));
  } else {
    const tone = summary.failed > 0 ? "error" : "ok";
    lines.push(line(toned(tone, `Apply complete: ${counts}, of ${plural(total, "planned removal")}.`)));
  }
  return lines;
}

/** Every failed removal, for the end of a log that did not list each result as it finished. */
export function failureLines(results: readonly RemovalResult[]): Line[] {
  const failed = results.filter((r) => r.outcome === "failed");
  if (failed.length === 0) return [];
  return [line(toned("error", `Failed (${failed.length}):`)), ...failed.map(resultLine)];
}
