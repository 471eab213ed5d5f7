import { groupKey } from "../core/groups.js";
import {
  confusableLetters,
  describeConfusables,
  emailsLookAlike,
  LookalikeIndex,
  namesLookAlike,
} from "../core/lookalike.js";
import { showName } from "../core/names.js";
import { groupNamesOf, type OrganizationUser } from "../core/organization-user.js";
import { sanitize } from "../core/safe-text.js";
import type { ManifestProblem } from "../manifest/manifest-error.js";
import type { SourcePosition } from "../manifest/manifest.js";
import type { Plan } from "./plan.js";
import type { Rules } from "./rules.js";

// Loaded only when a plan has manifest users missing from the organization, or protected group names no
// live group has: the look-alike table is 100 kB.

/**
 * The manifest users missing from the organization, indexed by look: what the executor asks before each
 * request (Rules.lookalikes), with the same rule the plan was refused by.
 */
export function missingLookalikes(missing: Plan["missing"]): NonNullable<Rules["lookalikes"]> {
  const index = new LookalikeIndex<string>();
  for (const user of missing) index.add(user.email, user.email);
  return index;
}

/**
 * The manifest users missing from the organization who look like a user the plan would remove: the same
 * spelling to a reader (соре@example.com typed in Cyrillic and the real cope@example.com; ΑΒΕ@example.com
 * in Greek capitals and abe@example.com), by core/lookalike.ts's rule. Listing one and removing the other is
 * a typo that removes the person the manifest meant to keep, so such a plan is refused as a problem of the
 * manifest, at the missing user's line; --force does not lift it. Pure.
 */
export function lookalikeProblems(plan: Pick<Plan, "missing" | "removals">, file: string): ManifestProblem[] {
  if (plan.missing.length === 0 || plan.removals.length === 0) return [];
  const index = new LookalikeIndex<Plan["missing"][number]>();
  for (const missing of plan.missing) index.add(missing.email, missing);
  const alikeOf = new Map<Plan["missing"][number], string[]>();
  for (const removal of plan.removals) {
    for (const missing of index.find(removal.email))
      alikeOf.set(missing, [...(alikeOf.get(missing) ?? []), removal.email]);
  }
  return plan.missing.flatMap((missing) => {
    const alike = alikeOf.get(missing);
    if (!alike) return [];
    const letters = confusableLetters(missing.email);
    const why = letters.length > 0 ? ` (${describeConfusables(letters)})` : "";
    const written = JSON.stringify(sanitize(missing.email));
    return [
      {
        file,
        line: missing.line,
        col: missing.col,
        message:
          `${written} is not in the organization, but it looks like ${alike.map(sanitize).join(", ")}${why}, ` +
          `whom this plan would remove: type the address as the organization has it. If they are two people, leave ` +
          `${written} out of the manifest until they are invited`,
      },
    ];
  });
}

/** A group name the manifest gives, with where, and what it is for ("protected group", "guarded group"). */
export interface NamedGroup {
  name: string;
  position: SourcePosition;
  what: string;
}

/**
 * The groups the manifest names (protect's, the groups guard's) that no live group has, but that look like
 * a live group: the same name to a reader (Greek Αdmins and Admins, admins and Admins), whose members the
 * manifest meant to keep or guard and would not. Names compare as groupKey has them, so another Unicode
 * form of one name is the name itself, not a look-alike. Refused like a look-alike address; nothing to do
 * while the API gives no user's groups. Pure.
 */
export function groupLookalikeProblems(
  named: readonly NamedGroup[],
  liveUsers: readonly OrganizationUser[],
  file: string,
): ManifestProblem[] {
  if (named.length === 0) return [];
  const live = new Map<string, string>();
  for (const user of liveUsers)
    for (const name of groupNamesOf(user) ?? []) if (!live.has(groupKey(name))) live.set(groupKey(name), name);
  const problems: ManifestProblem[] = [];
  for (const group of named) {
    if (live.has(groupKey(group.name))) continue;
    const alike = [...live.values()].filter((name) => namesLookAlike(name, group.name));
    if (alike.length === 0) continue;
    const letters = confusableLetters(group.name);
    const why = letters.length > 0 ? ` (${describeConfusables(letters)})` : "";
    problems.push({
      file,
      ...group.position,
      message:
        `${group.what} ${showName(group.name)} is no group of the organization, but it looks like ` +
        `${alike.map((name) => showName(name)).join(", ")}${why}: ` +
        `write the name as the organization has it`,
    });
  }
  return problems;
}

/**
 * The protect patterns of the form `*@DOMAIN` that match no live user, but whose domain looks like the domain
 * of live users (`*@ехаmple.com` typed in Cyrillic against example.com): such a pattern protects nobody, and
 * the users it was written for would be removed. Refused like a look-alike address, at the pattern's line.
 * Other patterns are judged only by what they match. Pure.
 */
export function patternLookalikeProblems(
  unused: readonly { pattern: string; line?: number; col?: number }[],
  liveEmails: readonly string[],
  file: string,
): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const domains = [...new Set(liveEmails.map((email) => email.slice(email.lastIndexOf("@") + 1)))];
  for (const entry of unused) {
    const domain = /^\*@([^*?]+)$/.exec(entry.pattern.trim())?.[1];
    if (domain === undefined || entry.line === undefined) continue;
    const alike = domains.filter((live) => emailsLookAlike(`a@${domain}`, `a@${live}`));
    if (alike.length === 0) continue;
    const letters = confusableLetters(domain);
    const why = letters.length > 0 ? ` (${describeConfusables(letters)})` : "";
    problems.push({
      file,
      line: entry.line,
      col: entry.col ?? 1,
      message:
        `protect pattern ${JSON.stringify(sanitize(entry.pattern))} matches no user, but its domain looks like ` +
        `${alike.slice(0, 3).map(sanitize).join(", ")}${why}, whose users this plan would not protect: write the domain as the ` +
        `organization's addresses have it`,
    });
  }
  return problems;
}
