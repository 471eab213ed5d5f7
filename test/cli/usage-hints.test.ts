import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "../helpers/cli.js";

/** A file given without its flag gets the command line that was meant, not "too many arguments". */
const offline = { env: { TELNYX_BASE_URL: "http://127.0.0.1:9/v2" } };

test("validate and plan given the manifest without -f suggest -f", async () => {
  for (const command of ["validate", "plan"]) {
    const run = await runCli([command, "users.yaml"], offline);
    assert.is(run.code, 1, command);
    assert.is(run.stdout, "", command);
    assert.is(
      run.stderr,
      `roster: error: roster ${command} takes the manifest with -f: roster ${command} -f users.yaml\n`,
      command,
    );
  }
});

test("export given a file without -o suggests -o", async () => {
  const run = await runCli(["export", "org.yaml"], offline);
  assert.is(run.code, 1);
  assert.is(run.stderr, "roster: error: roster export takes the file to write with -o: roster export -o org.yaml\n");
});

test("several stray arguments are listed, quoted as a shell would need", async () => {
  const run = await runCli(["plan", "users.yaml", "my users.yaml"], offline);
  assert.is(run.code, 1);
  assert.is(
    run.stderr,
    "roster: error: roster plan takes no arguments, and was given 2 (users.yaml 'my users.yaml'): give the manifest with -f, such as roster plan -f users.yaml\n",
  );
});

test("apply given a .yml manifest where a saved plan goes suggests -f; two plans are refused in words", async () => {
  const manifest = await runCli(["apply", "team/Users.YML", "--yes"], offline);
  assert.is(manifest.code, 1);
  assert.is(
    manifest.stderr,
    "roster: error: roster apply takes the manifest with -f: roster apply -f team/Users.YML (a file given without -f is a plan saved by roster plan --out)\n",
  );
  const two = await runCli(["apply", "a.json", "b.json"], offline);
  assert.is(two.code, 1);
  assert.is(
    two.stderr,
    "roster: error: roster apply takes one saved plan, and was given 2 files (a.json b.json): apply one plan at a time\n",
  );
});

test("--ignore-manifest-change without a saved plan is refused: it would mean nothing", async () => {
  const run = await runCli(["apply", "--yes", "--ignore-manifest-change"], offline);
  assert.is(run.code, 1);
  assert.is(
    run.stderr,
    "roster: error: --ignore-manifest-change is for a saved plan (roster apply PLAN): without one, apply plans from the manifest as it is now. Nothing was changed.\n",
  );
});

test("with --format github the hint is an annotation too", async () => {
  const run = await runCli(["validate", "users.yaml", "--format", "github"], offline);
  assert.is(
    run.stdout,
    "::error::roster: error: roster validate takes the manifest with -f: roster validate -f users.yaml\n",
  );
});

test.run();
