import { existsSync } from "node:fs";
import { PassThrough } from "node:stream";
import type { Command } from "commander";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildProgram } from "../../src/cli/main.js";
import { runCli } from "../helpers/cli.js";
import { ROOT } from "../helpers/org.js";

const quietIo = () => ({ stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: {} });

/** Every command of the CLI, by name, as buildProgram declares them. */
const COMMANDS = buildProgram(quietIo()).commands.map((command) => command.name());

/** The `$ roster …` lines of a --help's Examples section, and the sections its "Read more" names. */
function examplesOf(help: string): { lines: string[]; readMore: string[] } {
  const section = help.split("\nExamples:\n")[1];
  if (section === undefined) return { lines: [], readMore: [] };
  const lines = section
    .split("\n")
    .filter((line) => line.startsWith("  $ "))
    .map((line) => line.slice(4));
  const more = /\nRead more: (.*) in roster's repository/.exec(section)?.[1] ?? "";
  return { lines, readMore: more === "" ? [] : more.split(", ") };
}

/**
 * Parses one example command line with the CLI's own parser, every action replaced by a recorder: unknown
 * flags, missing values, wrong choices and unknown commands throw as they would for a user. Returns the
 * command that would run and its positional words.
 */
async function parseExample(line: string): Promise<{ command: string; args: string[] }> {
  const words = line.split(/\s+/);
  if (words[0] !== "roster") throw new Error(`does not start with roster: ${line}`);
  const program = buildProgram(quietIo());
  let ran: { command: string; args: string[] } | undefined;
  const record = (command: Command) =>
    command.action(() => void (ran = { command: command.name(), args: [...command.args] }));
  for (const command of program.commands) record(command);
  await program.parseAsync(words.slice(1), { from: "user" });
  if (!ran) throw new Error(`nothing would run: ${line}`);
  const declared = program.commands.find((command) => command.name() === ran!.command)?.registeredArguments.length ?? 0;
  if (ran.args.length > declared) throw new Error(`roster ${ran.command} takes ${declared} arguments: ${line}`);
  return ran;
}

for (const name of ["", ...COMMANDS]) {
  const shown = name === "" ? "roster --help" : `roster ${name} --help`;
  test(`${shown} has an Examples section of real ${name || "roster"} command lines, and names the pages of docs/ to read`, async () => {
    const run = await runCli(name === "" ? ["--help"] : [name, "--help"]);
    assert.is(run.code, 0, run.stderr);
    const { lines, readMore } = examplesOf(run.stdout);
    assert.ok(lines.length >= 2 && lines.length <= 3, `two or three examples, found ${lines.length}`);
    for (const line of lines) {
      if (name !== "") assert.ok(line.startsWith(`roster ${name}`), `${line} is an example of roster ${name}`);
      const parsed = await parseExample(line);
      if (name !== "") assert.is(parsed.command, name, line);
      assert.ok(line.length <= 78, `fits a terminal: ${line}`);
    }
    assert.ok(readMore.length > 0, "names where to read more");
    for (const page of readMore)
      assert.ok(page.startsWith("docs/") && existsSync(`${ROOT}${page}`), `roster has the page ${page}`);
  });
}

test("the example checker refuses an unknown flag, a missing value, a wrong choice, an extra argument and an unknown command", async () => {
  const refused = async (line: string) => {
    try {
      await parseExample(line);
    } catch (error) {
      return (error as Error).message;
    }
    return "";
  };
  assert.match(await refused("roster plan --dry-run"), "unknown option '--dry-run'");
  assert.match(await refused("roster plan --out"), "argument missing");
  assert.match(await refused("roster plan --format html"), "Allowed choices are");
  assert.match(await refused("roster export users.yaml"), "roster export takes 0 arguments");
  assert.match(await refused("roster destroy"), "unknown command 'destroy'");
  assert.match(await refused("telnyx-roster plan"), "does not start with roster");
  assert.equal(await parseExample("roster apply plan.json --yes"), { command: "apply", args: ["plan.json"] });
});

test.run();
