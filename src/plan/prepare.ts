import { groupNamesOf, type OrganizationUser } from "../core/organization-user.js";
import type { Manifest } from "../manifest/manifest.js";
import { ManifestError } from "../manifest/manifest-error.js";
import { checkGuards, type GuardOptions, type GuardVerdict } from "./guards.js";
import { planRemovals, type Plan, type PlanSource } from "./plan.js";
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
 * flags, which override the manifest's guards.
 */
export async function prepareFromManifest(manifest: Manifest, liveUsers: readonly OrganizationUser[], host: string, flags: GuardOptions): Promise<PreparedPlan> {
  const plan = planRemovals(manifest, liveUsers);
  // A missing user who looks like one the plan removes is a typo that would remove the person meant:
  // refused before anything is shown or sent, whatever the flags. The look-alike table loads only then.
  if (plan.missing.length > 0 && plan.removals.length > 0) {
    const problems = (await import("./lookalikes.js")).lookalikeProblems(plan, manifest.path);
    if (problems.length > 0) throw new ManifestError(problems);
  }
  const verdict = checkGuards(plan, { ...manifest.guards, ...definedOnly(flags) });
  return { plan, verdict, rules: rulesOf(manifest), source: { manifest: manifest.path, host }, fingerprint: organizationFingerprint(liveUsers) };
}

/** Refuses a saved plan made against another host, before the organization is read. */
export function checkSavedPlanHost(saved: SavedPlan, host: string): void {
  if (saved.apiHost !== host) {
    throw new SavedPlanError(`the plan was made against ${saved.apiHost}, but this run talks to ${host}: apply it with the base URL it was made with, or make a new plan`);
  }
}

/**
 * A saved plan against the organization as it is now: refused if the organization changed since, its guards
 * checked again (this run's flags override the manifest's guards saved with it). The removals are exactly the
 * saved ones, each carrying what the organization says of that user now, so the executor judges the live
 * record: an owner is never removed, even one who became owner after the plan. Pure.
 */
export function prepareFromSavedPlan(saved: SavedPlan, liveUsers: readonly OrganizationUser[], host: string, flags: GuardOptions): PreparedPlan {
  checkSavedPlanHost(saved, host);
  const fingerprint = organizationFingerprint(liveUsers);
  if (fingerprint !== saved.fingerprint) throw new SavedPlanError("plan is stale: the organization changed since the plan was made; run roster plan again");
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
  const rules = savedPlanRules(saved.manifest);
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
