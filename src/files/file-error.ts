import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";

/**
 * A file roster could not write, in words: what went wrong and what to do, never the bare code nor the name
 * of the temporary file the write went through. `code` keeps the system's code for callers that decide on it.
 */
export class FileWriteError extends Error {
  readonly code: string | undefined;

  constructor(message: string, code: string | undefined) {
    super(message);
    this.name = "FileWriteError";
    this.code = code;
  }
}

/** The FileWriteError for a failed write of `path` (the file asked for, whatever temporary name failed). */
export function fileWriteError(error: unknown, path: string): FileWriteError {
  const code = (error as NodeJS.ErrnoException)?.code;
  return new FileWriteError(`cannot write ${path}: ${writeProblem(code, path)}`, code);
}

/** Why a file could not be written and what to do, for the system's error code. */
export function writeProblem(code: string | undefined, path: string): string {
  const folder = dirname(path);
  switch (code) {
    case "ENOENT":
      return `the folder ${folder} does not exist: create it first, or give another path`;
    case "ENOTDIR":
      return `${notAFolder(path) ?? folder} is a file, not a folder: give another path`;
    case "EISDIR":
      return `${path} is a folder: give the name of a file, such as ${path.replace(/\/+$/, "")}/plan.json`;
    case "EACCES":
    case "EPERM":
      return (
        `no permission to write in the folder ${folder}: give a path you can write to, or change the folder's ` +
        `permissions`
      );
    case "EROFS":
      return `the folder ${folder} is on a read-only file system: give a path on a writable disk`;
    case "ENOSPC":
      return "the disk is full: free some space, or give a path on another disk";
    case "EDQUOT":
      return "your disk quota is used up: free some space, or give a path on another disk";
    case "EEXIST":
      return "a file of that name already exists";
    case "ENAMETOOLONG":
      return "the name is too long for the file system: give a shorter path";
    case "EIO":
      return "the disk reported an input/output error: check the disk, or give a path on another one";
    case "EFBIG":
      return (
        "the file has reached the largest size allowed here (a file size limit, ulimit -f): start a new file, or " +
        "raise the limit"
      );
    default:
      return (
        `the system refused the write${code ? ` (error ${code})` : ""}: check the path and the disk, or give ` +
        `another path`
      );
  }
}

/** Why a file could not be read and what to do, for the system's error code. */
export function readProblem(code: string | undefined, path: string): string {
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "ENOTDIR":
      return `${notAFolder(path) ?? dirname(path)} is a file, not a folder`;
    case "EISDIR":
      return "it is a folder, not a file";
    case "EACCES":
    case "EPERM":
      return "no permission to read it: check its permissions";
    case "EIO":
      return "the disk reported an input/output error";
    default:
      return `the system refused to read it${code ? ` (error ${code})` : ""}`;
  }
}

/** The nearest folder on the way to `path` that exists but is a file: the part of the path that is wrong. */
function notAFolder(path: string): string | undefined {
  for (let dir = dirname(resolve(path)); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      if (!statSync(dir).isDirectory()) return dir;
    } catch {
      // Not there, or below a file: look further up.
    }
  }
  return undefined;
}
