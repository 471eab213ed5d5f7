// Access that ends on a date, and access nobody uses: the rules of time, pure. The day is the machine's clock
// in UTC, read once by the command (utcToday) and handed down, so a plan and its executor judge one day.

/** `expires:` as the manifest writes it: the last day of access, a calendar date. */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Users within this many days of their last day are listed as expiring soon, unless the manifest says otherwise. */
export const DEFAULT_WARN_BEFORE_EXPIRY_DAYS = 14;

/** The day of `now` in UTC, as YYYY-MM-DD. */
export function utcToday(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Why `text` is not a calendar date as `expires:` takes it (YYYY-MM-DD, a day that exists), or undefined when
 * it is one: `2026-13-45` and `2026-02-30` are not, and neither is a time, with or without a zone.
 */
export function expiryProblem(text: string): string | undefined {
  const match = DATE.exec(text.trim());
  if (!match) {
    return /^\d{4}-\d{2}-\d{2}[T ]/.test(text.trim())
      ? `${JSON.stringify(text)} is a time, not a date: write the last day of access as YYYY-MM-DD (UTC), such as ${text.trim().slice(0, 10)}`
      : `${JSON.stringify(text)} is not a date: write the last day of access as YYYY-MM-DD (UTC), such as 2026-12-31`;
  }
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return `${JSON.stringify(text)} is not a day of the calendar: write the last day of access as YYYY-MM-DD (UTC)`;
  }
  return undefined;
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
