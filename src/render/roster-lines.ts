import { normalizeEmail } from "../core/email.js";
import type { Plan, Removal } from "../plan/plan.js";
import { columnWidth, groupsNote, rosterNote } from "../core/user-note.js";
import { sanitize } from "../core/safe-text.js";
import { expiredNote } from "./lifecycle-lines.js";

/** "; expired (last day 2026-12-01)" after a removal whose last day has passed; nothing for any other user. */
const removedNote = (user: object): string => {
  const note = "reason" in user ? expiredNote(user as Pick<Removal, "reason" | "expires">) : "";
  return note ? `; ${note}` : "";
};

/** One live user as a line of the roster: the same text in the diff and in the pull-request comment. */
export interface RosterLine {
  /** Sorts the roster: the email as compared, its spelling, then the id, so two users with one email stay two lines. */
  key: string;
  text: string;
  removed: boolean;
}

/** Every live user of a plan, sorted by email, each marked removed or not. */
export function rosterLines(plan: Pick<Plan, "removals" | "protected" | "kept">): RosterLine[] {
  const users = [
    ...plan.removals.map((user) => ({ user, removed: true })),
    ...plan.protected.map((user) => ({ user, removed: false })),
    ...plan.kept.map((user) => ({ user, removed: false })),
  ];
  const width = columnWidth(users.map(({ user }) => sanitize(user.email)));
  return users
    .map(({ user, removed }) => ({
      key: `${normalizeEmail(user.email)}\u0000${user.email}\u0000${user.id}`,
      text: `${sanitize(user.email).padEnd(width)}  ${rosterNote(user)}${groupsNote(user.groups)}${removedNote(user)}`,
      removed,
    }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
