import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./org.js";

/** A key distinctive enough to be searched for in every output of the suite. */
export const TEST_API_KEY = "rk_test_9f3Qz7XwL2_never_print_me";

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string;
}

/** Runs the built CLI as a subprocess, as CI runs it (CI=true, no TTY), and checks the key never shows. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CI: "true",
    TELNYX_API_KEY: TEST_API_KEY,
    ...options.env,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${ROOT}dist/roster.js`, ...args], { cwd: options.cwd ?? ROOT, env: env as NodeJS.ProcessEnv });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.stdin.end(options.input ?? "");
    child.on("error", reject);
    child.on("close", (code, signal) => {
      assertNoKey(stdout + stderr, `roster ${args.join(" ")}`);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Fails loudly if the test key appears in text roster produced. */
export function assertNoKey(text: string, where: string): void {
  if (text.includes(TEST_API_KEY) || text.includes(TEST_API_KEY.slice(0, 12))) {
    throw new Error(`the API key appeared in the output of ${where}`);
  }
}

/** A fresh folder for files a test writes. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "roster-test-"));
}

export function writeTemp(dir: string, name: string, text: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}
