import { reportMarkdown } from "../github/job-summary.js";
import { runApplyMarkdown, type AccountsApplyView } from "../render/apply-markdown.js";
import { accountsSummary, type RunView } from "../render/run-plan.js";
import type { Io } from "../terminal/io.js";

/** Puts apply's Markdown (the plan, what was done, `closing`) in the job summary and the action's report. */
export type ApplyReport = (closing: string | readonly string[], run?: AccountsApplyView) => void;

/** The report of an apply of `view`'s run, built only when a job summary or the action wants it. */
export function applyReport(view: RunView, io: Io): ApplyReport {
  const total = accountsSummary(view).remove;
  return (closing, run) => reportMarkdown(io, "apply", total, () => runApplyMarkdown(view, run, closing));
}
