// `expires:` as a calendar date: what the manifest reader and the plan's rules of time (plan/lifecycle.ts) share.

/** `expires:` as the manifest writes it: the last day of access, a calendar date. */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Users within this many days of their last day are listed as expiring soon, unless the manifest says otherwise. */
export const DEFAULT_WARN_BEFORE_EXPIRY_DAYS = 14;

/**
 * Why `text` is not a calendar date as `expires:` takes it (YYYY-MM-DD, a day that exists), or undefined when
 * it is one: `2026-13-45` and `2026-02-30` are not, and neither is a time, with or without a zone.
 */
export function expiryProblem(text: string): string | undefined {
  const match = DATE.exec(text.trim());
  if (!match) {
    return /^\d{4}-\d{2}-\d{2}[T ]/.test(text.trim())
      ? `${JSON.stringify(text)} is a time, not a date: write the last day of access as YYYY-MM-DD (UTC), such as ` +
          `${text.trim().slice(0, 10)}`
      : `${JSON.stringify(text)} is not a date: write the last day of access as YYYY-MM-DD (UTC), such as 2026-12-31`;
  }
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return `${JSON.stringify(text)} is not a day of the calendar: write the last day of access as YYYY-MM-DD (UTC)`;
  }
  return undefined;
}
