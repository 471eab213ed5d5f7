import { RatePacer } from "../../src/telnyx/rate-limit.js";

// A run of requests through a RatePacer on a simulated clock: no network, no timers, the same steps as the
// transport (start, send, finished, and on a 429 waitAfter429 then pause). Deterministic for a seed.

/** What the simulated API does with a request arriving at `at`: its status and headers. */
export type SimServer = (at: number) => { status: number; headers: Record<string, string> };

export interface SimOptions {
  requests: number;
  concurrency: number;
  /** The time a request takes to reach the API, and the API's latency before it answers (ms). */
  upMs: number;
  latencyMs: number;
  /** Up to this much added at random to every timer the client sets (a loaded machine), and to each trip. */
  jitterMs: number;
  /** The least time between two requests this client starts (ms): a client slower than the limit. */
  spacingMs?: number;
  seed: number;
}

export interface SimResult {
  /** When the last answer came (ms from the start). */
  doneAt: number;
  sent: number;
  refused: number;
  /** How long the client spent waiting for the pacer's clock (not for answers). */
  waitedMs: number;
}

/** A window of `limit` requests a `windowMs` starting with the first request after the last one ended. */
export function windowFromFirstRequest(limit: number, windowMs: number, bare429 = true): SimServer {
  let start = Number.NEGATIVE_INFINITY;
  let count = 0;
  return (at) => {
    if (at >= start + windowMs) {
      start = at;
      count = 0;
    }
    count += 1;
    if (count > limit) return { status: 429, headers: bare429 ? {} : told(limit, 0, start + windowMs - at, windowMs) };
    return { status: 200, headers: told(limit, limit - count, start + windowMs - at, windowMs) };
  };
}

function told(limit: number, remaining: number, leftMs: number, windowMs: number): Record<string, string> {
  const reset = windowMs >= 1000 ? Math.ceil(leftMs / 1000) : Number((leftMs / 1000).toFixed(3));
  return {
    "x-ratelimit-limit": String(limit),
    "x-ratelimit-remaining": String(remaining),
    "x-ratelimit-reset": String(Math.max(windowMs >= 1000 ? 1 : 0, reset)),
  };
}

export async function simulate(server: SimServer, options: SimOptions): Promise<SimResult> {
  let now = 0;
  let state = options.seed >>> 0 || 1;
  const random = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const events: { at: number; order: number; run: () => void }[] = [];
  let order = 0;
  const at = (time: number, run: () => void) => events.push({ at: Math.max(time, now), order: order++, run });
  let waitedMs = 0;
  const timer = (ms: number) =>
    new Promise<void>((resolve) => at(now + Math.max(0, ms) + random() * options.jitterMs, resolve));
  const sleep = (ms: number) => {
    waitedMs += Math.max(0, ms);
    return timer(ms);
  };
  const pacer = new RatePacer(() => now);
  let next = 0;
  let sent = 0;
  let refused = 0;
  let doneAt = 0;
  let lastStart = Number.NEGATIVE_INFINITY;
  const worker = async () => {
    while (next < options.requests) {
      next += 1;
      for (;;) {
        if (options.spacingMs && now < lastStart + options.spacingMs) await timer(lastStart + options.spacingMs - now);
        const ticket = (await pacer.start(undefined, sleep))!;
        lastStart = now;
        sent += 1;
        const up = options.upMs + random() * options.jitterMs;
        const answer = await new Promise<{ status: number; headers: Headers }>((resolve) =>
          at(now + up, () => {
            const { status, headers } = server(now);
            at(now + options.latencyMs + random() * options.jitterMs, () =>
              resolve({ status, headers: new Headers(headers) }),
            );
          }),
        );
        pacer.finished(ticket, answer);
        doneAt = now;
        if (answer.status !== 429) break;
        refused += 1;
        const asked = pacer.waitAfter429(answer.headers);
        const delay = asked ?? 250 + random() * 250;
        pacer.pause(now + delay);
        await timer(delay);
      }
    }
  };
  const workers = Array.from({ length: options.concurrency }, worker);
  let finished = false;
  void Promise.all(workers).then(() => (finished = true));
  while (!finished) {
    await new Promise((resolve) => setImmediate(resolve));
    if (finished) break;
    events.sort((a, b) => a.at - b.at || a.order - b.order);
    const event = events.shift();
    if (!event) throw new Error("the simulated run stalled: nothing left to happen");
    now = event.at;
    event.run();
  }
  return { doneAt, sent, refused, waitedMs };
}
