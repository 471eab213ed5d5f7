import { nameKey } from "./names.js";
import { clip, sanitize } from "./safe-text.js";

// Telnyx grants an organization's users their rights through groups: a user's groups are what a reviewer
// needs to see beside a removal, and what whoever re-invites someone needs to restore.

/**
 * A group's name as compared, in every place one is (protect, the groups guard, drift, saved plans, the
 * executor's last check): nameKey's form, so the API's decomposed `Équipe` is the manifest's composed one.
 */
export function groupKey(name: string): string {
  let key = keys.get(name);
  if (key === undefined) {
    // An organization has a few group names, repeated across its users: each is compared in its form once.
    if (keys.size >= MAX_KEYS) keys.clear();
    key = nameKey(name);
    keys.set(name, key);
  }
  return key;
}

/** groupKey's answers so far, by name as given; emptied when it holds MAX_KEYS (pure, so only a cache). */
const keys = new Map<string, string>();
const MAX_KEYS = 10_000;

/** The most characters of one group's name shown in plain text and Markdown; the JSON keeps it whole. */
export const GROUP_NAME_SHOWN = 40;
/** The most characters a user's groups take on one line of a plan before "+N more". */
export const GROUPS_SHOWN = 60;

/**
 * A user's groups as one safe piece of text of at most `max` characters: names sanitized, each cut at
 * GROUP_NAME_SHOWN characters, and the list cut with the count of the rest ("Admins, Billing +3 more").
 * No groups is "no groups"; groups the API did not give are "groups unknown".
 */
export function groupsText(groups: readonly string[] | null, max = GROUPS_SHOWN): string {
  if (groups === null) return "groups unknown";
  if (groups.length === 0) return "no groups";
  const names = groups.map((name) => sanitize(clip(name, GROUP_NAME_SHOWN)));
  let text = "";
  for (let i = 0; i < names.length; i += 1) {
    const next = text === "" ? names[i]! : `${text}, ${names[i]}`;
    const rest = names.length - i - 1;
    const more = rest > 0 ? ` +${rest} more` : "";
    if (next.length > max - more.length) {
      if (text !== "") return `${text} +${names.length - i} more`;
      // Even the first name is too long for the room: cut it further, so the row keeps to its width.
      return `${fitName(groups[i]!, max - more.length)}${more}`;
    }
    text = next;
  }
  return text;
}

/** One group's name made safe in at most `room` characters, saying how much was left out while there is room to. */
function fitName(name: string, room: number): string {
  for (let keep = GROUP_NAME_SHOWN - 1; keep > 0; keep -= 1) {
    const shown = sanitize(clip(name, keep));
    if (shown.length <= room) return shown;
  }
  // Too little room even for "… (N more characters)": a bare cut, before an escape it would cut short.
  return `${sanitize(name)
    .slice(0, Math.max(1, room - 1))
    .replace(/\\u[0-9a-f]{0,3}$/, "")}…`;
}

/** Whether two lists name the same groups, whatever their order and repeats (a blank name is no group). */
export function sameGroups(a: readonly string[], b: readonly string[]): boolean {
  const named = (names: readonly string[]) => new Set(names.map(groupKey).filter((name) => name !== ""));
  const left = named(a);
  const right = named(b);
  return left.size === right.size && [...left].every((name) => right.has(name));
}
