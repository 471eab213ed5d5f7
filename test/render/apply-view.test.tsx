import { render } from "ink-testing-library";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ApplyEvent, RemovalResult } from "../../src/apply/apply-plan.js";
import { initialProgress } from "../../src/apply/progress.js";
import { ApplyView, type Notices, type Subscribe } from "../../src/render/ink/ApplyView.js";

const removal = (id: string, email: string) => ({
  action: "remove" as const,
  id,
  email,
  user_status: "enabled",
  last_sign_in_at: null,
  record_type: "organization_sub_user",
  created_at: null,
  groups: [],
});
const finished = (id: string, email: string, outcome: RemovalResult["outcome"], error?: string): RemovalResult => ({
  removal: removal(id, email),
  outcome,
  attempts: 1,
  finishedAt: "2026-11-28T00:00:00Z",
  ...(error ? { error } : {}),
});

function source() {
  const listeners = new Set<(event: ApplyEvent) => void>();
  const subscribe: Subscribe = (listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  return { subscribe, emit: (event: ApplyEvent) => listeners.forEach((l) => l(event)) };
}

/** A clock the test moves by hand, so elapsed time, rate and time left are exact. */
function fakeClock(start = 1_800_000_000_000) {
  let now = start;
  return { clock: () => now, advance: (ms: number) => (now += ms) };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 150));
const summaryOf = (counts: Partial<Record<"removed" | "already_absent" | "failed", number>>) => ({
  removed: 0,
  already_absent: 0,
  failed: 0,
  unknown: 0,
  not_started: 0,
  ...counts,
});
const linesOf = (frame: string | undefined) => (frame ?? "").split("\n");

test("progress shows a bar, the counts, elapsed time, rate, time left, in flight and retries; rows stay; the summary replaces it", async () => {
  const events = source();
  const time = fakeClock();
  const { lastFrame, unmount } = render(
    <ApplyView subscribe={events.subscribe} total={3} columns={100} clock={time.clock} />,
  );
  try {
    await tick();
    events.emit({ type: "start", total: 3, concurrency: 2 });
    events.emit({ type: "sent", removal: removal("1", "a@example.com") });
    events.emit({ type: "sent", removal: removal("2", "b@example.com") });
    await tick();
    assert.is(
      lastFrame(),
      [
        "Removing [>                                       ] 0 of 3 (0%)",
        "0 removed, 0 already absent, 0 failed",
        "0 s elapsed, rate unknown, time left unknown, 2 in flight, 0 retries",
      ].join("\n"),
    );
    time.advance(2_000);
    const a = finished("1", "a@example.com", "removed");
    events.emit({ type: "finished", result: a, summary: summaryOf({ removed: 1 }) });
    events.emit({ type: "retrying", attempt: 2, reason: "503", delayMs: 1500 });
    await tick();
    assert.is(
      lastFrame(),
      [
        "  removed        a@example.com",
        "Removing [=============>                          ] 1 of 3 (33%)",
        "1 removed, 0 already absent, 0 failed",
        "2 s elapsed, 0.5/s, about 4 s left, 1 in flight, 1 retry",
      ].join("\n"),
    );
    const b = finished("2", "b@example.com", "already_absent");
    const c = finished("3", "c@example.com", "failed", "POST /organizations/users/3/actions/remove answered 500");
    const summary = summaryOf({ removed: 1, already_absent: 1, failed: 1 });
    events.emit({ type: "finished", result: b, summary: { ...summary, failed: 0 } });
    events.emit({ type: "finished", result: c, summary });
    events.emit({ type: "done", result: { summary, results: [a, b, c] } });
    await tick();
    const frame = lastFrame() ?? "";
    // In the test renderer's debug mode ink repeats <Static> rows between frames; a terminal shows each once.
    for (const row of [
      "  removed        a@example.com",
      "  already absent b@example.com",
      "  failed         c@example.com: POST /organizations/users/3/actions/remove answered 500 (after 1",
      "                 attempt)",
    ]) {
      assert.ok(linesOf(frame).includes(row), row);
    }
    assert.ok(
      frame.endsWith("\n\nApply complete: 1 removed, 1 already absent, 1 failed, of 3 planned removals."),
      frame,
    );
    assert.not.match(frame, "Removing");
  } finally {
    unmount();
  }
});

test("while the rate limit holds requests back, the view says what it waits for and counts down", async () => {
  const events = source();
  const time = fakeClock();
  const { lastFrame, unmount } = render(
    <ApplyView subscribe={events.subscribe} total={10} columns={100} clock={time.clock} />,
  );
  try {
    events.emit({ type: "start", total: 10, concurrency: 4 });
    events.emit({ type: "waiting", reason: "rate limit", untilMs: time.clock() + 800 });
    await tick();
    assert.ok(linesOf(lastFrame()).includes("waiting 0.8 s for the rate limit"), lastFrame());
    time.advance(500);
    await tick();
    assert.ok(linesOf(lastFrame()).includes("waiting 0.3 s for the rate limit"), lastFrame());
    events.emit({ type: "waiting", reason: "429", untilMs: time.clock() + 2_000 });
    await tick();
    assert.ok(linesOf(lastFrame()).includes("waiting 2.0 s after a 429 (rate limited)"), lastFrame());
    time.advance(2_000);
    await tick();
    assert.not.match(lastFrame() ?? "", "waiting", "the line goes once the wait is over");
  } finally {
    unmount();
  }
});

test("above 100 removals only failures get a row, with a note saying so; successes are counted", async () => {
  const events = source();
  const time = fakeClock();
  const { lastFrame, unmount } = render(
    <ApplyView subscribe={events.subscribe} total={150} columns={100} clock={time.clock} />,
  );
  try {
    events.emit({ type: "start", total: 150, concurrency: 8 });
    let summary = summaryOf({});
    for (let i = 0; i < 120; i++) {
      const failed = i === 60;
      summary = { ...summary, ...(failed ? { failed: summary.failed + 1 } : { removed: summary.removed + 1 }) };
      events.emit({
        type: "finished",
        result: finished(
          String(i),
          `user${i}@example.com`,
          failed ? "failed" : "removed",
          failed ? "answered 403" : undefined,
        ),
        summary,
      });
    }
    await tick();
    const lines = linesOf(lastFrame());
    assert.equal(lines.slice(0, 2), [
      "Listing only failures of the 150 removals.",
      "  failed         user60@example.com: answered 403 (after 1 attempt)",
    ]);
    assert.not.ok(
      lines.some((l) => l.includes("  removed ")),
      "no success rows",
    );
    assert.ok(lines.includes("119 removed, 0 already absent, 1 failed"), lastFrame());
  } finally {
    unmount();
  }
});

test("at 40 columns no line of the live progress is wider than the terminal", async () => {
  const events = source();
  const time = fakeClock();
  const { lastFrame, frames, unmount } = render(
    <ApplyView subscribe={events.subscribe} total={20000} columns={40} clock={time.clock} />,
  );
  try {
    events.emit({ type: "start", total: 20000, concurrency: 16 });
    time.advance(3_725_000);
    let summary = summaryOf({});
    for (let i = 0; i < 12345; i++) {
      summary = {
        ...summary,
        already_absent: summary.already_absent + (i % 10 === 0 ? 1 : 0),
        removed: summary.removed + (i % 10 === 0 ? 0 : 1),
      };
      events.emit({ type: "sent", removal: removal(`r${i}`, `user${i}@example.com`) });
      events.emit({
        type: "finished",
        result: finished(`r${i}`, `user${i}@example.com`, i % 10 === 0 ? "already_absent" : "removed"),
        summary,
      });
    }
    for (let i = 0; i < 16; i++) events.emit({ type: "sent", removal: removal(`s${i}`, `user${i}@example.com`) });
    for (let i = 0; i < 1234; i++) events.emit({ type: "retrying", attempt: 2, reason: "429", delayMs: 900 });
    events.emit({ type: "waiting", reason: "429", untilMs: time.clock() + 12_300 });
    await tick();
    assert.equal(linesOf(lastFrame()).slice(-8), [
      "Removing [====>  ] 12345 of 20000 (61%)",
      "11110 removed, 1235 already absent,",
      "0 failed",
      "1 h 02 min elapsed, 3.3/s,",
      "about 38 min 30 s left, 16 in flight,",
      "1234 retries",
      "waiting 12.3 s after a 429 (rate",
      "limited)",
    ]);
    for (const frame of frames)
      for (const row of frame.split("\n")) assert.ok(row.length <= 40, `wider than 40 columns: ${JSON.stringify(row)}`);
  } finally {
    unmount();
  }
});

test("at 40 columns a failure's row continues under its email, and a large run without failures says so", async () => {
  const events = source();
  const time = fakeClock();
  const { frames, lastFrame, unmount } = render(
    <ApplyView subscribe={events.subscribe} total={3} columns={40} clock={time.clock} />,
  );
  try {
    events.emit({ type: "start", total: 3, concurrency: 2 });
    const failed = finished(
      "1",
      "someone@example.com",
      "failed",
      "POST /organizations/users/1/actions/remove answered 500",
    );
    events.emit({ type: "finished", result: failed, summary: summaryOf({ failed: 1 }) });
    await tick();
    const rows = linesOf(frames.find((f) => f.includes("someone@example.com")));
    const at = rows.findIndex((l) => l.includes("someone@example.com"));
    assert.equal(rows.slice(at, at + 4), [
      "  failed         someone@example.com:",
      "                 POST",
      "                 /organizations/users/1/",
      "                 actions/remove answered",
    ]);
  } finally {
    unmount();
  }
  const big = source();
  const view = render(<ApplyView subscribe={big.subscribe} total={150} columns={40} clock={time.clock} />);
  try {
    big.emit({ type: "start", total: 150, concurrency: 8 });
    const summary = summaryOf({ removed: 150 });
    big.emit({ type: "done", result: { summary, results: [] } });
    await tick();
    assert.ok(
      (view.lastFrame() ?? "").endsWith(
        "Listing only failures of the 150\nremovals.\nNo failures.\n\nApply complete: 150 removed, 0 already\nabsent, 0 failed, of 150 planned\nremovals.",
      ),
      view.lastFrame(),
    );
  } finally {
    view.unmount();
  }
  void lastFrame;
});

test("the live block keeps its height as counts grow and waits come and go", async () => {
  const events = source();
  const time = fakeClock();
  const { frames, unmount } = render(
    <ApplyView subscribe={events.subscribe} total={20000} columns={40} clock={time.clock} />,
  );
  try {
    events.emit({ type: "start", total: 20000, concurrency: 16 });
    let summary = summaryOf({});
    for (const [count, wait] of [
      [1, false],
      [9, true],
      [90, false],
      [900, true],
      [9000, false],
    ] as const) {
      for (let i = 0; i < count; i++) {
        summary = { ...summary, removed: summary.removed + 1 };
        events.emit({
          type: "finished",
          result: finished(`r${summary.removed}`, `u${summary.removed}@example.com`, "removed"),
          summary,
        });
      }
      time.advance(60_000);
      if (wait) events.emit({ type: "waiting", reason: "429", untilMs: time.clock() + 5_000 });
      await tick();
    }
    const live = frames.filter((f) => f.includes("Removing [")).map((f) => f.split("\n").length);
    assert.ok(live.length >= 5, String(live.length));
    const after = live.slice(live.indexOf(Math.max(...live)));
    assert.equal([...new Set(after)], [Math.max(...live)], `heights once the first wait was shown: ${live.join(", ")}`);
    for (const frame of frames) for (const row of frame.split("\n")) assert.ok(row.length <= 40, row);
  } finally {
    unmount();
  }
});

test("once the run stops, the bar says Stopping and what it waits for; abandoned, the live lines give way to what is known", async () => {
  const events = source();
  const time = fakeClock();
  const { lastFrame, rerender, unmount } = render(
    <ApplyView subscribe={events.subscribe} total={10} columns={100} clock={time.clock} />,
  );
  try {
    events.emit({ type: "start", total: 10, concurrency: 3 });
    for (const id of ["1", "2", "3"]) events.emit({ type: "sent", removal: removal(id, `${id}@example.com`) });
    time.advance(2_000);
    events.emit({
      type: "finished",
      result: finished("1", "1@example.com", "removed"),
      summary: summaryOf({ removed: 1 }),
    });
    events.emit({ type: "stopping" });
    await tick();
    assert.equal(linesOf(lastFrame()).slice(-3), [
      "Stopping [====>                                   ] 1 of 10 (10%)",
      "1 removed, 0 already absent, 0 failed",
      "2 s elapsed, 0.5/s, waiting for 2 in flight, 0 retries",
    ]);
    const state = { ...initialProgress(10), startedAt: 0, removed: 1, inFlight: 2 };
    rerender(<ApplyView subscribe={events.subscribe} total={10} columns={100} clock={time.clock} abandoned={state} />);
    assert.equal(linesOf(lastFrame()).slice(-3), [
      "Exited at once: 1 removed, 0 already absent, 0 failed, 2 in flight (may or may not have happened), 7",
      "not started, of 10 planned removals.",
      "Run roster plan to see who is left; roster apply again finishes the rest.",
    ]);
  } finally {
    unmount();
  }
});

test("a message said during the run goes to stderr above the live lines, not into them", async () => {
  const events = source();
  const time = fakeClock();
  const said = new Set<(text: string) => void>();
  const notices: Notices = (listener) => {
    said.add(listener);
    return () => said.delete(listener);
  };
  const { frames, stderr, unmount } = render(
    <ApplyView subscribe={events.subscribe} total={5} columns={100} clock={time.clock} notices={notices} />,
  );
  try {
    events.emit({ type: "start", total: 5, concurrency: 2 });
    await tick();
    for (const say of said) say("Interrupted: no new removal will start.\n");
    await tick();
    assert.equal(stderr.frames, ["Interrupted: no new removal will start.\n"]);
    assert.not.ok(
      frames.some((frame) => frame.includes("Interrupted")),
      "not drawn as part of the live lines",
    );
    assert.ok(
      frames.some((frame) => frame.includes("Removing [")),
      "the live lines are drawn",
    );
  } finally {
    unmount();
  }
});

test.run();
