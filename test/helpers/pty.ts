import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { TEST_API_KEY } from "./cli.js";
import { ROOT } from "./org.js";

// Running roster at a real terminal: a pseudo-terminal from util-linux's `script`, outside CI, with the
// terminal's size set by stty. The tests of the terminal share it; each drives the terminal its own way.

/** A word for sh, quoted whatever it holds. */
export const shellQuote = (text: string): string => `'${text.replace(/'/g, "'\\''")}'`;

/** What a terminal shows of text written to it: without colour, cursor and title codes, or carriage returns. */
export const plainText = (text: string): string =>
  text
    .replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "")
    .replace(/\u001b\][^\u0007]*\u0007/g, "")
    .replace(/\r/g, "");

/** The environment of roster at a test terminal; `env` adds to it, and an undefined value removes a name. */
export function terminalEnv(env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const all: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TERM: "xterm-256color",
    // A preview longer than the terminal would go through less and wait for a key; tests of paging set their own.
    PAGER: "cat",
    TELNYX_API_KEY: TEST_API_KEY,
    ...env,
  };
  for (const [name, value] of Object.entries(all)) if (value === undefined) delete all[name];
  return all as NodeJS.ProcessEnv;
}

/**
 * Starts dist/roster.js with `args` at a pseudo-terminal of `columns` × `rows` (no stty when `columns` is not
 * given: the terminal then reports 0 columns), in `cwd`, with `terminalEnv(env)`.
 */
export function startAtTerminal(
  args: readonly string[],
  options: { columns?: number; rows?: number; cwd?: string; env?: Record<string, string | undefined> },
): ChildProcessWithoutNullStreams {
  const roster = [process.execPath, `${ROOT}dist/roster.js`, ...args].map(shellQuote).join(" ");
  const command = options.columns
    ? `stty cols ${options.columns} rows ${options.rows ?? 50} && exec ${roster}`
    : roster;
  return spawn("script", ["-qfec", command, "/dev/null"], {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    env: terminalEnv(options.env),
    stdio: ["pipe", "pipe", "pipe"],
  });
}
