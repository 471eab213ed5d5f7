import type { Plan } from "../../plan/plan.js";
import { planLines, type PlanViewContext } from "../plan-lines.js";
import { LinesView } from "./LinesView.js";

/** The TTY preview of a plan; long sections show their first rows and a count. */
export function PlanView({ plan, context }: { plan: Plan; context?: PlanViewContext }) {
  return <LinesView lines={planLines(plan, { maxRows: 40, ...context })} />;
}
