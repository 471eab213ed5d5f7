import { isInteractive, write, type Io } from "../terminal/io.js";
import type { GuardVerdict } from "../plan/guards.js";
import type { Plan } from "../plan/plan.js";
import { colorWanted } from "../render/color.js";
import { planGithub } from "../render/github-commands.js";
import { linesToText, terminalWidth } from "../render/lines.js";
import { type PlanSource } from "../plan/plan.js";
import { planJson } from "../render/plan-json.js";
import { planLines } from "../render/plan-lines.js";
import { planMarkdown } from "../render/plan-markdown.js";
import type { PlanFormat } from "../render/plan-formats.js";
import { jsonText } from "../core/safe-text.js";
import { accountsDiff, accountsGithub, accountsJson, accountsLines, accountsMarkdown, accountsText, oneAccountJson, type AccountsPlanView } from "../render/accounts-plan.js";

export type { PlanFormat };

/** Renders a plan across accounts once, in the form chosen from the flags and the terminal. */
export async function showAccountsPlan(view: AccountsPlanView, format: PlanFormat, io: Io, manifests = view.accounts.length + view.skipped.length): Promise<void> {
  if (format === "pretty" && isInteractive(io)) {
    const { renderLinesToString } = await import("../render/ink/render-plan.js");
    const columns = terminalWidth(io.stdout);
    write(io.stdout, renderLinesToString(accountsLines(view, { width: columns }), columns, colorWanted(io.env)) + "\n", io.env);
    return;
  }
  const planDiff = format === "diff" ? (await import("../render/plan-diff.js")).planDiff : undefined;
  const text = (): string => {
    switch (format) {
      case "json":
        // One manifest keeps the document of one organization (with its account), unless its account was skipped.
        return jsonText(manifests === 1 && view.accounts.length === 1 ? oneAccountJson(view.accounts[0]!) : accountsJson(view), 2) + "\n";
      case "markdown":
        return accountsMarkdown(view);
      case "diff":
        return accountsDiff(view, planDiff!);
      case "github":
        return accountsGithub(view);
      case "pretty":
        return accountsText(view);
    }
  };
  write(io.stdout, text(), io.env);
}

/** Renders a plan once, in the form chosen from the flags and the terminal. */
export async function showPlan(plan: Plan, verdict: GuardVerdict, source: PlanSource, format: PlanFormat, io: Io): Promise<void> {
  // The diff package is loaded only for --format diff: no other run of roster needs it.
  const planDiff = format === "diff" ? (await import("../render/plan-diff.js")).planDiff : undefined;
  const text = (): string => {
    switch (format) {
      case "json":
        return jsonText(planJson(plan, verdict), 2) + "\n";
      case "markdown":
        return planMarkdown(plan, verdict, source);
      case "diff":
        return planDiff!(plan, source);
      case "github":
        return planGithub(plan, verdict, source);
      case "pretty":
        return linesToText(planLines(plan, { verdict }));
    }
  };
  if (format === "pretty" && isInteractive(io)) {
    // ink and react are loaded only when a person is looking: they cost more to load than the rest of roster.
    const { renderPlanToString } = await import("../render/ink/render-plan.js");
    write(io.stdout, renderPlanToString(plan, { verdict }, terminalWidth(io.stdout), colorWanted(io.env)) + "\n", io.env);
    return;
  }
  write(io.stdout, text(), io.env);
}
