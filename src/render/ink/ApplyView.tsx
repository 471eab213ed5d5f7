import { Box, Static, useApp } from "ink";
import { useEffect, useState } from "react";
import type { ApplyEvent, ApplyResult, ApplySummary, RemovalResult } from "../../apply/apply-plan.js";
import { progressLine, resultLine, summaryLines } from "../apply-lines.js";
import { LinesView, LineView } from "./LinesView.js";

/** A source of apply events the view subscribes to; returns the unsubscribe function. */
export type Subscribe = (listener: (event: ApplyEvent) => void) => () => void;

/** Live progress of an apply: finished rows above (never redrawn), the counter below, then the summary. */
export function ApplyView({ subscribe, total }: { subscribe: Subscribe; total: number }) {
  const { exit } = useApp();
  const [finished, setFinished] = useState<RemovalResult[]>([]);
  const [summary, setSummary] = useState<ApplySummary>({ removed: 0, already_absent: 0, failed: 0, not_started: 0 });
  const [result, setResult] = useState<ApplyResult | undefined>();

  useEffect(
    () =>
      subscribe((event) => {
        if (event.type === "finished") {
          setFinished((rows) => [...rows, event.result]);
          setSummary(event.summary);
        } else if (event.type === "done") {
          setResult(event.result);
        }
      }),
    [subscribe],
  );
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
