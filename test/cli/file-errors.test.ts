import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { startSandbox, type Sandbox } from "../../src/sandbox/sandbox.js";
import { runCli, tempDir, TEST_API_KEY, writeTemp } from "../helpers/cli.js";
import { EXAMPLES, exampleOrg } from "../helpers/org.js";

/**
 * Every file roster writes (plan --out, export -o) fails with words: what happened, what to do; no code, no temporary
 * name.
 */
const files = suite<{ sandbox: Sandbox; env: Record<string, string>; dir: string }>("file errors", {
  sandbox: undefined as unknown as Sandbox,
  env: {},
  dir: "",
});
const USERS = `${EXAMPLES}users.yaml`;

files.before.each(async (context) => {
  context.sandbox = await startSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY });
  context.env = { TELNYX_BASE_URL: context.sandbox.url };
  context.dir = tempDir();
});
files.after.each(async ({ sandbox, dir }) => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

files("export -o into a folder that does not exist names the folder, not a temporary file", async ({ env, dir }) => {
  const run = await runCli(["export", "-o", `${dir}/missing/users.yaml`], { env });
  assert.is(run.code, 1);
  assert.is(
    run.stderr,
    `roster: error: cannot write ${dir}/missing/users.yaml: the folder ${dir}/missing does not exist: create it first, or give another path\n`,
  );
  assert.equal(readdirSync(dir), []);
});

files("plan --out into a folder that does not exist says so, after showing the plan", async ({ env, dir }) => {
  const run = await runCli(["plan", "-f", USERS, "--out", `${dir}/plans/plan.json`], { env });
  assert.is(run.code, 1);
  assert.match(run.stdout, "Plan: 5 to remove");
  assert.is(
    run.stderr,
    `roster: error: cannot write ${dir}/plans/plan.json: the folder ${dir}/plans does not exist: create it first, or give another path\n`,
  );
});

files("a path through a file names the file that is not a folder", async ({ env, dir }) => {
  writeTemp(dir, "notes.txt", "x");
  const plan = await runCli(["plan", "-f", USERS, "--out", `${dir}/notes.txt/sub/plan.json`], { env });
  assert.is(plan.code, 1);
  assert.is(
    plan.stderr,
    `roster: error: cannot write ${dir}/notes.txt/sub/plan.json: ${dir}/notes.txt is a file, not a folder: give another path\n`,
  );
  const exported = await runCli(["export", "-o", `${dir}/notes.txt/users.yaml`], { env });
  assert.is(
    exported.stderr,
    `roster: error: cannot write ${dir}/notes.txt/users.yaml: ${dir}/notes.txt is a file, not a folder: give another path\n`,
  );
  assert.equal(readdirSync(dir), ["notes.txt"]);
});

files("a folder given as the file to write says to give a file name, with or without --force", async ({ env, dir }) => {
  mkdirSync(`${dir}/out`);
  const plan = await runCli(["plan", "-f", USERS, "--out", `${dir}/out`], { env });
  assert.is(plan.code, 1);
  assert.is(
    plan.stderr,
    `roster: error: cannot write ${dir}/out: ${dir}/out is a folder: give the name of a file, such as ${dir}/out/plan.json\n`,
  );
  for (const force of [[], ["--force"]]) {
    const exported = await runCli(["export", "-o", `${dir}/out`, ...force], { env });
    assert.is(exported.code, 1);
    assert.match(
      exported.stderr,
      `roster: error: cannot write ${dir}/out: ${dir}/out is a folder: give the name of a file`,
    );
  }
  assert.equal(readdirSync(dir), ["out"]);
  assert.equal(readdirSync(`${dir}/out`), [], "no temporary file left behind");
});

files.run();
