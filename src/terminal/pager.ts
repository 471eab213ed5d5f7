import { spawn } from "node:child_process";
import { isInteractive, redact, type Io } from "./io.js";

/**
 * The pager a long preview goes through at a terminal, as git and gh choose it: ROSTER_PAGER, else PAGER,
 * else `less` (with LESS=FRX unless LESS is set: quit when it fits, keep colours, leave the text on screen).
 * None when it is empty or `cat`.
 */
export function pagerCommand(env: NodeJS.ProcessEnv): string | undefined {
  const chosen = (env.ROSTER_PAGER ?? env.PAGER ?? "less").trim();
  return chosen === "" || chosen === "cat" ? undefined : chosen;
}

/**
 * Shows `text` through the pager when it is longer than the terminal and stdout is a person's terminal;
 * false when it did not (no terminal, a short text, no pager, one that could not start), and the caller
 * writes the text itself. Nothing is ever cut: the pager gets every line. Ctrl-C while paging is the
 * pager's, not roster's.
 */
export async function page(text: string, io: Io): Promise<boolean> {
  const rows = (io.stdout as { rows?: number }).rows ?? 0;
  const command = pagerCommand(io.env);
  if (!command || !isInteractive(io) || rows <= 0 || text.split("\n").length <= rows) return false;
  const ignoreInterrupt = () => {};
  process.on("SIGINT", ignoreInterrupt);
  try {
    return await new Promise<boolean>((resolve) => {
      const env = { ...io.env, ...(io.env.LESS === undefined ? { LESS: "FRX" } : {}) };
      const child = spawn(command, { shell: true, stdio: ["pipe", "inherit", "inherit"], env });
      let started = false;
      child.once("spawn", () => {
        started = true;
      });
      child.once("error", () => resolve(false));
      child.once("close", (code) => resolve(started && code !== 127));
      // A pager that quits before reading everything (q in less) closes its input: that is not an error.
      child.stdin.once("error", () => {});
      child.stdin.end(redact(text, io.env));
    });
  } finally {
    process.off("SIGINT", ignoreInterrupt);
  }
}
