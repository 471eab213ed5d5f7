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

/**
 * Paces the requests of one client by what the API's `x-ratelimit-*` headers say: a window's requests are
 * counted as they start, and once none is left (or a 429 came) no request starts before the window resets.
 * Shared by all requests of a client, because the API counts them together.
 */
export class RatePacer {
  #pausedUntil = 0;
  /** The window's size in requests, from x-ratelimit-limit. */
  #limit: number | undefined;
  /** Requests the current window still allows, as far as the answers tell; undefined when unknown. */
  #remaining: number | undefined;
  #windowEnds = 0;
  /** The longest reset seen: about the window's length, to tell a new window from a late answer. */
  #windowMs = 0;
  /** Counting a window whose end no answer has told yet. */
  #guessing = false;
  #inFlight = 0;
  #waiting: (() => void)[] = [];
  /**
   * How many requests may be in flight, learned from 429s that do not tell the window (additive increase,
   * multiplicative decrease, as TCP does): halved when the API says too many, grown by about one for every
   * round of answers after. Unbounded until such a 429; the caller's own bound (--concurrency) applies
   * regardless. Measured in the README's Performance section: with the window told, pacing by it is faster.
   */
  #allowed = Number.POSITIVE_INFINITY;
  #lastCut = 0;

  /** The in-flight limit learned so far (Infinity before any 429): for tests and benchmarks. */
  get allowedInFlight(): number {
    return this.#allowed;
  }

  /**
   * Waits until a request may start and counts it; resolves false when `signal` aborts first. Every start
   * must be followed by one `finished`.
   */
  async start(signal: AbortSignal | undefined, sleep: (ms: number) => Promise<void>): Promise<boolean> {
    for (;;) {
      if (signal?.aborted) return false;
      const now = Date.now();
      if (now < this.#pausedUntil) {
        await sleep(this.#pausedUntil - now);
        continue;
      }
      const known = now < this.#windowEnds;
      // The window has passed: count the new one from the limit, until an answer tells more.
      if (!known && !this.#guessing && this.#remaining !== undefined) {
        this.#remaining = this.#limit;
        this.#guessing = true;
      }
      if (this.#inFlight >= Math.floor(this.#allowed)) {
        // A request in flight always calls `finished` (answered, failed or timed out), and the run waits for it
        // anyway when interrupted: no timer is needed, and none is left running to hold the process open.
        await new Promise<void>((resolve) => this.#waiting.push(resolve));
        continue;
      }
      if (this.#remaining !== undefined && this.#remaining <= 0) {
        if (known) {
          this.#pausedUntil = this.#windowEnds;
          continue;
        }
        // The window's end is not known yet: the answers of the requests in flight will tell it.
        if (this.#inFlight > 0) {
          // Every started request calls `finished`, answered or not, so this wait always ends.
          await new Promise<void>((resolve) => this.#waiting.push(resolve));
          continue;
        }
      }
      if (this.#remaining !== undefined) this.#remaining -= 1;
      this.#inFlight += 1;
      return true;
    }
  }

  /** Notes the answer of a started request (or its failure, without headers). */
  finished(headers: HeaderSource | undefined, now: number, answer?: { status: number; sentAt: number }): void {
    this.#inFlight -= 1;
    // A 429 that tells the window is paced by the window (#note); one that tells nothing can only be met
    // by sending fewer at once.
    if (answer?.status === 429 && !(headers && tellsWindow(headers))) this.#throttled(now, answer.sentAt);
    else if (answer && answer.status < 400 && Number.isFinite(this.#allowed)) this.#allowed += 1 / Math.floor(this.#allowed);
    if (headers) this.#note(headers, now);
    for (const wake of this.#waiting.splice(0)) wake();
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

  /** No request starts before `until` (a 429's wait). */
  pause(until: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, until);
  }

  #note(headers: HeaderSource, now: number): void {
    const limit = headers.get("x-ratelimit-limit")?.trim();
    if (limit && /^\d+$/.test(limit) && Number(limit) > 0) this.#limit = Number(limit);
    const left = headers.get("x-ratelimit-remaining")?.trim();
    const reset = resetSeconds(headers);
    if (!left || !/^\d+$/.test(left) || reset === undefined) return;
    const resetMs = clampWait(reset * 1000);
    this.#windowMs = Math.max(this.#windowMs, resetMs);
    const windowEnds = now + resetMs;
    // Requests still in flight may not be counted in this answer yet: count them as spent, to be safe.
    const remaining = Number(left) - this.#inFlight;
    const newWindow = this.#remaining === undefined || windowEnds > this.#windowEnds + this.#windowMs / 2;
    if (newWindow) {
      this.#remaining = remaining;
      this.#windowEnds = windowEnds;
      this.#guessing = false;
    } else {
      this.#remaining = Math.min(this.#remaining!, remaining);
    }
    if (Number(left) === 0) this.pause(Math.max(windowEnds, this.#windowEnds));
  }
}
