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

export function redact(text: string, env: NodeJS.ProcessEnv): string {
  const key = env.TELNYX_API_KEY;
  return key && key.length >= 4 ? text.split(key).join("[redacted]") : text;
}
