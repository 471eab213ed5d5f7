import { readFileSync } from "node:fs";
import { PassThrough } from "node:stream";
import type { Command } from "commander";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { buildProgram } from "../../src/cli/main.js";
import { EXAMPLES, ROOT } from "../helpers/org.js";

const WORKFLOWS = [
  "github/roster-pull-request.yml",
  "github/roster-apply.yml",
  "github/roster-drift.yml",
  "gitlab-ci.yml",
];

/** The roster command line as the CLI builds it, to check commands against; nothing is run. */
const program = buildProgram({
  stdout: new PassThrough(),
  stderr: new PassThrough(),
  stdin: new PassThrough(),
  env: {},
});

/** Every shell line the workflow runs: GitHub steps' `run`, GitLab jobs' `script`, `before_script`, `after_script`. */
function shellLines(doc: Record<string, unknown>): string[] {
  const scripts: string[] = [];
  for (const job of Object.values((doc.jobs ?? doc) as Record<string, unknown>)) {
    if (typeof job !== "object" || job === null) continue;
    const { steps, script, before_script, after_script } = job as Record<string, unknown>;
    for (const step of (steps as { run?: string }[] | undefined) ?? []) if (step.run) scripts.push(step.run);
    for (const list of [script, before_script, after_script])
      if (Array.isArray(list)) scripts.push(...list.map(String));
  }
  const defaults = (doc.default as { before_script?: string[] } | undefined)?.before_script ?? [];
  return [...scripts, ...defaults].flatMap((s) => s.split("\n"));
}

/** The arguments of each `npx -y telnyx-roster …` on a line, up to the first shell operator. */
function rosterCommands(lines: readonly string[]): string[][] {
  const commands: string[][] = [];
  for (const line of lines) {
    const match = /\bnpx\s+(?:-y\s+)?telnyx-roster\b(.*)$/.exec(line);
    if (!match) continue;
    const words = match[1]!.match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
    const end = words.findIndex((w) => /^(\||\|\||&&|;|\d?>>?|\d?>&\d|<)/.test(w));
    commands.push((end === -1 ? words : words.slice(0, end)).map((w) => w.replace(/^["']|["']$/g, "")));
  }
  return commands;
}

/** What is wrong with one roster command, checked against the program's commands, flags and choices. */
function problemsOf(args: readonly string[]): string[] {
  const [name, ...rest] = args;
  const command = program.commands.find((c: Command) => c.name() === name);
  if (!command) return [`no command "${name}"`];
  const problems: string[] = [];
  let positionals = 0;
  for (let i = 0; i < rest.length; i += 1) {
    const word = rest[i]!;
    if (!word.startsWith("-")) {
      positionals += 1;
      continue;
    }
    const [flag, inline] = word.split("=", 2);
    const option = command.options.find((o) => o.long === flag || o.short === flag);
    if (!option) {
      problems.push(`roster ${name} has no flag ${flag}`);
      continue;
    }
    if (option.required || option.optional) {
      const value = inline ?? rest[(i += 1)];
      if (value === undefined) problems.push(`${flag} needs a value`);
      else if (option.argChoices && !option.argChoices.includes(value))
        problems.push(`${flag} does not take "${value}"`);
    }
  }
  if (positionals > command.registeredArguments.length)
    problems.push(`roster ${name} takes ${command.registeredArguments.length} arguments, given ${positionals}`);
  return problems;
}

for (const file of WORKFLOWS) {
  test(`${file} parses, and every roster command in it exists with the flags it uses`, () => {
    const doc = parse(readFileSync(`${EXAMPLES}${file}`, "utf8"), { strict: true, uniqueKeys: true });
    const commands = rosterCommands(shellLines(doc));
    assert.ok(commands.length > 0, "the workflow runs roster");
    for (const args of commands) assert.equal(problemsOf(args), [], `npx -y telnyx-roster ${args.join(" ")}`);
  });
}

test("the checker itself catches a missing flag, a wrong choice, an unknown command and an extra argument", () => {
  assert.equal(problemsOf(["plan", "--format", "html"]), ['--format does not take "html"']);
  assert.equal(problemsOf(["apply", "--yes", "--dry-run"]), ["roster apply has no flag --dry-run"]);
  assert.equal(problemsOf(["destroy"]), ['no command "destroy"']);
  assert.equal(problemsOf(["plan", "users.yaml"]), ["roster plan takes 0 arguments, given 1"]);
  assert.equal(problemsOf(["apply", "plan.json", "--max-removals=3"]), []);
});

/** action.yml's inputs: name and default. */
const actionInputs: Record<string, { default?: string }> = parse(readFileSync(`${ROOT}action.yml`, "utf8"), {
  strict: true,
  uniqueKeys: true,
}).inputs;

/** roster's action as a workflow names it: this repository (./), the package in node_modules, or owner/repo@ref. */
const ROSTER_ACTION = /^(\.\/|\.\/node_modules\/telnyx-roster\/?|[\w.-]+\/roster@[\w.-]+)$/;

/** Every step of a GitHub workflow that uses roster's action, with its `with:` inputs. */
function actionSteps(doc: Record<string, unknown>): Record<string, string>[] {
  const steps = Object.values(
    (doc.jobs ?? {}) as Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }>,
  ).flatMap((job) => job.steps ?? []);
  return steps
    .filter((step) => step.uses !== undefined && ROSTER_ACTION.test(step.uses))
    .map((step) => Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, String(v)])));
}

/** What is wrong with one use of the action: inputs it does not have, a command or format the CLI does not take. */
function actionProblems(inputs: Record<string, string>): string[] {
  const problems = Object.keys(inputs)
    .filter((name) => !(name in actionInputs))
    .map((name) => `the action has no input ${name}`);
  const command = inputs.command ?? actionInputs.command?.default ?? "";
  if (command !== "plan" && command !== "apply") return [...problems, `the action does not run "${command}"`];
  if (inputs.format !== undefined) problems.push(...problemsOf([command, "--format", inputs.format]));
  for (const flag of ["max-removals", "max-removal-percent", "base-url"])
    if (inputs[flag] !== undefined) problems.push(...problemsOf([command, `--${flag}`, inputs[flag]!]));
  return problems;
}

for (const file of WORKFLOWS.filter((f) => f.startsWith("github/"))) {
  test(`${file}: every use of roster's action gives only inputs action.yml declares, with values the CLI takes`, () => {
    const doc = parse(readFileSync(`${EXAMPLES}${file}`, "utf8"));
    for (const inputs of actionSteps(doc)) assert.equal(actionProblems(inputs), [], JSON.stringify(inputs));
  });
}

test("the action checker catches an unknown input, an unknown command and a wrong format", () => {
  assert.equal(actionProblems({ command: "destroy" }), ['the action does not run "destroy"']);
  assert.equal(actionProblems({ command: "apply", format: "markdown", "dry-run": "true" }), [
    "the action has no input dry-run",
    '--format does not take "markdown"',
  ]);
  assert.equal(actionProblems({ manifest: "users.yaml", "max-removals": "3" }), []);
  for (const uses of ["./node_modules/telnyx-roster", "acme/roster@v1", "./"])
    assert.ok(ROSTER_ACTION.test(uses), `${uses} is roster's action`);
  assert.not.ok(ROSTER_ACTION.test("actions/checkout@v4"));
});

const commandsOf = (file: string) =>
  rosterCommands(shellLines(parse(readFileSync(`${EXAMPLES}${file}`, "utf8")))).map((c) => c.join(" "));

test("the pull-request workflow validates for GitHub, plans as a comment with the action, and plans only where the secret is", () => {
  const doc = parse(readFileSync(`${EXAMPLES}github/roster-pull-request.yml`, "utf8"));
  assert.equal(commandsOf("github/roster-pull-request.yml"), ["validate --format github"]);
  assert.equal(actionSteps(doc), [
    { command: "plan", manifest: "users.yaml", "api-key": "${{ secrets.TELNYX_API_KEY }}" },
  ]);
  assert.match(
    doc.jobs.plan.steps.find((s: { uses?: string }) => s.uses?.includes("telnyx-roster")).uses,
    "./node_modules/telnyx-roster",
  );
  assert.equal(
    doc.jobs.plan.permissions,
    { contents: "read", "pull-requests": "write" },
    "the comment needs pull-requests write",
  );
  assert.equal(Object.keys(doc.on), ["pull_request"]);
  assert.match(doc.jobs.plan.if, "github.event.pull_request.head.repo.full_name == github.repository");
  assert.is(doc.jobs.validate.if, undefined, "forks are validated");
});

test("the main-branch workflow applies unattended, the scheduled one fails on drift", () => {
  assert.equal(parse(readFileSync(`${EXAMPLES}github/roster-apply.yml`, "utf8")).on.push.branches, ["main"]);
  assert.equal(commandsOf("github/roster-apply.yml"), ["apply --yes --audit-log roster-audit.jsonl"]);
  assert.ok(parse(readFileSync(`${EXAMPLES}github/roster-drift.yml`, "utf8")).on.schedule);
  assert.equal(commandsOf("github/roster-drift.yml"), ["plan --detailed-exitcode --format github"]);
});

test("the GitLab pipeline validates, plans merge requests, applies the default branch and detects drift", () => {
  assert.equal(commandsOf("gitlab-ci.yml"), [
    "validate",
    "plan --format markdown --detailed-exitcode",
    "apply --yes --audit-log roster-audit.jsonl",
    "plan --detailed-exitcode",
  ]);
});

/** One GitLab pipeline, as the `rules:` of a job see it: its predefined variables and the files its push changed. */
interface Pipeline {
  variables: Record<string, string>;
  changed: readonly string[];
}

/** A `changes:` glob as GitLab matches it: `**` any folders, `*` within one name. */
function globMatches(pattern: string, file: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*\*\/?/g, "\u0000")
    .replace(/\*/g, "[^/]*")
    .replace(/\u0000/g, ".*");
  return new RegExp(`^${source}$`).test(file);
}

/**
 * One `if:` of the forms the examples use: terms joined by `&&`, each `$A == "x"`, `$A == $B`, `$A != …` or `$A` (set).
 */
function ifHolds(expression: string, variables: Record<string, string>): boolean {
  if (expression.includes("||") || expression.includes("("))
    throw new Error(`the rule evaluator does not read: ${expression}`);
  const value = (word: string) =>
    word.startsWith("$") ? (variables[word.slice(1)] ?? "") : word.replace(/^"|"$/g, "");
  return expression.split("&&").every((term) => {
    const words = term.trim().split(/\s+/);
    if (words.length === 1) return value(words[0]!) !== "";
    if (words.length !== 3 || (words[1] !== "==" && words[1] !== "!="))
      throw new Error(`the rule evaluator does not read: ${term}`);
    return (value(words[0]!) === value(words[2]!)) === (words[1] === "==");
  });
}

/** Whether a GitLab job runs in a pipeline: its first matching rule decides, as GitLab evaluates `rules:`. */
function jobRuns(job: { rules?: { if?: string; changes?: string[]; when?: string }[] }, pipeline: Pipeline): boolean {
  for (const rule of job.rules ?? []) {
    if (rule.if !== undefined && !ifHolds(rule.if, pipeline.variables)) continue;
    // GitLab counts `changes:` as true in pipelines that have no push to compare (schedules, "Run pipeline").
    const source = pipeline.variables.CI_PIPELINE_SOURCE;
    const compared = source === "push" || source === "merge_request_event";
    if (
      rule.changes !== undefined &&
      compared &&
      !pipeline.changed.some((file) => rule.changes!.some((glob) => globMatches(glob, file)))
    )
      continue;
    return rule.when !== "never";
  }
  return job.rules === undefined;
}

const gitlab = parse(readFileSync(`${EXAMPLES}gitlab-ci.yml`, "utf8"));
const onMain = { CI_DEFAULT_BRANCH: "main", CI_COMMIT_BRANCH: "main", TELNYX_API_KEY: "masked" };
const GITLAB_PIPELINES: { name: string; pipeline: Pipeline; jobs: string[] }[] = [
  {
    name: "a push to main that changes users.yaml",
    pipeline: { variables: { ...onMain, CI_PIPELINE_SOURCE: "push" }, changed: ["users.yaml"] },
    jobs: ["validate", "apply"],
  },
  {
    name: "a push to main that changes users.yaml among other files",
    pipeline: { variables: { ...onMain, CI_PIPELINE_SOURCE: "push" }, changed: ["README.md", "users.yaml"] },
    jobs: ["validate", "apply"],
  },
  {
    name: "a push to main that changes only the README",
    pipeline: { variables: { ...onMain, CI_PIPELINE_SOURCE: "push" }, changed: ["README.md"] },
    jobs: ["validate"],
  },
  {
    name: "a push to main that changes a file named like the manifest in a folder",
    pipeline: { variables: { ...onMain, CI_PIPELINE_SOURCE: "push" }, changed: ["docs/users.yaml"] },
    jobs: ["validate"],
  },
  {
    name: "a push to another branch that changes users.yaml",
    pipeline: {
      variables: {
        CI_DEFAULT_BRANCH: "main",
        CI_COMMIT_BRANCH: "alice/offboard",
        CI_PIPELINE_SOURCE: "push",
        TELNYX_API_KEY: "masked",
      },
      changed: ["users.yaml"],
    },
    jobs: [],
  },
  {
    name: "the daily schedule on main",
    pipeline: { variables: { ...onMain, CI_PIPELINE_SOURCE: "schedule" }, changed: [] },
    jobs: ["validate", "drift"],
  },
  {
    name: "Run pipeline on main, by hand",
    pipeline: { variables: { ...onMain, CI_PIPELINE_SOURCE: "web" }, changed: [] },
    jobs: ["validate", "apply"],
  },
  {
    name: "a merge request with the key",
    pipeline: {
      variables: { CI_DEFAULT_BRANCH: "main", CI_PIPELINE_SOURCE: "merge_request_event", TELNYX_API_KEY: "masked" },
      changed: ["users.yaml"],
    },
    jobs: ["validate", "plan"],
  },
  {
    name: "a merge request from a fork (no key)",
    pipeline: {
      variables: { CI_DEFAULT_BRANCH: "main", CI_PIPELINE_SOURCE: "merge_request_event" },
      changed: ["users.yaml"],
    },
    jobs: ["validate"],
  },
];

for (const { name, pipeline, jobs } of GITLAB_PIPELINES) {
  test(`GitLab: ${name} runs ${jobs.length > 0 ? jobs.join(", ") : "nothing"}`, () => {
    const running = Object.entries(gitlab)
      .filter(
        ([key, job]) =>
          !["default", "stages", "image", "variables", "workflow"].includes(key) && typeof job === "object",
      )
      .filter(([, job]) => jobRuns(job as Parameters<typeof jobRuns>[0], pipeline))
      .map(([key]) => key);
    assert.equal(running, jobs);
  });
}

test("the GitLab rule evaluator tells changes, branches, a missing variable and a schedule apart", () => {
  const job = {
    rules: [
      { if: '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', changes: ["accounts/**/*"] },
    ],
  };
  const push = (changed: string[]) => ({ variables: { ...onMain, CI_PIPELINE_SOURCE: "push" }, changed });
  assert.ok(jobRuns(job, push(["accounts/cedar/users.yaml"])));
  assert.not.ok(jobRuns(job, push(["users.yaml"])));
  assert.not.ok(jobRuns(job, { variables: { ...onMain, CI_PIPELINE_SOURCE: "schedule" }, changed: [] }));
  assert.not.ok(jobRuns({ rules: [{ if: "$MISSING" }] }, push([])));
  assert.ok(jobRuns({ rules: [{ if: '$CI_PIPELINE_SOURCE != "schedule"' }] }, push([])));
  assert.throws(() => ifHolds('$A == "x" || $B', {}), /does not read/);
});

test.run();
