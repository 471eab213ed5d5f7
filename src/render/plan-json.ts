import { verdictData, type GuardVerdict } from "../plan/guards.js";
import type { LiveEntry, Plan } from "../plan/plan.js";
import { protectionFacts } from "../plan/protection.js";
import { planWarnings } from "./plan-lines.js";

/** A live user as every list of the JSON document gives it. */
const liveUser = (user: LiveEntry) => ({
  id: user.id,
  email: user.email,
  user_status: user.user_status,
  last_sign_in_at: user.last_sign_in_at,
  groups: user.groups,
});

/**
 * The plan as `--format json` prints it: a stable document for machines (format_version 1; keys are only ever added).
 */
export function planJson(plan: Plan, verdict: GuardVerdict) {
  return {
    format_version: 1,
    summary: plan.summary,
    // "changes" is the published key of format_version 1: the removals under their name in that format.
    changes: plan.removals.map((c) => ({ action: c.action, ...liveUser(c) })),
    protected: plan.protected.map((p) => ({ ...liveUser(p), reason: p.reason, ...protectionFacts(p) })),
    kept: plan.kept.map(liveUser),
    missing: plan.missing.map((m) => ({ email: m.email })),
    group_drift: plan.groupDrift.map((d) => ({ email: d.email, live: d.live, manifest: d.manifest, line: d.line })),
    // Listed users whose drift could not be checked (the API gave no groups): present only when there are any.
    ...(plan.groupDriftUnknown
      ? {
          group_drift_unknown: plan.groupDriftUnknown.map((d) => ({
            email: d.email,
            manifest: d.manifest,
            line: d.line,
          })),
        }
      : {}),
    warnings: planWarnings(plan).map((w) => ({
      kind: w.kind,
      [w.kind === "unused_protect_pattern" ? "pattern" : "group"]: w.value,
      ...(w.line !== undefined ? { line: w.line } : {}),
      // The group's membership is not known for these users: the warning is not "no member".
      ...(w.groupsUnknown ? { groups_unknown: true, groups_unknown_users: w.groupsUnknown } : {}),
      message: w.text(),
    })),
    guard: verdictData(verdict),
  };
}
