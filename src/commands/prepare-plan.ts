import type { Manifest } from "../manifest/manifest.js";
import type { GuardOptions } from "../plan/guards.js";
import { checkSavedPlanHost, prepareFromManifest, prepareFromSavedPlan, type PreparedPlan } from "../plan/prepare.js";
import type { SavedPlan } from "../plan/saved-plan.js";
import type { TelnyxClient } from "../telnyx/client.js";
import { readOrganization } from "../telnyx/read-organization.js";

export type { PreparedPlan };

/** The steps of plan and apply after the manifest is loaded, in their fixed order: read the organization, plan, check. */
export async function preparePlan(manifest: Manifest, client: TelnyxClient, concurrency: number, guards: GuardOptions): Promise<PreparedPlan> {
  const liveUsers = await readOrganization(client, { concurrency });
  return prepareFromManifest(manifest, liveUsers, client.host, guards);
}

/** The same for a saved plan: its host checked before any read, then the organization read and compared. */
export async function prepareSavedPlan(saved: SavedPlan, client: TelnyxClient, concurrency: number, guards: GuardOptions): Promise<PreparedPlan> {
  checkSavedPlanHost(saved, client.host);
  const liveUsers = await readOrganization(client, { concurrency });
  return prepareFromSavedPlan(saved, liveUsers, client.host, guards);
}
