import { Argument, Command, Option } from "commander";
import { PLAN_FORMATS, REVIEW_FORMATS, SHOW_FORMATS } from "../render/plan-formats.js";
import type { Io } from "../terminal/io.js";
import { describeOutputFailure } from "../terminal/output-watch.js";
import { sayOnStderr } from "../terminal/messages.js";
import { SHELLS } from "./completion.js";
import { examplesHelp } from "./help-examples.js";
import {
  apiOptionsOf,
  guardOptionsOf,
  intIn,
  numberIn,
  sandboxFaultsOf,
  type ApplyFlags,
  type ExportFlags,
  type PlanFlags,
  type ReviewFlags,
  type SandboxFlags,
  type ShowFlags,
  type ValidateFlags,
} from "./flags.js";
import { reportError, type ErrorFormat } from "./report-error.js";
import { applyArgumentsError, showArgumentsError, strayArgumentsError } from "./usage-hints.js";

const VERSION = "0.1.0";

/** The commands whose actions go through `act`. */
type CommandName = "validate" | "plan" | "apply" | "review" | "show" | "export" | "sandbox";

// Each command's module is imported only when that command runs, so `--help` and `validate` start
// without loading the HTTP stack, and a terminal preview alone pays for ink.

/** Parses the arguments, runs one command and returns its exit code; never throws. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let exitCode = 0;
  let errorFormat: ErrorFormat = "text";
  const program = buildProgram(
    io,
    (code) => (exitCode = code),
    (format) => (errorFormat = format === "github" ? "github" : "text"),
  );
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
    sayOnStderr(io, `roster: error: ${describeOutputFailure(stdout)}: the output is incomplete.\n`);
  }
  return code === 0 || code === 2 ? 1 : code;
}

/**
 * The roster command line: every command, flag and help text. `setExit` receives a command's exit code;
 * `setFormat` the output format of the command about to run, before it can fail.
 */
export function buildProgram(
  io: Io,
  setExit: (code: number) => void = () => {},
  setFormat: (format: string) => void = () => {},
): Command {
  const program = new Command("roster")
    .description("Keep the users of a Telnyx organization equal to a reviewed YAML manifest.")
    .version(VERSION, "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => sayOnStderr(io, text),
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

  /** -f may be repeated, and may name a folder, for a run across managed accounts. */
  const filesOption = () => {
    const defaults = ["users.yaml"];
    return new Option(
      "-f, --file <path>",
      "the manifest; repeat it, or name a folder of manifests, to reconcile several managed accounts",
    )
      .default(defaults, "users.yaml")
      .argParser((value: string, previous: string[]) => (previous === defaults ? [value] : [...previous, value]));
  };
  const apiOptions = (command: Command) =>
    command
      .option("--base-url <url>", "API base URL (default: $TELNYX_BASE_URL, else https://api.telnyx.com/v2)")
      .addOption(
        new Option("--concurrency <n>", "requests in flight at once, 1 to 64")
          .default(8)
          .argParser(intIn("--concurrency", 1, 64)),
      )
      .addOption(
        new Option("--timeout <seconds>", "time limit of each request")
          .default(30)
          .argParser(numberIn("--timeout", 0.1, 3600)),
      )
      .addOption(
        new Option("--max-retries <n>", "retries of a failed request")
          .default(5)
          .argParser(intIn("--max-retries", 0, 20)),
      );
  const guardOptions = (command: Command) =>
    command
      .addOption(
        new Option("--max-removals <n>", "refuse a plan removing more users (overrides guards.max_removals)").argParser(
          intIn("--max-removals", 0, Number.MAX_SAFE_INTEGER),
        ),
      )
      .addOption(
        new Option(
          "--max-removal-percent <p>",
          "refuse a plan removing a larger share (overrides guards.max_removal_percent; default 25 from 10 users)",
        ).argParser(numberIn("--max-removal-percent", 0, 100)),
      )
      .option(
        "--force",
        "lift the count and percent guards for this run (never the owner, protect or the manifest's users)",
      );
  const formatOption = (formats: readonly string[] = ["pretty", "json"]) =>
    new Option("--format <format>", "output format").choices(formats).default("pretty");
  /**
   * One command's action: note its output format (errors are worded for it), refuse words it does not take,
   * then run it and keep its exit code. `run` imports the command's module, so only the command run loads it.
   */
  const act =
    <Flags extends object>(
      name: CommandName,
      run: (flags: Flags, positionals: string[], command: Command) => Promise<number>,
      positionalsTaken = 0,
    ) =>
    async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const flags = command.opts<Flags>();
      const { format } = flags as { format?: unknown };
      if (typeof format === "string") setFormat(format);
      const positionals = args.slice(0, positionalsTaken) as string[];
      if (name !== "apply" && name !== "show" && name !== "sandbox" && command.args.length > 0)
        throw strayArgumentsError(name, command.args);
      setExit(await run(flags, positionals, command));
    };

  program
    .command("validate")
    .description("check the manifest offline: no API key needed, no request made")
    .addOption(filesOption())
    .addOption(formatOption(["pretty", "github"]))
    .allowExcessArguments()
    .action(
      act<ValidateFlags>("validate", async (flags) =>
        (await import("../commands/validate.js")).validateCommand({ files: flags.file, format: flags.format }, io),
      ),
    );

  guardOptions(
    apiOptions(
      program
        .command("plan")
        .description("show what apply would do; changes nothing")
        .addOption(filesOption())
        .addOption(formatOption(PLAN_FORMATS))
        .option("--out <file>", "also save the plan to this file, for roster apply FILE")
        .option("--no-pager", "print a long preview at a terminal in full instead of through $PAGER (less -FRX)")
        .option(
          "--detailed-exitcode",
          "exit 0 without removals, 2 with removals, 3 when a guard would refuse, 1 on error",
        )
        .allowExcessArguments(),
    ),
  ).action(
    act<PlanFlags>("plan", async (flags) =>
      (await import("../commands/plan.js")).planCommand(
        {
          files: flags.file,
          format: flags.format,
          detailedExitcode: Boolean(flags.detailedExitcode),
          guards: guardOptionsOf(flags),
          ...(flags.out ? { out: flags.out } : {}),
          pager: flags.pager,
          ...apiOptionsOf(flags),
        },
        io,
      ),
    ),
  );

  guardOptions(
    apiOptions(
      program
        .command("apply")
        .description("plan, confirm, then remove every user the manifest does not list; or apply a saved plan")
        .argument(
          "[plan]",
          "a plan saved by roster plan --out: apply exactly its removals, without the manifest and without asking",
        )
        .addOption(filesOption())
        .addOption(formatOption())
        .option("-y, --yes", "apply without asking (for CI); review the plan first")
        .option("--audit-log <file>", "append one JSON line per finished removal to this file")
        .option("--no-verify", "skip reading the organization again after applying")
        .option(
          "--ignore-manifest-change",
          "apply a saved plan even if the manifest it was made from has changed since",
        )
        .allowExcessArguments(),
    ),
  ).action(
    act<ApplyFlags>(
      "apply",
      async (flags, [planFile], command) => {
        const misplaced = applyArgumentsError(command.args);
        if (misplaced) throw misplaced;
        if (flags.ignoreManifestChange && planFile === undefined) {
          throw new Error(
            "--ignore-manifest-change is for a saved plan (roster apply PLAN): without one, apply plans from the " +
              "manifest as it is now. Nothing was changed.",
          );
        }
        if (planFile !== undefined && command.getOptionValueSource("file") === "cli") {
          throw new Error(
            `give a saved plan or -f, not both: roster apply ${planFile} applies the plan as saved, without reading a ` +
              `manifest. Nothing was changed.`,
          );
        }
        return (await import("../commands/apply.js")).applyCommand(
          {
            files: flags.file,
            ...(planFile !== undefined ? { planFile } : {}),
            format: flags.format,
            yes: Boolean(flags.yes),
            guards: guardOptionsOf(flags),
            verify: flags.verify !== false,
            ...(flags.ignoreManifestChange ? { ignoreManifestChange: true } : {}),
            ...(flags.auditLog ? { auditLog: flags.auditLog } : {}),
            ...apiOptionsOf(flags),
          },
          io,
        );
      },
      1,
    ),
  );

  apiOptions(
    program
      .command("review")
      .description(
        "write an access review: every user, why it may stay, who approved that manifest line (git blame); changes " +
          "nothing",
      )
      .addOption(filesOption())
      .addOption(new Option("--format <format>", "output format").choices(REVIEW_FORMATS).default("markdown"))
      .option("-o, --output <file>", "write the review to this file instead of printing it")
      .allowExcessArguments(),
  ).action(
    act<ReviewFlags>("review", async (flags) =>
      (await import("../commands/review.js")).reviewCommand(
        {
          files: flags.file,
          format: flags.format,
          ...(flags.output ? { out: flags.output } : {}),
          ...apiOptionsOf(flags),
        },
        io,
      ),
    ),
  );

  program
    .command("show")
    .description("show a plan saved by roster plan --out, every removal in full; no API key needed, no request made")
    .argument("<plan>", "a plan saved by roster plan --out (of one organization or across accounts)")
    .addOption(formatOption(SHOW_FORMATS))
    .option("--no-pager", "print a long preview at a terminal in full instead of through $PAGER (less -FRX)")
    .addHelpText(
      "after",
      `
The seal is checked when TELNYX_API_KEY is set: a plan sealed for another key (or altered) is still shown,
with a warning on stderr that roster apply will refuse it. Exit 0 once the plan is shown, 1 when the file
is not a saved plan roster can read.`,
    )
    .action(
      act<ShowFlags>(
        "show",
        async (flags, [planFile]) => {
          const misplaced = showArgumentsError(planFile!);
          if (misplaced) throw misplaced;
          return (await import("../commands/show.js")).showCommand(
            { planFile: planFile!, format: flags.format, pager: flags.pager },
            io,
          );
        },
        1,
      ),
    );

  apiOptions(
    program
      .command("export")
      .description(
        "write a manifest of the organization as it is now, to adopt roster (plan on it finds nothing to do)",
      )
      .option("-o, --output <file>", "write the manifest to this file instead of printing it")
      .option("--force", "replace the output file if it exists")
      .option(
        "--schema-ref <ref>",
        "the $schema reference on the first line, or none (default: node_modules/telnyx-roster/schema/... where " +
          "roster is the project's dev dependency, else the schema's versioned URL)",
      )
      .allowExcessArguments(),
  ).action(
    act<ExportFlags>("export", async (flags) =>
      (await import("../commands/export.js")).exportCommand(
        {
          force: Boolean(flags.force),
          ...(flags.output ? { output: flags.output } : {}),
          ...(flags.schemaRef !== undefined ? { schemaRef: flags.schemaRef } : {}),
          ...apiOptionsOf(flags),
        },
        io,
      ),
    ),
  );

  program
    .command("sandbox")
    .description("run the local simulator of the Telnyx Organization Users API and print its base URL")
    .option(
      "--state <file>",
      "JSON array of users to seed it with (default: the bundled examples/org.json), or { users, managed_accounts } " +
        "(see examples/managed-accounts.json)",
    )
    .addOption(
      new Option(
        "--managed-accounts <n>",
        "also simulate a manager of N generated managed accounts, each with its own key and users (from --seed)",
      ).argParser(intIn("--managed-accounts", 0, 10_000)),
    )
    .addOption(
      new Option("--port <n>", "port on 127.0.0.1 (0 picks a free one)")
        .default(0)
        .argParser(intIn("--port", 0, 65535)),
    )
    .addOption(
      new Option("--latency <ms>", "added to every answer").default(0).argParser(intIn("--latency", 0, 60_000)),
    )
    .addOption(
      new Option("--jitter <ms>", "a random extra of up to this much on every answer")
        .default(0)
        .argParser(intIn("--jitter", 0, 60_000)),
    )
    .addOption(
      new Option(
        "--seed <n>",
        "seed of the injected faults and the generated managed accounts: the same seed, the same faults and accounts",
      )
        .default(1)
        .argParser(intIn("--seed", 0, 2 ** 32 - 1)),
    )
    .addOption(
      new Option("--fail-rate <share>", "share of requests answered 500, 502, 503 or 408").argParser(
        numberIn("--fail-rate", 0, 1),
      ),
    )
    .addOption(
      new Option("--throttle-rate <share>", "share answered 429, on top of --rate-limit").argParser(
        numberIn("--throttle-rate", 0, 1),
      ),
    )
    .addOption(
      new Option("--reset-rate <share>", "share whose connection is cut before any work").argParser(
        numberIn("--reset-rate", 0, 1),
      ),
    )
    .addOption(new Option("--hang-rate <share>", "share never answered").argParser(numberIn("--hang-rate", 0, 1)))
    .addOption(
      new Option("--ghost-rate <share>", "share done, then the answer lost (cut, no answer, or 504)").argParser(
        numberIn("--ghost-rate", 0, 1),
      ),
    )
    .addOption(
      new Option(
        "--rate-limit <n>",
        "requests served per window; more are answered 429 with x-ratelimit headers",
      ).argParser(intIn("--rate-limit", 1, 1_000_000)),
    )
    .addOption(
      new Option("--rate-window <ms>", "the rate-limit window")
        .default(1000)
        .argParser(intIn("--rate-window", 1, 3_600_000)),
    )
    .addOption(
      new Option(
        "--rate-model <model>",
        "how the rate limit counts: window (starts at the first request after the last ended), grid (fixed windows on " +
          "the clock) or bucket (tokens refilled continuously)",
      )
        .choices(["window", "grid", "bucket"])
        .default("window"),
    )
    .option(
      "--quiet-rate-limit",
      "send the x-ratelimit headers only with a 429, so the client learns of the limit by hitting it",
    )
    .action(
      act<SandboxFlags>("sandbox", async (flags) =>
        (await import("../commands/sandbox.js")).sandboxCommand(
          {
            port: flags.port,
            latencyMs: flags.latency,
            jitterMs: flags.jitter,
            faults: sandboxFaultsOf(flags),
            ...(flags.state ? { state: flags.state } : {}),
            ...(flags.managedAccounts ? { managedAccounts: flags.managedAccounts, seed: flags.seed } : {}),
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

  // After each command's own help text (completion's Install section): gh's Examples, then where to read more.
  program.addHelpText("after", examplesHelp("roster"));
  for (const command of program.commands) command.addHelpText("after", examplesHelp(command.name()));
  return program;
}
