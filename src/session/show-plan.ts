import { isInteractive, write, writeJson, type Io } from "../terminal/io.js";
import { page } from "../terminal/pager.js";
import { colorWanted } from "../render/color.js";
import { terminalWidth } from "../render/lines.js";
import type { PlanFormat } from "../render/plan-formats.js";
import {
  accountsLines,
  oneOrganization,
  runDiff,
  runGithub,
  runJson,
  runText,
  type RunView,
} from "../render/run-plan.js";
import { runMarkdown } from "../render/run-markdown.js";
import type { PlannedTargets } from "../targets/plan-targets.js";

export type { PlanFormat };

/** A run's organizations, planned, as the renderers take them. */
export function runView(planned: PlannedTargets): RunView {
  return {
    shape: planned.shape,
    accounts: planned.targets.map(({ account, prepared: { plan, verdict, source } }) => ({
      account,
      plan,
      verdict,
      source,
    })),
    skipped: planned.skipped,
    manifests: planned.manifests,
  };
}

/** Whether the preview shows each plan's guard verdict where the person who runs roster reads it. */
export function previewShowsVerdict(format: PlanFormat, io: Io): boolean {
  return format === "pretty" && isInteractive(io);
}

/**
 * Renders a run's plan once, in the form chosen from the flags and the terminal: one organization, or across accounts.
 */
export async function showPlan(
  view: RunView,
  format: PlanFormat,
  io: Io,
  options: { pager?: boolean } = {},
): Promise<void> {
  if (format === "pretty" && isInteractive(io)) {
    // ink and react are loaded only when a person is looking: they cost more to load than the rest of roster.
    const { renderLinesToString, renderPlanToString } = await import("../render/ink/render-plan.js");
    const columns = terminalWidth(io.stdout);
    const one = oneOrganization(view);
    const text = one
      ? renderPlanToString(one.plan, { verdict: one.verdict }, columns, colorWanted(io.env))
      : renderLinesToString(accountsLines(view, { width: columns }), columns, colorWanted(io.env));
    // plan and show page a preview longer than the terminal; apply never does, lest the question be hidden.
    if (options.pager && (await page(`${text}\n`, io))) return;
    write(io.stdout, `${text}\n`, io.env);
    return;
  }
  // The diff package is loaded only for --format diff: no other run of roster needs it.
  const planDiff = format === "diff" ? (await import("../render/plan-diff.js")).planDiff : undefined;
  if (format === "json") {
    writeJson(io.stdout, runJson(view), io.env);
    return;
  }
  const text = (): string => {
    switch (format) {
      case "markdown":
        return runMarkdown(view);
      case "diff":
        return runDiff(view, planDiff!);
      case "github":
        return runGithub(view);
      case "pretty":
        return runText(view);
    }
  };
  write(io.stdout, text(), io.env);
}
