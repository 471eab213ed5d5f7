import { verdictData, type GuardVerdict } from "../plan/guards.js";
import type { LiveEntry, Plan } from "../plan/plan.js";
import { protectionFacts } from "../plan/protection.js";
import { planWarnings, type PlanWarning } from "./plan-lines.js";

/** A live user as every list of the JSON document gives it. */
const liveUser = (user: LiveEntry) => ({
  id: user.id,
  email: user.email,
  user_status: user.user_status,
  last_sign_in_at: user.last_sign_in_at,
  groups: user.groups,
});

/** The key each kind of warning names its value by. */
const WARNING_VALUE = {
  unused_protect_pattern: "pattern",
  unused_protect_group: "group",
  expiry_not_enforced: "email",
} as const satisfies Record<PlanWarning["kind"], string>;

/**
 * The plan as `--format json` prints it: a stable document for machines (format_version 1; keys are only ever added).
 */
export function planJson(plan: Plan, verdict: GuardVerdict) {
  return {
    format_version: 1,
    summary: plan.summary,
    // "changes" is the published key of format_version 1: the removals under their name in that format.
    changes: plan.removals.map((c) => ({
      action: c.action,
      ...liveUser(c),
      reason: c.reason ?? "not_in_manifest",
      ...(c.expires !== undefined ? { expires: c.expires } : {}),
    })),
    protected: plan.protected.map((p) => ({
      ...liveUser(p),
      reason: p.reason,
      ...protectionFacts(p),
      // Listed with a last day that has passed: kept by its protection (a warning says so).
      ...(p.expires !== undefined ? { expires: p.expires } : {}),
    })),
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
    // Kept users near their last day, and users who stay but are idle: present only when there are any.
    ...(plan.expiring.length > 0
      ? { expiring: plan.expiring.map((e) => ({ email: e.email, expires: e.expires, days_left: e.days_left })) }
      : {}),
    ...(plan.idle.length > 0
      ? {
          idle: plan.idle.map((i) => ({ email: i.email, last_sign_in_at: i.last_sign_in_at, idle_days: i.idle_days })),
        }
      : {}),
    warnings: planWarnings(plan).map((w) => ({
      kind: w.kind,
      [WARNING_VALUE[w.kind]]: w.value,
      ...(w.expires !== undefined ? { expires: w.expires } : {}),
      ...(w.line !== undefined ? { line: w.line } : {}),
      // The group's membership is not known for these users: the warning is not "no member".
      ...(w.groupsUnknown ? { groups_unknown: true, groups_unknown_users: w.groupsUnknown } : {}),
      message: w.text(),
    })),
    guard: verdictData(verdict),
  };
}
