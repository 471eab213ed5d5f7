import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ApplyEvent, RemovalResult } from "../../src/apply/apply-plan.js";
import {
  foldProgress,
  initialProgress,
  logLineDue,
  progressFigures,
  type ProgressState,
} from "../../src/apply/progress.js";

const T0 = 1_800_000_000_000;
const removal = (id: string) => ({
  action: "remove" as const,
  id,
  email: `${id}@example.com`,
  user_status: "enabled",
  last_sign_in_at: null,
  record_type: "organization_sub_user",
  created_at: null,
  groups: [],
});
const result = (id: string, outcome: RemovalResult["outcome"]): RemovalResult => ({
  removal: removal(id),
  outcome,
  attempts: 1,
  finishedAt: "",
});
const summary = { removed: 0, already_absent: 0, failed: 0, unknown: 0, not_started: 0 };
const fold = (events: [ApplyEvent, number][], state: ProgressState = initialProgress(10)) =>
  events.reduce((s, [event, at]) => foldProgress(s, event, at), state);

test("elapsed, rate and time left come from the removals finished since the start", () => {
  const state = fold([
    [{ type: "start", total: 10, concurrency: 4 }, T0],
    ...[1, 2, 3, 4].map((i): [ApplyEvent, number] => [{ type: "sent", removal: removal(String(i)) }, T0]),
    [{ type: "finished", result: result("1", "removed"), summary }, T0 + 1_000],
    [{ type: "finished", result: result("2", "already_absent"), summary }, T0 + 1_500],
  ]);
  const figures = progressFigures(state, T0 + 2_000);
  assert.equal(figures, {
    total: 10,
    done: 2,
    fraction: 0.2,
    elapsedMs: 2_000,
    rate: 1,
    etaMs: 8_000,
    inFlight: 2,
    retries: 0,
    waiting: undefined,
    stopping: false,
  });
});

test("the rate is taken over at least a second: a burst in the first moments does not promise hundreds a second", () => {
  const burst: [ApplyEvent, number][] = Array.from({ length: 30 }, (_, i) => [
    { type: "finished", result: result(String(i), "removed"), summary },
    T0 + 40,
  ]);
  const state = fold([[{ type: "start", total: 300, concurrency: 16 }, T0], ...burst], initialProgress(300));
  const figures = progressFigures(state, T0 + 40);
  assert.is(figures.rate, 30);
  assert.is(figures.etaMs, 9_000);
});

test("before any removal finished there is no rate and no estimate, not a division by zero", () => {
  const figures = progressFigures(fold([[{ type: "start", total: 10, concurrency: 4 }, T0]]), T0 + 5_000);
  assert.is(figures.rate, undefined);
  assert.is(figures.etaMs, undefined);
  assert.is(figures.elapsedMs, 5_000);
});

test("removals that will not start are not waited for in the estimate", () => {
  const state = fold([
    [{ type: "start", total: 10, concurrency: 1 }, T0],
    [{ type: "finished", result: result("1", "removed"), summary }, T0 + 1_000],
    ...[2, 3, 4, 5, 6, 7, 8].map((i): [ApplyEvent, number] => [
      { type: "not_started", removal: removal(String(i)) },
      T0 + 1_000,
    ]),
  ]);
  assert.is(progressFigures(state, T0 + 1_000).etaMs, 2_000, "two left at one a second");
});

test("retries and waits count only once the removals started, not while the organization was read", () => {
  const before = fold([
    [{ type: "retrying", attempt: 2, reason: "503", delayMs: 500 }, T0],
    [{ type: "waiting", reason: "retry", untilMs: T0 + 500 }, T0],
  ]);
  assert.is(before.retries, 0);
  assert.is(before.waiting, undefined);
  const during = fold([
    [{ type: "start", total: 10, concurrency: 4 }, T0],
    [{ type: "retrying", attempt: 2, reason: "429 rate limited", delayMs: 800 }, T0],
  ]);
  assert.is(during.retries, 1);
});

test("the wait shown is the one that ends last, and it disappears once over", () => {
  const state = fold([
    [{ type: "start", total: 10, concurrency: 4 }, T0],
    [{ type: "waiting", reason: "429", untilMs: T0 + 2_000 }, T0],
    [{ type: "waiting", reason: "rate limit", untilMs: T0 + 1_000 }, T0 + 100],
  ]);
  assert.equal(progressFigures(state, T0 + 500).waiting, { reason: "429", ms: 1_500 });
  assert.is(progressFigures(state, T0 + 2_000).waiting, undefined);
  const later = foldProgress(state, { type: "waiting", reason: "rate limit", untilMs: T0 + 3_000 }, T0 + 2_500);
  assert.equal(progressFigures(later, T0 + 2_600).waiting, { reason: "rate limit", ms: 400 });
});

test("a log gets a line per tenth of the removals or after 5 s, and none once all are reported", () => {
  const mark = { atMs: T0, done: 0 };
  assert.not.ok(logLineDue(mark, T0 + 1_000, 29, 300), "under a tenth, under 5 s");
  assert.ok(logLineDue(mark, T0 + 1_000, 30, 300), "a tenth done");
  assert.ok(logLineDue(mark, T0 + 5_000, 1, 300), "5 s passed");
  assert.not.ok(logLineDue({ atMs: T0, done: 30 }, T0 + 100, 59, 300));
  assert.ok(logLineDue({ atMs: T0, done: 30 }, T0 + 100, 60, 300));
  assert.not.ok(logLineDue({ atMs: T0, done: 300 }, T0 + 60_000, 300, 300));
  // A run of 300 finishing one by one, fast: ten lines.
  let last = { atMs: T0, done: 0 };
  let lines = 0;
  for (let done = 1; done <= 300; done++) {
    if (logLineDue(last, T0 + done, done, 300)) {
      lines += 1;
      last = { atMs: T0 + done, done };
    }
  }
  assert.is(lines, 10);
});

test.run();
