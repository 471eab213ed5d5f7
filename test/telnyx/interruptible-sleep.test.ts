import { getEventListeners } from "node:events";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { interruptibleSleep } from "../../src/telnyx/interruptible-sleep.js";

test("many waits at once share one abort listener on the run's signal, and all end when it aborts", async () => {
  const interrupt = new AbortController();
  const sleep = interruptibleSleep(interrupt.signal);
  let ended = 0;
  const waits = Array.from({ length: 50 }, () => sleep(60_000).then(() => (ended += 1)));
  assert.is(getEventListeners(interrupt.signal, "abort").length, 1, "one listener, not one a wait");
  assert.is(ended, 0);
  interrupt.abort();
  await Promise.all(waits);
  assert.is(ended, 50);
});

test("waits that end on their own leave no listener behind, and a wait after the abort ends at once", async () => {
  const interrupt = new AbortController();
  const sleep = interruptibleSleep(interrupt.signal);
  for (let round = 0; round < 20; round += 1) await Promise.all([sleep(1), sleep(1), sleep(2)]);
  assert.is(getEventListeners(interrupt.signal, "abort").length, 1);
  interrupt.abort();
  await sleep(60_000);
});

test.run();
