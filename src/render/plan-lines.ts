import type { GuardVerdict } from "../plan/guards.js";
import type { Plan, ProtectedUser, UnusedPattern } from "../plan/plan.js";
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

/** The plan as lines: summary, removals, protected and missing users, the guard verdict. */
export function planLines(plan: Plan, context: PlanViewContext = {}): Line[] {
  const { summary } = plan;
  const maxRows = context.maxRows ?? Number.POSITIVE_INFINITY;
  const lines: Line[] = [summaryLine(plan)];
  const emailWidth = columnWidth([
    ...plan.changes.slice(0, maxRows).map((c) => sanitize(c.email)),
    ...plan.protected.slice(0, maxRows).map((p) => sanitize(p.email)),
  ]);
  const more = (total: number, label: string) =>
    total > maxRows ? [line(toned("muted", `    … and ${total - maxRows} more ${label} (--format json lists them all)`))] : [];

  if (summary.remove === 0) {
    lines.push(line(""), line(toned("ok", "No changes: every user in the organization is listed or protected.")));
  } else {
    lines.push(line(""), line(toned("heading", `Remove ${plural(summary.remove, "user")}:`)));
    for (const change of plan.changes.slice(0, maxRows)) {
      lines.push(
        line(
          toned("remove", `  - ${sanitize(change.email).padEnd(emailWidth)}`),
          `  ${sanitize(change.user_status).padEnd(8)}`,
          toned("muted", `  last sign-in ${formatSignIn(change.last_sign_in_at)}`),
        ),
      );
    }
    lines.push(...more(summary.remove, "removals"));
  }
  if (summary.protected > 0) {
    lines.push(line(""), line(toned("heading", `Protected, never removed (${summary.protected}):`)));
    for (const entry of plan.protected.slice(0, maxRows)) {
      const why = protectionNote(entry);
      lines.push(line(toned("protected", `  ~ ${sanitize(entry.email).padEnd(emailWidth)}`), toned("muted", `  ${why}`)));
    }
    lines.push(...more(summary.protected, "protected users"));
  }
  if (summary.missing > 0) {
    lines.push(
      line(""),
      line(toned("heading", `Missing from the organization (${summary.missing}): `), toned("muted", "roster does not invite; invite them in the Telnyx portal")),
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

/** Why a protected user stays, as every plain-text format shows it. */
export function protectionNote(entry: Pick<ProtectedUser, "reason" | "pattern" | "record_type">): string {
  if (entry.reason === "owner") return "organization owner";
  if (entry.reason === "pattern") return `matches ${sanitize(entry.pattern ?? "a protect pattern")}`;
  return `unknown record type "${sanitize(entry.record_type ?? "")}": roster removes only organization_sub_user`;
}

/** The warning about a protect pattern that matches no live user, as every format words it. */
export function unusedPatternText(entry: UnusedPattern): string {
  const where = entry.line !== undefined ? ` (manifest line ${entry.line})` : "";
  return `protect pattern "${sanitize(entry.pattern)}"${where} matches no user in the organization: check it for a typo, or remove it`;
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

/** The guard verdict under a plan: allowed, lifted by --force, or refused with the numbers. */
export function verdictLine(verdict: GuardVerdict): Line {
  const tone = !verdict.allowed ? "error" : verdict.forced ? "warn" : "muted";
  const label = !verdict.allowed ? "Refused: " : verdict.forced ? "Guard lifted: " : "Guards: ";
  return line(toned(tone, label), toned(tone, verdict.message));
}
