import type { ApplyResult } from "../apply/apply-plan.js";
import type { Verification } from "../apply/verify.js";
import { plural } from "../core/plural.js";
import { sanitize } from "../core/safe-text.js";

/** The result of an apply that had nothing to remove. */
export const NOTHING_APPLIED: ApplyResult = { summary: { removed: 0, already_absent: 0, failed: 0, unknown: 0, not_started: 0 }, results: [] };

/** What verification found, as the line apply ends with. */
export function verificationText(verification: Verification): string {
  if ("error" in verification) return `Could not verify: ${sanitize(verification.error)}; run roster plan to check.\n`;
  if (verification.converged) return "Verified: the organization now matches the manifest.\n";
  const { remaining } = verification;
  return `Not converged: ${plural(remaining, "user")} the manifest does not list ${remaining === 1 ? "is" : "are"} still in the organization; run roster apply again.\n`;
}

/** The apply result as `--format json` prints it. */
export function applyJson(result: ApplyResult, verification: Verification | undefined) {
  const { removed, already_absent, failed, unknown, not_started } = result.summary;
  return {
    summary: { removed, already_absent, failed, ...(unknown > 0 ? { unknown } : {}), ...(not_started > 0 ? { not_started } : {}) },
    results: result.results.map((r) => ({
      id: r.removal.id,
      email: r.removal.email,
      outcome: r.outcome,
      ...(r.error !== undefined ? { error: r.error } : {}),
    })),
    ...(result.stoppedBy ? { stopped_by: result.stoppedBy } : {}),
    ...(verification ? { verified: verification } : {}),
  };
}
