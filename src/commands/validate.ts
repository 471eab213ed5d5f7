import { write, type Io } from "../terminal/io.js";
import { confusableWarnings } from "../manifest/confusable-warnings.js";
import type { LoadedManifest } from "../manifest/load-manifest.js";
import { describeSelector } from "../manifest/account-selector.js";
import { sanitize } from "../core/safe-text.js";
import { readManifests } from "../manifest/read-manifests.js";
import { formatProblem } from "../manifest/manifest-error.js";
import { plural } from "../core/plural.js";
import { expiredWarnings } from "../plan/expiry-warnings.js";
import { utcToday } from "../plan/lifecycle.js";

export interface ValidateOptions {
  /** One manifest, or several files and folders (a run across accounts: checked together, as plan would). */
  files: string[];
  /** "github" also writes each warning as a workflow command on stdout. */
  format?: "pretty" | "github";
}

/** Checks the manifest offline: no key needed, no request made. Warnings go to stderr and do not fail. */
export async function validateCommand(options: ValidateOptions, io: Io): Promise<number> {
  for (const manifest of await readManifests(options.files)) await validated(manifest, options, io);
  return 0;
}

/** Reports one valid manifest, with its warnings. */
async function validated(manifest: LoadedManifest, options: ValidateOptions, io: Io): Promise<void> {
  const expired = expiredWarnings(manifest, utcToday(new Date()));
  const warnings = [...(await confusableWarnings(manifest)), ...expired].sort(
    (a, b) => a.line - b.line || a.col - b.col,
  );
  if (warnings.length > 0) {
    write(io.stderr, warnings.map((w) => `warning: ${formatProblem(w)}\n`).join(""), io.env);
    if (options.format === "github") {
      const { workflowCommand } = await import("../render/github-commands.js");
      write(
        io.stdout,
        warnings
          .map((w) => `${workflowCommand("warning", { file: w.file, line: w.line, col: w.col }, w.message)}\n`)
          .join(""),
        io.env,
      );
    }
  }
  const patterns = manifest.protect.length > 0 ? `, ${plural(manifest.protect.length, "protect pattern")}` : "";
  const groups =
    manifest.protectGroups.length > 0 ? `, ${plural(manifest.protectGroups.length, "protected group")}` : "";
  const account = manifest.account ? `, for the managed ${describeSelector(manifest.account)}` : "";
  write(
    io.stdout,
    `${sanitize(
      `${manifest.path}: valid manifest: ${plural(manifest.users.length, "user")}${patterns}${groups}${account}`,
    )}\n`,
    io.env,
  );
}
