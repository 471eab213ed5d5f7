import { Argument, Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { UnsafeRemovalError } from "../apply/apply-plan.js";
import { PLAN_FORMATS } from "../render/plan-formats.js";
import { ManifestError, formatProblem } from "../manifest/manifest-error.js";
import { SavedPlanError } from "../plan/saved-plan.js";
import { problemCommands, workflowCommand } from "../render/github-commands.js";
import type { SandboxFaults } from "../sandbox/faults.js";
import { clip, sanitize } from "../core/safe-text.js";
import type { RateModel } from "../sandbox/rate-models.js";
import { ApiError } from "../telnyx/api-error.js";
import { SHELLS } from "./completion.js";
import { redact, type Io } from "../terminal/io.js";
import { describeOutputFailure } from "../terminal/output-watch.js";
import { applyArgumentsError, strayArgumentsError } from "./usage-hints.js";

const VERSION = "0.1.0";
/** A longer error message only repeats a hostile value: cut it there. */
const MAX_MESSAGE_CHARS = 1000;

// Each command's module is imported only when that command runs, so `--help` and `validate` start
// without loading the HTTP stack, and a terminal preview alone pays for ink.

/** How errors are reported: as text, or also as GitHub Actions annotations (`--format github`). */
type ErrorFormat = "text" | "github";

/** Parses the arguments, runs one command and returns its exit code; never throws. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let exitCode = 0;
  let errorFormat: ErrorFormat = "text";
  const program = buildProgram(io, (code) => (exitCode = code), (format) => (errorFormat = format === "github" ? "github" : "text"));
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    exitCode = reportError(error, io, errorFormat);
  }
  return withOutputFailures(exitCode, io);
}

/**
 * Output that could not be written (a full disk, a closed terminal) turns a success into exit 1, with a word
 * on stderr when stderr still works. A reader that went away from a preview (`roster plan | head`) took what
 * it wanted: that is not an error, unless the command says so (`OutputWatch.closedPipeIsError`).
 */
async function withOutputFailures(code: number, io: Io): Promise<number> {
  const watch = io.output;
  if (!watch) return code;
  await watch.settled();
  const lost = watch.errors();
  if (lost.length === 0) return code;
  const stdout = lost.find((failure) => failure.stream === "stdout");
  if (stdout && !watch.reported && !watch.failed("stderr")) {
    io.stderr.write(redact(`roster: error: ${describeOutputFailure(stdout)}: the output is incomplete.\n`, io.env));
  }
  return code === 0 || code === 2 ? 1 : code;
}

/**
 * The roster command line: every command, flag and help text. `setExit` receives a command's exit code;
 * `setFormat` the output format of the command about to run, before it can fail.
 */
export function buildProgram(io: Io, setExit: (code: number) => void = () => {}, setFormat: (format: string) => void = () => {}): Command {
  const program = new Command("roster")
    .description("Keep the users of a Telnyx organization equal to a reviewed YAML manifest.")
    .version(VERSION, "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .addHelpText(
      "after",
      `
Environment:
  TELNYX_API_KEY    the API key (required for plan and apply; never printed)
  TELNYX_BASE_URL   the API base URL (default https://api.telnyx.com/v2)

Exit codes: 0 success, 1 error, 2 plan has removals (plan --detailed-exitcode),
3 refused by a safety guard, 130 interrupted.`,
    );

  const fileOption = () => new Option("-f, --file <path>", "the manifest").default("users.yaml");
  const apiOptions = (command: Command) =>
    command
      .option("--base-url <url>", "API base URL (default: $TELNYX_BASE_URL, else https://api.telnyx.com/v2)")
      .addOption(new Option("--concurrency <n>", "requests in flight at once, 1 to 64").default(8).argParser(intIn("--concurrency", 1, 64)))
      .addOption(new Option("--timeout <seconds>", "time limit of each request").default(30).argParser(numberIn("--timeout", 0.1, 3600)))
      .addOption(new Option("--max-retries <n>", "retries of a failed request").default(5).argParser(intIn("--max-retries", 0, 20)));
  const guardOptions = (command: Command) =>
    command
      .addOption(new Option("--max-removals <n>", "refuse a plan removing more users (overrides guards.max_removals)").argParser(intIn("--max-removals", 0, Number.MAX_SAFE_INTEGER)))
      .addOption(new Option("--max-removal-percent <p>", "refuse a plan removing a larger share (overrides guards.max_removal_percent; default 25 from 10 users)").argParser(numberIn("--max-removal-percent", 0, 100)))
      .option("--force", "lift the count and percent guards for this run (never the owner, protect or the manifest's users)");
  const formatOption = (formats: readonly string[] = ["pretty", "json"]) => new Option("--format <format>", "output format").choices(formats).default("pretty");

  program
    .command("validate")
    .description("check the manifest offline: no API key needed, no request made")
    .addOption(fileOption())
    .addOption(formatOption(["pretty", "github"]))
    .allowExcessArguments()
    .action(async (opts, command: Command) => {
      setFormat(opts.format);
      if (command.args.length > 0) throw strayArgumentsError("validate", command.args);
      setExit(await (await import("../commands/validate.js")).validateCommand({ file: opts.file, format: opts.format }, io));
    });

  guardOptions(
    apiOptions(
      program
        .command("plan")
        .description("show what apply would do; changes nothing")
        .addOption(fileOption())
        .addOption(formatOption(PLAN_FORMATS))
        .option("--out <file>", "also save the plan to this file, for roster apply FILE")
        .option("--detailed-exitcode", "exit 0 without removals, 2 with removals, 3 when a guard would refuse, 1 on error")
        .allowExcessArguments(),
    ),
  ).action(async (opts, command: Command) => {
    setFormat(opts.format);
    if (command.args.length > 0) throw strayArgumentsError("plan", command.args);
    setExit(
      await (await import("../commands/plan.js")).planCommand(
        {
          file: opts.file,
          format: opts.format,
          detailedExitcode: Boolean(opts.detailedExitcode),
          guards: guardFlags(opts),
          ...(opts.out ? { out: opts.out } : {}),
          ...apiFlags(opts),
        },
        io,
      ),
    );
  });

  guardOptions(
    apiOptions(
      program
        .command("apply")
        .description("plan, confirm, then remove every user the manifest does not list; or apply a saved plan")
        .argument("[plan]", "a plan saved by roster plan --out: apply exactly its removals, without the manifest and without asking")
        .addOption(fileOption())
        .addOption(formatOption())
        .option("-y, --yes", "apply without asking (for CI); review the plan first")
        .option("--audit-log <file>", "append one JSON line per finished removal to this file")
        .option("--no-verify", "skip reading the organization again after applying")
        .option("--ignore-manifest-change", "apply a saved plan even if the manifest it was made from has changed since")
        .allowExcessArguments(),
    ),
  ).action(async (planFile: string | undefined, opts, command: Command) => {
    const misplaced = applyArgumentsError(command.args);
    if (misplaced) throw misplaced;
    if (opts.ignoreManifestChange && planFile === undefined) {
      throw new Error("--ignore-manifest-change is for a saved plan (roster apply PLAN): without one, apply plans from the manifest as it is now. Nothing was changed.");
    }
    if (planFile !== undefined && command.getOptionValueSource("file") === "cli") {
      throw new Error(`give a saved plan or -f, not both: roster apply ${planFile} applies the plan as saved, without reading a manifest. Nothing was changed.`);
    }
    setExit(
      await (await import("../commands/apply.js")).applyCommand(
        {
          file: opts.file,
          ...(planFile !== undefined ? { planFile } : {}),
          format: opts.format,
          yes: Boolean(opts.yes),
          guards: guardFlags(opts),
          verify: opts.verify !== false,
          ...(opts.ignoreManifestChange ? { ignoreManifestChange: true } : {}),
          ...(opts.auditLog ? { auditLog: opts.auditLog } : {}),
          ...apiFlags(opts),
        },
        io,
      ),
    );
  });

  apiOptions(
    program
      .command("export")
      .description("write a manifest of the organization as it is now, to adopt roster (plan on it finds nothing to do)")
      .option("-o, --output <file>", "write the manifest to this file instead of printing it")
      .option("--force", "replace the output file if it exists")
      .option("--schema-ref <ref>", "the $schema reference on the first line (default: the schema shipped with roster, relative to the file)")
      .allowExcessArguments(),
  ).action(async (opts, command: Command) => {
    if (command.args.length > 0) throw strayArgumentsError("export", command.args);
    setExit(
      await (await import("../commands/export.js")).exportCommand(
        {
          force: Boolean(opts.force),
          ...(opts.output ? { output: opts.output } : {}),
          ...(opts.schemaRef !== undefined ? { schemaRef: opts.schemaRef } : {}),
          ...apiFlags(opts),
        },
        io,
      ),
    );
  });

  program
    .command("sandbox")
    .description("run the local simulator of the Telnyx Organization Users API and print its base URL")
    .option("--state <file>", "JSON array of users to seed it with (default: the bundled examples/org.json), or { users, managed_accounts } (see examples/managed-accounts.json)")
    .addOption(new Option("--managed-accounts <n>", "also simulate a manager of N generated managed accounts, each with its own key and users (from --seed)").argParser(intIn("--managed-accounts", 0, 10_000)))
    .addOption(new Option("--port <n>", "port on 127.0.0.1 (0 picks a free one)").default(0).argParser(intIn("--port", 0, 65535)))
    .addOption(new Option("--latency <ms>", "added to every answer").default(0).argParser(intIn("--latency", 0, 60_000)))
    .addOption(new Option("--jitter <ms>", "a random extra of up to this much on every answer").default(0).argParser(intIn("--jitter", 0, 60_000)))
    .addOption(new Option("--seed <n>", "seed of the injected faults and the generated managed accounts: the same seed, the same faults and accounts").default(1).argParser(intIn("--seed", 0, 2 ** 32 - 1)))
    .addOption(new Option("--fail-rate <share>", "share of requests answered 500, 502, 503 or 408").argParser(numberIn("--fail-rate", 0, 1)))
    .addOption(new Option("--throttle-rate <share>", "share answered 429, on top of --rate-limit").argParser(numberIn("--throttle-rate", 0, 1)))
    .addOption(new Option("--reset-rate <share>", "share whose connection is cut before any work").argParser(numberIn("--reset-rate", 0, 1)))
    .addOption(new Option("--hang-rate <share>", "share never answered").argParser(numberIn("--hang-rate", 0, 1)))
    .addOption(new Option("--ghost-rate <share>", "share done, then the answer lost (cut, no answer, or 504)").argParser(numberIn("--ghost-rate", 0, 1)))
    .addOption(new Option("--rate-limit <n>", "requests served per window; more are answered 429 with x-ratelimit headers").argParser(intIn("--rate-limit", 1, 1_000_000)))
    .addOption(new Option("--rate-window <ms>", "the rate-limit window").default(1000).argParser(intIn("--rate-window", 1, 3_600_000)))
    .addOption(new Option("--rate-model <model>", "how the rate limit counts: window (starts at the first request after the last ended), grid (fixed windows on the clock) or bucket (tokens refilled continuously)").choices(["window", "grid", "bucket"]).default("window"))
    .option("--quiet-rate-limit", "send the x-ratelimit headers only with a 429, so the client learns of the limit by hitting it")
    .action(async (opts) =>
      setExit(
        await (await import("../commands/sandbox.js")).sandboxCommand(
          {
            port: opts.port,
            latencyMs: opts.latency,
            jitterMs: opts.jitter,
            faults: sandboxFaults(opts),
            ...(opts.state ? { state: opts.state } : {}),
            ...(opts.managedAccounts ? { managedAccounts: opts.managedAccounts, seed: opts.seed } : {}),
          },
          io,
        ),
      ),
    );

  program
    .command("completion")
    .description("print the shell completion script of roster's commands, flags and choices")
    .addArgument(new Argument("<shell>", "the shell").choices(SHELLS))
    .addHelpText(
      "after",
      `
Install:
  bash  echo 'source <(roster completion bash)' >> ~/.bashrc
  zsh   echo 'source <(roster completion zsh)' >> ~/.zshrc
  fish  roster completion fish > ~/.config/fish/completions/roster.fish`,
    )
    .action(async (shell: (typeof SHELLS)[number]) => {
      io.stdout.write((await import("./completion.js")).completionScript(program, shell));
    });

  return program;
}

function apiFlags(opts: Record<string, unknown>) {
  return {
    ...(typeof opts.baseUrl === "string" ? { baseUrl: opts.baseUrl } : {}),
    concurrency: opts.concurrency as number,
    timeoutSeconds: opts.timeout as number,
    maxRetries: opts.maxRetries as number,
  };
}

function sandboxFaults(opts: Record<string, unknown>): SandboxFaults {
  const rate = (name: string) => (typeof opts[name] === "number" ? (opts[name] as number) : undefined);
  const faults: SandboxFaults = {
    seed: opts.seed as number,
    rateWindowMs: opts.rateWindow as number,
    rateModel: opts.rateModel as RateModel,
    ...(opts.quietRateLimit ? { quietRateLimit: true } : {}),
  };
  for (const [flag, key] of [
    ["failRate", "errorRate"],
    ["throttleRate", "throttleRate"],
    ["resetRate", "resetRate"],
    ["hangRate", "hangRate"],
    ["ghostRate", "ghostRate"],
    ["rateLimit", "rateLimit"],
  ] as const) {
    const value = rate(flag);
    if (value !== undefined) faults[key] = value;
  }
  return faults;
}

function guardFlags(opts: Record<string, unknown>) {
  return {
    ...(opts.maxRemovals !== undefined ? { maxRemovals: opts.maxRemovals as number } : {}),
    ...(opts.maxRemovalPercent !== undefined ? { maxRemovalPercent: opts.maxRemovalPercent as number } : {}),
    force: Boolean(opts.force),
  };
}

function intIn(flag: string, min: number, max: number) {
  return (raw: string) => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max) throw new InvalidArgumentError(`${flag} takes a whole number from ${min} to ${max}.`);
    return value;
  };
}

function numberIn(flag: string, min: number, max: number) {
  return (raw: string) => {
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value) || value < min || value > max) throw new InvalidArgumentError(`${flag} takes a number from ${min} to ${max}.`);
    return value;
  };
}

/** The one place errors become messages and exit codes. */
function reportError(error: unknown, io: Io, format: ErrorFormat): number {
  // Every message may quote a manifest or an API answer: one line each, safe to print, and of a sane length.
  const say = (text: string) => io.stderr.write(redact(text, io.env));
  const safe = (text: string) => sanitize(clip(text, MAX_MESSAGE_CHARS));
  // GitHub Actions reads workflow commands from stdout and turns them into annotations.
  const annotate = (text: string) => format === "github" && io.stdout.write(redact(text, io.env));
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? 0 : 1;
  }
  if (error instanceof ManifestError) {
    annotate(problemCommands(error.problems));
    if (format !== "github") for (const problem of error.problems) say(`${safe(formatProblem(problem))}\n`);
    say(`roster: the manifest has ${error.problems.length === 1 ? "a problem" : `${error.problems.length} problems`}; fix ${error.problems.length === 1 ? "it" : "them"} and run again. Nothing was changed.\n`);
    return 1;
  }
  if (error instanceof UnsafeRemovalError) {
    annotate(workflowCommand("error", {}, `roster: ${safe(error.message)}`) + "\n");
    say(`roster: ${safe(error.message)}\n`);
    return 3;
  }
  const message = error instanceof ApiError ? error.fullMessage : error instanceof Error ? error.message : String(error);
  annotate(workflowCommand("error", {}, `roster: error: ${safe(message)}`) + "\n");
  if (error instanceof SavedPlanError) {
    say(`roster: error: ${safe(message)}\nNothing was changed.\n`);
    return 1;
  }
  if (error instanceof ApiError) {
    say(`roster: error: ${safe(message)}\n`);
    return 1;
  }
  // Multi-line messages (export's list of problems) keep their lines; each is made safe.
  say(`roster: error: ${message.split("\n").map(safe).join("\n")}\n`);
  if (io.env.ROSTER_DEBUG && error instanceof Error && error.stack) say(`${error.stack.split("\n").map(sanitize).join("\n")}\n`);
  return 1;
}
