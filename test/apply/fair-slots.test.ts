import { suite } from "uvu";
import * as assert from "uvu/assert";
import { fairSlots } from "../../src/apply/fair-slots.js";

// The slots shared by the accounts of one run: who starts next is decided by turns, not by who queued first,
// so these tests read the order tasks start in; each task ends only when the test says so.

/** Queues `count` tasks per account (in the order given); each records its start and waits to be finished. */
function queue(concurrency: number, accounts: [string, number][]) {
  const slots = fairSlots(concurrency);
  const started: string[] = [];
  const running: (() => void)[] = [];
  const done: Promise<unknown>[] = [];
  for (const [account, count] of accounts) {
    const limit = slots.forAccount(account);
    for (let i = 1; i <= count; i += 1) {
      done.push(
        limit(
          () =>
            new Promise<void>((resolve) => {
              started.push(`${account}${i}`);
              running.push(resolve);
            }),
        ),
      );
    }
  }
  /** Lets the task that started first of those running finish, and waits for the slot to be handed on. */
  const finishOldest = async () => {
    running.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { slots, started, running, done, finishOldest };
}

const fair = suite("fair slots");

fair(
  "a freed slot goes to the waiting accounts in turn: 10 of A queued first do not hold back B's 3 or C's 2",
  async () => {
    const { started, running, done, finishOldest } = queue(2, [
      ["A", 10],
      ["B", 3],
      ["C", 2],
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(started, ["A1", "A2"], "the first slots go as tasks come");
    while (running.length > 0) await finishOldest();
    await Promise.all(done);
    assert.equal(started, ["A1", "A2", "A3", "B1", "C1", "A4", "B2", "C2", "A5", "B3", "A6", "A7", "A8", "A9", "A10"]);
  },
);

fair("an account that starts waiting later is served within one round of the accounts already waiting", async () => {
  const { slots, started, running, finishOldest } = queue(3, [
    ["big", 50],
    ["mid", 20],
  ]);
  await new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < 10; i += 1) await finishOldest();
  const before = started.length;
  const late = slots.forAccount("late");
  const lateDone = late(async () => void started.push("late1"));
  // Two accounts were waiting ahead of it: at most two more starts before its own.
  for (let i = 0; i < 3 && !started.includes("late1"); i += 1) await finishOldest();
  const at = started.indexOf("late1");
  assert.ok(
    at >= 0 && at - before <= 2,
    `late1 started at ${at}, ${before} had started when it queued: ${started.join(" ")}`,
  );
  while (running.length > 0) await finishOldest();
  await lateDone;
  assert.is(started.length, 71, "every task started once");
  assert.is(new Set(started).size, 71);
});

fair(
  "never more than the bound run at once, across accounts; a failing task frees its slot and the rest go on",
  async () => {
    const slots = fairSlots(4);
    let running = 0;
    let most = 0;
    let mostSlots = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 120 }, (_, i) =>
        slots.forAccount(`account-${i % 7}`)(async () => {
          running += 1;
          most = Math.max(most, running);
          // A slot is taken when it is granted, a moment before its task runs.
          mostSlots = Math.max(mostSlots, slots.inFlight);
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
          running -= 1;
          if (i % 13 === 0) throw new Error(`task ${i} failed`);
          return i;
        }),
      ),
    );
    assert.is(most, 4, "the bound was reached and never passed");
    assert.is(mostSlots, 4, "no more slots taken than the bound");
    assert.is(slots.inFlight, 0, "every slot was given back");
    const failed = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    assert.is(failed.length, 10, "each failure reaches its caller");
    assert.match(String(failed[0]!.reason), "task 0 failed");
    assert.is(results.filter((r) => r.status === "fulfilled").length, 110, "the tasks after a failure still ran");
  },
);

fair("each account's own tasks start in the order it queued them", async () => {
  const { started, running, finishOldest } = queue(2, [
    ["A", 6],
    ["B", 6],
  ]);
  await new Promise((resolve) => setImmediate(resolve));
  while (running.length > 0) await finishOldest();
  for (const account of ["A", "B"]) {
    assert.equal(
      started.filter((s) => s.startsWith(account)),
      [1, 2, 3, 4, 5, 6].map((i) => `${account}${i}`),
    );
  }
});

fair("a bound that is not a whole number of at least 1 is refused", () => {
  for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => fairSlots(bad), /at least 1/);
});

fair.run();
