import type { Manifest } from "../manifest/manifest.js";
import { ManifestError } from "../manifest/manifest-error.js";
import { checkGuards, type GuardOptions, type GuardVerdict } from "../plan/guards.js";
import { planRemovals, type Plan } from "../plan/plan.js";
import { rulesOf, type Rules } from "../plan/rules.js";
import { organizationFingerprint, SavedPlanError, type SavedPlan } from "../plan/saved-plan.js";
import type { PlanSource } from "../plan/plan.js";
import type { TelnyxClient } from "../telnyx/client.js";
import { readOrganization } from "../telnyx/read-organization.js";

/** A plan ready to show and apply, with the rules the executor re-checks each removal against. */
export interface PreparedPlan {
  plan: Plan;
  verdict: GuardVerdict;
  rules: Rules;
  source: PlanSource;
  /** organizationFingerprint of the live users the plan was made from. */
  fingerprint: string;
}

/** The steps of plan and apply after the manifest is loaded, in their fixed order: read the organization, plan, check. */
export async function preparePlan(manifest: Manifest, client: TelnyxClient, concurrency: number, guards: GuardOptions): Promise<PreparedPlan> {
  const liveUsers = await readOrganization(client, { concurrency });
  const plan = planRemovals(manifest, liveUsers);
  // A missing user who looks like one the plan removes is a typo that would remove the person meant:
  // refused before anything is shown or sent, whatever the flags. The look-alike table loads only then.
  if (plan.missing.length > 0 && plan.removals.length > 0) {
    const problems = (await import("../plan/lookalikes.js")).lookalikeProblems(plan, manifest.path);
    if (problems.length > 0) throw new ManifestError(problems);
  }
  const verdict = checkGuards(plan, { ...manifest.guards, ...definedOnly(guards) });
  return { plan, verdict, rules: rulesOf(manifest), source: { manifest: manifest.path, host: client.host }, fingerprint: organizationFingerprint(liveUsers) };
}

/**
 * The same steps for a saved plan: read the organization, refuse the plan if the organization changed
 * since, and check the guards again (this run's flags override the manifest's guards saved with it). The
 * removals are exactly the saved ones, each carrying what the organization says of that user now, so the
 * executor judges the live record: an owner is never removed, even one who became owner after the plan.
 */
export async function prepareSavedPlan(saved: SavedPlan, client: TelnyxClient, concurrency: number, guards: GuardOptions): Promise<PreparedPlan> {
  if (saved.apiHost !== client.host) {
    throw new SavedPlanError(
      `the plan was made against ${saved.apiHost}, but this run talks to ${client.host}: apply it with the base URL it was made with, or make a new plan`,
    );
  }
  const liveUsers = await readOrganization(client, { concurrency });
  const fingerprint = organizationFingerprint(liveUsers);
  if (fingerprint !== saved.fingerprint) throw new SavedPlanError("plan is stale: the organization changed since the plan was made; run roster plan again");
  const byId = new Map(liveUsers.map((user) => [user.id, user]));
  const removals = saved.plan.removals.map((removal) => {
    // Present: the fingerprint matched, and a saved plan's fingerprint covers every user it lists.
    const user = byId.get(removal.id)!;
    return {
      ...removal,
      email: user.email,
      user_status: user.user_status,
      last_sign_in_at: user.last_sign_in_at ?? null,
      record_type: user.record_type,
      created_at: user.created_at ?? null,
    };
  });
  const plan: Plan = { ...saved.plan, removals };
  const verdict = checkGuards(plan, { ...saved.manifest.guards, ...definedOnly(guards) });
  const rules = rulesOf({ users: saved.manifest.desiredEmails.map((email) => ({ email })), protect: saved.manifest.protect });
  return { plan, verdict, rules, source: { manifest: saved.manifest.path, host: client.host }, fingerprint };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
