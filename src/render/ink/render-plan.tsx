import { renderToString } from "ink";
import type { Plan } from "../../plan/plan.js";
import type { PlanViewContext } from "../plan-lines.js";
import { PlanView } from "./PlanView.js";

/** The ink preview of a plan as a finished string, colours included. */
export function renderPlanToString(plan: Plan, context: PlanViewContext, columns: number): string {
  return renderToString(<PlanView plan={plan} context={context} />, { columns });
}
