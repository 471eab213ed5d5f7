import { rateLimitWaitMs, tellsWindow, type HeaderSource } from "./rate-headers.js";
import { newKnowledge, noteAnswer, probeAt, rollWindow, type PaceTicket, type WindowKnowledge } from "./pace-window.js";

export { MAX_RATE_WAIT_MS, rateLimitWaitMs, type HeaderSource } from "./rate-headers.js";
export type { PaceTicket } from "./pace-window.js";

const BUCKET_SPARE = 1.05;

/** A bare 429's headers, read as saying that nothing is left in the window. */
const spent = (headers: HeaderSource): HeaderSource => ({
  get: (name) => (name.toLowerCase() === "x-ratelimit-remaining" ? "0" : headers.get(name)),
});

/** What the pacer says of the next request: start it now, wait until a time, or wait for an answer in flight. */
export type PaceDecision = { kind: "go"; probe: boolean } | { kind: "wait"; until: number } | { kind: "answer" };

/** An answer as the pacer reads it: its status and headers. */
export interface PaceAnswer {
  status: number;
  headers: HeaderSource;
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
  /** Started requests not older than the anchor, by sequence number. */
  /** Whether any answer came back yet. */
  #answered = false;
  #waiting: (() => void)[] = [];
  /** The window's size in requests, from x-ratelimit-limit. */
  /** The longest reset seen: about the window's length. */
  /** 429s in bucket mode: a few mean the limiter is not a bucket after all. */
  /** Tokens a millisecond, in bucket mode. */
  /** The first request known to belong to the current window. */
  /** The probe in flight, by sequence number. */
  /** The round trip of the latest answer, to place a request's arrival between its start and its answer. */
  /**
   * How many requests may be in flight, learned from 429s that do not tell the window (additive increase,
   * multiplicative decrease, as TCP does): halved when the API says too many, grown by about one for every
   * round of answers after. Unbounded until such a 429; the caller's own bound (--concurrency) applies
   * regardless. Measured in the README's Performance section: with the window told, pacing by it is faster.
   */
  #allowed = Number.POSITIVE_INFINITY;
  #lastCut = 0;
  /** What the answers have shown of the limiter (pace-window.ts). */
  readonly #k: WindowKnowledge = newKnowledge();

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
    return this.#k.mode;
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
      if (this.#k.inFlight >= Math.floor(this.#allowed)) {
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
    if (this.#k.inFlight >= Math.floor(this.#allowed)) return { kind: "answer" };
    const anchor = this.#k.anchor;
    if (!anchor) {
      // Nothing known yet: the first answer tells the limit before more than one request can exceed it.
      // An API that does not send the headers is not waited for again.
      return this.#k.inFlight > 0 && !this.#answered ? { kind: "answer" } : { kind: "go", probe: false };
    }
    const since = this.#k.started.size;
    if (this.#k.mode === "bucket") {
      if (since >= (this.#k.limit ?? Number.POSITIVE_INFINITY)) return { kind: "answer" };
      const tokens = Math.min(
        this.#k.limit ?? Number.POSITIVE_INFINITY,
        anchor.remaining + this.#k.rate * (now - anchor.sentAt),
      );
      // A twentieth of a token to spare: requests sent a token apart may arrive a little closer.
      if (tokens - since >= BUCKET_SPARE) return { kind: "go", probe: false };
      return {
        kind: "wait",
        until: Math.max(now + 1, Math.ceil(anchor.sentAt + (BUCKET_SPARE + since - anchor.remaining) / this.#k.rate)),
      };
    }
    if (anchor.remaining - since >= 1) return { kind: "go", probe: false };
    if (now >= this.#k.hi) {
      // The window has certainly ended. Without the limit the new one cannot be counted: send, and let its
      // answers tell.
      if (this.#k.limit === undefined) return { kind: "go", probe: false };
      rollWindow(this.#k, now);
      return this.decide();
    }
    if (this.#k.probeSeq !== undefined) return { kind: "answer" };
    if (this.#k.hi === Number.POSITIVE_INFINITY)
      return this.#k.inFlight > 0 ? { kind: "answer" } : { kind: "go", probe: false };
    const probeTime = probeAt(this.#k);
    if (probeTime !== undefined && now >= probeTime) return { kind: "go", probe: true };
    return { kind: "wait", until: Math.min(probeTime ?? this.#k.hi, this.#k.hi) };
  }

  /** Counts a request as started now (after `decide` said go). */
  begin(probe = false): PaceTicket {
    const ticket = { seq: (this.#k.seq += 1), sentAt: this.#now() };
    this.#k.started.set(ticket.seq, { served: false });
    if (probe) {
      this.#k.probeSeq = ticket.seq;
      this.#k.probedWindow = this.#k.windows;
    }
    this.#k.inFlight += 1;
    this.#k.maxInFlight = Math.max(this.#k.maxInFlight, this.#k.inFlight);
    this.#k.startedCount += 1;
    return ticket;
  }

  /** Notes the answer of a started request, or its failure (no answer). */
  finished(ticket: PaceTicket, answer?: PaceAnswer): void {
    const now = this.#now();
    this.#k.inFlight -= 1;
    const started = this.#k.started.get(ticket.seq);
    const probe = this.#k.probeSeq === ticket.seq;
    if (probe) this.#k.probeSeq = undefined;
    if (answer) {
      this.#answered = true;
      const { status, headers } = answer;
      if (started && status !== 429) started.served = true;
      // A 429 that tells the window is paced by the window (#note). One that tells nothing, from an API whose
      // other answers told the limit and its window, says the window is spent; from any other API, it can
      // only be met by sending fewer at once.
      const bare = status === 429 && !tellsWindow(headers);
      if (bare && !this.#knowsWindow()) this.#throttled(now, ticket.sentAt);
      else if (status < 400 && Number.isFinite(this.#allowed)) this.#allowed += 1 / Math.floor(this.#allowed);
      noteAnswer(this.#k, ticket, status, bare && this.#knowsWindow() ? spent(headers) : headers, now, probe);
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
    if (headers.get("retry-after")?.trim() || (asked === undefined && !this.#knowsWindow())) return asked;
    const decision = this.decide();
    const until = decision.kind === "wait" ? decision.until : now;
    return Math.min(asked ?? Number.POSITIVE_INFINITY, Math.max(0, until - now));
  }

  /** Whether earlier answers told the limit and its window, so a 429 that tells nothing means it is spent. */
  #knowsWindow(): boolean {
    return this.#k.limit !== undefined && this.#k.windowMs > 0;
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
    this.#allowed = Math.max(1, Math.floor(Math.min(this.#allowed, this.#k.inFlight + 1) / 2));
  }
}
