import { appendFileSync, writeFileSync } from "node:fs";
import type { ApplyResult } from "../apply/apply-plan.js";
import { redact, write, type Io } from "../terminal/io.js";
import type { GuardVerdict } from "../plan/guards.js";
import type { Plan } from "../plan/plan.js";
import { applyMarkdown } from "../render/apply-markdown.js";
import type { PlanSource } from "../plan/plan.js";
import { planMarkdown } from "../render/plan-markdown.js";
import { sanitize } from "../core/safe-text.js";

/**
 * Set by roster's GitHub Action for the roster it runs: the file to write what the run planned (removals and
 * Markdown) to, as JSON, for the action's outputs and its pull-request comment. Not meant for people.
 */
export const ACTION_REPORT_ENV = "ROSTER_ACTION_REPORT";

/** What the action reads back from a run of roster plan or apply. */
export interface ActionReport {
  command: "plan" | "apply" | "review";
  /** The removals in the plan (for apply: planned, whatever happened to them). */
  removals: number;
  markdown: string;
}

/** A plan as Markdown, appended to the GitHub Actions job summary when there is one; whatever --format printed. */
export function reportPlan(io: Io, plan: Plan, verdict: GuardVerdict, source: PlanSource): void {
  if (!wanted(io)) return;
  publish(io, { command: "plan", removals: plan.summary.remove, markdown: planMarkdown(plan, verdict, source) });
}

/**
 * An apply as Markdown: the plan, then what happened (`result`, when removals were sent) and `closing` (the
 * verification, or why nothing was applied), cut to the job summary's limit.
 */
export function reportApply(
  io: Io,
  plan: Plan,
  verdict: GuardVerdict,
  source: PlanSource,
  result: ApplyResult | undefined,
  closing: string | readonly string[],
): void {
  if (!wanted(io)) return;
  const markdown = applyMarkdown(planMarkdown(plan, verdict, source), result, closing, plan.summary.remove);
  publish(io, { command: "apply", removals: plan.summary.remove, markdown });
}

/**
 * A run's Markdown as it is (a plan or apply across accounts), to the job summary and the action's report;
 * built only when one of them is wanted (across 200 accounts it is a tenth of a second).
 */
export function reportMarkdown(
  io: Io,
  command: ActionReport["command"],
  removals: number,
  markdown: () => string,
): void {
  if (!wanted(io)) return;
  publish(io, { command, removals, markdown: markdown() });
}

function wanted(io: Io): boolean {
  return Boolean(io.env.GITHUB_STEP_SUMMARY || io.env[ACTION_REPORT_ENV]);
}

function publish(io: Io, report: ActionReport): void {
  const markdown = redact(report.markdown, io.env);
  const summary = io.env.GITHUB_STEP_SUMMARY;
  if (summary) {
    try {
      appendFileSync(summary, `${markdown}\n`);
    } catch (error) {
      // The run itself went as printed; only its copy in the job summary is missing.
      write(
        io.stderr,
        `roster: could not append to the job summary ${sanitize(summary)} ` +
          `(${(error as NodeJS.ErrnoException).code ?? String(error)})\n`,
        io.env,
      );
    }
  }
  const file = io.env[ACTION_REPORT_ENV];
  if (file) writeFileSync(file, JSON.stringify({ ...report, markdown }));
}
