import { randomBytes } from "node:crypto";
import { link, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileWriteError } from "./file-error.js";

export interface WriteOptions {
  /** Permission bits of a new file. */
  mode?: number;
  /** Replace a file already at `path`; without it an existing file is an error (code EEXIST) and is left untouched. */
  overwrite: boolean;
}

/**
 * Writes a file so that readers only ever see the old content or the whole new one: the text goes to a
 * temporary file in the same folder, is flushed to disk, then takes the file's name in one step. A crash
 * or a full disk half-way leaves at most a stray temporary file, never a truncated plan or manifest (a
 * truncated manifest would list fewer users, and apply would remove the rest). A failure is a FileWriteError
 * that says in words what went wrong with `path` (never the temporary file's name) and keeps the code.
 */
export async function writeFileAtomic(path: string, text: string, options: WriteOptions): Promise<void> {
  try {
    await writeThroughTemp(path, text, options);
  } catch (error) {
    throw fileWriteError(error, path);
  }
}

async function writeThroughTemp(path: string, text: string, options: WriteOptions): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(temp, "wx", options.mode ?? 0o644);
  try {
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.overwrite) {
      await rename(temp, path);
    } else {
      // link() fails with EEXIST instead of replacing, so a file that appears meanwhile is never clobbered.
      await link(temp, path);
    }
  } finally {
    await unlink(temp).catch(() => {});
  }
}
