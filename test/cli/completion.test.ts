import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { PassThrough } from "node:stream";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { completionSpec, SHELLS } from "../../src/cli/completion.js";
import { buildProgram } from "../../src/cli/main.js";
import { PLAN_FORMATS } from "../../src/render/plan-formats.js";
import { runCli, tempDir, writeTemp } from "../helpers/cli.js";

/** The program the CLI runs, to read its commands and flags from; nothing is run. */
const program = buildProgram({
  stdout: new PassThrough(),
  stderr: new PassThrough(),
  stdin: new PassThrough(),
  env: {},
});
const scripts: Record<string, string> = {};

test("roster completion prints a script for bash, zsh and fish, and refuses another shell", async () => {
  for (const shell of SHELLS) {
    const run = await runCli(["completion", shell]);
    assert.is(run.code, 0, run.stderr);
    assert.is(run.stderr, "");
    scripts[shell] = run.stdout;
  }
  assert.match(scripts.bash!, "complete -F _roster_completion roster\n");
  assert.match(scripts.zsh!, /^#compdef roster\n/);
  assert.match(scripts.fish!, "complete -c roster -f\n");
  const other = await runCli(["completion", "tcsh"]);
  assert.is(other.code, 1);
  assert.match(other.stderr, "Allowed choices are bash, zsh, fish.");
});

test("every command, every flag and every choice of the CLI is in each script", () => {
  const { commands, globalFlags } = completionSpec(program);
  assert.equal(
    commands.map((c) => c.name),
    program.commands.map((c) => c.name()),
  );
  assert.ok(commands.some((c) => c.name === "completion"));
  for (const shell of SHELLS) {
    const script = scripts[shell]!;
    const has = (word: string, what: string) =>
      assert.ok(
        new RegExp(`(^|[\\s'"|({,])${word.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")}([\\s'"|)}\\[\\],;:]|$)`, "m").test(
          script,
        ),
        `${shell}: ${what} ${word}`,
      );
    // fish names flags without their dashes: -l format, -s f.
    const flag = (name: string) =>
      shell === "fish" ? (name.startsWith("--") ? `-l ${name.slice(2)}` : `-s ${name.slice(1)}`) : name;
    for (const option of program.options) has(flag(option.long!), "the global flag");
    for (const command of program.commands) {
      has(command.name(), "the command");
      for (const option of command.options) {
        if (option.long) has(flag(option.long), `roster ${command.name()}'s flag`);
        if (option.short) has(flag(option.short), `roster ${command.name()}'s flag`);
        for (const choice of option.argChoices ?? [])
          has(choice, `a choice of roster ${command.name()} ${option.long}:`);
      }
      for (const choice of command.registeredArguments.flatMap((a) => a.argChoices ?? []))
        has(choice, `a choice of roster ${command.name()}:`);
    }
    for (const format of PLAN_FORMATS) has(format, "the --format choice");
  }
  assert.ok(globalFlags.some((f) => f.long === "--version"));
});

/** What the bash script completes for the words typed so far (the last one being completed). */
function bashComplete(words: readonly string[], cwd?: string): string[] {
  const dir = tempDir();
  try {
    const script = writeTemp(dir, "roster.bash", scripts.bash!);
    const quoted = words.map((w) => `'${w}'`).join(" ");
    const run = spawnSync(
      "bash",
      [
        "--norc",
        "--noprofile",
        "-c",
        `source '${script}' && COMP_WORDS=(${quoted}) && COMP_CWORD=${words.length - 1} && _roster_completion; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { encoding: "utf8", cwd: cwd ?? dir },
    );
    assert.is(run.stderr, "", "bash reports no error");
    assert.is(run.status, 0);
    return run.stdout.split("\n").filter((l) => l !== "");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("bash: the completion function completes commands, flags and their choices", () => {
  assert.equal(bashComplete(["roster", "pl"]), ["plan"]);
  assert.equal(bashComplete(["roster", "a"]), ["apply"]);
  assert.equal(bashComplete(["roster", "plan", "--format", ""]), [...PLAN_FORMATS]);
  assert.equal(bashComplete(["roster", "plan", "--format", "m"]), ["markdown"]);
  assert.equal(bashComplete(["roster", "validate", "--format", ""]), ["pretty", "github"]);
  assert.equal(bashComplete(["roster", "apply", "--format", ""]), ["pretty", "json"]);
  assert.equal(bashComplete(["roster", "plan", "--format", "=", ""]), [...PLAN_FORMATS], "--format= too");
  assert.equal(bashComplete(["roster", "apply", "--y"]), ["--yes"]);
  assert.equal(bashComplete(["roster", "plan", "-f", "users.yaml", "--max-rem"]), [
    "--max-removals",
    "--max-removal-percent",
  ]);
  assert.equal(bashComplete(["roster", "plan", "--concurrency", ""]), [], "a number: nothing to suggest");
  assert.equal(bashComplete(["roster", "completion", ""]), ["bash", "zsh", "fish"]);
});

test("bash: file flags and apply's saved plan complete to files", () => {
  const dir = tempDir();
  try {
    writeTemp(dir, "users.yaml", "version: 1\n");
    writeTemp(dir, "plan.json", "{}");
    mkdirSync(`${dir}/sub`);
    assert.equal(bashComplete(["roster", "plan", "-f", "us"], dir), ["users.yaml"]);
    assert.equal(bashComplete(["roster", "apply", "pl"], dir), ["plan.json"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
