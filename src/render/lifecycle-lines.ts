import { plural } from "../core/plural.js";
import { sanitize } from "../core/safe-text.js";
import { columnWidth, formatSignIn } from "../core/user-note.js";
import type { ExpiringUser, IdleUser, Plan, ProtectedUser, Removal } from "../plan/plan.js";
import { GROUP_NAME_SHOWN } from "../core/groups.js";
import { clip } from "../core/safe-text.js";
import { protectionNote, type ValueStyle } from "../plan/protection.js";
import { line, toned, type Line } from "./lines.js";

// Access that ends on a date, and access nobody uses, as every plan format words it: the sections
// "Expiring soon" and "Idle", the note beside a removal whose last day has passed, and the warning about a
// protected user whose last day cannot be enforced.

/** The words of the two sections, the same in every format. */
export const LIFECYCLE_WORDS = {
  expiringHeading: "Expiring soon",
  expiringAdvice: "kept until their last day of access; extend expires: to keep them longer",
  idleHeading: "Idle",
  idleAdvice: "kept; a report, not a change",
} as const;

/** Why a removal is planned, beside it, when the manifest lists the user with a last day that has passed. */
export function expiredNote(removal: Pick<Removal, "reason" | "expires">): string {
  return removal.reason === "expired" && removal.expires !== undefined ? `expired (last day ${removal.expires})` : "";
}

/** "expires 2026-12-01 (in 5 days)", "expires today (2026-12-01)". */
export function expiringText(entry: Pick<ExpiringUser, "expires" | "days_left">): string {
  if (entry.days_left === 0) return `last day today (${entry.expires})`;
  return `last day ${entry.expires} (in ${plural(entry.days_left, "day")})`;
}

/** "not signed in for 120 days (last sign-in 2025-01-02)", "never signed in, created 400 days ago". */
export function idleText(entry: Pick<IdleUser, "idle_days" | "last_sign_in_at">): string {
  if (entry.last_sign_in_at === null) return `never signed in; created ${plural(entry.idle_days, "day")} ago`;
  return `not signed in for ${plural(entry.idle_days, "day")} (last sign-in ${formatSignIn(entry.last_sign_in_at)})`;
}

/** The heading's note of the idle section: the policy's number of days. */
export function idleAdvice(plan: Pick<Plan, "idleAfterDays">): string {
  const days = plan.idleAfterDays !== undefined ? ` for ${plural(plan.idleAfterDays, "day")} or more` : "";
  return `not signed in${days}; ${LIFECYCLE_WORDS.idleAdvice}`;
}

/**
 * The warning about a protected user whose last day has passed: protection wins, so the date cannot be
 * enforced; `quote` shows the email.
 */
export function expiryNotEnforcedText(
  entry: Pick<ProtectedUser, "email" | "expires" | "reason" | "pattern" | "group" | "record_type">,
  quote?: (value: string) => string,
): string {
  const style: ValueStyle = quote
    ? { pattern: quote, recordType: quote, group: (text) => quote(clip(text, GROUP_NAME_SHOWN)) }
    : PLAIN_STYLE;
  const email = quote ? quote(entry.email) : sanitize(entry.email);
  return (
    `${email} was listed until ${entry.expires ?? "a day"}, which has passed, but is kept ` +
    `(${protectionNote(entry, style)}): the date cannot be enforced; remove the user from the manifest, or end the protection`
  );
}

/** A protection's values in plain text: a pattern as it is, a record type and a group in quotes. */
const PLAIN_STYLE: ValueStyle = {
  pattern: sanitize,
  recordType: (text) => `"${sanitize(text)}"`,
  group: (text) => `"${sanitize(clip(text, GROUP_NAME_SHOWN))}"`,
};

/** The sections "Expiring soon" and "Idle" of the lines formats (terminal and plain text); none when empty. */
export function lifecycleLines(plan: Pick<Plan, "expiring" | "idle" | "idleAfterDays">): Line[] {
  const lines: Line[] = [];
  if (plan.expiring.length > 0) {
    lines.push(
      line(""),
      line(
        toned("heading", `${LIFECYCLE_WORDS.expiringHeading} (${plan.expiring.length}): `),
        toned("muted", LIFECYCLE_WORDS.expiringAdvice),
      ),
    );
    const width = columnWidth(plan.expiring.map((entry) => sanitize(entry.email)));
    for (const entry of plan.expiring)
      lines.push(
        line(toned("warn", `  ◷ ${sanitize(entry.email).padEnd(width)}`), toned("muted", `  ${expiringText(entry)}`)),
      );
  }
  if (plan.idle.length > 0) {
    lines.push(
      line(""),
      line(
        toned("heading", `${LIFECYCLE_WORDS.idleHeading} (${plan.idle.length}): `),
        toned("muted", idleAdvice(plan)),
      ),
    );
    const width = columnWidth(plan.idle.map((entry) => sanitize(entry.email)));
    for (const entry of plan.idle)
      lines.push(
        line(toned("muted", `  · ${sanitize(entry.email).padEnd(width)}`), toned("muted", `  ${idleText(entry)}`)),
      );
  }
  return lines;
}
