import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
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
  /** A file descriptor to give the CLI as its stdout (one opened on /dev/full), instead of a pipe read here. */
  stdoutFd?: number;
  /** The same for stderr. */
  stderrFd?: number;
  /**
   * Run under `ulimit -f` with this many KiB: a regular file written past it fails with EFBIG (a full disk, for one
   * file).
   */
  fileSizeLimitKiB?: number;
  /**
   * A Node warning (`(node:123) SomeWarning: ...`) or a stack trace on stderr fails every run: roster prints
   * neither. A test that means to see one says so here.
   */
  allowWarnings?: boolean;
}

/** Runs the built CLI as a subprocess, as CI runs it (CI=true, no TTY), and checks the key never shows. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  return startCli(args, options).run;
}

/** A CLI subprocess still running: its output so far, and its end; for tests that signal or kill it. */
export interface RunningCli {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  /** Resolves once the output so far (stdout, then stderr) passes `check`, or the process has ended. */
  waitFor(check: string | RegExp | ((output: string) => boolean)): Promise<void>;
  run: Promise<CliRun>;
}

export function startCli(args: readonly string[], options: CliOptions = {}): RunningCli {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CI: "true",
    TELNYX_API_KEY: TEST_API_KEY,
    ...options.env,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const command = [process.execPath, `${ROOT}dist/roster.js`, ...args];
  const spawned =
    options.fileSizeLimitKiB === undefined
      ? command
      : ["bash", "-c", `ulimit -f ${options.fileSizeLimitKiB} && exec "$@"`, "bash", ...command];
  const stdio = ["pipe", options.stdoutFd ?? "pipe", options.stderrFd ?? "pipe"] as const;
  const child = spawn(spawned[0]!, spawned.slice(1), {
    cwd: options.cwd ?? ROOT,
    env: env as NodeJS.ProcessEnv,
    stdio: [...stdio],
  });
  let stdout = "";
  let stderr = "";
  const waiters: { test: (output: string) => boolean; resolve: () => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      if (waiter.test(stdout + stderr)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout?.on("data", (d) => {
    stdout += d;
    check();
  });
  child.stderr?.on("data", (d) => {
    stderr += d;
    check();
  });
  // A test may close its end of stdout on purpose (a reader gone away): the child's writes then fail, not ours.
  child.stdout?.on("error", () => {});
  child.stdin?.on("error", () => {});
  child.stdin?.end(options.input ?? "");
  const run = new Promise<CliRun>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      assertNoKey(stdout + stderr, `roster ${args.join(" ")}`);
      if (!options.allowWarnings) {
        try {
          assertNoWarning(stderr, `roster ${args.join(" ")}`, env.ROSTER_DEBUG !== undefined);
        } catch (error) {
          reject(error);
          return;
        }
      }
      for (const waiter of waiters) waiter.resolve();
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    output: () => ({ stdout, stderr }),
    waitFor: (wanted) =>
      new Promise<void>((resolve) => {
        const test =
          typeof wanted === "function"
            ? wanted
            : typeof wanted === "string"
              ? (o: string) => o.includes(wanted)
              : (o: string) => wanted.test(o);
        waiters.push({ test, resolve });
        check();
      }),
    run,
  };
}

/** Fails if stderr holds a Node warning or, unless ROSTER_DEBUG asked for one, a stack trace. */
export function assertNoWarning(stderr: string, where: string, stackAllowed = false): void {
  const warning = /^\(node:\d+\) .*$|^\S*Warning: .*$/m.exec(stderr);
  if (warning) throw new Error(`Node printed a warning in the stderr of ${where}: ${warning[0]}`);
  const trace = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m.exec(stderr);
  if (trace && !stackAllowed) throw new Error(`a stack trace in the stderr of ${where}: ${trace[0]}`);
}

/** Every line of an audit log, parsed; fails if a line is not JSON or the key appears in the file. */
export function readAuditLog(path: string): Record<string, unknown>[] {
  const text = readFileSync(path, "utf8");
  assertNoKey(text, `the audit log ${path}`);
  if (text !== "" && !text.endsWith("\n")) throw new Error(`the audit log ${path} ends in the middle of a line`);
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line, index) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`line ${index + 1} of the audit log is not JSON: ${line.slice(0, 200)}`);
      }
    });
}

/** Fails loudly if the test key appears in text roster produced. */
export function assertNoKey(text: string, where: string): void {
  if (text.includes(TEST_API_KEY) || text.includes(TEST_API_KEY.slice(0, 12))) {
    throw new Error(`the API key appeared in the output of ${where}`);
  }
}

// Where tests have always found it; the folders are made and removed by test/helpers/temp.ts.
export { tempDir, withTempDir } from "./temp.js";

export function writeTemp(dir: string, name: string, text: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The error a promise rejects with, checked for the key in its message and stack; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    const { message, stack } = error as Error;
    assertNoKey(`${message}\n${stack ?? ""}`, "an error's message or stack");
    return error as Error;
  }
  throw new Error("expected a rejection");
}
