import type { ApplyResult, ApplySummary, RemovalResult } from "../apply/apply-plan.js";
import { line, toned, type Line, type Segment } from "./lines.js";
import { plural } from "../core/plural.js";
import { sanitize } from "../core/safe-text.js";

/** How each outcome of a removal is worded, in every format. */
export const OUTCOME_LABEL = {
  removed: "removed",
  already_absent: "already absent",
  failed: "failed",
  unknown: "unknown",
} as const;
const TONE = { removed: "remove", already_absent: "muted", failed: "error", unknown: "warn" } as const;

/** What went wrong with a removal that failed or whose outcome is unknown, as every format shows it after the email. */
export function resultProblem(result: RemovalResult): string | undefined {
  if (result.outcome !== "failed" && result.outcome !== "unknown") return undefined;
  return `${sanitize(result.error ?? "unknown error")} (${attemptsText(result.attempts)})`;
}

/** How many times a removal was sent: "after 1 attempt", "after 3 attempts", "never sent". */
export function attemptsText(attempts: number): string {
  return attempts === 0 ? "never sent" : `after ${plural(attempts, "attempt")}`;
}

/** One finished removal, as a row of the progress log. */
export function resultLine(result: RemovalResult): Line {
  const label = toned(TONE[result.outcome], `  ${OUTCOME_LABEL[result.outcome].padEnd(15)}`);
  const email = sanitize(result.removal.email);
  const account = result.account ? [toned("muted", `  (${result.account})`)] : [];
  const problem = resultProblem(result);
  if (problem !== undefined) return line(label, email, ...account, toned("error", `: ${problem}`));
  return line(label, email, ...account);
}

/**
 * The outcomes so far, as pieces: "300 removed", "4 already absent", "0 failed", and "2 unknown" once there are any.
 */
export function outcomePieces(
  counts: Pick<ApplySummary, "removed" | "already_absent" | "failed"> & { unknown?: number },
): Segment[] {
  // "unknown" (stopped while waiting to retry a removal that may have gone through) is rare: named only when it
  // happened.
  return [
    { text: `${counts.removed} ${OUTCOME_LABEL.removed}` },
    { text: `${counts.already_absent} ${OUTCOME_LABEL.already_absent}` },
    toned(counts.failed > 0 ? "error" : "plain", `${counts.failed} ${OUTCOME_LABEL.failed}`),
    ...(counts.unknown ? [toned("warn", `${counts.unknown} ${OUTCOME_LABEL.unknown}`)] : []),
  ];
}

/** The outcomes as one phrase: "300 removed, 4 already absent, 0 failed". */
export function outcomeCounts(counts: Pick<ApplySummary, "removed" | "already_absent" | "failed" | "unknown">): string {
  return outcomePieces(counts)
    .map((piece) => piece.text)
    .join(", ");
}

/** The closing summary of an apply. */
export function summaryLines(result: ApplyResult, total: number): Line[] {
  const { summary } = result;
  const counts = outcomeCounts(summary);
  const lines: Line[] = [line("")];
  if (result.stoppedBy === "interrupt") {
    lines.push(
      line(
        toned(
          "warn",
          `Apply interrupted: ${counts}, ${summary.not_started} not started, of ${plural(total, "planned removal")}.`,
        ),
      ),
    );
    lines.push(line(toned("muted", "Run roster apply again to finish: removals already made are found absent.")));
  } else if (result.stoppedBy === "auth") {
    lines.push(
      line(
        toned(
          "error",
          `Apply stopped: ${counts}, ${summary.not_started} not started, of ${plural(total, "planned removal")}.`,
        ),
      ),
    );
  } else {
    const tone = summary.failed > 0 ? "error" : "ok";
    lines.push(line(toned(tone, `Apply complete: ${counts}, of ${plural(total, "planned removal")}.`)));
  }
  return lines;
}

/**
 * What is known when roster exits at once (a second Ctrl-C) before the run is done: the outcomes so far, the
 * removals in flight (they may or may not happen), and those never started.
 */
export function abandonedLines(
  state: Pick<ApplySummary, "removed" | "already_absent" | "failed" | "unknown"> & { inFlight: number },
  total: number,
): Line[] {
  const counts = outcomeCounts(state);
  const done = state.removed + state.already_absent + state.failed + state.unknown;
  const notStarted = Math.max(0, total - done - state.inFlight);
  const inFlight = state.inFlight > 0 ? `, ${state.inFlight} in flight (may or may not have happened)` : "";
  return [
    line(""),
    line(
      toned(
        "warn",
        `Exited at once: ${counts}${inFlight}, ${notStarted} not started, of ${plural(total, "planned removal")}.`,
      ),
    ),
    line(toned("muted", "Run roster plan to see who is left; roster apply again finishes the rest.")),
  ];
}

/** Every failed removal, for the end of a log that did not list each result as it finished. */
export function failureLines(results: readonly RemovalResult[]): Line[] {
  const failed = results.filter((r) => r.outcome === "failed");
  if (failed.length === 0) return [];
  return [line(toned("error", `Failed (${failed.length}):`)), ...failed.map(resultLine)];
}
