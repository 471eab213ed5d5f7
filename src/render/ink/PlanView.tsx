import type { Plan } from "../../plan/plan.js";
import { planLines, type PlanViewContext } from "../plan-lines.js";
import { LinesView } from "./LinesView.js";

/** The TTY preview of a plan: every row of every section, the same rows as the plain text. */
export function PlanView({ plan, context }: { plan: Plan; context?: PlanViewContext }) {
  return (
    <LinesView lines={planLines(plan, context)} {...(context?.width !== undefined ? { width: context.width } : {})} />
  );
}
