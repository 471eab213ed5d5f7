import { GROUP_NAME_SHOWN, GROUPS_SHOWN, groupsText } from "../core/groups.js";
import { clip } from "../core/safe-text.js";
import type { GuardVerdict } from "../plan/guards.js";
import type { GroupDrift, Plan, PlanSummary, UnusedGroup, UnusedPattern } from "../plan/plan.js";
import { protectionNote, type ValueStyle } from "../plan/protection.js";
import { columnWidth, formatSignIn } from "../core/user-note.js";
import { line, toned, type Line } from "./lines.js";
import { expiredNote, expiryNotEnforcedText, lifecycleLines } from "./lifecycle-lines.js";
import { plural } from "../core/plural.js";
import { sanitize } from "../core/safe-text.js";

export interface PlanViewContext {
  /** The guard check of this run, shown under the plan. */
  verdict?: GuardVerdict;
  /** The width to fit users' groups into (a terminal's columns); plain text without it. */
  width?: number;
}

/** The words of a plan's sections, the same in every format. */
export const PLAN_WORDS = {
  noChanges: "No changes: every user in the organization is listed or protected.",
  protectedHeading: "Protected, never removed",
  missingHeading: "Missing from the organization",
  missingAdvice: "roster does not invite; invite them in the Telnyx portal",
  driftHeading: "Group drift",
  driftAdvice:
    "roster cannot change groups (the API has no endpoint for memberships); change them in the Telnyx portal, or the " +
    "manifest's groups",
  warningsHeading: "Warnings",
} as const;

/**
 * The sign of a protected user's row: `=` stays as it is. Not Terraform's `~`, which means "updated in place":
 * roster never changes a protected user.
 */
export const PROTECTED_SIGN = "=";

/** The plan as lines: summary, removals, protected and missing users, the guard verdict. */
export function planLines(plan: Plan, context: PlanViewContext = {}): Line[] {
  const { summary } = plan;
  const lines: Line[] = [summaryLine(plan)];
  // Every row of every section, never a cut: a reviewer approves exactly the removals shown (as Terraform lists every
  // change).
  const emailWidth = columnWidth([
    ...plan.removals.map((c) => sanitize(c.email)),
    ...plan.protected.map((p) => sanitize(p.email)),
  ]);

  if (summary.remove === 0) {
    lines.push(line(""), line(toned("ok", PLAN_WORDS.noChanges)));
  } else {
    lines.push(line(""), line(toned("heading", `Remove ${plural(summary.remove, "user")}:`)));
    const shown = plan.removals;
    const signIns = shown.map((removal) => {
      const expired = expiredNote(removal);
      return `  last sign-in ${formatSignIn(removal.last_sign_in_at)}${expired ? `  ${expired}` : ""}`;
    });
    const signInWidth = columnWidth(signIns);
    shown.forEach((removal, index) => {
      const start = [
        toned("remove", `  - ${sanitize(removal.email).padEnd(emailWidth)}`),
        { text: `  ${sanitize(removal.user_status).padEnd(8)}` },
        toned("muted", signIns[index]!),
      ];
      lines.push(...withGroups(start, removal.groups, context.width, signInWidth));
    });
  }
  if (summary.protected > 0) {
    lines.push(line(""), line(toned("heading", `${PLAN_WORDS.protectedHeading} (${summary.protected}):`)));
    const shown = plan.protected;
    const notes = shown.map((entry) => `  ${protectionNote(entry, PLAIN_VALUES)}`);
    const noteWidth = columnWidth(notes);
    shown.forEach((entry, index) => {
      const start = [
        toned("protected", `  ${PROTECTED_SIGN} ${sanitize(entry.email).padEnd(emailWidth)}`),
        toned("muted", notes[index]!),
      ];
      lines.push(...withGroups(start, entry.groups, context.width, noteWidth));
    });
  }
  if (summary.missing > 0) {
    lines.push(
      line(""),
      line(
        toned("heading", `${PLAN_WORDS.missingHeading} (${summary.missing}): `),
        toned("muted", PLAN_WORDS.missingAdvice),
      ),
    );
    for (const entry of plan.missing) {
      lines.push(
        line(toned("missing", `  ? ${sanitize(entry.email)}`), toned("muted", `  (manifest line ${entry.line})`)),
      );
    }
  }
  const unchecked = plan.groupDriftUnknown?.length ?? 0;
  if (summary.group_drift > 0) {
    lines.push(
      line(""),
      line(
        toned("heading", `${PLAN_WORDS.driftHeading} (${summary.group_drift}): `),
        toned("muted", PLAN_WORDS.driftAdvice),
      ),
    );
    for (const drift of plan.groupDrift) {
      lines.push(line(toned("warn", `  ≠ ${sanitize(drift.email)}`), toned("muted", `  ${driftText(drift)}`)));
    }
    if (unchecked > 0) lines.push(line(toned("warn", `  ? ${driftUnknownText(unchecked)}`)));
  } else if (unchecked > 0) {
    lines.push(
      line(""),
      line(toned("heading", `${PLAN_WORDS.driftHeading}: `), toned("warn", driftUnknownText(unchecked))),
    );
  }
  lines.push(...lifecycleLines(plan));
  const warnings = planWarnings(plan);
  if (warnings.length > 0) {
    lines.push(line(""), line(toned("warn", `${PLAN_WORDS.warningsHeading} (${warnings.length}):`)));
    for (const warning of warnings) lines.push(line(toned("warn", `  ! ${warning.text()}`)));
  }
  if (context.verdict) lines.push(line(""), verdictLine(context.verdict));
  return lines;
}

/** How the plain-text formats show a protection's values: a pattern as it is, a record type in quotes. */
const PLAIN_VALUES: ValueStyle = {
  pattern: sanitize,
  recordType: (text) => `"${sanitize(text)}"`,
  group: (text) => `"${sanitize(clip(text, GROUP_NAME_SHOWN))}"`,
};

/**
 * The warning about a protect pattern that matches no live user, as every format words it; `quote` shows the pattern.
 */
export function unusedPatternText(
  entry: UnusedPattern,
  quote: (pattern: string) => string = (pattern) => `"${sanitize(pattern)}"`,
): string {
  const where = entry.line !== undefined ? ` (manifest line ${entry.line})` : "";
  return (
    `protect pattern ${quote(entry.pattern)}${where} matches no user in the organization: check it for a typo, ` +
    `or remove it`
  );
}

/** One warning of a plan, as every format words it; `quote` shows its value (plain quotes, a code span). */
export interface PlanWarning {
  kind: "unused_protect_pattern" | "unused_protect_group" | "expiry_not_enforced";
  /** The pattern or the group's name, as written; the user's email for an expiry that cannot be enforced. */
  value: string;
  /** For expiry_not_enforced: the last day of access that has passed. */
  expires?: string;
  line?: number;
  col?: number;
  /**
   * For a protected group: how many live users the API gave no groups for, when any (its membership is not known for
   * them).
   */
  groupsUnknown?: number;
  text(quote?: (value: string) => string): string;
}

/**
 * The plan's warnings: protect patterns and protected groups that match nobody (a typo protects nobody), and
 * protected users whose last day of access has passed (protection wins: the date cannot be enforced).
 */
export function planWarnings(
  plan: Pick<Plan, "unusedPatterns" | "unusedGroups" | "liveCount"> & Partial<Pick<Plan, "protected">>,
): PlanWarning[] {
  const at = (line?: number, col?: number) => ({
    ...(line !== undefined ? { line } : {}),
    ...(col !== undefined ? { col } : {}),
  });
  return [
    ...(plan.unusedPatterns ?? []).map((u) => ({
      kind: "unused_protect_pattern" as const,
      value: u.pattern,
      ...at(u.line, u.col),
      text: (quote?: (v: string) => string) => unusedPatternText(u, quote),
    })),
    ...(plan.unusedGroups ?? []).map((u) => ({
      kind: "unused_protect_group" as const,
      value: u.group,
      ...at(u.line, u.col),
      ...(u.groupsUnknown ? { groupsUnknown: u.groupsUnknown } : {}),
      text: (quote?: (v: string) => string) => unusedGroupText(u, quote, plan.liveCount),
    })),
    ...(plan.protected ?? [])
      .filter((p) => p.expires !== undefined)
      .map((p) => ({
        kind: "expiry_not_enforced" as const,
        value: p.email,
        expires: p.expires!,
        text: (quote?: (v: string) => string) => expiryNotEnforcedText(p, quote),
      })),
  ];
}

/**
 * The warning about a protected group no user is in, of the `liveCount` users. When the API gave no groups for
 * some of them it says so: the group may have members among them, and "no member" would be a guess.
 */
export function unusedGroupText(
  entry: UnusedGroup,
  quote: (name: string) => string = (name) => `"${sanitize(name)}"`,
  liveCount?: number,
): string {
  const where = entry.line !== undefined ? ` (manifest line ${entry.line})` : "";
  const group = `protected group ${quote(clip(entry.group, GROUP_NAME_SHOWN))}${where}`;
  const unknown = entry.groupsUnknown ?? 0;
  const typo = "check its name for a typo (names compare exactly), or remove it";
  if (unknown === 0) return `${group} has no member in the organization: ${typo}`;
  if (liveCount === undefined || unknown >= liveCount)
    return `${group}: membership could not be checked: the API gave no groups for any user`;
  return (
    `${group} has no member among the ${plural(liveCount - unknown, "user")} whose groups the API gave; the ` +
    `groups of ${plural(unknown, "user")} could not be checked (the API gave none): ${typo}`
  );
}

/** Said of listed users with `groups:` whose groups the API did not give, in every format: their drift is not known. */
export function driftUnknownText(count: number): string {
  return (
    `the groups of ${plural(count, "listed user")} could not be checked: the API gave none, so their group drift ` +
    `is unknown`
  );
}

/**
 * A listed user's group drift in words: "in [Admins]; manifest says [Admins, Billing]". Brackets keep each
 * list apart from the words around it, and from each other: "in Admins, manifest says Admins, Billing" did not.
 */
export function driftText(drift: Pick<GroupDrift, "live" | "manifest">, max = GROUPS_SHOWN): string {
  const live = drift.live.length > 0 ? `in [${groupsText(drift.live, max)}]` : "in no group";
  return `${live}; manifest says ${drift.manifest.length > 0 ? `[${groupsText(drift.manifest, max)}]` : "no group"}`;
}

/** Room a user's groups need at the least beside the other columns, else they go on a line of their own. */
const MIN_GROUPS_ROOM = 16;

/**
 * A user's row with its groups: after the other columns, in a column of their own (the row's last column
 * padded to `lastWidth`), cut to the room left of `width` (a terminal's columns); on an indented line of
 * their own under the row when that room is too small. A user in no group shows nothing more.
 */
function withGroups(row: Line, groups: readonly string[] | null, width: number | undefined, lastWidth: number): Line[] {
  if (groups !== null && groups.length === 0) return [line(...row)];
  const last = row[row.length - 1]!;
  const start = [...row.slice(0, -1), { ...last, text: last.text.padEnd(lastWidth) }];
  const used = start.reduce((n, s) => n + s.text.length, 0) + 2;
  const room = width === undefined ? GROUPS_SHOWN : Math.min(GROUPS_SHOWN, width - used - 1);
  if (room >= MIN_GROUPS_ROOM) return [line(...start, toned("plain", `  ${groupsText(groups, room)}`))];
  const below = "      groups: ";
  return [
    line(...row),
    line(
      toned("muted", below),
      toned("plain", groupsText(groups, Math.max(MIN_GROUPS_ROOM, (width ?? 0) - below.length - 1))),
    ),
  ];
}

/**
 * A plan's counts in words, as the Markdown headings say them: "2 to remove, 4 to keep, 0 protected, 0
 * missing" and ", 1 with group drift" when there is any; `afterRemove` goes after the removals' count.
 */
export function countsText(summary: PlanSummary, afterRemove = ""): string {
  const drift = summary.group_drift > 0 ? `, ${summary.group_drift} with group drift` : "";
  return (
    `${summary.remove} to remove${afterRemove}, ${summary.keep} to keep, ${summary.protected} protected, ` +
    `${summary.missing} missing${drift}`
  );
}

/** The first line of every plan: the counts. */
export function summaryLine(plan: Pick<Plan, "summary" | "liveCount">): Line {
  const { summary } = plan;
  return line(
    toned("heading", "Plan: "),
    toned(summary.remove > 0 ? "remove" : "ok", `${summary.remove} to remove`),
    `, ${summary.keep} to keep, ${summary.protected} protected, ${summary.missing} missing`,
    ...(summary.group_drift > 0 ? [toned("warn", `, ${summary.group_drift} with group drift`)] : []),
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
