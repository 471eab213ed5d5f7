import { closeSync, openSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { SandboxOptions } from "../../src/sandbox/sandbox.js";
import {
  readAuditLog,
  runCli,
  startCli,
  TEST_API_KEY,
  writeTemp,
  type CliOptions,
  withTempDir,
} from "../helpers/cli.js";
import { makeOrg, manifestText } from "../helpers/org.js";
import { withSandbox, type TestSandbox } from "../helpers/sandbox.js";

/**
 * What a test of `setup` is given: its folder, the manifest, where the audit log goes, the sandbox and the env pointing
 * at it.
 */
interface Setting {
  dir: string;
  manifest: string;
  log: string;
  sandbox: TestSandbox;
  env: Record<string, string>;
}

/**
 * Runs `fn` with an organization of `size` users (the owner first), a manifest keeping the first `keep`
 * sub-users, and a sandbox; the sandbox and the folder are gone however `fn` ends.
 */
async function setup(
  size: number,
  keep: number,
  sandbox: Omit<SandboxOptions, "users">,
  fn: (setting: Setting) => Promise<void>,
) {
  const org = makeOrg(size);
  await withTempDir(async (dir) => {
    const manifest = writeTemp(dir, "users.yaml", manifestText(org.slice(1, keep + 1).map((u) => u.email)));
    await withSandbox({ users: org, apiKey: TEST_API_KEY, ...sandbox }, (server) =>
      fn({
        dir,
        manifest,
        log: `${dir}/audit.jsonl`,
        sandbox: server,
        env: { TELNYX_BASE_URL: server.url, ROSTER_BACKOFF_BASE_MS: "2" },
      }),
    );
  });
}

/** Runs the CLI with stdout (and stderr, if asked) on /dev/full, where every write fails with ENOSPC. */
async function onFullDisk(args: string[], options: CliOptions & { stderrToo?: boolean } = {}) {
  const full = openSync("/dev/full", "w");
  try {
    return await runCli(args, { ...options, stdoutFd: full, ...(options.stderrToo ? { stderrFd: full } : {}) });
  } finally {
    closeSync(full);
  }
}

const removals = (sandbox: { stats: { removeRequests: Map<string, number> } }) =>
  [...sandbox.stats.removeRequests.values()].reduce((a, b) => a + b, 0);

test("every command with stdout on a full disk says so on stderr and exits 1, without a stack trace", async () => {
  await setup(12, 8, {}, async (s) => {
    const commands = [
      ["--help"],
      ["--version"],
      ["validate", "-f", s.manifest],
      ["plan", "-f", s.manifest],
      ["plan", "-f", s.manifest, "--format", "json", "--detailed-exitcode"],
      ["export"],
      ["sandbox"],
      ["apply", "-f", s.manifest, "--yes"],
    ];
    for (const args of commands) {
      // The helper fails the run on any stack trace or Node warning on stderr.
      const run = await onFullDisk(args, { env: s.env });
      assert.is(run.code, 1, `roster ${args.join(" ")}: ${run.stderr}`);
      assert.match(
        run.stderr,
        "roster: error: cannot write to stdout (ENOSPC: no space left on the device): ",
        args.join(" "),
      );
    }
    assert.is(removals(s.sandbox), 0, "apply removed nobody");
    assert.is(s.sandbox.users().length, 12);
  });
});

test("apply whose preview cannot be written removes nobody: exit 1, nothing changed", async () => {
  await setup(12, 8, {}, async (s) => {
    const run = await onFullDisk(["apply", "-f", s.manifest, "--yes", "--audit-log", s.log], { env: s.env });
    assert.is(run.code, 1);
    assert.is(
      run.stderr,
      "roster: error: cannot write to stdout (ENOSPC: no space left on the device): the plan could not be shown, so nothing was applied. Nothing was changed.\n",
    );
    assert.is(removals(s.sandbox), 0);
  });
});

test("with stderr on a full disk too, the exit code still tells: 1, and nothing removed", async () => {
  await setup(12, 8, {}, async (s) => {
    for (const args of [
      ["apply", "-f", s.manifest, "--yes"],
      ["plan", "-f", s.manifest],
      ["validate", "-f", `${s.dir}/missing.yaml`],
      ["--help"],
    ]) {
      const run = await onFullDisk(args, { env: s.env, stderrToo: true });
      assert.is(run.code, 1, args.join(" "));
    }
    assert.is(removals(s.sandbox), 0);
  });
});

test("a reader gone before apply's preview (a closed pipe) is the same: nobody is removed", async () => {
  await setup(12, 8, { latencyMs: 30 }, async (s) => {
    const running = startCli(["apply", "-f", s.manifest, "--yes"], { env: s.env });
    running.child.stdout!.destroy();
    const run = await running.run;
    assert.is(run.code, 1);
    assert.is(
      run.stderr,
      "roster: error: cannot write to stdout (EPIPE: the reader closed the pipe): the plan could not be shown, so nothing was applied. Nothing was changed.\n",
    );
    assert.is(removals(s.sandbox), 0);
  });
});

test("roster plan | head: a reader gone from a preview is not an error", async () => {
  await setup(12, 8, { latencyMs: 30 }, async (s) => {
    const running = startCli(["plan", "-f", s.manifest, "--detailed-exitcode"], { env: s.env });
    running.child.stdout!.destroy();
    const run = await running.run;
    assert.is(run.code, 2, "the plan's own exit code: removals planned");
    assert.is(run.stderr, "");
  });
});

test("a reader gone in the middle of apply: no further removal starts, every removal sent is in the audit log and on stderr, exit 1", async () => {
  await setup(61, 1, { latencyMs: 25 }, async (s) => {
    const running = startCli(
      ["apply", "-f", s.manifest, "--yes", "--force", "--concurrency", "2", "--audit-log", s.log],
      { env: s.env },
    );
    await running.waitFor((out) => out.includes("  removed "));
    running.child.stdout!.destroy();
    const run = await running.run;
    assert.is(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      "roster: error: cannot write to stdout (EPIPE: the reader closed the pipe): no further removal was started; the results follow here.\n",
    );
    const summary =
      /Apply interrupted: (\d+) removed, 0 already absent, 0 failed, (\d+) not started, of 59 planned removals\./.exec(
        run.stderr,
      );
    assert.ok(summary, run.stderr.slice(-400));
    const removed = Number(summary![1]);
    const notStarted = Number(summary![2]);
    assert.ok(removed >= 1, "some removals were made before the reader went away");
    assert.ok(notStarted > 0, "some removals were never started");
    assert.is(removed + notStarted, 59, "every planned removal is either removed or not started");
    const lines = readAuditLog(s.log);
    assert.is(lines.length, removed, "one audit line for each removal");
    assert.is(removals(s.sandbox), removed, "every removal sent finished and was recorded");
    assert.is(s.sandbox.users().length, 61 - removed);
    for (const line of lines) assert.match(run.stderr, `  removed        ${line.email}\n`);
    assert.not.match(run.stderr, "Verified", "no verification after a stop");
  });
});

test("apply --format json has no preview: stdout on a full disk is found before the first removal all the same", async () => {
  await setup(12, 8, {}, async (s) => {
    const run = await onFullDisk(["apply", "-f", s.manifest, "--yes", "--format", "json"], { env: s.env });
    assert.is(run.code, 1);
    assert.match(
      run.stderr,
      "roster: error: cannot write to stdout (ENOSPC: no space left on the device): the plan could not be shown, so nothing was applied. Nothing was changed.\n",
    );
    assert.is(removals(s.sandbox), 0);
  });
});

test("apply --format json, stdout closed before anything is written: found before the first removal too", async () => {
  await setup(12, 8, { latencyMs: 30 }, async (s) => {
    const running = startCli(["apply", "-f", s.manifest, "--yes", "--format", "json"], { env: s.env });
    running.child.stdout!.destroy();
    const run = await running.run;
    assert.is(run.code, 1);
    assert.is(
      run.stderr,
      "roster: error: cannot write to stdout (EPIPE: the reader closed the pipe): the plan could not be shown, so nothing was applied. Nothing was changed.\n",
    );
    assert.is(removals(s.sandbox), 0);
  });
});

test("apply --format json whose reader goes away during the removals: the results go to stderr, every one is in the audit log, exit 1", async () => {
  await setup(12, 8, { latencyMs: 30 }, async (s) => {
    const running = startCli(
      ["apply", "-f", s.manifest, "--yes", "--format", "json", "--concurrency", "1", "--audit-log", s.log],
      { env: s.env },
    );
    while (s.sandbox.stats.removeRequests.size === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    running.child.stdout!.destroy();
    const run = await running.run;
    assert.is(run.code, 1);
    assert.match(
      run.stderr,
      "roster: error: cannot write to stdout (EPIPE: the reader closed the pipe): the results follow here.\n",
    );
    assert.match(
      run.stderr,
      "  removed        user0009@example.com\n  removed        user0010@example.com\n  removed        user0011@example.com\n\nApply complete: 3 removed, 0 already absent, 0 failed, of 3 planned removals.\n",
    );
    assert.not.match(run.stderr, "Verified", "output that cannot be written is a stop: no verification");
    assert.is(readAuditLog(s.log).length, 3);
  });
});

test.run();
