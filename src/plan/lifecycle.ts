// Access that ends on a date, and access nobody uses: the rules of time, pure. The day is the machine's clock
// in UTC, read once by the command (utcToday) and handed down, so a plan and its executor judge one day.

// The manifest reader checks `expires:` too, below the plan layer: the calendar date's rules live in core.
import { DEFAULT_WARN_BEFORE_EXPIRY_DAYS, expiryProblem } from "../core/expiry-date.js";

export { DEFAULT_WARN_BEFORE_EXPIRY_DAYS, expiryProblem };

/** The day of `now` in UTC, as YYYY-MM-DD. */
export function utcToday(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Whole days from `today` to `date` (both YYYY-MM-DD): 0 on the day itself, negative once it has passed. */
export function daysUntil(date: string, today: string): number {
  return Math.round((Date.parse(`${date.trim()}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
}

/** Where a listed user's access stands on `today`. */
export type Expiry =
  | { state: "none" }
  | { state: "active"; expires: string; daysLeft: number }
  | { state: "expiring"; expires: string; daysLeft: number }
  | { state: "expired"; expires: string; daysLeft: number };

/**
 * A listed user's access on `today`: no end date; active; expiring (its last day within `warnDays`, today
 * included); or expired from the day after its last day on, when it is judged as if the manifest did not list
 * the user.
 */
export function expiryOf(
  expires: string | undefined,
  today: string,
  warnDays = DEFAULT_WARN_BEFORE_EXPIRY_DAYS,
): Expiry {
  if (expires === undefined) return { state: "none" };
  const daysLeft = daysUntil(expires, today);
  if (daysLeft < 0) return { state: "expired", expires, daysLeft };
  if (daysLeft <= warnDays) return { state: "expiring", expires, daysLeft };
  return { state: "active", expires, daysLeft };
}

/**
 * Whole days since a user last signed in, or since the user was created for one who never did; null when
 * the API gave neither (or neither is a time).
 */
export function idleDays(
  user: { last_sign_in_at?: string | null; created_at?: string | null },
  now: Date,
): number | null {
  const since = user.last_sign_in_at ?? user.created_at ?? null;
  if (since === null) return null;
  const at = Date.parse(since);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.floor((now.getTime() - at) / 86_400_000));
}
