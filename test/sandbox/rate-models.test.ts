import { test } from "uvu";
import * as assert from "uvu/assert";
import { applyPlan } from "../../src/apply/apply-plan.js";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { planRemovals } from "../../src/plan/plan.js";
import { rulesOf } from "../../src/plan/rules.js";
import { checkFaults } from "../../src/sandbox/faults.js";
import { GridWindow, TokenBucket } from "../../src/sandbox/rate-models.js";
import { startSandbox, type RateModel } from "../../src/sandbox/sandbox.js";
import { TelnyxClient } from "../../src/telnyx/client.js";
import { readOrganization } from "../../src/telnyx/read-organization.js";
import { TEST_API_KEY } from "../helpers/cli.js";
import { makeOrg, manifestText } from "../helpers/org.js";

const auth = { Authorization: `Bearer ${TEST_API_KEY}` };
const said = (answer: { allowed: boolean; headers: Record<string, string> }) =>
  [answer.allowed, answer.headers["x-ratelimit-remaining"], answer.headers["x-ratelimit-reset"]] as const;

test("a grid window starts on the clock, not at the first request, and its reset is rounded up to whole seconds", () => {
  const grid = new GridWindow(3, 1000);
  // The first request comes 1 ms before a window ends: it is told 1 s, and the window is over 1 ms later.
  assert.equal(said(grid.take(1999)), [true, "2", "1"]);
  assert.equal(said(grid.take(1999)), [true, "1", "1"]);
  assert.equal(said(grid.take(1999)), [true, "0", "1"]);
  assert.equal(said(grid.take(1999)), [false, "0", "1"]);
  assert.equal(said(grid.take(2000)), [true, "2", "1"], "a new window at the clock's second");
  assert.equal(said(new GridWindow(10, 60_000).take(30_500)), [true, "9", "30"]);
});

test("a token bucket gives back a token at a time, tells whole tokens and the seconds until it is full", () => {
  const bucket = new TokenBucket(4, 1000);
  assert.equal(
    [0, 0, 0, 0, 0].map((t) => said(bucket.take(t))),
    [
      [true, "3", "1"],
      [true, "2", "1"],
      [true, "1", "1"],
      [true, "0", "1"],
      [false, "0", "1"],
    ],
  );
  // One token every 250 ms: at 240 none is back yet, at 260 one is.
  assert.equal(said(bucket.take(240)), [false, "0", "1"]);
  assert.equal(said(bucket.take(260)), [true, "0", "1"]);
  assert.equal(said(new TokenBucket(10, 60_000).take(0)), [true, "9", "6"], "6 s until the one token taken is back");
});

test("an unknown rate model is refused", () => {
  assert.throws(() => checkFaults({ rateModel: "leaky" as RateModel }), /rateModel must be window, grid or bucket/);
});

test("over HTTP, each model answers with the x-ratelimit headers and a 429 past the limit", async () => {
  for (const rateModel of ["window", "grid", "bucket"] as const) {
    const sandbox = await startSandbox({
      users: makeOrg(3),
      apiKey: TEST_API_KEY,
      faults: { rateLimit: 2, rateWindowMs: 60_000, rateModel },
    });
    try {
      const answers = [];
      for (let i = 0; i < 3; i += 1) answers.push(await fetch(`${sandbox.url}/organizations/users`, { headers: auth }));
      assert.equal(
        answers.map((a) => a.status),
        [200, 200, 429],
        rateModel,
      );
      assert.equal(
        answers.map((a) => a.headers.get("x-ratelimit-remaining")),
        ["1", "0", "0"],
        rateModel,
      );
      assert.ok(
        answers.every((a) => a.headers.get("x-ratelimit-limit") === "2"),
        rateModel,
      );
      const resets = answers.map((a) => Number(a.headers.get("x-ratelimit-reset")));
      assert.ok(
        resets.every((r) => Number.isInteger(r) && r >= 1 && r <= 60),
        `${rateModel}: ${resets}`,
      );
      if (rateModel === "bucket") assert.equal(resets, [30, 60, 60], "seconds until the bucket is full again");
      assert.is((await answers[2]!.json()).errors[0].code, "10011");
      assert.is(sandbox.stats.rateLimited, 1);
    } finally {
      await sandbox.close();
    }
  }
});

test("an apply under each model's rate limit lands every removal with few 429s", async () => {
  // 60 removals under 20 requests a second: three windows' worth, in whole-second windows as the API has.
  const org = makeOrg(61);
  const manifest = parseManifest(manifestText(["owner@example.com"]), "users.yaml");
  // One model at a time: three applies sharing this process's event loop would delay each other's answers.
  for (const rateModel of ["window", "grid", "bucket"] as const) {
    const sandbox = await startSandbox({
      users: org,
      apiKey: TEST_API_KEY,
      latencyMs: 5,
      faults: { rateLimit: 20, rateWindowMs: 1000, rateModel },
    });
    const api = new TelnyxClient({ baseUrl: sandbox.url, apiKey: TEST_API_KEY, maxSockets: 16, backoffBaseMs: 5 });
    try {
      const plan = planRemovals(manifest, await readOrganization(api, { concurrency: 16 }));
      const result = await applyPlan(plan, rulesOf(manifest), api, { concurrency: 16 });
      assert.is(result.summary.removed, 60, rateModel);
      assert.is(sandbox.users().length, 1, rateModel);
      // Sent 16 at a time regardless, most of each window's excess would be refused (dozens of 429s); paced,
      // a probe into a window's uncertain end and a request at its edge, with room for a loaded machine, whose
      // timer delays blur the edges the pacer learns (the bench measures the share on a quiet one: 0 to 1%).
      assert.ok(sandbox.stats.rateLimited <= 20, `${rateModel}: ${sandbox.stats.rateLimited} answered 429`);
    } finally {
      api.close();
      await sandbox.close();
    }
  }
});

test.run();
