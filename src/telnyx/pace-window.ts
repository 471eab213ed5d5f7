import { clampWait, resetSeconds, type HeaderSource } from "./rate-headers.js";

/** A request the pacer let start, to be handed back to `finished` with its answer. */
export interface PaceTicket {
  readonly seq: number;
  readonly sentAt: number;
}

/** A request started and not yet older than the anchor. */
export interface Started {
  /** Answered with a success or an error other than 429 (the API counted it against the limit). */
  served: boolean;
}

/** What the latest-sent answer told: the requests the limiter still allowed when it arrived. */
export interface Anchor {
  seq: number;
  sentAt: number;
  /** What is counted as left: the answer's remaining, less what requests that overtook it took. */
  remaining: number;
  /** The answer's remaining as it said it. */
  said: number;
  answeredAt: number;
}

/** What a RatePacer has learned of the limiter from the answers: the window's bounds, a bucket's rate. */
export interface WindowKnowledge {
  seq: number;
  started: Map<number, Started>;
  inFlight: number;
  startedCount: number;
  limit: number | undefined;
  windowMs: number;
  /** Whether an answer told the whole window's length (else windowMs may be short of it). */
  windowTold: boolean;
  anchor: Anchor | undefined;
  mode: "window" | "bucket";
  bucketRefusals: number;
  rate: number;
  /** The current window's end lies in (lo, hi]. */
  lo: number;
  hi: number;
  /** Requests with a higher sequence number belong to the window assumed to have begun at hi. */
  rolledAt: number | undefined;
  windows: number;
  windowSeq: number;
  probedWindow: number;
  probeSeq: number | undefined;
  failedProbes: number;
  rttMs: number;
  /** The most requests this client has had in flight at once: how far answers can overtake each other. */
  maxInFlight: number;
}

/** Nothing known yet. */
export function newKnowledge(): WindowKnowledge {
  return {
    lo: Number.NEGATIVE_INFINITY,
    hi: Number.POSITIVE_INFINITY,
    windowMs: 0,
    started: new Map(),
    limit: undefined,
    inFlight: 0,
    mode: "window",
    windows: 0,
    rolledAt: undefined,
    seq: 0,
    rate: 0,
    probeSeq: undefined,
    anchor: undefined,
    windowTold: false,
    windowSeq: 0,
    rttMs: 0,
    startedCount: 0,
    probedWindow: -1,
    failedProbes: 0,
    bucketRefusals: 0,
    maxInFlight: 0,
  };
}

/** When to send a probe into the current window's uncertain end, if one is due. */
export function probeAt(k: WindowKnowledge): number | undefined {
  const width = k.hi - k.lo;
  if (!Number.isFinite(width) || width <= Math.max(k.windowMs / 32, 2 * k.rttMs)) return undefined;
  // Not where only 429s carry the headers: the window's end is then learned from a 429 anyway.
  if (k.probedWindow === k.windows || !k.windowTold) return undefined;
  // One probe answered 429, then at most one more for every 100 requests: under a window that starts with
  // the first request after the last one ended, every probe is early.
  if (k.failedProbes > Math.floor(k.startedCount / 100)) return undefined;
  return k.lo + width / 2;
}

/** The window ended by `now`: the next one is counted from the limit, until an answer tells more. */
export function rollWindow(k: WindowKnowledge, now: number): void {
  k.anchor = { seq: k.seq, sentAt: now, remaining: k.limit!, said: k.limit!, answeredAt: now };
  k.started.clear();
  k.windows += 1;
  k.rolledAt = k.seq;
  k.windowSeq = k.seq + 1;
  // It began at the latest when the first request after now arrives (window model), at the earliest when
  // the last one began: a limiter on the clock or one starting with a request both end one window later.
  k.lo = k.lo + k.windowMs;
  // Unless no answer told a whole window's reset (an API that sends the headers only with its 429s): then
  // the end is learned again from the first 429.
  k.hi = k.windowTold ? now + k.windowMs + k.rttMs : Number.POSITIVE_INFINITY;
}

export function noteAnswer(
  k: WindowKnowledge,
  ticket: PaceTicket,
  status: number,
  headers: HeaderSource,
  now: number,
  probe: boolean,
): void {
  const limit = headers.get("x-ratelimit-limit")?.trim();
  if (limit && /^\d+$/.test(limit) && Number(limit) > 0) k.limit = Number(limit);
  const left = headers.get("x-ratelimit-remaining")?.trim();
  const reset = resetSeconds(headers);
  k.rttMs = now - ticket.sentAt;
  if (reset !== undefined) k.windowMs = Math.max(k.windowMs, clampWait(reset * 1000));
  // The first request of a window is told the whole window's length (rounded up to whole seconds).
  if (reset !== undefined && k.limit !== undefined && Number(left) >= k.limit - 1) k.windowTold = true;
  const remaining = left && /^\d+$/.test(left) ? Number(left) : status === 429 && reset !== undefined ? 0 : undefined;
  if (remaining === undefined) return;
  const anchor = k.anchor;
  if (anchor && ticket.seq <= anchor.seq) {
    // Sent before the latest answer's request but arrived after it (requests overtake each other): fewer
    // are left than that answer said. Unless it is a late answer from the window before.
    if (ticket.seq >= k.windowSeq || anchor.remaining - remaining <= k.inFlight + 1) {
      anchor.remaining = Math.min(anchor.remaining, remaining);
    }
    if (status === 429 && k.rolledAt === undefined) k.lo = Math.max(k.lo, ticket.sentAt);
    return;
  }
  const arrivedBy = ticket.sentAt + (now - ticket.sentAt) / 2;
  let fresh = false;
  if (anchor && status !== 429 && k.mode === "window") {
    let served = 0;
    let between = 0;
    // Sent after the anchor was answered, it arrived after it too.
    let sole = ticket.sentAt >= anchor.answeredAt;
    for (const [seq, s] of k.started) {
      if (seq >= ticket.seq) continue;
      sole = false;
      between += 1;
      if (s.served) served += 1;
    }
    // Requests the limiter gave back between the two answers (overtaking ones can only hide some).
    const gain = remaining + served + 1 - anchor.said;
    const elapsed = ticket.sentAt - anchor.sentAt;
    const limit = k.limit;
    if (sole && gain >= 2 && limit !== undefined && remaining < limit - 2 && elapsed > 0 && k.windowMs > 0) {
      // A request sent alone found some, not all, of the limit back: a bucket refilling a little at a time.
      // It refills the limit a window, as the headers say (a slower one answers 429, and is paced as a window).
      k.mode = "bucket";
      k.rate = limit / k.windowMs;
    } else if (
      (sole && gain >= 2 && limit !== undefined && remaining >= limit - 2) ||
      (gain > Math.max(2, k.maxInFlight + 1) &&
        (limit === undefined || remaining + between + k.maxInFlight + 1 >= limit - 1)) ||
      resetMovedOn(k, reset, now)
    ) {
      // Remaining jumped back up by more than answers overtaking each other can explain (at most as many as
      // were in flight at once, whatever the limit: a window using little of a large limit is seen too), to
      // about the whole limit less the requests sent since the anchor (or to the whole limit for a request
      // sent alone); or the reset says this window ends after the current one certainly did: a new window
      // began after the anchor arrived and before this one did.
      fresh = true;
      k.windows += 1;
      k.windowSeq = ticket.seq;
      k.lo = Math.max(k.lo, anchor.sentAt) + k.windowMs;
      k.hi = arrivedBy + k.windowMs;
    }
  }
  if (status === 429 && k.mode === "bucket" && (k.bucketRefusals += 1) >= 3) {
    // A bucket paced at its rate is refused only when a request overtakes the one before it; refused again
    // and again, this limiter is not one, or not at that rate.
    k.mode = "window";
    k.bucketRefusals = 0;
  }
  if (probe && status === 429) k.failedProbes += 1;
  if (k.rolledAt !== undefined && ticket.seq > k.rolledAt) {
    // The first answer of a window assumed begun: it began by the time this request arrived.
    k.hi = Math.min(k.hi, arrivedBy + k.windowMs);
    k.rolledAt = undefined;
  }
  if (!fresh && ticket.sentAt >= k.hi) {
    // Sent after the window known had certainly ended, and not a new one by what it says: a later window
    // whose bounds this answer is the first to tell.
    k.windows += 1;
    k.lo = Number.NEGATIVE_INFINITY;
    k.hi = Number.POSITIVE_INFINITY;
  }
  if (!fresh) {
    // Still in the window: it had not ended when this request arrived.
    k.lo = Math.max(k.lo, ticket.sentAt);
  }
  if (reset !== undefined) {
    // x-ratelimit-reset in whole seconds is rounded up: the window ends within (reset - 1, reset] seconds.
    const whole = Number.isInteger(reset) && reset >= 1;
    k.hi = Math.min(k.hi, now + reset * 1000);
    k.lo = Math.max(k.lo, ticket.sentAt + (whole ? (reset - 1) * 1000 : reset * 1000 - 1));
  }
  if (k.lo >= k.hi) k.lo = k.hi - 1;
  let counted = remaining;
  let alone = anchor !== undefined && ticket.sentAt >= anchor.answeredAt;
  for (const seq of k.started.keys()) if (seq < ticket.seq) alone = false;
  // Sent alone, after the anchor was answered: nothing can have overtaken it, what it says is exact.
  if (anchor && !fresh && !alone) {
    // Requests started between the two may arrive after this one: they are no longer counted once this
    // answer is the latest, so what it says is trusted no further than the count before it.
    let between = 0;
    for (const seq of k.started.keys()) if (seq <= ticket.seq) between += 1;
    const refilled = k.mode === "bucket" ? k.rate * (ticket.sentAt - anchor.sentAt) : 0;
    counted = Math.min(remaining, anchor.remaining + refilled - between);
  }
  k.anchor = { seq: ticket.seq, sentAt: ticket.sentAt, remaining: counted, said: remaining, answeredAt: now };
  for (const seq of k.started.keys()) if (seq <= ticket.seq) k.started.delete(seq);
}

/** Whether an answer's reset puts the end of its window after the current window has certainly ended. */
function resetMovedOn(k: WindowKnowledge, reset: number | undefined, now: number): boolean {
  if (reset === undefined || !Number.isFinite(k.hi)) return false;
  // Whole seconds are rounded up: the window ends after now + reset - 1 s.
  const earliestEnd = now + (Number.isInteger(reset) && reset >= 1 ? (reset - 1) * 1000 : reset * 1000 - 1);
  return earliestEnd > k.hi + k.rttMs;
}
