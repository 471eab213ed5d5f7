import type { GuardSettings, Manifest } from "../manifest/manifest.js";
import { checkGuards, type GuardVerdict } from "../plan/guards.js";
import { planRemovals, type Plan } from "../plan/plan.js";
import type { TelnyxClient } from "../telnyx/client.js";
import { readOrganization } from "../telnyx/read-organization.js";

/** Guard flags of one run: they override the manifest's `guards`. */
export interface GuardFlags extends GuardSettings {
  force?: boolean;
}

export interface PreparedPlan {
  manifest: Manifest;
  plan: Plan;
  verdict: GuardVerdict;
}

/** The steps of plan and apply after the manifest is loaded, in their fixed order: read the organization, plan, check. */
export async function preparePlan(manifest: Manifest, client: TelnyxClient, concurrency: number, guards: GuardFlags): Promise<PreparedPlan> {
  const liveUsers = await readOrganization(client, { concurrency });
  const plan = planRemovals(manifest, liveUsers);
  const verdict = checkGuards(plan, { ...manifest.guards, ...definedOnly(guards) });
  return { manifest, plan, verdict };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
