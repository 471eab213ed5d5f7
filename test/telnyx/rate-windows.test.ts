import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { simulate, windowFromFirstRequest } from "../helpers/pacer-sim.js";

// The pacer against windows that start with the first request after the last one ended, on a simulated clock
// (pacer-sim.ts): what a run notices is how many of its requests are refused and how many windows it needs.

test("windows that start with a request, reset 1 and bare 429s: each window is used as soon as it opens, few 429s", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.constantFrom(1, 8, 30),
      fc.boolean(),
      async (seed, jitterMs, bare429) => {
        // 299 removals at --concurrency 16 under 40 a second, 25 ms of latency, timers late by up to jitterMs.
        const run = await simulate(windowFromFirstRequest(40, 1000, bare429), {
          requests: 299,
          concurrency: 16,
          upMs: 0.5,
          latencyMs: 25,
          jitterMs,
          seed,
        });
        const ideal = ((299 - 40) / 40) * 1000 + 500;
        // 8 windows are needed: the last request goes early in the 8th, not a window (or half of one) later.
        assert.ok(run.doneAt <= 1.1 * ideal, `done at ${run.doneAt.toFixed(0)} ms (ideal ${ideal} ms)`);
        assert.ok(run.refused <= 0.03 * run.sent, `${run.refused} of ${run.sent} requests refused`);
      },
    ),
    { numRuns: 40 },
  );
});

test("a window that uses a small share of a large limit is still seen as a new window: the count never runs out", async () => {
  // A client sending about 2 requests a millisecond, under limits it never comes near within a window: each
  // new window gives back less than half the limit. Counted on from the window before, the budget ran out.
  for (const [limit, windowMs] of [
    [500, 100],
    [1000, 100],
    [5000, 1000],
    [100_000, 1000],
  ] as const) {
    const run = await simulate(windowFromFirstRequest(limit, windowMs), {
      requests: 3000,
      concurrency: 16,
      upMs: 0.5,
      latencyMs: 5,
      jitterMs: 1,
      spacingMs: 0.5,
      seed: limit,
    });
    assert.is(run.refused, 0, `limit ${limit} a ${windowMs} ms: requests refused`);
    assert.is(run.waitedMs, 0, `limit ${limit} a ${windowMs} ms: the pacer held requests back for ${run.waitedMs} ms`);
  }
});

test.run();
