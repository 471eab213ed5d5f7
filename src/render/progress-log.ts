import type { ApplyEvent } from "../apply/apply-plan.js";
import {
  foldProgress,
  initialProgress,
  logLineDue,
  progressFigures,
  ROW_BY_ROW_MAX,
  type LogMark,
} from "../apply/progress.js";
import { failureLines, resultLine, summaryLines } from "./apply-lines.js";
import { linesToText } from "./lines.js";
import { progressLogLine } from "./progress-lines.js";

/** How often a quiet run is checked for a progress line that is due (a wait on the rate limit, a slow API). */
const CHECK_MS = 1_000;

/**
 * Apply's progress for a log without a terminal (CI): up to ROW_BY_ROW_MAX removals, a line per finished
 * removal; above, a progress line per tenth of the removals or per 5 s, and the failures listed under the
 * summary. Resolves once the summary is written.
 */
export function logApplyProgress(
  subscribe: (listener: (event: ApplyEvent) => void) => () => void,
  total: number,
  print: (text: string) => void,
  clock: () => number = Date.now,
): Promise<void> {
  const rowByRow = total <= ROW_BY_ROW_MAX;
  let state = initialProgress(total);
  let mark: LogMark = { atMs: clock(), done: 0 };
  let timer: NodeJS.Timeout | undefined;
  const logIfDue = () => {
    const now = clock();
    const figures = progressFigures(state, now);
    if (state.startedAt === undefined || !logLineDue(mark, now, figures.done, total)) return;
    mark = { atMs: now, done: figures.done };
    print(linesToText([progressLogLine(figures, state)]));
  };
  return new Promise((resolve) => {
    const unsubscribe = subscribe((event) => {
      state = foldProgress(state, event, clock());
      if (event.type === "start") {
        mark = { atMs: clock(), done: 0 };
        if (!rowByRow) timer = setInterval(logIfDue, CHECK_MS).unref();
      }
      if (event.type === "finished") {
        if (rowByRow) print(linesToText([resultLine(event.result)]));
        else logIfDue();
      }
      if (event.type === "done") {
        clearInterval(timer);
        const lines = summaryLines(event.result, total);
        if (!rowByRow) lines.push(...failureLines(event.result.results));
        print(linesToText(lines));
        queueMicrotask(() => unsubscribe());
        resolve();
      }
    });
  });
}
