import { constants, statSync, type Stats } from "node:fs";

/**
 * Flags to open a file for reading without ever blocking: opening a FIFO for reading waits for a writer
 * forever, unless O_NONBLOCK. Regular files ignore O_NONBLOCK, so reads of them are unchanged; anything else
 * is then refused by its type (`fileKind` on the open descriptor's stat, so the file cannot be swapped between
 * the check and the read).
 */
export const READ_NONBLOCK = constants.O_RDONLY | constants.O_NONBLOCK;

/**
 * Flags to open a file for appending (created if missing) without blocking. O_RDWR rather than O_WRONLY:
 * an O_WRONLY|O_NONBLOCK open of a FIFO without a reader fails with ENXIO instead of reaching the type check.
 */
export const APPEND_NONBLOCK = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK;

/** What a path names when it is not a regular file, in words ("a FIFO (named pipe)"); undefined for a regular file. */
export function fileKind(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isDirectory()) return "a folder";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "of an unknown type";
}

/** What `path` names when it exists and is not a regular file (following symbolic links); undefined otherwise. */
export function notRegularFile(path: string): string | undefined {
  let stats: Stats | undefined;
  try {
    stats = statSync(path, { throwIfNoEntry: false });
  } catch {
    // Unreadable (a folder without search permission): the open that follows says why, in its own words.
    return undefined;
  }
  return stats ? fileKind(stats) : undefined;
}
