import { execFileSync } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startCli, TEST_API_KEY, writeTemp, type CliRun, withTempDir } from "../helpers/cli.js";
import { makeOrg, manifestText } from "../helpers/org.js";
import { withSandbox, type TestSandbox } from "../helpers/sandbox.js";

/** Runs the CLI; a run still going after 10 s (blocked on a FIFO) is killed and fails the test. */
async function promptly(args: string[], env: Record<string, string>): Promise<CliRun> {
  const running = startCli(args, { env });
  const timer = setTimeout(() => running.child.kill("SIGKILL"), 10_000);
  try {
    const run = await running.run;
    assert.is(run.signal, null, `roster ${args.join(" ")} blocked until killed`);
    return run;
  } finally {
    clearTimeout(timer);
  }
}

/** What a test of `setup` is given: a manifest, a FIFO beside it, the sandbox and the env pointing at it. */
interface Setting {
  manifest: string;
  fifo: string;
  sandbox: TestSandbox;
  env: Record<string, string>;
}

/** Runs `fn` with a manifest, a FIFO and a sandbox; the sandbox and the folder are gone however `fn` ends. */
async function setup(fn: (setting: Setting) => Promise<void>) {
  const org = makeOrg(12);
  await withTempDir(async (dir) => {
    const manifest = writeTemp(dir, "users.yaml", manifestText(org.slice(1, 9).map((u) => u.email)));
    const fifo = `${dir}/fifo`;
    execFileSync("mkfifo", [fifo]);
    await withSandbox({ users: org, apiKey: TEST_API_KEY }, (sandbox) =>
      fn({ manifest, fifo, sandbox, env: { TELNYX_BASE_URL: sandbox.url } }),
    );
  });
}

test("a FIFO as the manifest (-f) is refused at once by validate, plan and apply, with no request", async () => {
  await setup(async (s) => {
    for (const command of [["validate"], ["plan"], ["apply", "--yes"]]) {
      const run = await promptly([...command, "-f", s.fifo], s.env);
      assert.is(run.code, 1, command[0]);
      assert.match(
        run.stderr,
        `${s.fifo}:1:1: not a file: pass the path of a users.yaml manifest with -f\n`,
        command[0],
      );
    }
    assert.is(s.sandbox.stats.requests, 0);
  });
});

test("a FIFO or a device as --audit-log is refused before any request, and nothing is removed", async () => {
  await setup(async (s) => {
    for (const [log, kind] of [
      [s.fifo, "a FIFO (named pipe)"],
      ["/dev/null", "a character device"],
    ]) {
      const run = await promptly(["apply", "-f", s.manifest, "--yes", "--audit-log", log!], s.env);
      assert.is(run.code, 1);
      assert.is(
        run.stderr,
        `roster: error: the audit log ${log} is ${kind}, not a file: give the path of a file to append to (it is created if missing). Nothing was changed.\n`,
      );
    }
    assert.is(s.sandbox.stats.requests, 0);
  });
});

test("a FIFO as a saved plan (apply PLAN) is refused at once: nothing is read from it, nothing removed", async () => {
  await setup(async (s) => {
    const run = await promptly(["apply", s.fifo], s.env);
    assert.is(run.code, 1);
    assert.match(
      run.stderr,
      `roster: error: ${s.fifo} is a FIFO (named pipe), not a file: give the path of a plan saved by roster plan --out\n`,
    );
    assert.match(run.stderr, "Nothing was changed.");
    assert.is(s.sandbox.stats.requests, 0);
  });
});

test("a FIFO as export -o or plan --out is refused, even with --force, and never replaced", async () => {
  await setup(async (s) => {
    for (const args of [
      ["export", "-o", s.fifo],
      ["export", "-o", s.fifo, "--force"],
    ]) {
      const run = await promptly(args, s.env);
      assert.is(run.code, 1, args.join(" "));
      assert.match(
        run.stderr,
        `roster: error: ${s.fifo} is a FIFO (named pipe), not a file: roster export -o writes a manifest file; without -o it prints the manifest on stdout. Nothing was written\n`,
      );
    }
    const plan = await promptly(["plan", "-f", s.manifest, "--out", s.fifo], s.env);
    assert.is(plan.code, 1);
    assert.match(
      plan.stderr,
      `roster: error: --out ${s.fifo} is a FIFO (named pipe), not a file: save the plan to a file, such as plan.json. Nothing was changed.\n`,
    );
    assert.is(s.sandbox.stats.requests, 0);
    assert.ok(
      execFileSync("stat", ["-c", "%F", s.fifo], { encoding: "utf8" }).startsWith("fifo"),
      "the FIFO is still there",
    );
  });
});

test("a FIFO as the sandbox's --state is refused at once", async () => {
  await setup(async (s) => {
    const run = await promptly(["sandbox", "--state", s.fifo], s.env);
    assert.is(run.code, 1);
    assert.match(
      run.stderr,
      `roster: error: ${s.fifo}: cannot read the sandbox state (it is a FIFO (named pipe), not a file)`,
    );
  });
});

test.run();
