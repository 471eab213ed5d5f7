import { Box, Static, useApp } from "ink";
import { useEffect, useRef, useState } from "react";
import type { ApplyEvent, ApplyResult, ApplySummary, RemovalResult } from "../../apply/apply-plan.js";
import { progressLine, resultLine, summaryLines } from "../apply-lines.js";
import { LinesView, LineView } from "./LinesView.js";

const FRAME_MS = 50;

/** A source of apply events the view subscribes to; returns the unsubscribe function. */
export type Subscribe = (listener: (event: ApplyEvent) => void) => () => void;

/** Live progress of an apply: finished rows above (never redrawn), the counter below, then the summary. */
export function ApplyView({ subscribe, total }: { subscribe: Subscribe; total: number }) {
  const { exit } = useApp();
  const [finished, setFinished] = useState<RemovalResult[]>([]);
  const [summary, setSummary] = useState<ApplySummary>({ removed: 0, already_absent: 0, failed: 0, unknown: 0, not_started: 0 });
  const [result, setResult] = useState<ApplyResult | undefined>();

  // Finished rows arrive faster than a terminal can show them: collect them and flush a batch per frame,
  // so 20,000 removals cost a few hundred renders, not 20,000.
  const pending = useRef<{ rows: RemovalResult[]; summary?: ApplySummary; result?: ApplyResult }>({ rows: [] });
  useEffect(() => {
    const flush = () => {
      const batch = pending.current;
      if (batch.rows.length > 0) {
        const rows = batch.rows;
        batch.rows = [];
        setFinished((shown) => shown.concat(rows));
      }
      if (batch.summary) setSummary(batch.summary);
      if (batch.result) setResult(batch.result);
    };
    const timer = setInterval(flush, FRAME_MS);
    const unsubscribe = subscribe((event) => {
      if (event.type === "finished") {
        pending.current.rows.push(event.result);
        pending.current.summary = event.summary;
      } else if (event.type === "done") {
        pending.current.result = event.result;
        flush();
      }
    });
    return () => {
      clearInterval(timer);
      unsubscribe();
    };
  }, [subscribe]);
  useEffect(() => {
    if (result) exit();
  }, [result, exit]);

  return (
    <Box flexDirection="column">
      <Static items={finished}>{(row) => <LineView key={row.removal.id} segments={resultLine(row)} />}</Static>
      {result ? <LinesView lines={summaryLines(result, total)} /> : <LineView segments={progressLine(summary, total)} />}
    </Box>
  );
}
