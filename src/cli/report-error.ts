import { CommanderError } from "commander";
import { UnsafeRemovalError } from "../apply/apply-plan.js";
import { clip, sanitize } from "../core/safe-text.js";
import { ManifestError, formatProblem } from "../manifest/manifest-error.js";
import { SavedPlanError } from "../plan/saved-plan.js";
import { problemCommands, workflowCommand } from "../render/github-commands.js";
import { ApiError } from "../telnyx/api-error.js";
import { redact, type Io } from "../terminal/io.js";
import { sayOnStderr } from "../terminal/messages.js";

/** A longer error message only repeats a hostile value: cut it there. */
const MAX_MESSAGE_CHARS = 1000;

/** How errors are reported: as text, or also as GitHub Actions annotations (`--format github`). */
export type ErrorFormat = "text" | "github";

/** The one place errors become messages and exit codes. */
export function reportError(error: unknown, io: Io, format: ErrorFormat): number {
  // Every message may quote a manifest or an API answer: one line each, safe to print, and of a sane length;
  // redacted before it is cut, so that no cut leaves a piece of a key.
  // At a terminal, wrapped at words: a terminal would cut a long message mid-word and mid-id.
  const say = (text: string) => sayOnStderr(io, text);
  const safe = (text: string) => sanitize(clip(redact(text, io.env), MAX_MESSAGE_CHARS));
  // GitHub Actions reads workflow commands from stdout and turns them into annotations.
  const annotate = (text: string) => format === "github" && io.stdout.write(redact(text, io.env));
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? 0 : 1;
  }
  if (error instanceof ManifestError) {
    annotate(problemCommands(error.problems));
    // A manifest that does not exist has nothing to fix, and nothing could have been changed without one.
    const missing = error.problems.every((problem) => problem.missing);
    if (format !== "github" || missing) for (const problem of error.problems) say(`${safe(formatProblem(problem))}\n`);
    if (missing) return 1;
    say(
      `roster: the manifest has ${error.problems.length === 1 ? "a problem" : `${error.problems.length} problems`}; ` +
        `fix ${error.problems.length === 1 ? "it" : "them"} and run again. Nothing was changed.\n`,
    );
    return 1;
  }
  if (error instanceof UnsafeRemovalError) {
    annotate(`${workflowCommand("error", {}, `roster: ${safe(error.message)}`)}\n`);
    say(`roster: ${safe(error.message)}\n`);
    return 3;
  }
  const message =
    error instanceof ApiError ? error.fullMessage : error instanceof Error ? error.message : String(error);
  annotate(`${workflowCommand("error", {}, `roster: error: ${safe(message)}`)}\n`);
  if (error instanceof SavedPlanError) {
    say(`roster: error: ${safe(message)}\nNothing was changed.\n`);
    return 1;
  }
  if (error instanceof ApiError) {
    say(`roster: error: ${safe(message)}\n`);
    return 1;
  }
  // Multi-line messages (export's list of problems) keep their lines; each is made safe.
  say(`roster: error: ${message.split("\n").map(safe).join("\n")}\n`);
  if (io.env.ROSTER_DEBUG && error instanceof Error && error.stack)
    say(`${error.stack.split("\n").map(sanitize).join("\n")}\n`);
  return 1;
}
