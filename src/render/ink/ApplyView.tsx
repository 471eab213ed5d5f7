import { Box, Static, useApp, useStderr } from "ink";
import { useEffect, useRef, useState } from "react";
import type { ApplyEvent, RemovalResult } from "../../apply/apply-plan.js";
import { foldProgress, initialProgress, progressFigures, showsRow, ROW_BY_ROW_MAX, type ProgressState } from "../../apply/progress.js";
import { resultLine, summaryLines } from "../apply-lines.js";
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
}

/** One row of the finished area: a removal's result, or the note that only failures are listed. */
type Row = { key: string; line: Line };

/**
 * Live progress of an apply: finished rows above (never redrawn), the bar and figures below, then the
 * summary. Above ROW_BY_ROW_MAX removals only the failures get a row: thousands of "removed" rows scroll
 * the failures out of sight, and the audit log and `--format json` keep every result.
 */
export function ApplyView({ subscribe, total, columns, notices, clock = Date.now }: ApplyViewProps) {
  const { exit } = useApp();
  const { write: writeStderr } = useStderr();
  const [rows, setRows] = useState<Row[]>(() =>
    total > ROW_BY_ROW_MAX ? [{ key: "note", line: line(toned("muted", `Listing only failures of the ${total} removals; --audit-log FILE records each one.`)) }] : [],
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
      if (event.type === "finished" && showsRow(total, event.result)) batch.rows.push(resultRow(event.result));
      if (event.type === "done") flush();
    });
    return () => {
      clearInterval(timer);
      unsubscribe();
    };
  }, [subscribe, total, clock]);
  // ink clears the live lines, writes the message and draws them again below it: it stays in sight.
  useEffect(() => notices?.((text) => writeStderr(text)), [notices, writeStderr]);
  useEffect(() => {
    if (state.result) exit();
  }, [state.result, exit]);

  const counts = { removed: state.removed, already_absent: state.already_absent, failed: state.failed, unknown: state.unknown };
  return (
    <Box flexDirection="column" width={columns}>
      <Static items={rows}>{(row) => <LineView key={row.key} segments={row.line} />}</Static>
      {state.result ? <LinesView lines={summaryLines(state.result, total)} /> : <LinesView lines={liveProgressLines(progressFigures(state, now), counts, columns)} />}
    </Box>
  );
}

function resultRow(result: RemovalResult): Row {
  return { key: result.removal.id, line: resultLine(result) };
}
