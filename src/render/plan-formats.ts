/** The forms `roster plan` can print a plan in; a module of its own so `--help` can list them cheaply. */
export const PLAN_FORMATS = ["pretty", "json", "markdown", "diff", "github"] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];
/** The forms `roster show` prints a saved plan in: those a person or a review reads. */
export const SHOW_FORMATS = ["pretty", "json", "markdown", "diff"] as const satisfies readonly PlanFormat[];
export type ShowFormat = (typeof SHOW_FORMATS)[number];
/** The forms `roster review` writes an access review in: for a ticket, a spreadsheet, or a machine. */
export const REVIEW_FORMATS = ["markdown", "csv", "json"] as const;
export type ReviewFormat = (typeof REVIEW_FORMATS)[number];
