import { test } from "uvu";
import * as assert from "uvu/assert";
import { startCli, TEST_API_KEY } from "../helpers/cli.js";

// Each flag of roster sandbox reaches the sandbox: the flags are typed as commander parses them, and a
// flag whose name and type drift from what the command reads would be lost without an error.

test("roster sandbox shows every fault rate and the rate limit it was given, with its seed", async () => {
  const sandbox = startCli(
    [
      "sandbox",
      "--fail-rate",
      "0.05",
      "--throttle-rate",
      "0.04",
      "--reset-rate",
      "0.03",
      "--hang-rate",
      "0.02",
      "--ghost-rate",
      "0.01",
      "--rate-limit",
      "50",
      "--rate-window",
      "2000",
      "--seed",
      "7",
    ],
    { env: { TELNYX_API_KEY: TEST_API_KEY } },
  );
  try {
    await sandbox.waitFor("Press Ctrl-C to stop.");
    assert.match(
      sandbox.output().stderr,
      "\n  faults (seed 7): error 5.0%, throttle 4.0%, reset 3.0%, hang 2.0%, ghost 1.0%, rate limit 50 per 2000 ms\n",
    );
  } finally {
    sandbox.child.kill("SIGTERM");
    assert.is((await sandbox.run).code, 0);
  }
});

test("roster sandbox --quiet-rate-limit sends the x-ratelimit headers only with a 429", async () => {
  const sandbox = startCli(["sandbox", "--rate-limit", "1", "--rate-window", "60000", "--quiet-rate-limit"], {
    env: { TELNYX_API_KEY: TEST_API_KEY },
  });
  try {
    await sandbox.waitFor("Press Ctrl-C to stop.");
    const url = sandbox.output().stdout.trim();
    const answers = [];
    for (let i = 0; i < 2; i += 1) {
      const answer = await fetch(`${url}/organizations/users`, {
        headers: { Authorization: `Bearer ${TEST_API_KEY}` },
      });
      await answer.arrayBuffer();
      answers.push([answer.status, answer.headers.get("x-ratelimit-remaining")]);
    }
    assert.equal(answers, [
      [200, null],
      [429, "0"],
    ]);
  } finally {
    sandbox.child.kill("SIGTERM");
    assert.is((await sandbox.run).code, 0);
  }
});

test.run();
