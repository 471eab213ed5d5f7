import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { write, type Io } from "../terminal/io.js";
import { notRegularFile } from "../files/regular-file.js";
import { fileWriteError } from "../files/file-error.js";
import { writeFileAtomic } from "../files/write-file-atomic.js";
import { ManifestError, formatProblem } from "../manifest/manifest-error.js";
import { parseManifest } from "../manifest/parse-manifest.js";
import { planRemovals } from "../plan/plan.js";
import { exportManifest } from "../manifest/export-manifest.js";
import { plural } from "../core/plural.js";
import { sanitize } from "../core/safe-text.js";
import { readOrganization } from "../telnyx/read-organization.js";
import { connect, type ApiOptions } from "../targets/connect.js";
import { defaultSchemaRef } from "../manifest/schema-ref.js";

export interface ExportOptions extends ApiOptions {
  /** Write the manifest here; without it, print it on stdout. */
  output?: string;
  /** Replace the file at `output` if there is one. */
  force: boolean;
  /** The `$schema` reference written on the first line, "none" for no such line; by default `defaultSchemaRef`'s. */
  schemaRef?: string;
}

/**
 * Writes a manifest of the organization as it is, to adopt roster: `roster plan` on it finds nothing to do.
 * An existing file is kept unless --force: it may hold reviewed users, protect patterns and guards.
 */
export async function exportCommand(options: ExportOptions, io: Io): Promise<number> {
  const out = options.output;
  // The manifest replaces whatever is at -o by a rename, even with --force only ever a file: a FIFO or a
  // device named there is refused, never replaced nor written into.
  const kind = out === undefined ? undefined : notRegularFile(out);
  if (kind === "a folder") throw fileWriteError({ code: "EISDIR" }, out!);
  if (kind)
    throw new Error(
      `${out} is ${kind}, not a file: roster export -o writes a manifest file; without -o it prints the manifest on ` +
        `stdout. Nothing was written`,
    );
  if (out && !options.force && existsSync(out)) throw refuseOverwrite(out);
  if (options.schemaRef !== undefined && !/^[\x21-\x7e]+$/.test(options.schemaRef)) {
    throw new Error(
      "--schema-ref takes a path or URL without spaces or control characters, or none. Nothing was written",
    );
  }
  const client = connect(options, io);
  try {
    const liveUsers = await readOrganization(client, { concurrency: options.concurrency });
    const place = out ?? "users.yaml";
    const schemaRef = options.schemaRef ?? defaultSchemaRef(dirname(resolve(place)));
    const text = exportManifest(liveUsers, { host: client.host, ...(schemaRef !== "none" ? { schemaRef } : {}) });
    // The export must be a manifest roster accepts and that keeps everyone; check it as plan would.
    let remaining: number;
    try {
      remaining = planRemovals(parseManifest(text, place), liveUsers).summary.remove;
    } catch (error) {
      if (!(error instanceof ManifestError)) throw error;
      const problems = error.problems.map((p) => `  ${formatProblem(p)}`).join("\n");
      throw new Error(
        `cannot export: some users of the organization cannot be written in a manifest; nothing was ` +
          `written:\n${problems}`,
      );
    }
    if (remaining > 0)
      throw new Error(
        `cannot export: the manifest would still remove ${plural(remaining, "user")}; nothing was written`,
      );
    if (!out) {
      write(io.stdout, text, io.env);
      // The manifest is the product: a reader gone away before its end has a truncated one.
      if (io.output) io.output.closedPipeIsError = true;
      return 0;
    }
    try {
      await writeFileAtomic(out, text, { overwrite: options.force });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") throw refuseOverwrite(out);
      throw error;
    }
    write(
      io.stderr,
      `Wrote ${plural(liveUsers.length, "user")} to ${sanitize(out)}: check it with roster plan -f ${sanitize(out)}, ` +
        `which should find nothing to do.\n`,
      io.env,
    );
    return 0;
  } finally {
    client.close();
  }
}

function refuseOverwrite(out: string): Error {
  if (statSync(out, { throwIfNoEntry: false })?.isDirectory()) return fileWriteError({ code: "EISDIR" }, out);
  return new Error(
    `${out} already exists: roster export does not overwrite a manifest (it may hold reviewed users, protect patterns ` +
      `and guards); pass --force to replace it, or -o another file`,
  );
}
