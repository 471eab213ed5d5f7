import { renderToString } from "ink";
import type { Plan } from "../../plan/plan.js";
import type { PlanViewContext } from "../plan-lines.js";
import { ColorContext } from "./color-context.js";
import { PlanView } from "./PlanView.js";
import { LinesView } from "./LinesView.js";
import type { Line } from "../lines.js";

/** Lines drawn by ink as a finished string (a plan across accounts), colours included unless `color` is false. */
export function renderLinesToString(lines: readonly Line[], columns: number, color = true): string {
  return renderToString(
    <ColorContext.Provider value={color}>
      <LinesView lines={lines} />
    </ColorContext.Provider>,
    { columns },
  );
}

/** The ink preview of a plan as a finished string, colours included unless `color` is false. */
export function renderPlanToString(plan: Plan, context: PlanViewContext, columns: number, color = true): string {
  return renderToString(
    <ColorContext.Provider value={color}>
      <PlanView plan={plan} context={{ width: columns, ...context }} />
    </ColorContext.Provider>,
    { columns },
  );
}
