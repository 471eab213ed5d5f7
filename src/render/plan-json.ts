import { verdictData, type GuardVerdict } from "../plan/guards.js";
import type { Plan } from "../plan/plan.js";
import { protectionFacts } from "../plan/protection.js";
import { unusedPatternText } from "./plan-lines.js";

/** The plan as `--format json` prints it: a stable document for machines (format_version 1). */
export function planJson(plan: Plan, verdict: GuardVerdict) {
  return {
    format_version: 1,
    summary: plan.summary,
    // "changes" is the published key of format_version 1: the removals under their name in that format.
    changes: plan.removals.map((c) => ({ action: c.action, id: c.id, email: c.email, user_status: c.user_status, last_sign_in_at: c.last_sign_in_at })),
    protected: plan.protected.map((p) => ({ id: p.id, email: p.email, reason: p.reason, ...protectionFacts(p) })),
    missing: plan.missing.map((m) => ({ email: m.email })),
    warnings: (plan.unusedPatterns ?? []).map((u) => ({
      kind: "unused_protect_pattern",
      pattern: u.pattern,
      ...(u.line !== undefined ? { line: u.line } : {}),
      message: unusedPatternText(u),
    })),
    guard: verdictData(verdict),
  };
}
