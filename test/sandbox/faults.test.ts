import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkFaults, chooseFault, RateWindow, type SandboxFaults } from "../../src/sandbox/faults.js";
import { generateManagedAccounts } from "../../src/sandbox/generate.js";
import { DEFAULT_RATE_LIMIT } from "../../src/sandbox/rate-models.js";
import { startSandbox } from "../../src/sandbox/sandbox.js";
import { TEST_API_KEY } from "../helpers/cli.js";
import { makeOrg } from "../helpers/org.js";
import { withSandbox } from "../helpers/sandbox.js";

const MIX: SandboxFaults = {
  seed: 42,
  errorRate: 0.2,
  throttleRate: 0.1,
  resetRate: 0.05,
  ghostRate: 0.05,
  hangRate: 0.02,
};
const headers = { Authorization: `Bearer ${TEST_API_KEY}` };

test("a seed reproduces the same faults for the same requests, whatever order they come in", () => {
  const requests = Array.from({ length: 200 }, (_, i) => ({
    method: "POST",
    path: `/organizations/users/u${i}/actions/remove`,
    occurrence: 1 + (i % 3),
  }));
  const forward = requests.map((r) => chooseFault(MIX, r));
  const backward = [...requests]
    .reverse()
    .map((r) => chooseFault(MIX, r))
    .reverse();
  assert.equal(forward, backward);
  const otherSeed = requests.map((r) => chooseFault({ ...MIX, seed: 43 }, r));
  assert.not.equal(forward, otherSeed);
});

test("the faults come in about the shares asked for", () => {
  const counts: Record<string, number> = {};
  for (let i = 0; i < 20_000; i += 1) {
    const fault = chooseFault(MIX, { method: "GET", path: `/organizations/users?page[number]=${i}`, occurrence: 1 });
    counts[fault.kind] = (counts[fault.kind] ?? 0) + 1;
  }
  const share = (kind: string) => (counts[kind] ?? 0) / 20_000;
  for (const [kind, rate] of [
    ["error", 0.2],
    ["throttle", 0.1],
    ["reset", 0.05],
    ["ghost", 0.05],
    ["hang", 0.02],
    ["none", 0.58],
  ] as const) {
    assert.ok(Math.abs(share(kind) - rate) < 0.015, `${kind}: ${share(kind)} for ${rate}`);
  }
});

test("fault settings that cannot be meant are refused", () => {
  assert.throws(() => checkFaults({ errorRate: 1.5 }), /errorRate must be a share from 0 to 1/);
  assert.throws(() => checkFaults({ errorRate: 0.6, hangRate: 0.6 }), /add up to 1\.200/);
  assert.throws(() => checkFaults({ rateLimit: 0 }), /rateLimit must be a whole number/);
});

test("the rate window allows its limit, then answers with remaining 0 until it resets", () => {
  const window = new RateWindow(3, 500);
  const answers = [0, 10, 20, 30].map((t) => window.take(t));
  assert.equal(
    answers.map((a) => a.allowed),
    [true, true, true, false],
  );
  assert.equal(answers[1]!.headers, {
    "x-ratelimit-limit": "3",
    "x-ratelimit-remaining": "1",
    "x-ratelimit-reset": "0.49",
  });
  assert.is(answers[3]!.headers["x-ratelimit-remaining"], "0");
  assert.ok(window.take(500).allowed, "a new window");
  assert.is(
    new RateWindow(10, 60_000).take(0).headers["x-ratelimit-reset"],
    "60",
    "whole seconds for windows of a second or more",
  );
});

test("over HTTP, the real rate limit answers 429 with the API's error and headers", async () => {
  await withSandbox(
    { users: makeOrg(5), apiKey: TEST_API_KEY, faults: { rateLimit: 2, rateWindowMs: 60_000 } },
    async (sandbox) => {
      const answers = [];
      for (let i = 0; i < 3; i += 1) answers.push(await fetch(`${sandbox.url}/organizations/users`, { headers }));
      assert.equal(
        answers.map((a) => a.status),
        [200, 200, 429],
      );
      assert.is(answers[0]!.headers.get("x-ratelimit-remaining"), "1");
      assert.is(answers[2]!.headers.get("x-ratelimit-remaining"), "0");
      assert.is(answers[2]!.headers.get("x-ratelimit-reset"), "60");
      assert.is((await answers[2]!.json()).errors[0].code, "10011");
      assert.is(sandbox.stats.rateLimited, 1);
    },
  );
});

test("without a rate limit, every answer carries the x-ratelimit headers of a default limit no run comes near", async () => {
  const org = makeOrg(5);
  await withSandbox(
    { users: org, apiKey: TEST_API_KEY, managedAccounts: generateManagedAccounts(1, 2, 2) },
    async (sandbox) => {
      const asks: [string, string, string][] = [
        ["a page", "GET", "/organizations/users"],
        ["one user", "GET", `/organizations/users/${org[1]!.id}`],
        ["the groups report", "GET", "/organizations/users/users_groups_report"],
        ["a removal", "POST", `/organizations/users/${org[2]!.id}/actions/remove`],
        ["the managed accounts", "GET", "/managed_accounts"],
        ["an unknown user", "GET", "/organizations/users/nobody"],
      ];
      const remaining: number[] = [];
      for (const [what, method, path] of asks) {
        const answer = await fetch(`${sandbox.url}${path}`, { method, headers });
        assert.is(answer.headers.get("x-ratelimit-limit"), String(DEFAULT_RATE_LIMIT), what);
        assert.is(answer.headers.get("x-ratelimit-reset"), "1", `${what}: a window of a second`);
        remaining.push(Number(answer.headers.get("x-ratelimit-remaining")));
      }
      assert.equal(
        remaining,
        asks.map((_, i) => DEFAULT_RATE_LIMIT - 1 - i),
        "each request counted",
      );
      const burst = await Promise.all(
        Array.from({ length: 200 }, () =>
          fetch(`${sandbox.url}/organizations/users?page[size]=1`, { headers }).then((a) => a.status),
        ),
      );
      assert.ok(
        burst.every((status) => status === 200),
        "no burst is refused",
      );
      assert.is(sandbox.stats.rateLimited, 0);
    },
  );
});

test("an injected 429 tells the window, under a quiet limit too", async () => {
  const faults: SandboxFaults = {
    rateLimit: 5,
    rateWindowMs: 60_000,
    quietRateLimit: true,
    script: (r) => (r.occurrence === 2 ? { kind: "throttle" } : undefined),
  };
  await withSandbox({ users: makeOrg(5), apiKey: TEST_API_KEY, faults }, async (sandbox) => {
    await fetch(`${sandbox.url}/organizations/users`, { headers });
    const throttled = await fetch(`${sandbox.url}/organizations/users`, { headers });
    assert.is(throttled.status, 429);
    assert.equal(
      ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"].map((name) => throttled.headers.get(name)),
      ["5", "0", "60"],
    );
  });
});

test("a quiet rate limit sends the x-ratelimit headers only with its 429", async () => {
  await withSandbox(
    { users: makeOrg(5), apiKey: TEST_API_KEY, faults: { rateLimit: 1, rateWindowMs: 60_000, quietRateLimit: true } },
    async (sandbox) => {
      const served = await fetch(`${sandbox.url}/organizations/users`, { headers });
      const refused = await fetch(`${sandbox.url}/organizations/users`, { headers });
      assert.equal([served.status, refused.status], [200, 429]);
      assert.is(served.headers.get("x-ratelimit-remaining"), null);
      assert.is(refused.headers.get("x-ratelimit-remaining"), "0");
      assert.is(refused.headers.get("x-ratelimit-reset"), "60");
    },
  );
});

test("over HTTP, a ghost removes the user and loses the answer; a reset does no work", async () => {
  const org = makeOrg(3);
  const [ghost, reset] = [org[1]!, org[2]!];
  await withSandbox(
    {
      users: org,
      apiKey: TEST_API_KEY,
      faults: {
        script: (r) =>
          r.path.includes(ghost.id)
            ? { kind: "ghost", loss: "reset" }
            : r.path.includes(reset.id)
              ? { kind: "reset" }
              : undefined,
      },
    },
    async (sandbox) => {
      for (const user of [ghost, reset]) {
        const error = await fetch(`${sandbox.url}/organizations/users/${user.id}/actions/remove`, {
          method: "POST",
          headers,
        }).catch((e: Error) => e);
        assert.instance(error, Error, "the connection was cut");
      }
      assert.equal(
        sandbox.users().map((u) => u.id),
        [org[0]!.id, reset.id],
      );
      assert.equal([...sandbox.stats.ghostRemovals], [ghost.id]);
      assert.is(sandbox.stats.faults.reset, 1);
    },
  );
});

test("a hung request holds its connection until the sandbox closes", async () => {
  const sandbox = await startSandbox({ users: makeOrg(2), apiKey: TEST_API_KEY, faults: { hangRate: 1 } });
  const answer = fetch(`${sandbox.url}/organizations/users`, { headers }).then(
    () => "answered",
    () => "cut",
  );
  await new Promise((resolve) => setTimeout(resolve, 20));
  await sandbox.close();
  assert.is(await answer, "cut");
  assert.is(sandbox.stats.faults.hang, 1);
});

test.run();
