import { groupNamesOf, type OrganizationUser } from "../core/organization-user.js";
import type { Manifest } from "../manifest/manifest.js";
import { ManifestError, type ManifestProblem } from "../manifest/manifest-error.js";
import { checkGuards, type GuardOptions, type GuardVerdict } from "./guards.js";
import { planRemovals, type Plan, type PlanClock, type PlanSource } from "./plan.js";
import { groupKey } from "../core/groups.js";
import type { NamedGroup } from "./lookalikes.js";
import { rulesOf, type Rules } from "./rules.js";
import { organizationFingerprint, savedPlanRules, SavedPlanError, type SavedPlan } from "./saved-plan.js";

/** A plan ready to show and apply, with the rules the executor re-checks each removal against. */
export interface PreparedPlan {
  plan: Plan;
  verdict: GuardVerdict;
  rules: Rules;
  source: PlanSource;
  /** organizationFingerprint of the live users the plan was made from. */
  fingerprint: string;
}

/**
 * The plan of a manifest against the live users, with its guard verdict: pure. `flags` are this run's guard
 * flags, which override the manifest's guards; `clock` is the day the rules of time judge on (the command
 * reads it once), needed by a manifest with `expires:`.
 */
export async function prepareFromManifest(
  manifest: Manifest,
  liveUsers: readonly OrganizationUser[],
  host: string,
  flags: GuardOptions,
  clock?: PlanClock,
): Promise<PreparedPlan> {
  const manifestRules = rulesOf(manifest, clock?.today);
  const plan = planRemovals(manifest, liveUsers, clock, manifestRules);
  const rules = await withLookalikes(manifestRules, plan, namedGroups(manifest), liveUsers, manifest.path);
  // Assigned onto a new object, not spread: see rulesOf.
  const verdict = checkGuards(plan, Object.assign({}, manifest.guards, definedOnly(flags)));
  let fingerprint: string | undefined;
  return {
    plan,
    verdict,
    rules,
    source: { manifest: manifest.path, host },
    // Only a saved plan needs it. The plan lists every live user once (removed, protected or kept), so it is
    // taken from the plan, and the live users' records need not be kept for it.
    get fingerprint() {
      fingerprint ??= organizationFingerprint([...plan.removals, ...plan.protected, ...plan.kept]);
      return fingerprint;
    },
  };
}

/**
 * The look-alike checks, the same for a manifest and a saved plan: a missing user who looks like one the plan
 * removes, or a named group that no live group has but one looks like, is a typo that would remove the
 * person meant. Refused before anything is shown or sent, whatever the flags; the missing users go on to the
 * executor in `rules`, which asks again before each request. The look-alike table loads only when needed.
 */
async function withLookalikes(
  rules: Rules,
  plan: Plan,
  named: NamedGroup[],
  liveUsers: readonly OrganizationUser[],
  file: string,
  refuse: (problems: ManifestProblem[]) => never = refuseManifest,
): Promise<Rules> {
  const unknownNames = namesNoLiveGroupHas(named, liveUsers);
  const unusedDomains = (plan.unusedPatterns ?? []).filter((entry) => /^\s*\*@[^*?]+$/.test(entry.pattern));
  if (plan.missing.length === 0 && unknownNames.length === 0 && unusedDomains.length === 0) return rules;
  const { groupLookalikeProblems, lookalikeProblems, missingLookalikes, patternLookalikeProblems } = await import(
    "./lookalikes.js"
  );
  const problems = [
    ...lookalikeProblems(plan, file),
    ...groupLookalikeProblems(unknownNames, liveUsers, file),
    ...patternLookalikeProblems(
      unusedDomains,
      liveUsers.map((user) => user.email),
      file,
    ),
  ];
  if (problems.length > 0) refuse(problems.sort((a, b) => a.line - b.line || a.col - b.col));
  return plan.missing.length > 0 ? { ...rules, lookalikes: missingLookalikes(plan.missing) } : rules;
}

/** The named groups no live user is in, as groupKey compares names; the live groups are gathered only for a name. */
function namesNoLiveGroupHas(named: NamedGroup[], liveUsers: readonly OrganizationUser[]): NamedGroup[] {
  if (named.length === 0) return [];
  const live = new Set(liveUsers.flatMap((user) => groupNamesOf(user) ?? []).map(groupKey));
  return named.filter((group) => !live.has(groupKey(group.name)));
}

/** A manifest's look-alikes: problems at their lines. */
function refuseManifest(problems: ManifestProblem[]): never {
  throw new ManifestError(problems);
}

/**
 * A saved plan's look-alikes, found against the organization as it is now: the plan keeps no positions of its
 * groups, so the problems are said as the plan's, and the plan is refused whole.
 */
function refuseSavedPlan(problems: ManifestProblem[]): never {
  const said = problems.map((problem) => problem.message).join("; ");
  throw new SavedPlanError(`the plan cannot be applied: ${said}; correct the manifest, then make the plan again`);
}

/** The group names a manifest compares with the live ones to decide who stays: protect's, and the groups guard's. */
function namedGroups(manifest: Pick<Manifest, "protectGroups" | "guards" | "guardGroupsAt">): NamedGroup[] {
  // Most manifests name no group: no lists are mapped and joined then (see planRemovals' unused patterns and groups).
  if (manifest.protectGroups.length === 0 && (manifest.guards.requireForceForGroups ?? []).length === 0) return [];
  const protect = manifest.protectGroups.map((group) => ({
    name: group.name,
    position: group.position,
    what: "protected group",
  }));
  const guarded = (manifest.guards.requireForceForGroups ?? []).map((name, index) => ({
    name,
    position: manifest.guardGroupsAt?.[index] ?? { line: 1, col: 1 },
    what: "the guarded group",
  }));
  return [...protect, ...guarded];
}

/** Refuses a saved plan made against another host, before the organization is read. */
export function checkSavedPlanHost(saved: SavedPlan, host: string): void {
  if (saved.apiHost !== host) {
    throw new SavedPlanError(
      `the plan was made against ${saved.apiHost}, but this run talks to ${host}: apply it with the base URL it was ` +
        `made with, or make a new plan`,
    );
  }
}

/**
 * A saved plan against the organization as it is now: refused if the organization changed since, its guards
 * checked again (this run's flags override the manifest's guards saved with it). The removals are exactly the
 * saved ones, each carrying what the organization says of that user now, so the executor judges the live
 * record: an owner is never removed, even one who became owner after the plan. The listed users' last days
 * are judged on `clock.today`, the day of apply (a saved plan carrying them needs it). Pure.
 */
export async function prepareFromSavedPlan(
  saved: SavedPlan,
  liveUsers: readonly OrganizationUser[],
  host: string,
  flags: GuardOptions,
  clock?: Pick<PlanClock, "today">,
): Promise<PreparedPlan> {
  checkSavedPlanHost(saved, host);
  const fingerprint = organizationFingerprint(liveUsers);
  if (fingerprint !== saved.fingerprint)
    throw new SavedPlanError("plan is stale: the organization changed since the plan was made; run roster plan again");
  const byId = new Map(liveUsers.map((user) => [user.id, user]));
  const removals = saved.plan.removals.map((removal) => {
    // Present: the fingerprint matched, and a saved plan's fingerprint covers every user it lists.
    const user = byId.get(removal.id)!;
    return {
      ...removal,
      // The groups as planned and as they are now: a user who joined a protected group since is refused.
      groups: joinedGroups(removal.groups, groupNamesOf(user)),
      email: user.email,
      user_status: user.user_status,
      last_sign_in_at: user.last_sign_in_at ?? null,
      record_type: user.record_type,
      created_at: user.created_at ?? null,
    };
  });
  const plan: Plan = { ...saved.plan, removals };
  const verdict = checkGuards(plan, { ...saved.manifest.guards, ...definedOnly(flags) });
  const named = namedGroups({
    protectGroups: saved.manifest.protectGroups.map((name) => ({ name, position: { line: 0, col: 0 } })),
    guards: saved.manifest.guards,
  });
  const rules = await withLookalikes(
    savedPlanRules(saved.manifest, clock?.today),
    plan,
    named,
    liveUsers,
    saved.manifest.path,
    refuseSavedPlan,
  );
  return { plan, verdict, rules, source: { manifest: saved.manifest.path, host }, fingerprint };
}

/** Every group of either list, the planned ones first; unknown when either is (roster never guesses groups). */
function joinedGroups(planned: string[] | null, now: string[] | null): string[] | null {
  if (planned === null || now === null) return null;
  return [...new Set([...planned, ...now])];
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
