import { normalizeEmail } from "../core/email.js";
import { groupNamesOf, OWNER_RECORD_TYPE, recordTypeOf, type OrganizationUser } from "../core/organization-user.js";
import { columnWidth, rosterNote } from "../core/user-note.js";
import { groupKey } from "../core/groups.js";
import { jsonText } from "../core/safe-text.js";

/** What the header of an exported manifest says: where the users came from, and where the schema is. */
export interface ExportSource {
  host: string;
  /** The `$schema` reference for editors: a path relative to the manifest, or a URL; without it, no such line. */
  schemaRef?: string;
}

// A plain YAML scalar that is certainly an email and nothing else; anything else is written double-quoted.
const PLAIN_EMAIL = /^[A-Za-z0-9_][A-Za-z0-9._+-]*@[A-Za-z0-9.-]+$/;

/**
 * A version 1 manifest listing every live user, sorted by email, each with a comment giving status and
 * last sign-in, the owner included: applied as it is, it removes no one. Pure.
 */
export function exportManifest(liveUsers: readonly OrganizationUser[], source: ExportSource): string {
  const seen = new Set<string>();
  const users = [...liveUsers]
    .map((user) => ({ user, email: normalizeEmail(user.email) }))
    .sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : a.user.id < b.user.id ? -1 : 1))
    // Emails compare case-insensitively: two live users with one email are one manifest entry.
    .filter(({ email }) => !seen.has(email) && Boolean(seen.add(email)));
  // A user in groups is written as a mapping, `email:` then `groups:`, so that plan finds no group drift.
  const groupsOf = (user: OrganizationUser) => (groupNamesOf(user) ?? []).filter((name) => groupKey(name) !== "");
  const scalars = users.map(({ user }) => (groupsOf(user).length > 0 ? "email: " : "") + yamlScalar(user.email.trim()));
  const width = columnWidth(scalars);
  const lines = users.flatMap(({ user }, i) => {
    const owner = recordTypeOf(user) === OWNER_RECORD_TYPE ? "organization owner, " : "";
    const entry = `  - ${scalars[i]!.padEnd(width)}  # ${commentText(owner + rosterNote(user))}`;
    const groups = groupsOf(user);
    // JSON strings are YAML double-quoted scalars; jsonText escapes every control and invisible character.
    return groups.length > 0 ? [entry, `    groups: [${groups.map((name) => jsonText(name)).join(", ")}]`] : [entry];
  });
  return `${[
    ...(source.schemaRef !== undefined ? [`# yaml-language-server: $schema=${commentText(source.schemaRef)}`] : []),
    `# Who may log in to the Telnyx organization at ${commentText(source.host)}: its ${users.length} users as roster ` +
      `export found them.`,
    "# Review it before you commit it: roster apply removes every user this file does not list (the owner and",
    "# users matching a protect pattern excepted). Each user's groups are as the organization has them: roster",
    "# reports a difference (group drift) but cannot change groups.",
    "version: 1",
    "users:",
    ...lines,
  ].join("\n")}\n`;
}

function yamlScalar(email: string): string {
  // JSON strings are valid YAML double-quoted scalars, escapes included.
  return PLAIN_EMAIL.test(email) ? email : JSON.stringify(email);
}

/** Text that stays inside a one-line YAML comment: printable ASCII only. */
function commentText(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?");
}
