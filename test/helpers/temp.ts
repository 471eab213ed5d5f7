import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The prefix of every folder the test suite makes among the system's temporary files (`ls /tmp | grep roster-test-`).
 */
export const TEMP_PREFIX = "roster-test-";

const made = new Set<string>();

/**
 * A fresh folder for the files a test writes. It is removed when the suite's process exits (test/setup.ts);
 * `withTempDir` removes it as soon as the test is done.
 */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), TEMP_PREFIX));
  made.add(dir);
  return dir;
}

/** Runs `fn` with a fresh folder and removes the folder when `fn` ends, however it ends. */
export async function withTempDir<T>(fn: (dir: string) => T | Promise<T>): Promise<T> {
  const dir = tempDir();
  try {
    return await fn(dir);
  } finally {
    removeTempDir(dir);
  }
}

/** Removes a folder made by `tempDir`, with everything in it. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  made.delete(dir);
}

/** Removes every folder `tempDir` made that is still there. */
export function removeTempDirs(): void {
  for (const dir of made) removeTempDir(dir);
}
