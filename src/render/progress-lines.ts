import type { ProgressFigures, WaitReason } from "../apply/progress.js";
import { outcomePieces } from "./apply-lines.js";
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
 * never cut in two at a narrow terminal. A piece wider than the line stands alone (ink wraps it).
 */
export function packPieces(pieces: readonly Segment[], width: number): Line[] {
  const lines: Line[] = [];
  let current: Segment[] = [];
  let used = 0;
  pieces.forEach((piece, index) => {
    // Room for the comma that follows every piece but the last, in case the line breaks after it.
    const comma = index < pieces.length - 1 ? 1 : 0;
    if (current.length > 0 && used + 2 + piece.text.length + comma > width) {
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
    used += piece.text.length;
  });
  if (current.length > 0) lines.push(current);
  return lines;
}

function timePieces(figures: ProgressFigures): Segment[] {
  return [
    toned("muted", `${formatDuration(figures.elapsedMs)} elapsed`),
    toned("muted", figures.rate === undefined ? "rate unknown" : formatRate(figures.rate)),
    toned("muted", formatEta(figures.etaMs)),
    toned("muted", `${figures.inFlight} in flight`),
    toned("muted", plural(figures.retries, "retry", "retries")),
  ];
}

/**
 * The live lines under the finished rows at a terminal, each at most `width` columns: the bar with the count,
 * the outcomes, the time figures, and what the run waits for while it does.
 */
export function liveProgressLines(figures: ProgressFigures, counts: { removed: number; already_absent: number; failed: number; unknown?: number }, width: number): Line[] {
  const head = "Removing ";
  const count = ` ${figures.done} of ${figures.total} (${Math.floor(figures.fraction * 100)}%)`;
  const room = Math.min(42, width - head.length - count.length);
  // Too narrow for a bar worth the name: the count alone.
  const first = room >= 7 ? line(toned("heading", head.trimEnd() + " "), progressBar(figures.fraction, room), count) : line(toned("heading", `Removing:${count}`));
  const lines: Line[] = [first, ...packPieces(outcomePieces(counts), width), ...packPieces(timePieces(figures), width)];
  if (figures.waiting) lines.push(...wrapWords(formatWaiting(figures.waiting), width).split("\n").map((text) => line(toned("warn", text))));
  return lines;
}

/**
 * One line of progress for a log without a terminal: "Removing: 30 of 300 done (10%): 30 removed, 0 already
 * absent, 0 failed; 2 s elapsed, 14.3/s, about 19 s left, 16 in flight, 0 retries".
 */
export function progressLogLine(figures: ProgressFigures, counts: { removed: number; already_absent: number; failed: number; unknown?: number }): Line {
  const join = (pieces: Segment[]) => pieces.map((p) => p.text).join(", ");
  const waiting = figures.waiting ? `; ${formatWaiting(figures.waiting)}` : "";
  return line(
    `Removing: ${figures.done} of ${figures.total} done (${Math.floor(figures.fraction * 100)}%): `,
    join(outcomePieces(counts)),
    `; ${join(timePieces(figures))}${waiting}`,
  );
}
