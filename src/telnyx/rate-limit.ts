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

function resetSeconds(headers: HeaderSource): number | undefined {
  const raw = headers.get("x-ratelimit-reset")?.trim();
  if (!raw || !/^\d+(\.\d+)?$/.test(raw)) return undefined;
  return Number(raw);
}

function clampWait(ms: number): number {
  return Math.min(Math.max(ms, 0), MAX_RATE_WAIT_MS);
}

/**
 * Paces the requests of one client by what the API's `x-ratelimit-*` headers say: once the window has no
 * request left (or a 429 came), no request starts before it resets. Shared by all requests of a client,
 * because the API counts them together.
 */
export class RatePacer {
  #pausedUntil = 0;
  /** Requests the current window still allows, as far as the answers tell; undefined when unknown. */
  #remaining: number | undefined;
  #windowEnds = 0;
  #inFlight = 0;

  /** When the next request may start, counting it against the window once it may. */
  startAt(now: number): number {
    if (now < this.#pausedUntil) return this.#pausedUntil;
    if (this.#remaining !== undefined && now >= this.#windowEnds) this.#remaining = undefined;
    if (this.#remaining !== undefined) {
      if (this.#remaining <= 0) return (this.#pausedUntil = this.#windowEnds);
      this.#remaining -= 1;
    }
    this.#inFlight += 1;
    return now;
  }

  /** Notes the answer of a request started with `startAt` (or its failure, without headers). */
  finished(headers: HeaderSource | undefined, now: number): void {
    this.#inFlight -= 1;
    if (!headers) return;
    const left = headers.get("x-ratelimit-remaining")?.trim();
    const reset = resetSeconds(headers);
    if (!left || !/^\d+$/.test(left) || reset === undefined) return;
    const windowEnds = now + clampWait(reset * 1000);
    // Requests still in flight may not be counted in this answer yet: count them as spent, to be safe.
    const remaining = Number(left) - this.#inFlight;
    const sameWindow = this.#remaining !== undefined && now < this.#windowEnds;
    this.#remaining = sameWindow ? Math.min(this.#remaining!, remaining) : remaining;
    this.#windowEnds = windowEnds;
    if (Number(left) === 0) this.pause(windowEnds);
  }

  /** No request starts before `until` (a 429's wait). */
  pause(until: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, until);
  }
}
