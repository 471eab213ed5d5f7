import type { ApplyResult, RemovalResult } from "../apply/apply-plan.js";
import { combinedResult, type AccountsApplyResult } from "../apply/apply-run.js";
import type { AccountsVerification, LeftUser, Verification } from "../apply/verify.js";
import { accountLabel, type AccountRef } from "../core/managed-account.js";
import { OUTCOME_LABEL, resultProblem } from "./apply-lines.js";
import { accountData, accountsSummary, oneOrganization, type RunView } from "./run-plan.js";
import { plural } from "../core/plural.js";
import { sanitize } from "../core/safe-text.js";

/** The result of an apply that had nothing to remove. */
export const NOTHING_APPLIED: ApplyResult = {
  summary: { removed: 0, already_absent: 0, failed: 0, unknown: 0, not_started: 0 },
  results: [],
};

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
  const head =
    `Not converged: ${plural(remaining, "user")} the manifest does not list ` +
    `${remaining === 1 ? "is" : "are"} still in the organization; run roster apply again.\n`;
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
    : `Not converged: ${plural(verification.remaining, "user")} still to ` +
      `remove${verification.unreadable > 0 ? `, ${plural(verification.unreadable, "account")} could not be read` : ""}; run roster apply again.\n`;
  // An account whose key was refused is not read again: say so, lest "all accounts" seem to include it.
  const unverified =
    refused.length > 0
      ? `Not verified: ${refused.map(accountLabel).join("; ")}: ` +
        `${refused.length === 1 ? "its key was" : "their keys were"} refused.\n`
      : "";
  return head + lines.join("") + unverified;
}

/** The apply result as `--format json` prints it. */
export function applyJson(result: ApplyResult, verification: Verification | undefined) {
  const { removed, already_absent, failed, unknown, not_started } = result.summary;
  return {
    summary: {
      removed,
      already_absent,
      failed,
      ...(unknown > 0 ? { unknown } : {}),
      ...(not_started > 0 ? { not_started } : {}),
    },
    results: result.results.map((r) => ({
      id: r.removal.id,
      email: r.removal.email,
      outcome: r.outcome,
      ...(r.error !== undefined ? { error: r.error } : {}),
    })),
    ...(result.stoppedBy ? { stopped_by: result.stoppedBy } : {}),
    // The users left are named in the text; the document keeps the shape it has always had.
    ...(verification
      ? {
          verified:
            "error" in verification
              ? verification
              : { converged: verification.converged, remaining: verification.remaining },
        }
      : {}),
  };
}

// The words of an apply's steps, chosen from the run: one organization's as they always were, or across accounts.

/** Why nothing was applied when no organization has a removal: the job summary's closing and stdout's line. */
export function nothingToApplyText(view: RunView): string {
  return oneOrganization(view)
    ? "Nothing to apply: the organization already matches the manifest."
    : "Nothing to apply: every account already matches its manifest.";
}

/** A guard's refusal: the job summary's closing, and stderr's lines (the verdicts, unless the preview shows them). */
export function refusedText(view: RunView, previewShowsVerdict: boolean): { closing: string; stderr: string } {
  const one = oneOrganization(view);
  const refused = view.accounts.filter((a) => !a.verdict.allowed);
  const verdicts = previewShowsVerdict
    ? ""
    : refused
        .map((a) => `roster: refused: ${one ? "" : `${accountLabel(a.account)}: `}${a.verdict.message}\n`)
        .join("");
  return one
    ? {
        closing: "Not applied: a safety guard refused the plan. Nothing was changed.",
        stderr: `${verdicts}Nothing was changed.\n`,
      }
    : {
        closing: "Not applied: a safety guard refused the plan of an account. Nothing was changed.",
        stderr: `${verdicts}Nothing was changed in any account.\n`,
      };
}

/** The question asked before any removal: how many users, from which organization or how many accounts. */
export function applyQuestion(view: RunView): string {
  const one = oneOrganization(view);
  const total = accountsSummary(view).remove;
  if (one) return `Do you want to remove ${plural(total, "user")} from the organization at ${one.source.host}?`;
  const withRemovals = view.accounts.filter((a) => a.plan.summary.remove > 0).length;
  return `Do you want to remove ${plural(total, "user")} from ${plural(withRemovals, "account")}?`;
}

/** The stderr lines of the organizations whose key the API refused during the run (each stopped alone). */
export function keyRefusedText(view: RunView, refused: readonly { account: AccountRef; error: Error }[]): string {
  const one = oneOrganization(view);
  return refused
    .map(({ account, error }) => {
      const message = sanitize(error.message);
      if (one) return `roster: error: ${message}\n`;
      // A managed account's refused key names its account already; the own organization's does not.
      const named = message.includes(accountLabel(account)) ? message : `${accountLabel(account)}: ${message}`;
      return `roster: error: ${named}; the other accounts went on\n`;
    })
    .join("");
}

/** What reading the organizations again found, as apply ends with it ("" when none was read again). */
export function runVerificationText(
  view: RunView,
  verification: AccountsVerification,
  refused: readonly AccountRef[],
  results: readonly RemovalResult[] = [],
): string {
  if (!oneOrganization(view)) return accountsVerificationText(verification, refused);
  const verified = verification.accounts[0]?.verification;
  return verified ? verificationText(verified, results) : "";
}

/**
 * The closing lines of the job summary after removals: the verification, the error that stopped the run, a lost audit
 * line.
 */
export function closingLines(
  view: RunView,
  result: ApplyResult,
  verifiedText: string,
  auditFailure: string | undefined,
): string[] {
  const stopped = oneOrganization(view) && result.fatal ? `Error: ${result.fatal.message}` : "";
  return [...verifiedText.split("\n"), stopped, auditFailure ? `Error: ${auditFailure}` : ""].filter(Boolean);
}

/**
 * `apply --format json`: one manifest gives the document of one organization (with its account beside it when
 * the manifest names one); several give every account's results, the skipped accounts, the total and the
 * verification. `outcome` is undefined when there was nothing to apply.
 */
export function applyDocument(
  view: RunView,
  outcome: AccountsApplyResult | undefined,
  verification: AccountsVerification | undefined,
) {
  const one = oneOrganization(view);
  const result = outcome ? combinedResult(outcome, one !== undefined) : NOTHING_APPLIED;
  if (one) return applyJson(result, verification?.accounts[0]?.verification);
  if (view.manifests === 1 && view.accounts.length === 1) {
    return {
      ...applyJson(result, verification?.accounts[0]?.verification),
      account: accountData(view.accounts[0]!.account),
    };
  }
  const byAccount = new Map(verification?.accounts.map((a) => [a.account.id, a.verification]));
  const document = {
    format_version: 1,
    accounts: (outcome?.accounts ?? []).map(({ account, result }) => ({
      account: accountData(account),
      ...applyJson(result, byAccount.get(account.id)),
      ...(result.fatal ? { error: result.fatal.message } : {}),
    })),
    // As plan's document has them: an account left out is named, never silently missing.
    skipped: view.skipped.map((s) => ({ account: accountData(s.account), manifest: s.manifest, reason: s.reason })),
    ...(outcome ? { summary: applyJson(result, undefined).summary } : {}),
    ...(verification
      ? {
          verified: {
            converged: verification.converged,
            remaining: verification.remaining,
            unreadable: verification.unreadable,
          },
        }
      : {}),
  };
  return outcome ? document : { ...document, message: "nothing to apply" };
}
