import { write, type Io } from "../terminal/io.js";
import { confusableWarnings } from "../manifest/confusable-warnings.js";
import { loadManifest } from "../manifest/load-manifest.js";
import { formatProblem } from "../manifest/manifest-error.js";
import { plural } from "../core/plural.js";

export interface ValidateOptions {
  file: string;
  /** "github" also writes each warning as a workflow command on stdout. */
  format?: "pretty" | "github";
}

/** Checks the manifest offline: no key needed, no request made. Warnings go to stderr and do not fail. */
export async function validateCommand(options: ValidateOptions, io: Io): Promise<number> {
  const manifest = await loadManifest(options.file);
  const warnings = await confusableWarnings(manifest);
  if (warnings.length > 0) {
    write(io.stderr, warnings.map((w) => `warning: ${formatProblem(w)}\n`).join(""), io.env);
    if (options.format === "github") {
      const { workflowCommand } = await import("../render/github-commands.js");
      write(io.stdout, warnings.map((w) => workflowCommand("warning", { file: w.file, line: w.line, col: w.col }, w.message) + "\n").join(""), io.env);
    }
  }
  const patterns = manifest.protect.length > 0 ? `, ${plural(manifest.protect.length, "protect pattern")}` : "";
  write(io.stdout, `${options.file}: valid manifest: ${plural(manifest.users.length, "user")}${patterns}\n`, io.env);
  return 0;
}
