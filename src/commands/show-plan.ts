import { isInteractive, write, type Io } from "../cli/io.js";
import type { GuardVerdict } from "../plan/guards.js";
import type { Plan } from "../plan/plan.js";
import { linesToText } from "../render/lines.js";
import { planJson } from "../render/plan-json.js";
import { planLines } from "../render/plan-lines.js";
import { jsonText } from "../render/sanitize.js";

export type PlanFormat = "pretty" | "json";

/** Renders a plan once, in the form chosen from the flags and the terminal. */
export async function showPlan(plan: Plan, verdict: GuardVerdict, format: PlanFormat, io: Io): Promise<void> {
  if (format === "json") {
    write(io.stdout, jsonText(planJson(plan, verdict), 2) + "\n", io.env);
    return;
  }
  if (isInteractive(io)) {
    // ink and react are loaded only when a person is looking: they cost more to load than the rest of roster.
    const { renderPlanToString } = await import("../render/ink/render-plan.js");
    write(io.stdout, renderPlanToString(plan, { verdict }, io.stdout.columns ?? 100) + "\n", io.env);
    return;
  }
  write(io.stdout, linesToText(planLines(plan, { verdict })), io.env);
}
