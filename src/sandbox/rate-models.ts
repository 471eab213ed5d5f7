import { RateWindow } from "./faults.js";
import type { RateModel } from "./rate-model.js";

// Its own module, so faults.ts can name it without importing this one (which imports faults.ts).
export type { RateModel };

export const RATE_MODELS: readonly RateModel[] = ["window", "grid", "bucket"];

/**
 * The requests a window the sandbox serves when no limit is given: the real API sends the x-ratelimit headers
 * on most endpoints, so the sandbox always does, from a limit no run on loopback comes near (the demo, the
 * tests and the benchmarks are never slowed or refused by it).
 */
export const DEFAULT_RATE_LIMIT = 1_000_000;

/** A rate limit as the sandbox applies it: counts one request, says whether it is served and with which headers. */
export interface RateLimiter {
  take(now: number): { allowed: boolean; headers: Record<string, string> };
}

/** The limiter of a model: `limit` requests per `windowMs`. */
export function rateLimiter(model: RateModel, limit: number, windowMs: number): RateLimiter {
  if (model === "grid") return new GridWindow(limit, windowMs);
  if (model === "bucket") return new TokenBucket(limit, windowMs);
  return new RateWindow(limit, windowMs);
}

/** Seconds as the API gives them: whole seconds rounded up, fractions only for windows under a second (fast tests). */
function resetHeader(ms: number, windowMs: number): string {
  const seconds = Math.max(0, ms) / 1000;
  return String(windowMs >= 1000 ? Math.ceil(seconds) : Number(seconds.toFixed(3)));
}

/**
 * Fixed windows on the clock: each starts at a multiple of `windowMs` since the epoch, whenever the requests
 * come, so a client cannot tell where one starts from its own first request. `x-ratelimit-reset` is the
 * time to the window's end in whole seconds rounded up: a reset of 1 may mean a window ending in 1 ms.
 */
export class GridWindow implements RateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  #start = Number.NEGATIVE_INFINITY;
  #count = 0;

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  take(now: number): { allowed: boolean; headers: Record<string, string> } {
    const start = Math.floor(now / this.#windowMs) * this.#windowMs;
    if (start !== this.#start) {
      this.#start = start;
      this.#count = 0;
    }
    this.#count += 1;
    const allowed = this.#count <= this.#limit;
    return {
      allowed,
      headers: {
        "x-ratelimit-limit": String(this.#limit),
        "x-ratelimit-remaining": String(allowed ? this.#limit - this.#count : 0),
        "x-ratelimit-reset": resetHeader(start + this.#windowMs - now, this.#windowMs),
      },
    };
  }
}

/**
 * A token bucket: `limit` tokens at most, refilled continuously at `limit` per `windowMs`; a request takes
 * one whole token or is refused (a refused one takes none). `x-ratelimit-remaining` is the whole tokens
 * left, `x-ratelimit-reset` the time until the bucket is full again, rounded up as the grid's: for a bucket of
 * one second it says 1 nearly always, which tells a client nothing of when the next token comes.
 */
export class TokenBucket implements RateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  #tokens: number;
  #at: number | undefined;

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#tokens = limit;
  }

  take(now: number): { allowed: boolean; headers: Record<string, string> } {
    if (this.#at !== undefined)
      this.#tokens = Math.min(this.#limit, this.#tokens + ((now - this.#at) * this.#limit) / this.#windowMs);
    this.#at = now;
    const allowed = this.#tokens >= 1;
    if (allowed) this.#tokens -= 1;
    return {
      allowed,
      headers: {
        "x-ratelimit-limit": String(this.#limit),
        "x-ratelimit-remaining": String(Math.floor(this.#tokens)),
        "x-ratelimit-reset": resetHeader(((this.#limit - this.#tokens) * this.#windowMs) / this.#limit, this.#windowMs),
      },
    };
  }
}
