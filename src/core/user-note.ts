import { groupsText } from "./groups.js";
import { clip, sanitize } from "./safe-text.js";

// How a live user is described beside its email, in the preview, the roster lines and the exported
// manifest's comments: one wording for all of them.

/** A last sign-in as a date (YYYY-MM-DD), "never", or the API's text made safe when it is not a date. */
export function formatSignIn(lastSignInAt: string | null): string {
  if (!lastSignInAt) return "never";
  const date = new Date(lastSignInAt);
  // Not a date: the API's text as it came, made safe to print.
  return Number.isNaN(date.getTime()) ? sanitize(clip(lastSignInAt, 40)) : date.toISOString().slice(0, 10);
}

/** Status and last sign-in, as the roster lines and the exported manifest's comments show them. */
export function rosterNote(user: { user_status: string; last_sign_in_at: string | null }): string {
  return `${sanitize(user.user_status)}, last sign-in ${sanitize(formatSignIn(user.last_sign_in_at))}`;
}

/** A user's groups after its note ("; groups: Admins, Billing", "; groups unknown"), nothing for a user in no group. */
export function groupsNote(groups: readonly string[] | null): string {
  if (groups === null) return `; ${groupsText(groups)}`;
  return groups.length === 0 ? "" : `; groups: ${groupsText(groups)}`;
}

/** Pads a column to the widest value shown, capped so one long email does not push the rest away. */
export function columnWidth(values: readonly string[], cap = 48): number {
  return Math.min(
    cap,
    values.reduce((w, v) => Math.max(w, v.length), 0),
  );
}
