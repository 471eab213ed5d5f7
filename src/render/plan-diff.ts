import { FILE_HEADERS_ONLY, formatPatch } from "diff";
import type { Plan } from "../plan/plan.js";
import { plural } from "../core/plural.js";
import type { PlanSource } from "../plan/plan.js";
import { driftText, driftUnknownText, PLAN_WORDS, planWarnings } from "./plan-lines.js";
import { rosterLines } from "./roster-lines.js";
import { expiringText, idleText } from "./lifecycle-lines.js";
import { sanitize } from "../core/safe-text.js";
import { sortedDiffHunks } from "./sorted-diff.js";

/**
 * The live roster against the roster after apply, as a unified diff: one line per user, sorted by email,
 * each removal a "-" line. roster never adds users, so there are no "+" lines; missing users are in the
 * other formats.
 */
export function planDiff(plan: Plan, source: PlanSource): string {
  const live = rosterLines(plan);
  const after = live.filter((line) => !line.removed);
  // Before the file headers, where patch tools skip text: the diff itself has no place for a warning.
  const notes = [
    ...planWarnings(plan).map((w) => `warning: ${w.text()}`),
    ...plan.groupDrift.map((d) => `group drift: ${sanitize(d.email)} ${driftText(d)}; ${PLAN_WORDS.driftAdvice}`),
    ...(plan.groupDriftUnknown ? [`group drift: ${driftUnknownText(plan.groupDriftUnknown.length)}`] : []),
    ...plan.expiring.map((e) => `expiring soon: ${sanitize(e.email)} ${expiringText(e)}`),
    ...plan.idle.map((i) => `idle: ${sanitize(i.email)} ${idleText(i)}`),
  ];
  const warnings = notes.map((note) => `${note}\n`).join("");
  return (
    warnings +
    formatPatch(
      {
        oldFileName: "live",
        newFileName: "after-apply",
        oldHeader: `${sanitize(source.host)}, ${plural(live.length, "user")}`,
        newHeader: `${sanitize(source.manifest)}, ${plural(after.length, "user")}`,
        hunks: sortedDiffHunks(live, after),
      },
      FILE_HEADERS_ONLY,
    )
  );
}
