import type { ManifestProblem } from "../manifest/manifest-error.js";
import { confusableLetters, describeConfusables, emailSkeleton } from "../manifest/skeleton.js";
import { sanitize } from "../core/safe-text.js";
import type { Plan } from "./plan.js";

/**
 * The manifest users missing from the organization who look like a user the plan would remove: the same
 * Unicode TR39 skeleton (соре@example.com typed in Cyrillic and the real cope@example.com). Listing one
 * and removing the other is a typo that removes the person the manifest meant to keep, so such a plan is
 * refused as a problem of the manifest, at the missing user's line; --force does not lift it. Pure.
 */
export function lookalikeProblems(plan: Pick<Plan, "missing" | "removals">, file: string): ManifestProblem[] {
  if (plan.missing.length === 0 || plan.removals.length === 0) return [];
  const removals = new Map<string, string[]>();
  for (const removal of plan.removals) {
    const key = emailSkeleton(removal.email);
    removals.set(key, [...(removals.get(key) ?? []), removal.email]);
  }
  const problems: ManifestProblem[] = [];
  for (const missing of plan.missing) {
    const alike = removals.get(emailSkeleton(missing.email));
    if (!alike) continue;
    const letters = confusableLetters(missing.email);
    const why = letters.length > 0 ? ` (${describeConfusables(letters)})` : "";
    problems.push({
      file,
      line: missing.line,
      col: missing.col,
      message:
        `${JSON.stringify(sanitize(missing.email))} is not in the organization, but it looks like ${alike.map(sanitize).join(", ")}${why}, ` +
        `whom this plan would remove: type the address as the organization has it. If they are two people, leave ` +
        `${JSON.stringify(sanitize(missing.email))} out of the manifest until they are invited`,
    });
  }
  return problems;
}
