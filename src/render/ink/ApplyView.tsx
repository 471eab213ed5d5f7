import { Box, Static, useApp, useStderr } from "ink";
import { useEffect, useRef, useState } from "react";
import type { ApplyEvent, ApplyResult, RemovalResult } from "../../apply/apply-plan.js";
import {
  foldProgress,
  initialProgress,
  progressFigures,
  showsRow,
  ROW_BY_ROW_MAX,
  type ProgressState,
} from "../../apply/progress.js";
import { abandonedLines, resultLine, summaryLines } from "../apply-lines.js";
import { wrapLine } from "../draw-lines.js";
import { line, toned, type Line } from "../lines.js";
import { liveProgressLines } from "../progress-lines.js";
import { LinesView, LineView } from "./LinesView.js";

/** How often the live lines are redrawn: the clock figures move even when no removal finishes. */
const FRAME_MS = 100;

/** A source of apply events the view subscribes to; returns the unsubscribe function. */
export type Subscribe = (listener: (event: ApplyEvent) => void) => () => void;

/** Messages for the person at the terminal (an interruption) that must not be drawn over by the live lines. */
export type Notices = (listener: (text: string) => void) => () => void;

export interface ApplyViewProps {
  subscribe: Subscribe;
  total: number;
  /** The terminal's width: the live lines are laid out to it. */
  columns: number;
  notices?: Notices;
  /** The time, for tests; Date.now by default. */
  clock?: () => number;
  /**
   * Set when roster exits at once (a second Ctrl-C) before the run is done: the live lines give way to what
   * is known, drawn at once, and nothing is left on screen that still moves.
   */
  abandoned?: ProgressState;
}

/**
 * One row of the finished area: a removal's result, or the note that only failures are listed; wrapped to the width.
 */
type Row = { key: string; lines: Line[] };

/**
 * Live progress of an apply: finished rows above (never redrawn), the bar and figures below, then the
 * summary. Above ROW_BY_ROW_MAX removals only the failures get a row: thousands of "removed" rows scroll
 * the failures out of sight, and the audit log and `--format json` keep every result.
 */
export function ApplyView({ subscribe, total, columns, notices, clock = Date.now, abandoned }: ApplyViewProps) {
  const { exit } = useApp();
  const { write: writeStderr } = useStderr();
  const [rows, setRows] = useState<Row[]>(() =>
    total > ROW_BY_ROW_MAX
      ? [{ key: "note", lines: wrapLine(line(toned("muted", onlyFailuresNote(total))), columns) }]
      : [],
  );
  const [state, setState] = useState<ProgressState>(() => initialProgress(total));
  const [now, setNow] = useState(clock);

  // Events arrive faster than a terminal can show them: fold them as they come and draw once a frame, so
  // 20,000 removals cost a few hundred renders, not 20,000.
  const pending = useRef<{ rows: Row[]; state: ProgressState }>({ rows: [], state: initialProgress(total) });
  useEffect(() => {
    const flush = () => {
      const batch = pending.current;
      if (batch.rows.length > 0) {
        const added = batch.rows;
        batch.rows = [];
        setRows((shown) => shown.concat(added));
      }
      setState(batch.state);
      setNow(clock());
    };
    const timer = setInterval(flush, FRAME_MS);
    const unsubscribe = subscribe((event) => {
      const batch = pending.current;
      batch.state = foldProgress(batch.state, event, clock());
      if (event.type === "finished" && showsRow(total, event.result)) batch.rows.push(resultRow(event.result, columns));
      if (event.type === "done") flush();
    });
    return () => {
      clearInterval(timer);
      unsubscribe();
    };
  }, [subscribe, total, clock, columns]);
  // ink clears the live lines, writes the message and draws them again below it: it stays in sight.
  useEffect(() => notices?.((text) => writeStderr(text)), [notices, writeStderr]);
  useEffect(() => {
    if (state.result) exit();
  }, [state.result, exit]);

  // The live block never shrinks while the run goes on (a wait's line comes and goes): a block that changes
  // height makes the rows above it jump.
  const height = useRef(0);
  const counts = {
    removed: state.removed,
    already_absent: state.already_absent,
    failed: state.failed,
    unknown: state.unknown,
  };
  const live = (): Line[] => {
    const lines = liveProgressLines(progressFigures(state, now), counts, columns);
    height.current = Math.max(height.current, lines.length);
    while (lines.length < height.current) lines.push(line(""));
    return lines;
  };
  const below = abandoned ? abandonedLines(abandoned, total) : state.result ? finalLines(state.result, total) : live();
  return (
    <Box flexDirection="column" width={columns}>
      <Static items={rows}>
        {(row) => (
          <Box key={row.key} flexDirection="column">
            {row.lines.map((segments, index) => (
              <LineView key={index} segments={segments} />
            ))}
          </Box>
        )}
      </Static>
      <LinesView lines={below} width={columns} />
    </Box>
  );
}

/** The summary; in a large run that listed only failures, first that there were none, when there were none. */
function finalLines(result: ApplyResult, total: number): Line[] {
  const none = total > ROW_BY_ROW_MAX && result.summary.failed === 0 ? [line(toned("ok", "No failures."))] : [];
  return [...none, ...summaryLines(result, total)];
}

/** Said above the rows of a large run: only failures get a row. */
function onlyFailuresNote(total: number): string {
  return `Listing only failures of the ${total} removals.`;
}

/** A removal's row, its continuation lines under the email. */
function resultRow(result: RemovalResult, columns: number): Row {
  const row = resultLine(result);
  return { key: result.removal.id, lines: wrapLine(row, columns, row[0]!.text.length) };
}
