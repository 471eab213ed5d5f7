import { resolve } from "node:path";
import type { Io } from "../terminal/io.js";
import { fileWriteError } from "../files/file-error.js";
import { notRegularFile } from "../files/regular-file.js";
import type { GuardOptions } from "../plan/guards.js";
import type { ApiOptions } from "../targets/connect.js";
import { planClock, planTargets } from "../targets/plan-targets.js";
import { acrossAccounts, readManifests } from "../manifest/read-manifests.js";
import type { PlanOutputOptions } from "./plan-output.js";

export interface PlanOptions extends ApiOptions, PlanOutputOptions {
  /** The manifests: one file, or several files and folders for a run across accounts. */
  files: string[];
  detailedExitcode: boolean;
  guards: GuardOptions;
}

/** Exit codes of `plan --detailed-exitcode`, as Terraform's. */
export const PLAN_EXIT = { noChanges: 0, error: 1, changes: 2, refused: 3 } as const;

/**
 * Shows what apply would do, and saves it with --out; changes nothing in any organization. In order: read
 * the manifests, connect and plan each organization, show, report, save; the exit code is the worst of them.
 */
export async function planCommand(options: PlanOptions, io: Io): Promise<number> {
  checkOut(options);
  const manifests = await readManifests(options.files);
  // Loaded while the organizations are read, not before the first request.
  const output = import("./plan-output.js");
  // Its failure to load is the one reported below, not an unhandled rejection should planning fail first.
  output.catch(() => {});
  const planned = await planTargets(
    { manifests, shape: acrossAccounts(manifests) ? "accounts" : "organization" },
    { ...options, clock: planClock(new Date()) },
    io,
  );
  try {
    const total = await (await output).showRunPlan(planned, options, io);
    if (!options.detailedExitcode) return PLAN_EXIT.noChanges;
    if (total.refused > 0) return PLAN_EXIT.refused;
    return total.remove > 0 ? PLAN_EXIT.changes : PLAN_EXIT.noChanges;
  } finally {
    planned.close();
  }
}

/** Refuses, before anything is read, an --out that is the manifest itself or not a file. */
function checkOut(options: PlanOptions): void {
  if (options.out === undefined) return;
  if (options.files.some((file) => resolve(options.out!) === resolve(file))) {
    throw new Error(
      `--out ${options.out} is the manifest itself: save the plan to another file, such as plan.json. Nothing was ` +
        `changed.`,
    );
  }
  const outKind = notRegularFile(options.out);
  if (outKind === "a folder") throw fileWriteError({ code: "EISDIR" }, options.out);
  if (outKind)
    throw new Error(
      `--out ${options.out} is ${outKind}, not a file: save the plan to a file, such as plan.json. Nothing was ` +
        `changed.`,
    );
}
