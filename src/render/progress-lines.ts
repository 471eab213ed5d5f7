import type { ProgressFigures, WaitReason } from "../apply/progress.js";
import { OUTCOME_LABEL, outcomePieces } from "./apply-lines.js";
import { line, toned, type Line, type Segment } from "./lines.js";
import { plural } from "../core/plural.js";
import { wrapWords } from "./wrap-words.js";

/** A duration as people read it: "0 s", "42 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** Removals a second: one decimal while small, whole numbers above 100. */
export function formatRate(rate: number): string {
  return `${rate >= 100 ? Math.round(rate) : rate.toFixed(1)}/s`;
}

/** The time left, rounded up: "about 28 s left"; nothing to say until a rate is known. */
export function formatEta(etaMs: number | undefined): string {
  if (etaMs === undefined) return "time left unknown";
  return `about ${formatDuration(Math.ceil(etaMs / 1000) * 1000)} left`;
}

const WAITING_FOR: Record<WaitReason, string> = {
  "rate limit": "for the rate limit",
  "429": "after a 429 (rate limited)",
  retry: "to retry",
};

/** "waiting 0.8 s for the rate limit". */
export function formatWaiting(waiting: { reason: WaitReason; ms: number }): string {
  return `waiting ${(waiting.ms / 1000).toFixed(1)} s ${WAITING_FOR[waiting.reason]}`;
}

/** A bar of `width` characters, cargo's style: `[=====>    ]`. */
export function progressBar(fraction: number, width: number): string {
  const inner = Math.max(0, width - 2);
  const filled = Math.floor(Math.min(1, Math.max(0, fraction)) * inner);
  if (filled >= inner) return `[${"=".repeat(inner)}]`;
  return `[${"=".repeat(filled)}>${" ".repeat(inner - filled - 1)}]`;
}

/**
 * Puts pieces on lines no wider than `width`, joined by ", ", breaking only between pieces: so a figure is
 * never cut in two at a narrow terminal. A piece wider than the line stands alone (ink wraps it). Each piece
 * is laid out as if it were `reserved[i]` wide when that is wider: where the lines break then stays put as
 * its figures grow, and the block keeps its height.
 */
export function packPieces(pieces: readonly Segment[], width: number, reserved: readonly number[] = []): Line[] {
  const lines: Line[] = [];
  let current: Segment[] = [];
  let used = 0;
  pieces.forEach((piece, index) => {
    const size = Math.max(piece.text.length, reserved[index] ?? 0);
    // Room for the comma that follows every piece but the last, in case the line breaks after it.
    const comma = index < pieces.length - 1 ? 1 : 0;
    if (current.length > 0 && used + 2 + size + comma > width) {
      current.push({ text: "," });
      lines.push(current);
      current = [];
      used = 0;
    }
    if (current.length > 0) {
      current.push({ text: ", " });
      used += 2;
    }
    current.push(piece);
    used += size;
  });
  if (current.length > 0) lines.push(current);
  return lines;
}

/** "waiting for 3 in flight": what is left once the run was told to stop. */
export function formatStopping(inFlight: number): string {
  return `waiting for ${inFlight} in flight`;
}

/**
 * The time figures; once the run was told to stop, what it waits for (the removals in flight) instead of the
 * whole run's time left, which it no longer has.
 */
function timePieces(figures: ProgressFigures): Segment[] {
  const elapsed = toned("muted", `${formatDuration(figures.elapsedMs)} elapsed`);
  const rate = toned("muted", figures.rate === undefined ? "rate unknown" : formatRate(figures.rate));
  const retries = toned("muted", plural(figures.retries, "retry", "retries"));
  if (figures.stopping) return [elapsed, rate, toned("warn", formatStopping(figures.inFlight)), retries];
  return [
    elapsed,
    rate,
    toned("muted", formatEta(figures.etaMs)),
    toned("muted", `${figures.inFlight} in flight`),
    retries,
  ];
}

/** The widest a count of up to `total` is written. */
const digits = (total: number) => String(Math.max(total, 0)).length;

/**
 * How wide each piece is laid out (packPieces): as wide as it gets in a run of `total` removals, so the lines
 * break in the same places from the first removal to the last. Durations are reserved up to "10 min 00 s",
 * retries up to five digits: longer runs are rare, and their lines break once more at most.
 */
function reservedWidths(total: number, stopping: boolean): { outcomes: number[]; time: number[] } {
  const count = digits(total);
  const outcomes = [
    `${OUTCOME_LABEL.removed}`,
    `${OUTCOME_LABEL.already_absent}`,
    `${OUTCOME_LABEL.failed}`,
    `${OUTCOME_LABEL.unknown}`,
  ].map((label) => count + 1 + label.length);
  const elapsed = "10 min 00 s elapsed".length;
  const rate = "rate unknown".length;
  const retries = "99999 retries".length;
  const time = stopping
    ? [elapsed, rate, formatStopping(0).length - 1 + count, retries]
    : [elapsed, rate, "about 10 min 00 s left".length, count + " in flight".length, retries];
  return { outcomes, time };
}

/**
 * The live lines under the finished rows at a terminal, each at most `width` columns: the bar with the count,
 * the outcomes, the time figures, and what the run waits for while it does. The bar's width is reserved from
 * the total ("20000 of 20000 (100%)"), so it keeps its width as the count grows.
 */
export function liveProgressLines(
  figures: ProgressFigures,
  counts: { removed: number; already_absent: number; failed: number; unknown?: number },
  width: number,
): Line[] {
  const head = figures.stopping ? "Stopping " : "Removing ";
  const count = ` ${figures.done} of ${figures.total} (${Math.floor(figures.fraction * 100)}%)`;
  const widest = ` ${figures.total} of ${figures.total} (100%)`;
  const room = Math.min(42, width - head.length - widest.length);
  // Too narrow for a bar worth the name: the count alone.
  const first =
    room >= 7
      ? line(toned("heading", head), progressBar(figures.fraction, room), count)
      : line(toned("heading", `${head.trimEnd()}:${count}`));
  const reserved = reservedWidths(figures.total, Boolean(figures.stopping));
  const lines: Line[] = [
    first,
    ...packPieces(outcomePieces(counts), width, reserved.outcomes),
    ...packPieces(timePieces(figures), width, reserved.time),
  ];
  if (figures.waiting)
    lines.push(
      ...wrapWords(formatWaiting(figures.waiting), width)
        .split("\n")
        .map((text) => line(toned("warn", text))),
    );
  return lines;
}

/**
 * One line of progress for a log without a terminal: "Removing: 30 of 300 done (10%): 30 removed, 0 already
 * absent, 0 failed; 2 s elapsed, 14.3/s, about 19 s left, 16 in flight, 0 retries".
 */
export function progressLogLine(
  figures: ProgressFigures,
  counts: { removed: number; already_absent: number; failed: number; unknown?: number },
): Line {
  const join = (pieces: Segment[]) => pieces.map((p) => p.text).join(", ");
  const waiting = figures.waiting ? `; ${formatWaiting(figures.waiting)}` : "";
  return line(
    `Removing: ${figures.done} of ${figures.total} done (${Math.floor(figures.fraction * 100)}%): `,
    join(outcomePieces(counts)),
    `; ${join(timePieces(figures))}${waiting}`,
  );
}
