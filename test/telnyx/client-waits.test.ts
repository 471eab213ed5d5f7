import { test } from "uvu";
import * as assert from "uvu/assert";
import type { startSandbox } from "../../src/sandbox/sandbox.js";
import type { WaitEvent } from "../../src/telnyx/client.js";
import { TEST_API_KEY } from "../helpers/cli.js";
import { makeOrg } from "../helpers/org.js";
import { withSandbox } from "../helpers/sandbox.js";

/** Removes every sub-user of a fresh sandbox with the given faults, and returns the waits the client reported. */
async function waitsOf(faults: Parameters<typeof startSandbox>[0]["faults"]) {
  const org = makeOrg(21);
  return await withSandbox({ users: org, apiKey: TEST_API_KEY, faults }, async (sandbox) => {
    const waits: { event: WaitEvent; at: number }[] = [];
    const api = sandbox.client({ backoffBaseMs: 5, onWait: (event) => waits.push({ event, at: Date.now() }) });
    const results = await Promise.all(org.slice(1).map((u) => api.removeUser(u.id)));
    assert.ok(results.every((r) => r.outcome === "removed"));
    return waits;
  });
}

test("the client tells when it holds requests back for the rate-limit window, and until when", async () => {
  const waits = await waitsOf({ rateLimit: 5, rateWindowMs: 100 });
  const paced = waits.filter((w) => w.event.reason === "rate limit");
  assert.ok(paced.length > 0, JSON.stringify(waits.map((w) => w.event.reason)));
  const ahead = paced.map((w) => w.event.untilMs - w.at);
  // Never in the past. The listener reads the clock just after the client did, and a millisecond can tick in
  // between: a 1 ms wait may then read as 0.
  assert.ok(
    ahead.every((ms) => ms >= 0),
    `not in the past: ${ahead}`,
  );
  assert.ok(
    ahead.some((ms) => ms > 0),
    `in the future: ${ahead}`,
  );
  // The sandbox says x-ratelimit-reset: 1 (whole seconds, rounded up) for its 100 ms window: no wait goes past it.
  assert.ok(
    ahead.every((ms) => ms <= 1000),
    `no later than the reset the API gave: ${ahead}`,
  );
});

test("the client tells of a 429's wait and of a retry's backoff, each with its reason", async () => {
  const waits = await waitsOf({
    script: (r) =>
      r.method !== "POST" || r.occurrence > 1
        ? undefined
        : r.path.includes("0001/")
          ? { kind: "throttle" }
          : r.path.includes("0002/")
            ? { kind: "error", status: 503 }
            : undefined,
  });
  const reasons = waits.map((w) => w.event.reason).sort();
  assert.equal(
    reasons.filter((r) => r !== "rate limit"),
    ["429", "retry"],
  );
});

test.run();
