import type { ApplyResult, RemovalResult } from "../apply/apply-plan.js";
import { OUTCOME_LABEL, resultProblem } from "./apply-lines.js";
import type { AccountRef } from "../apply/apply-accounts.js";
import type { AccountsVerification, LeftUser, Verification } from "../apply/verify.js";
import { plural } from "../core/plural.js";
import { sanitize } from "../core/safe-text.js";
import { accountLabel } from "./accounts-plan.js";

/** The result of an apply that had nothing to remove. */
export const NOTHING_APPLIED: ApplyResult = { summary: { removed: 0, already_absent: 0, failed: 0, unknown: 0, not_started: 0 }, results: [] };

/** The users left that "Not converged" names; the rest are counted. */
export const LEFT_NAMED = 20;

/**
 * What verification found, as the lines apply ends with. Not converged, it names who is left (the first 20,
 * then a count), each with what became of its removal in this run when `results` has it (failed after 3
 * attempts: the API's answer), so a person knows whom to look at and why.
 */
export function verificationText(verification: Verification, results: readonly RemovalResult[] = []): string {
  if ("error" in verification) return `Could not verify: ${sanitize(verification.error)}; run roster plan to check.\n`;
  if (verification.converged) return "Verified: the organization now matches the manifest.\n";
  const { remaining } = verification;
  const head = `Not converged: ${plural(remaining, "user")} the manifest does not list ${remaining === 1 ? "is" : "are"} still in the organization; run roster apply again.\n`;
  const byId = new Map(results.map((result) => [result.removal.id, result]));
  const named = leftNamed(verification).map((user) => `  - ${sanitize(user.email)}${leftNote(byId.get(user.id))}\n`);
  const more = remaining > named.length && named.length > 0 ? `  and ${remaining - named.length} more\n` : "";
  return head + named.join("") + more;
}

/** The users left that are named: the first LEFT_NAMED by email. */
function leftNamed(verification: { left?: LeftUser[] }): LeftUser[] {
  const left = [...(verification.left ?? [])].sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
  return left.slice(0, LEFT_NAMED);
}

/** One account's verification on one line (each account is a line of the summary): the users left after "Left:". */
function accountVerificationLine(verification: Verification): string {
  const head = verificationText(verification).split("\n")[0]!;
  if ("error" in verification || verification.converged) return head;
  const named = leftNamed(verification).map((user) => sanitize(user.email));
  if (named.length === 0) return head;
  const more = verification.remaining > named.length ? ` and ${verification.remaining - named.length} more` : "";
  return `${head} Left: ${named.join(", ")}${more}.`;
}

/** What became of a left user's removal in this run, after its email. */
function leftNote(result: RemovalResult | undefined): string {
  if (!result) return "";
  const problem = resultProblem(result);
  if (result.outcome === "failed") return `: removal failed${problem ? `: ${problem}` : ""}`;
  if (result.outcome === "unknown") return `: removal unknown${problem ? `: ${problem}` : ""}`;
  return `: ${OUTCOME_LABEL[result.outcome]} in this run, yet still in the organization`;
}

/** What reading every account again found, one line per account that did not converge, then the total. */
export function accountsVerificationText(verification: AccountsVerification, refused: readonly AccountRef[]): string {
  const lines = verification.accounts
    .filter(({ verification: v }) => !v.converged)
    .map(({ account, verification: v }) => `  ${accountLabel(account)}: ${accountVerificationLine(v)}\n`);
  const verified = verification.accounts.length;
  const head = verification.converged
    ? `Verified: ${verified === 1 ? "1 account now matches its manifest" : verified === 2 ? "both accounts now match their manifests" : `all ${verified} accounts now match their manifests`}.\n`
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
    // The users left are named in the text; the document keeps the shape it has always had.
    ...(verification ? { verified: "error" in verification ? verification : { converged: verification.converged, remaining: verification.remaining } } : {}),
  };
}
