import type { ApplyResult } from "../apply/apply-plan.js";
import type { AccountRef } from "../apply/apply-accounts.js";
import type { AccountsVerification, Verification } from "../apply/verify.js";
import { plural } from "../core/plural.js";
import { sanitize } from "../core/safe-text.js";
import { accountLabel } from "./accounts-plan.js";

/** The result of an apply that had nothing to remove. */
export const NOTHING_APPLIED: ApplyResult = { summary: { removed: 0, already_absent: 0, failed: 0, unknown: 0, not_started: 0 }, results: [] };

/** What verification found, as the line apply ends with. */
export function verificationText(verification: Verification): string {
  if ("error" in verification) return `Could not verify: ${sanitize(verification.error)}; run roster plan to check.\n`;
  if (verification.converged) return "Verified: the organization now matches the manifest.\n";
  const { remaining } = verification;
  return `Not converged: ${plural(remaining, "user")} the manifest does not list ${remaining === 1 ? "is" : "are"} still in the organization; run roster apply again.\n`;
}

/** What reading every account again found, one line per account that did not converge, then the total. */
export function accountsVerificationText(verification: AccountsVerification, refused: readonly AccountRef[]): string {
  const lines = verification.accounts
    .filter(({ verification: v }) => !v.converged)
    .map(({ account, verification: v }) => `  ${accountLabel(account)}: ${verificationText(v).trimEnd()}\n`);
  const verified = verification.accounts.length;
  const head = verification.converged
    ? `Verified: ${verified === 1 ? "1 account now matches its manifest" : `all ${verified} accounts now match their manifests`}.\n`
    : `Not converged: ${plural(verification.remaining, "user")} still to remove${verification.unreadable > 0 ? `, ${plural(verification.unreadable, "account")} could not be read` : ""}; run roster apply again.\n`;
  // An account whose key was refused is not read again: say so, lest "all accounts" seem to include it.
  const unverified = refused.length > 0 ? `Not verified: ${refused.map(accountLabel).join("; ")}: ${refused.length === 1 ? "its key was" : "their keys were"} refused.\n` : "";
  return head + lines.join("") + unverified;
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
