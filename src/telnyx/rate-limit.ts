/** The headers of an answer, as fetch gives them. */
export interface HeaderSource {
  get(name: string): string | null;
}

/** The longest the client waits at once for a rate-limit window, whatever the API asks. */
export const MAX_RATE_WAIT_MS = 60_000;

/**
 * How long a 429 asks the client to wait, in milliseconds: `Retry-After` when present (seconds or an HTTP
 * date), else `x-ratelimit-reset` (seconds until the window resets); undefined when it says neither.
 */
export function rateLimitWaitMs(headers: HeaderSource, now: number): number | undefined {
  const retryAfter = headers.get("retry-after")?.trim();
  if (retryAfter) {
    const seconds = /^\d+(\.\d+)?$/.test(retryAfter) ? Number(retryAfter) : (Date.parse(retryAfter) - now) / 1000;
    if (Number.isFinite(seconds)) return clampWait(seconds * 1000);
  }
  const reset = resetSeconds(headers);
  return reset === undefined ? undefined : clampWait(reset * 1000);
}

/** Whether an answer says when the client may send again. */
function tellsWindow(headers: HeaderSource): boolean {
  return Boolean(headers.get("retry-after")?.trim()) || resetSeconds(headers) !== undefined;
}

function resetSeconds(headers: HeaderSource): number | undefined {
  const raw = headers.get("x-ratelimit-reset")?.trim();
  if (!raw || !/^\d+(\.\d+)?$/.test(raw)) return undefined;
  return Number(raw);
}

function clampWait(ms: number): number {
  return Math.min(Math.max(ms, 0), MAX_RATE_WAIT_MS);
}

/** The tokens a bucket must be thought to hold before a request goes. */
const BUCKET_SPARE = 1.05;

/** A request the pacer let start, to be handed back to `finished` with its answer. */
export interface PaceTicket {
  readonly seq: number;
  readonly sentAt: number;
}

/** What the pacer says of the next request: start it now, wait until a time, or wait for an answer in flight. */
export type PaceDecision = { kind: "go"; probe: boolean } | { kind: "wait"; until: number } | { kind: "answer" };

/** An answer as the pacer reads it: its status and headers. */
export interface PaceAnswer {
  status: number;
  headers: HeaderSource;
}

interface Started {
  /** Answered with a success or an error other than 429 (the API counted it against the limit). */
  served: boolean;
}

/** What the latest-sent answer told: the requests the limiter still allowed when it arrived. */
interface Anchor {
  seq: number;
  sentAt: number;
  /** What is counted as left: the answer's remaining, less what requests that overtook it took. */
  remaining: number;
  /** The answer's remaining as it said it. */
  said: number;
  answeredAt: number;
}

/**
 * Paces the requests of one client by what the API's `x-ratelimit-*` headers say, whatever limiter is behind
 * them: windows that start with a request, windows on the clock, or a token bucket. Shared by all requests of
 * a client, because the API counts them together.
 *
 * The answer to the request sent last tells how many the limiter still allowed when it arrived; requests
 * started since are counted against that, and no request starts beyond it. What happens when none is left
 * depends on the limiter, which the answers reveal:
 * - remaining growing by a little between answers is a bucket refilling: the next request goes when a token
 *   has come back, at the limit per window;
 * - otherwise it is a window, whose end is known between two bounds: at the latest `x-ratelimit-reset` after
 *   an answer (whole seconds are rounded up, so a reset of 1 may end in 1 ms), at the earliest after the last
 *   request it still counted. Remaining jumping back up marks a new window, which ends one window later
 *   (bounded by when the request that saw it was sent and answered). While the bounds are far apart, one
 *   request (a probe) is sent between them, at most once a window and at most one 429 per 100 requests: a 429
 *   raises the earliest bound, a new window lowers the latest, so a limiter on the clock is learned to a few
 *   hundredths of its window and no whole rounded second is waited for a window that ends sooner.
 */
export class RatePacer {
  readonly #now: () => number;
  #pausedUntil = 0;
  #seq = 0;
  /** Started requests not older than the anchor, by sequence number. */
  #started = new Map<number, Started>();
  #inFlight = 0;
  #startedCount = 0;
  /** Whether any answer came back yet. */
  #answered = false;
  #waiting: (() => void)[] = [];
  /** The window's size in requests, from x-ratelimit-limit. */
  #limit: number | undefined;
  /** The longest reset seen: about the window's length. */
  #windowMs = 0;
  /** Whether an answer told the whole window's length (else #windowMs may be short of it). */
  #windowTold = false;
  #anchor: Anchor | undefined;
  #mode: "window" | "bucket" = "window";
  /** 429s in bucket mode: a few mean the limiter is not a bucket after all. */
  #bucketRefusals = 0;
  /** Tokens a millisecond, in bucket mode. */
  #rate = 0;
  /** The current window's end lies in (#lo, #hi]. */
  #lo = Number.NEGATIVE_INFINITY;
  #hi = Number.POSITIVE_INFINITY;
  /** Requests with a higher sequence number belong to the window assumed to have begun at #hi. */
  #rolledAt: number | undefined;
  #windows = 0;
  /** The first request known to belong to the current window. */
  #windowSeq = 0;
  #probedWindow = -1;
  /** The probe in flight, by sequence number. */
  #probeSeq: number | undefined;
  #failedProbes = 0;
  /** The round trip of the latest answer, to place a request's arrival between its start and its answer. */
  #rttMs = 0;
  /**
   * How many requests may be in flight, learned from 429s that do not tell the window (additive increase,
   * multiplicative decrease, as TCP does): halved when the API says too many, grown by about one for every
   * round of answers after. Unbounded until such a 429; the caller's own bound (--concurrency) applies
   * regardless. Measured in the README's Performance section: with the window told, pacing by it is faster.
   */
  #allowed = Number.POSITIVE_INFINITY;
  #lastCut = 0;

  /** `now` is the clock, injectable so that tests drive the pacer as a pure state machine. */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The in-flight limit learned so far (Infinity before any 429): for tests and benchmarks. */
  get allowedInFlight(): number {
    return this.#allowed;
  }

  /** Which limiter the answers have shown so far: for tests and benchmarks. */
  get limiter(): "window" | "bucket" {
    return this.#mode;
  }

  /**
   * Waits until a request may start and counts it; resolves undefined when `signal` aborts first. Every
   * ticket must be handed back to `finished` once.
   */
  async start(signal: AbortSignal | undefined, sleep: (ms: number) => Promise<void>): Promise<PaceTicket | undefined> {
    for (;;) {
      if (signal?.aborted) return undefined;
      const decision = this.decide();
      if (decision.kind === "go") return this.begin(decision.probe);
      if (decision.kind === "wait") {
        await sleep(decision.until - this.#now());
        continue;
      }
      if (this.#inFlight >= Math.floor(this.#allowed)) {
        // A request in flight always calls `finished` (answered, failed or timed out), and the run waits for it
        // anyway when interrupted: no timer is needed, and none is left running to hold the process open.
        await new Promise<void>((resolve) => this.#waiting.push(resolve));
        continue;
      }
      // Every started request calls `finished`, answered or not, so this wait always ends.
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }

  /** Whether a request may start now; pure apart from noting a window that has certainly ended. */
  decide(): PaceDecision {
    const now = this.#now();
    if (now < this.#pausedUntil) return { kind: "wait", until: this.#pausedUntil };
    if (this.#inFlight >= Math.floor(this.#allowed)) return { kind: "answer" };
    const anchor = this.#anchor;
    if (!anchor) {
      // Nothing known yet: the first answer tells the limit before more than one request can exceed it.
      // An API that does not send the headers is not waited for again.
      return this.#inFlight > 0 && !this.#answered ? { kind: "answer" } : { kind: "go", probe: false };
    }
    const since = this.#started.size;
    if (this.#mode === "bucket") {
      if (since >= (this.#limit ?? Number.POSITIVE_INFINITY)) return { kind: "answer" };
      const tokens = Math.min(this.#limit ?? Number.POSITIVE_INFINITY, anchor.remaining + this.#rate * (now - anchor.sentAt));
      // A twentieth of a token to spare: requests sent a token apart may arrive a little closer.
      if (tokens - since >= BUCKET_SPARE) return { kind: "go", probe: false };
      return { kind: "wait", until: Math.max(now + 1, Math.ceil(anchor.sentAt + (BUCKET_SPARE + since - anchor.remaining) / this.#rate)) };
    }
    if (anchor.remaining - since >= 1) return { kind: "go", probe: false };
    if (now >= this.#hi) {
      // The window has certainly ended. Without the limit the new one cannot be counted: send, and let its
      // answers tell.
      if (this.#limit === undefined) return { kind: "go", probe: false };
      this.#roll(now);
      return this.decide();
    }
    if (this.#probeSeq !== undefined) return { kind: "answer" };
    if (this.#hi === Number.POSITIVE_INFINITY) return this.#inFlight > 0 ? { kind: "answer" } : { kind: "go", probe: false };
    const probeAt = this.#probeAt();
    if (probeAt !== undefined && now >= probeAt) return { kind: "go", probe: true };
    return { kind: "wait", until: Math.min(probeAt ?? this.#hi, this.#hi) };
  }

  /** Counts a request as started now (after `decide` said go). */
  begin(probe = false): PaceTicket {
    const ticket = { seq: (this.#seq += 1), sentAt: this.#now() };
    this.#started.set(ticket.seq, { served: false });
    if (probe) {
      this.#probeSeq = ticket.seq;
      this.#probedWindow = this.#windows;
    }
    this.#inFlight += 1;
    this.#startedCount += 1;
    return ticket;
  }

  /** Notes the answer of a started request, or its failure (no answer). */
  finished(ticket: PaceTicket, answer?: PaceAnswer): void {
    const now = this.#now();
    this.#inFlight -= 1;
    const started = this.#started.get(ticket.seq);
    const probe = this.#probeSeq === ticket.seq;
    if (probe) this.#probeSeq = undefined;
    if (answer) {
      this.#answered = true;
      const { status, headers } = answer;
      if (started && status !== 429) started.served = true;
      // A 429 that tells the window is paced by the window (#note); one that tells nothing can only be met
      // by sending fewer at once.
      if (status === 429 && !tellsWindow(headers)) this.#throttled(now, ticket.sentAt);
      else if (status < 400 && Number.isFinite(this.#allowed)) this.#allowed += 1 / Math.floor(this.#allowed);
      this.#note(ticket, status, headers, now, probe);
    }
    for (const wake of this.#waiting.splice(0)) wake();
  }

  /**
   * How long a 429 that tells the window asks to wait, in milliseconds: Retry-After exactly when sent, else
   * until the pacer's estimate of the window's end, never beyond x-ratelimit-reset (whole seconds rounded up
   * say only that the window ends within them). Undefined when the answer tells nothing of the window.
   */
  waitAfter429(headers: HeaderSource): number | undefined {
    const now = this.#now();
    const asked = rateLimitWaitMs(headers, now);
    if (asked === undefined || headers.get("retry-after")?.trim()) return asked;
    const decision = this.decide();
    const until = decision.kind === "wait" ? decision.until : now;
    return Math.min(asked, Math.max(0, until - now));
  }

  /** No request starts before `until` (a 429's wait). */
  pause(until: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, until);
  }

  /**
   * A 429: fewer requests in flight from now on. Only for a request sent after the last cut: the answers
   * of those already in flight then tell of the same excess, not of a new one (TCP halves once a round).
   */
  #throttled(now: number, sentAt: number): void {
    if (sentAt < this.#lastCut) return;
    this.#lastCut = now;
    this.#allowed = Math.max(1, Math.floor(Math.min(this.#allowed, this.#inFlight + 1) / 2));
  }

  /** When to send a probe into the current window's uncertain end, if one is due. */
  #probeAt(): number | undefined {
    const width = this.#hi - this.#lo;
    if (!Number.isFinite(width) || width <= Math.max(this.#windowMs / 32, 2 * this.#rttMs)) return undefined;
    // Not where only 429s carry the headers: the window's end is then learned from a 429 anyway.
    if (this.#probedWindow === this.#windows || !this.#windowTold) return undefined;
    // One probe answered 429, then at most one more for every 100 requests: under a window that starts with
    // the first request after the last one ended, every probe is early.
    if (this.#failedProbes > Math.floor(this.#startedCount / 100)) return undefined;
    return this.#lo + width / 2;
  }

  /** The window ended by `now`: the next one is counted from the limit, until an answer tells more. */
  #roll(now: number): void {
    this.#anchor = { seq: this.#seq, sentAt: now, remaining: this.#limit!, said: this.#limit!, answeredAt: now };
    this.#started.clear();
    this.#windows += 1;
    this.#rolledAt = this.#seq;
    this.#windowSeq = this.#seq + 1;
    // It began at the latest when the first request after now arrives (window model), at the earliest when
    // the last one began: a limiter on the clock or one starting with a request both end one window later.
    this.#lo = this.#lo + this.#windowMs;
    // Unless no answer told a whole window's reset (an API that sends the headers only with its 429s): then
    // the end is learned again from the first 429.
    this.#hi = this.#windowTold ? now + this.#windowMs + this.#rttMs : Number.POSITIVE_INFINITY;
  }

  #note(ticket: PaceTicket, status: number, headers: HeaderSource, now: number, probe: boolean): void {
    const limit = headers.get("x-ratelimit-limit")?.trim();
    if (limit && /^\d+$/.test(limit) && Number(limit) > 0) this.#limit = Number(limit);
    const left = headers.get("x-ratelimit-remaining")?.trim();
    const reset = resetSeconds(headers);
    this.#rttMs = now - ticket.sentAt;
    if (reset !== undefined) this.#windowMs = Math.max(this.#windowMs, clampWait(reset * 1000));
    // The first request of a window is told the whole window's length (rounded up to whole seconds).
    if (reset !== undefined && this.#limit !== undefined && Number(left) >= this.#limit - 1) this.#windowTold = true;
    const remaining = left && /^\d+$/.test(left) ? Number(left) : status === 429 && reset !== undefined ? 0 : undefined;
    if (remaining === undefined) return;
    const anchor = this.#anchor;
    if (anchor && ticket.seq <= anchor.seq) {
      // Sent before the latest answer's request but arrived after it (requests overtake each other): fewer
      // are left than that answer said. Unless it is a late answer from the window before.
      if (ticket.seq >= this.#windowSeq || anchor.remaining - remaining <= this.#inFlight + 1) {
        anchor.remaining = Math.min(anchor.remaining, remaining);
      }
      if (status === 429 && this.#rolledAt === undefined) this.#lo = Math.max(this.#lo, ticket.sentAt);
      return;
    }
    const arrivedBy = ticket.sentAt + (now - ticket.sentAt) / 2;
    let fresh = false;
    if (anchor && status !== 429 && this.#mode === "window") {
      let served = 0;
      let between = 0;
      // Sent after the anchor was answered, it arrived after it too.
      let sole = ticket.sentAt >= anchor.answeredAt;
      for (const [seq, s] of this.#started) {
        if (seq >= ticket.seq) continue;
        sole = false;
        between += 1;
        if (s.served) served += 1;
      }
      // Requests the limiter gave back between the two answers (overtaking ones can only hide some).
      const gain = remaining + served + 1 - anchor.said;
      const elapsed = ticket.sentAt - anchor.sentAt;
      const limit = this.#limit;
      if (sole && gain >= 2 && limit !== undefined && remaining < limit - 2 && elapsed > 0 && this.#windowMs > 0) {
        // A request sent alone found some, not all, of the limit back: a bucket refilling a little at a time.
        // It refills the limit a window, as the headers say (a slower one answers 429, and is paced as a window).
        this.#mode = "bucket";
        this.#rate = limit / this.#windowMs;
      } else if (
        (sole && gain >= 2 && limit !== undefined && remaining >= limit - 2) ||
        (gain >= Math.max(2, (limit ?? 0) / 2) && (limit === undefined || remaining + between + 1 >= limit - 1))
      ) {
        // Remaining jumped back up, to about the whole limit less the requests sent since the anchor (or to
        // the whole limit for a request sent alone): a new window began after the anchor arrived and before
        // this one did.
        fresh = true;
        this.#windows += 1;
        this.#windowSeq = ticket.seq;
        this.#lo = Math.max(this.#lo, anchor.sentAt) + this.#windowMs;
        this.#hi = arrivedBy + this.#windowMs;
      }
    }
    if (status === 429 && this.#mode === "bucket" && (this.#bucketRefusals += 1) >= 3) {
      // A bucket paced at its rate is refused only when a request overtakes the one before it; refused again
      // and again, this limiter is not one, or not at that rate.
      this.#mode = "window";
      this.#bucketRefusals = 0;
    }
    if (probe && status === 429) this.#failedProbes += 1;
    if (this.#rolledAt !== undefined && ticket.seq > this.#rolledAt) {
      // The first answer of a window assumed begun: it began by the time this request arrived.
      this.#hi = Math.min(this.#hi, arrivedBy + this.#windowMs);
      this.#rolledAt = undefined;
    }
    if (!fresh && ticket.sentAt >= this.#hi) {
      // Sent after the window known had certainly ended, and not a new one by what it says: a later window
      // whose bounds this answer is the first to tell.
      this.#windows += 1;
      this.#lo = Number.NEGATIVE_INFINITY;
      this.#hi = Number.POSITIVE_INFINITY;
    }
    if (!fresh) {
      // Still in the window: it had not ended when this request arrived.
      this.#lo = Math.max(this.#lo, ticket.sentAt);
    }
    if (reset !== undefined) {
      // x-ratelimit-reset in whole seconds is rounded up: the window ends within (reset - 1, reset] seconds.
      const whole = Number.isInteger(reset) && reset >= 1;
      this.#hi = Math.min(this.#hi, now + reset * 1000);
      this.#lo = Math.max(this.#lo, ticket.sentAt + (whole ? (reset - 1) * 1000 : reset * 1000 - 1));
    }
    if (this.#lo >= this.#hi) this.#lo = this.#hi - 1;
    let counted = remaining;
    let alone = anchor !== undefined && ticket.sentAt >= anchor.answeredAt;
    for (const seq of this.#started.keys()) if (seq < ticket.seq) alone = false;
    // Sent alone, after the anchor was answered: nothing can have overtaken it, what it says is exact.
    if (anchor && !fresh && !alone) {
      // Requests started between the two may arrive after this one: they are no longer counted once this
      // answer is the latest, so what it says is trusted no further than the count before it.
      let between = 0;
      for (const seq of this.#started.keys()) if (seq <= ticket.seq) between += 1;
      const refilled = this.#mode === "bucket" ? this.#rate * (ticket.sentAt - anchor.sentAt) : 0;
      counted = Math.min(remaining, anchor.remaining + refilled - between);
    }
    this.#anchor = { seq: ticket.seq, sentAt: ticket.sentAt, remaining: counted, said: remaining, answeredAt: now };
    for (const seq of this.#started.keys()) if (seq <= ticket.seq) this.#started.delete(seq);
  }
}
