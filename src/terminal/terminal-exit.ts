import { closeSync, openSync } from "node:fs";
import { isatty } from "node:tty";

/** The standard descriptors (stdin, stdout, stderr) that were a terminal when roster started. */
const terminals = [0, 1, 2].filter((fd) => isatty(fd));

/**
 * Node restores a terminal's settings as it exits, and aborts (exit 134, a native stack trace on stderr)
 * when that terminal has hung up (the window was closed): the exit code roster chose would be lost. Node
 * skips a descriptor that is no longer the file it was at start-up, so each standard descriptor whose
 * terminal is gone is pointed at /dev/null before exiting.
 */
export function releaseHungUpTerminal(): void {
  for (const fd of terminals) {
    // A terminal that hung up answers every request with EIO: isatty says no.
    if (isatty(fd)) continue;
    try {
      closeSync(fd);
      // The lowest free descriptor is the one just closed: it now holds /dev/null.
      openSync("/dev/null", "r+");
    } catch {
      // Exiting anyway; at worst Node reports the terminal it could not restore.
    }
  }
}
