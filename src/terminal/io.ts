import type { Readable, Writable } from "node:stream";
import type { OutputWatch } from "./output-watch.js";

/** The terminal and environment a command runs in; the only way commands reach the outside. */
export interface Io {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Records writes to stdout and stderr that fail; absent where output goes to memory (tests of views). */
  output?: OutputWatch;
  /** Ends the process at once (a second Ctrl-C); process.exit unless the caller gives another. */
  exit?: (code: number) => void;
}

/** Ends the process at once with `code`, through the Io's own exit when it has one. */
export function exitNow(io: Io, code: number): void {
  if (io.exit) io.exit(code);
  else process.exit(code);
}

/** The ink preview is for a person at a terminal; CI logs and pipes get plain text without cursor codes. */
export function isInteractive(io: Io): boolean {
  return Boolean(io.stdout.isTTY) && !inCi(io.env);
}

/** The same test ink applies (is-in-ci), so roster and ink never disagree about the mode. */
export function inCi(env: NodeJS.ProcessEnv): boolean {
  const set = (key: string) => key in env && env[key] !== "0" && env[key] !== "false";
  return set("CI") || set("CONTINUOUS_INTEGRATION");
}

/** Whether a question can be asked and answered at the terminal. */
export function canPrompt(io: Io): boolean {
  return Boolean(io.stdin.isTTY) && isInteractive(io);
}

/** Writes text, with every occurrence of the API key replaced: a last line of defence, not the first. */
export function write(stream: Writable, text: string, env: NodeJS.ProcessEnv): void {
  stream.write(redact(text, env));
}

/**
 * Secrets learnt during the run (each managed account's API key, once fetched) that `redact` replaces as it
 * does TELNYX_API_KEY. Held by the process, not by an Io: every writer of the run redacts them, whichever
 * Io it was given.
 */
const secrets = new Set<string>();

/** Shorter values are not keys, and replacing them would garble the output. */
const MIN_SECRET_LENGTH = 4;

/** Registers a secret for `redact` (and so `write`, the audit log, the job summary) to replace from now on. */
export function addSecret(secret: string): void {
  if (secret.length >= MIN_SECRET_LENGTH) secrets.add(secret);
}

/** Forgets every secret `addSecret` registered: for a process that runs roster more than once (tests). */
export function clearSecrets(): void {
  secrets.clear();
}

export function redact(text: string, env: NodeJS.ProcessEnv): string {
  const key = env.TELNYX_API_KEY;
  let clean = key && key.length >= MIN_SECRET_LENGTH ? text.split(key).join("[redacted]") : text;
  if (secrets.size === 0) return clean;
  // Longest first, so that a secret holding another one is replaced whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) clean = clean.split(secret).join("[redacted]");
  return clean;
}
