import { wrapWords } from "../core/wrap-words.js";
import { inCi, redact, type Io } from "./io.js";

/** The width of a terminal that reports none (0 columns: some containers), as the preview assumes. */
const USUAL_COLUMNS = 100;

/** Whether stderr is a terminal a person reads (not a log, a pipe or CI): then its messages are wrapped at words. */
export function stderrIsTerminal(io: Pick<Io, "stderr" | "env">): boolean {
  return Boolean(io.stderr.isTTY) && !inCi(io.env);
}

/**
 * A message as stderr should get it: redacted, then wrapped at words to the terminal's width when stderr is
 * a terminal, each line keeping its indent; as it is for logs and pipes. A terminal cuts a line where it runs
 * out of room, mid-word and mid-id. Redacted first, so that no wrap splits a key into pieces redaction misses.
 */
export function forStderr(text: string, io: Pick<Io, "stderr" | "stdout" | "env">): string {
  const safe = redact(text, io.env);
  if (!stderrIsTerminal(io)) return safe;
  return wrapWords(safe, io.stderr.columns || io.stdout.columns || USUAL_COLUMNS);
}

/** Writes a message to stderr, redacted, and wrapped at words when stderr is a terminal. */
export function sayOnStderr(io: Pick<Io, "stderr" | "stdout" | "env">, text: string): void {
  io.stderr.write(forStderr(text, io));
}
