import type { RateModel } from "./rate-model.js";

/**
 * Faults the sandbox injects, in one typed object so that tests, `roster sandbox` and benchmarks share it.
 * Rates are shares of requests (0 to 1) and add up to at most 1.
 */
export interface SandboxFaults {
  /** Seed of the fault choices: the same seed makes the same choice for the same request. */
  seed?: number;
  /** Share of requests answered 500, 502, 503 or 408 before any work is done. */
  errorRate?: number;
  /** Share answered 429 with the x-ratelimit headers, on top of the real rate limit. */
  throttleRate?: number;
  /** Share whose connection is cut (the socket destroyed) before any work is done. */
  resetRate?: number;
  /** Share never answered: only the client's timeout ends them. */
  hangRate?: number;
  /** Share done and then the answer lost ("ghosts"): the socket cut, no answer, or a gateway's 504. */
  ghostRate?: number;
  /** A real rate limit: at most this many requests per window are served, the rest answered 429. */
  rateLimit?: number;
  /** The rate-limit window in milliseconds (default 1000); also the reset given with an injected 429. */
  rateWindowMs?: number;
  /**
   * Which limiter counts the requests (default "window"): windows starting at the first request after the
   * last one ended, fixed windows on the clock ("grid"), or a token bucket refilled continuously ("bucket").
   */
  rateModel?: RateModel;
  /**
   * Send the x-ratelimit headers only with a 429, as some APIs do: the client learns of the limit only by hitting it.
   */
  quietRateLimit?: boolean;
  /** Chooses the fault of a request instead of the rates, when it returns one: for tests that need one exact fault. */
  script?: (request: FaultRequest) => Fault | undefined;
}

/** A request as fault choice sees it. */
export interface FaultRequest {
  method: string;
  /** The path with its query, below the base path: /organizations/users/{id}/actions/remove */
  path: string;
  /** 1 for the first request with this method and path (and key) that passed the rate limit, 2 for the next, ... */
  occurrence: number;
  /** The managed account whose key made the request; absent for the manager's (or the only) organization. */
  account?: string;
}

/** What the sandbox does to one request. */
export type Fault =
  | { kind: "none" }
  | { kind: "error"; status: 408 | 500 | 502 | 503 }
  | { kind: "throttle" }
  | { kind: "reset" }
  | { kind: "hang" }
  | { kind: "ghost"; loss: "reset" | "hang" | "504" };

/** Counts of the faults a sandbox injected, by kind. */
export type FaultCounts = Record<Exclude<Fault["kind"], "none">, number>;

const RATES = ["errorRate", "throttleRate", "resetRate", "hangRate", "ghostRate"] as const;
const ERROR_STATUSES = [500, 502, 503, 408] as const;
const GHOST_LOSSES = ["reset", "hang", "504"] as const;

/** Refuses fault settings that cannot be meant: a rate outside 0..1, rates adding up past 1, a limit below 1. */
export function checkFaults(faults: SandboxFaults): void {
  let total = 0;
  for (const name of RATES) {
    const rate = faults[name] ?? 0;
    if (!Number.isFinite(rate) || rate < 0 || rate > 1)
      throw new Error(`sandbox fault ${name} must be a share from 0 to 1, got ${rate}`);
    total += rate;
  }
  if (total > 1 + 1e-9)
    throw new Error(`sandbox fault rates add up to ${total.toFixed(3)}: they must add up to at most 1`);
  if (faults.rateLimit !== undefined && (!Number.isInteger(faults.rateLimit) || faults.rateLimit < 1)) {
    throw new Error(`sandbox rateLimit must be a whole number of requests of 1 or more, got ${faults.rateLimit}`);
  }
  if (faults.rateModel !== undefined && !["window", "grid", "bucket"].includes(faults.rateModel)) {
    throw new Error(`sandbox rateModel must be window, grid or bucket, got ${faults.rateModel}`);
  }
  if (faults.rateWindowMs !== undefined && !(faults.rateWindowMs > 0))
    throw new Error(`sandbox rateWindowMs must be positive, got ${faults.rateWindowMs}`);
}

/**
 * The fault of one request. Pure: it depends on the seed, the method, the path and the occurrence only, not
 * on the order in which concurrent requests arrive, so a seed reproduces the same faults for the same run.
 */
export function chooseFault(faults: SandboxFaults, request: FaultRequest): Fault {
  const scripted = faults.script?.(request);
  if (scripted) return scripted;
  // A managed account's requests hash with its id, so that accounts with the same paths draw different faults;
  // the manager's hash is unchanged, so a seed injects the same faults as before managed accounts existed.
  const account = request.account === undefined ? "" : ` @${request.account}`;
  const random = mulberry32(
    (faults.seed ?? 0) ^ fnv1a(`${request.method} ${request.path} #${request.occurrence}${account}`),
  );
  const draw = random();
  const pick = random();
  let edge = 0;
  const within = (rate: number | undefined) => draw < (edge += rate ?? 0);
  if (within(faults.hangRate)) return { kind: "hang" };
  if (within(faults.resetRate)) return { kind: "reset" };
  if (within(faults.errorRate))
    return { kind: "error", status: ERROR_STATUSES[Math.floor(pick * ERROR_STATUSES.length)]! };
  if (within(faults.throttleRate)) return { kind: "throttle" };
  if (within(faults.ghostRate)) return { kind: "ghost", loss: GHOST_LOSSES[Math.floor(pick * GHOST_LOSSES.length)]! };
  return { kind: "none" };
}

/** A small seeded PRNG (mulberry32): uniform numbers in [0, 1), the same sequence for the same seed. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A fixed-window rate limit: `limit` requests per `windowMs`, with the x-ratelimit headers the API sends. */
export class RateWindow {
  readonly #limit: number;
  readonly #windowMs: number;
  #start = 0;
  #count = 0;

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Counts one request; whether it is within the limit, and the headers its answer carries. */
  take(now: number): { allowed: boolean; headers: Record<string, string> } {
    if (now >= this.#start + this.#windowMs) {
      this.#start = now;
      this.#count = 0;
    }
    this.#count += 1;
    const allowed = this.#count <= this.#limit;
    return { allowed, headers: this.headers(now, allowed ? this.#limit - this.#count : 0) };
  }

  /** The headers of an answer at `now` with `remaining` requests left in the window. */
  headers(now: number, remaining: number): Record<string, string> {
    const seconds = Math.max(0, this.#start + this.#windowMs - now) / 1000;
    // Whole seconds, as the API gives them; fractions only for windows shorter than a second (fast tests).
    const reset = this.#windowMs >= 1000 ? Math.ceil(seconds) : Number(seconds.toFixed(3));
    return {
      "x-ratelimit-limit": String(this.#limit),
      "x-ratelimit-remaining": String(remaining),
      "x-ratelimit-reset": String(reset),
    };
  }
}
