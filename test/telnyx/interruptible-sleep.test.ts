import { getEventListeners } from "node:events";
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { interruptibleSleep } from "../../src/telnyx/interruptible-sleep.js";

const listeners = (signal: AbortSignal) => getEventListeners(signal, "abort").length;

test("many waits at once, of many clients, share one abort listener on the run's signal, and all end when it aborts", async () => {
  const interrupt = new AbortController();
  // One sleep a client, as each account's client of a run makes its own.
  const sleeps = Array.from({ length: 30 }, () => interruptibleSleep(interrupt.signal));
  assert.is(listeners(interrupt.signal), 0, "making a client adds no listener");
  let ended = 0;
  const waits = sleeps.flatMap((sleep) => [sleep(60_000), sleep(60_000)]).map((wait) => wait.then(() => (ended += 1)));
  assert.is(listeners(interrupt.signal), 1, "one listener, not one a wait or a client");
  assert.is(ended, 0);
  interrupt.abort();
  await Promise.all(waits);
  assert.is(ended, 60);
  assert.is(listeners(interrupt.signal), 0);
});

test("waits that end on their own leave no listener behind, and a wait after the abort ends at once without adding one", async () => {
  const interrupt = new AbortController();
  const [a, b] = [interruptibleSleep(interrupt.signal), interruptibleSleep(interrupt.signal)];
  for (let round = 0; round < 20; round += 1) await Promise.all([a(1), b(1), a(2)]);
  assert.is(listeners(interrupt.signal), 0);
  interrupt.abort();
  await Promise.all([a(60_000), b(60_000)]);
  assert.is(listeners(interrupt.signal), 0);
});

test("an abort wakes only the waits on its own signal", async () => {
  const [first, second] = [new AbortController(), new AbortController()];
  let secondEnded = false;
  const waiting = interruptibleSleep(second.signal)(40).then(() => (secondEnded = true));
  const started = Date.now();
  const woken = interruptibleSleep(first.signal)(60_000);
  first.abort();
  await woken;
  assert.ok(Date.now() - started < 1_000, "the aborted signal's wait ended at once");
  assert.not.ok(secondEnded, "the other signal's wait goes on");
  assert.is(listeners(second.signal), 1);
  await waiting;
  assert.is(listeners(second.signal), 0);
});

test("without a signal, a wait lasts its time", async () => {
  const started = Date.now();
  await interruptibleSleep(undefined)(30);
  assert.ok(Date.now() - started >= 25);
});

test("property: whatever waits of whatever clients start and end, the signal holds at most one listener, and none once nothing waits", async () => {
  const wait = fc.record({ client: fc.nat({ max: 5 }), startAfterMs: fc.nat({ max: 6 }), ms: fc.nat({ max: 6 }) });
  await fc.assert(
    fc.asyncProperty(
      fc.array(wait, { minLength: 1, maxLength: 25 }),
      fc.option(fc.nat({ max: 8 })),
      async (waits, abortAfterMs) => {
        const interrupt = new AbortController();
        const sleeps = Array.from({ length: 6 }, () => interruptibleSleep(interrupt.signal));
        let most = 0;
        const timers: NodeJS.Timeout[] = [];
        if (abortAfterMs !== null) timers.push(setTimeout(() => interrupt.abort(), abortAfterMs));
        await Promise.all(
          waits.map(
            ({ client, startAfterMs, ms }) =>
              new Promise<void>((resolve) => {
                timers.push(
                  setTimeout(() => {
                    const ended = sleeps[client]!(ms);
                    most = Math.max(most, listeners(interrupt.signal));
                    void ended.then(resolve);
                  }, startAfterMs),
                );
              }),
          ),
        );
        timers.forEach(clearTimeout);
        assert.ok(most <= 1, `at most one listener at once, found ${most}`);
        assert.is(listeners(interrupt.signal), 0, "none once every wait ended");
      },
    ),
    { numRuns: 150 },
  );
});

test.run();
