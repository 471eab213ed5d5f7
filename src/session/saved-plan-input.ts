import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { resolve } from "node:path";
import { write, type Io } from "../terminal/io.js";
import { readProblem } from "../files/file-error.js";
import { sha256 } from "../core/digest.js";
import { MAX_MANIFEST_BYTES } from "../manifest/load-manifest.js";
import { loadSavedRun } from "../plan/load-saved-plan.js";
import { SavedPlanError, type SavedPlan, type SavedRun } from "../plan/saved-plan.js";
import { sanitize } from "../core/safe-text.js";

/** What became of the manifest a saved plan was made from, as `apply PLAN` found it. */
export type PlanManifestCheck = "unchanged" | "absent" | "ignored";

/**
 * Loads a saved plan for `apply PLAN` and checks it before any request: its seal with the API key, and the
 * manifest it was made from, which must be unchanged where it still exists (unless `ignoreManifestChange`).
 */
export async function loadSavedPlanForApply(
  planFile: string,
  ignoreManifestChange: boolean,
  io: Io,
): Promise<SavedRun> {
  const loaded = await loadSavedRun(planFile, io.env.TELNYX_API_KEY ?? "");
  // Every organization's manifest is compared: one changed refuses the whole plan.
  for (const { saved } of loaded.targets) {
    const check = ignoreManifestChange ? "ignored" : await checkPlanManifest(saved);
    if (check === "absent") {
      const path = sanitize(saved.manifest.path);
      write(
        io.stderr,
        `roster: note: the manifest ${path} the plan was made from is not in ${sanitize(process.cwd())}: applying the ` +
          `plan as saved, without comparing it with the manifest\n`,
        io.env,
      );
    }
  }
  return loaded;
}

/**
 * Compares the manifest a saved plan names with the digest the plan recorded. The path is the one given to
 * `plan -f`, resolved against this run's current folder: run from the repository's root, an apply in another
 * checkout compares that checkout's manifest. A manifest that is not there is "absent" (a CI job may apply
 * where the manifest is not checked out); one that differs, or cannot be read, refuses the plan.
 */
export async function checkPlanManifest(saved: SavedPlan): Promise<PlanManifestCheck> {
  const { path } = saved.manifest;
  let bytes: Buffer;
  try {
    // O_NONBLOCK: opening a FIFO put where the manifest was must not wait for a writer.
    const file = await open(resolve(path), constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const info = await file.stat();
      if (!info.isFile()) throw refuse(path, "it is not a file");
      if (info.size > MAX_MANIFEST_BYTES) throw changed(path);
      bytes = await file.readFile();
    } finally {
      await file.close();
    }
  } catch (error) {
    if (error instanceof SavedPlanError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "absent";
    throw refuse(path, readProblem(code, path));
  }
  if (sha256(bytes) !== saved.manifest.sha256) throw changed(path);
  return "unchanged";
}

function changed(path: string): SavedPlanError {
  return new SavedPlanError(
    `the manifest changed since the plan was made: ${path} is not the file the plan was made from; run roster plan ` +
      `again (or pass --ignore-manifest-change to apply the plan as saved)`,
  );
}

function refuse(path: string, why: string): SavedPlanError {
  return new SavedPlanError(
    `cannot compare the manifest ${path} the plan was made from: ${why}; pass --ignore-manifest-change to apply the ` +
      `plan as saved`,
  );
}
