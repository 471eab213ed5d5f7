/** The headers of an answer, read by name in any case (as http-send.ts gives them). */
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
/** Whether an answer tells the window: a reset, or a Retry-After. */
export function tellsWindow(headers: HeaderSource): boolean {
  return Boolean(headers.get("retry-after")?.trim()) || resetSeconds(headers) !== undefined;
}

export function resetSeconds(headers: HeaderSource): number | undefined {
  const raw = headers.get("x-ratelimit-reset")?.trim();
  if (!raw || !/^\d+(\.\d+)?$/.test(raw)) return undefined;
  return Number(raw);
}

export function clampWait(ms: number): number {
  return Math.min(Math.max(ms, 0), MAX_RATE_WAIT_MS);
}

/** The tokens a bucket must be thought to hold before a request goes. */
