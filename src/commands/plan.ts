import type { Io } from "../cli/io.js";
import { loadManifest } from "../manifest/load-manifest.js";
import { connect, type ApiOptions } from "./connect.js";
import { preparePlan, type GuardFlags } from "./prepare-plan.js";
import { showPlan, type PlanFormat } from "./show-plan.js";

export interface PlanOptions extends ApiOptions {
  file: string;
  format: PlanFormat;
  detailedExitcode: boolean;
  guards: GuardFlags;
}

/** Exit codes of `plan --detailed-exitcode`, as Terraform's. */
export const PLAN_EXIT = { noChanges: 0, error: 1, changes: 2, refused: 3 } as const;

/** Shows what apply would do; changes nothing. */
export async function planCommand(options: PlanOptions, io: Io): Promise<number> {
  const manifest = await loadManifest(options.file);
  const client = connect(options, io);
  try {
    const { plan, verdict } = await preparePlan(manifest, client, options.concurrency, options.guards);
    await showPlan(plan, verdict, options.format, io);
    if (!options.detailedExitcode) return PLAN_EXIT.noChanges;
    if (!verdict.allowed) return PLAN_EXIT.refused;
    return plan.summary.remove > 0 ? PLAN_EXIT.changes : PLAN_EXIT.noChanges;
  } finally {
    client.close();
  }
}
