import { test } from "uvu";
import * as assert from "uvu/assert";
import { RatePacer, type PaceTicket } from "../../src/telnyx/rate-limit.js";

// The pacer as a pure state machine: a fake clock, answers made of headers, no network and no timers.

function fakeClock() {
  let now = 0;
  return { now: () => now, set: (t: number) => void (now = t) };
}

const headers = (limit: number, remaining: number, reset: string) =>
  new Headers({
    "x-ratelimit-limit": String(limit),
    "x-ratelimit-remaining": String(remaining),
    "x-ratelimit-reset": reset,
  });

/** Starts a request at `at` (the pacer must allow it) and answers it `rtt` ms later. */
function send(pacer: RatePacer, clock: ReturnType<typeof fakeClock>, at: number): PaceTicket {
  clock.set(at);
  const decision = pacer.decide();
  assert.is(decision.kind, "go", `a request may start at ${at}`);
  return pacer.begin(decision.kind === "go" && decision.probe);
}

function answer(
  pacer: RatePacer,
  clock: ReturnType<typeof fakeClock>,
  ticket: PaceTicket,
  at: number,
  status: number,
  h: Headers,
): void {
  clock.set(at);
  pacer.finished(ticket, { status, headers: h });
}

test("after remaining jumps back up, the pacer knows when the window began and waits for its end, not a rounded second from the last answer", () => {
  const clock = fakeClock();
  const pacer = new RatePacer(clock.now);
  // A limit of 4 a second on a clock grid, every answer saying reset 1 (whole seconds, rounded up). One
  // request every 100 ms: the fourth one finds remaining back at 3, so a window began between 200 and 300.
  for (const [at, remaining] of [
    [0, 3],
    [100, 2],
    [200, 1],
    [300, 3],
  ] as const) {
    answer(pacer, clock, send(pacer, clock, at), at + 10, 200, headers(4, remaining, "1"));
  }
  for (const [at, remaining] of [
    [320, 2],
    [330, 1],
    [340, 0],
  ] as const) {
    answer(pacer, clock, send(pacer, clock, at), at + 10, 200, headers(4, remaining, "1"));
  }
  clock.set(360);
  const decision = pacer.decide();
  assert.is(decision.kind, "wait", "none left in this window");
  const until = (decision as { until: number }).until;
  // The window began by 305 (the fourth request's arrival), so it ends by 1305: the last answer's reset
  // alone would say 1350.
  assert.ok(until <= 1306, `waits until ${until}`);
  assert.ok(until > 340, "not before the window's end can have come");
});

test("with reset rounded up, a 429 does not wait the whole second when the window's end was observed sooner", () => {
  const clock = fakeClock();
  const pacer = new RatePacer(clock.now);
  for (const [at, remaining] of [
    [0, 1],
    [100, 0],
  ] as const)
    answer(pacer, clock, send(pacer, clock, at), at + 10, 200, headers(2, remaining, "1"));
  // Alone after the window was spent, a request finds the whole limit back: a window began by 655.
  const probe = send(pacer, clock, 650);
  answer(pacer, clock, probe, 660, 200, headers(2, 1, "1"));
  answer(pacer, clock, send(pacer, clock, 665), 675, 200, headers(2, 0, "1"));
  // Another request of the run, refused: the API says reset 1, but this window ends by 1655.
  clock.set(700);
  const wait = pacer.waitAfter429(headers(2, 0, "1"));
  assert.ok(wait !== undefined && wait <= 956, `a 429 at 700 waits ${wait} ms`);
  assert.ok(wait! > 0);
});

test("under a token bucket, requests are spaced at its refill rate once it is empty", () => {
  const clock = fakeClock();
  const pacer = new RatePacer(clock.now);
  // A bucket of 10 refilled at 10 a second (one token every 100 ms); it answers reset 1 whatever happens.
  // Nothing is known before the first answer: one request, then the nine it says are left.
  answer(pacer, clock, send(pacer, clock, 0), 10, 200, headers(10, 9, "1"));
  const burst = Array.from({ length: 9 }, () => send(pacer, clock, 10));
  burst.forEach((ticket, i) => answer(pacer, clock, ticket, 20, 200, headers(10, 8 - i, "1")));
  clock.set(20);
  assert.is(pacer.decide().kind, "wait", "the bucket is empty");
  // The pacer probes halfway to the latest end the reset allows: the request, sent alone, finds 5 tokens
  // back, not the whole limit: a bucket.
  const probeAt = (pacer.decide() as { until: number }).until;
  assert.ok(probeAt > 20 && probeAt < 1020, `probes at ${probeAt}`);
  answer(pacer, clock, send(pacer, clock, 520), 530, 200, headers(10, 4, "1"));
  assert.is(pacer.limiter, "bucket");
  for (let i = 0; i < 3; i += 1) answer(pacer, clock, send(pacer, clock, 530), 540, 200, headers(10, 3 - i, "1"));
  // Now each request goes as a token comes back, and each answer says none is left.
  const starts: number[] = [];
  for (let i = 0; i < 6; i += 1) {
    const decision = pacer.decide();
    assert.ok(decision.kind !== "answer");
    const at = decision.kind === "wait" ? decision.until : clock.now();
    starts.push(at);
    answer(pacer, clock, send(pacer, clock, at), at + 10, 200, headers(10, 0, "1"));
  }
  const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
  // A token's time, and a twentieth of one to spare.
  assert.ok(
    gaps.every((gap) => gap >= 100 && gap <= 106),
    `gaps ${gaps.join(", ")} ms`,
  );
});

test("a window that starts with the first request is not probed again and again: its end is where the reset says", () => {
  const clock = fakeClock();
  const pacer = new RatePacer(clock.now);
  let refused = 0;
  let started = 0;
  // Windows of a second that begin with the first request after the last one ended, 5 requests each.
  let windowStart = Number.NEGATIVE_INFINITY;
  let count = 0;
  const serve = (at: number) => {
    if (at >= windowStart + 1000) {
      windowStart = at;
      count = 0;
    }
    count += 1;
    const allowed = count <= 5;
    return { allowed, h: headers(5, allowed ? 5 - count : 0, String(Math.ceil((windowStart + 1000 - at) / 1000))) };
  };
  for (let t = 0; started < 60 && t < 30_000; ) {
    const decision = pacer.decide();
    if (decision.kind === "wait") {
      t = Math.max(t + 1, decision.until);
      clock.set(t);
      continue;
    }
    assert.is(decision.kind, "go");
    const ticket = pacer.begin(decision.kind === "go" && decision.probe);
    started += 1;
    const { allowed, h } = serve(t);
    if (!allowed) refused += 1;
    answer(pacer, clock, ticket, t + 10, allowed ? 200 : 429, h);
    t += 10;
  }
  assert.is(started, 60);
  // One probe, early by nature under this limiter, then the windows are waited for.
  assert.ok(refused <= 2, `${refused} of 60 refused`);
});

test.run();
