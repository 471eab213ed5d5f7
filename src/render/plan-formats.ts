/** The forms `roster plan` can print a plan in; a module of its own so `--help` can list them cheaply. */
export const PLAN_FORMATS = ["pretty", "json", "markdown", "diff", "github"] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];
