import type { Plan } from "../../plan/plan.js";
import { drawLines } from "../draw-lines.js";
import type { Line } from "../lines.js";
import { planLines, type PlanViewContext } from "../plan-lines.js";

// A finished preview is drawn without ink: it has no live part, and ink's layout of 20,000 rows took about
// 10 s. Its lines are wrapped as ink's live views wrap theirs (draw-lines.ts), in the same colours.

/**
 * Lines drawn as a finished string for a terminal `columns` wide (a plan across accounts), colours included unless
 * `color` is false.
 */
export function renderLinesToString(lines: readonly Line[], columns: number, color = true): string {
  return drawLines(lines, columns, color);
}

/** The terminal preview of a plan as a finished string, colours included unless `color` is false. */
export function renderPlanToString(plan: Plan, context: PlanViewContext, columns: number, color = true): string {
  return drawLines(planLines(plan, { width: columns, ...context }), columns, color);
}
