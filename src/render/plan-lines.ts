import type { GuardVerdict } from "../plan/guards.js";
import type { Plan, UnusedPattern } from "../plan/plan.js";
import { protectionNote, type ValueStyle } from "../plan/protection.js";
import { columnWidth, formatSignIn } from "../core/user-note.js";
import { line, toned, type Line } from "./lines.js";
import { plural } from "../core/plural.js";
import { sanitize } from "../core/safe-text.js";

export interface PlanViewContext {
  /** The guard check of this run, shown under the plan. */
  verdict?: GuardVerdict;
  /** Show at most this many rows per section, then a count of the rest. */
  maxRows?: number;
}

/** The words of a plan's sections, the same in every format. */
export const PLAN_WORDS = {
  noChanges: "No changes: every user in the organization is listed or protected.",
  protectedHeading: "Protected, never removed",
  missingHeading: "Missing from the organization",
  missingAdvice: "roster does not invite; invite them in the Telnyx portal",
} as const;

/** The plan as lines: summary, removals, protected and missing users, the guard verdict. */
export function planLines(plan: Plan, context: PlanViewContext = {}): Line[] {
  const { summary } = plan;
  const maxRows = context.maxRows ?? Number.POSITIVE_INFINITY;
  const lines: Line[] = [summaryLine(plan)];
  const emailWidth = columnWidth([
    ...plan.removals.slice(0, maxRows).map((c) => sanitize(c.email)),
    ...plan.protected.slice(0, maxRows).map((p) => sanitize(p.email)),
  ]);
  const more = (total: number, label: string) =>
    total > maxRows ? [line(toned("muted", `    … and ${total - maxRows} more ${label} (--format json lists them all)`))] : [];

  if (summary.remove === 0) {
    lines.push(line(""), line(toned("ok", PLAN_WORDS.noChanges)));
  } else {
    lines.push(line(""), line(toned("heading", `Remove ${plural(summary.remove, "user")}:`)));
    for (const removal of plan.removals.slice(0, maxRows)) {
      lines.push(
        line(
          toned("remove", `  - ${sanitize(removal.email).padEnd(emailWidth)}`),
          `  ${sanitize(removal.user_status).padEnd(8)}`,
          toned("muted", `  last sign-in ${formatSignIn(removal.last_sign_in_at)}`),
        ),
      );
    }
    lines.push(...more(summary.remove, "removals"));
  }
  if (summary.protected > 0) {
    lines.push(line(""), line(toned("heading", `${PLAN_WORDS.protectedHeading} (${summary.protected}):`)));
    for (const entry of plan.protected.slice(0, maxRows)) {
      const why = protectionNote(entry, PLAIN_VALUES);
      lines.push(line(toned("protected", `  ~ ${sanitize(entry.email).padEnd(emailWidth)}`), toned("muted", `  ${why}`)));
    }
    lines.push(...more(summary.protected, "protected users"));
  }
  if (summary.missing > 0) {
    lines.push(
      line(""),
      line(toned("heading", `${PLAN_WORDS.missingHeading} (${summary.missing}): `), toned("muted", PLAN_WORDS.missingAdvice)),
    );
    for (const entry of plan.missing.slice(0, maxRows)) {
      lines.push(line(toned("missing", `  ? ${sanitize(entry.email)}`), toned("muted", `  (manifest line ${entry.line})`)));
    }
    lines.push(...more(summary.missing, "missing users"));
  }
  const unused = plan.unusedPatterns ?? [];
  if (unused.length > 0) {
    lines.push(line(""), line(toned("warn", `Warnings (${unused.length}):`)));
    for (const entry of unused) lines.push(line(toned("warn", `  ! ${unusedPatternText(entry)}`)));
  }
  if (context.verdict) lines.push(line(""), verdictLine(context.verdict));
  return lines;
}

/** How the plain-text formats show a protection's values: a pattern as it is, a record type in quotes. */
const PLAIN_VALUES: ValueStyle = { pattern: sanitize, recordType: (text) => `"${sanitize(text)}"` };

/** The warning about a protect pattern that matches no live user, as every format words it; `quote` shows the pattern. */
export function unusedPatternText(entry: UnusedPattern, quote: (pattern: string) => string = (pattern) => `"${sanitize(pattern)}"`): string {
  const where = entry.line !== undefined ? ` (manifest line ${entry.line})` : "";
  return `protect pattern ${quote(entry.pattern)}${where} matches no user in the organization: check it for a typo, or remove it`;
}

/** The first line of every plan: the counts. */
export function summaryLine(plan: Pick<Plan, "summary" | "liveCount">): Line {
  const { summary } = plan;
  return line(
    toned("heading", "Plan: "),
    toned(summary.remove > 0 ? "remove" : "ok", `${summary.remove} to remove`),
    `, ${summary.keep} to keep, ${summary.protected} protected, ${summary.missing} missing`,
    toned("muted", ` (${plural(plan.liveCount, "user")} in the organization)`),
  );
}

/** What the guard verdict is called in every format: "Refused", "Guard lifted" or "Guards". */
export function verdictLabel(verdict: Pick<GuardVerdict, "allowed" | "forced">): string {
  return !verdict.allowed ? "Refused" : verdict.forced ? "Guard lifted" : "Guards";
}

/** The guard verdict under a plan: allowed, lifted by --force, or refused with the numbers. */
export function verdictLine(verdict: GuardVerdict): Line {
  const tone = !verdict.allowed ? "error" : verdict.forced ? "warn" : "muted";
  return line(toned(tone, `${verdictLabel(verdict)}: `), toned(tone, verdict.message));
}
