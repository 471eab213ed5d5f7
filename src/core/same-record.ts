import { normalizeEmail } from "./email.js";
import { groupKey, groupsText, sameGroups } from "./groups.js";
import { groupNamesOf, recordTypeOf, type OrganizationUser } from "./organization-user.js";
import { clip } from "./safe-text.js";

// Removals go by id, while the manifest, the protection rules and the guards judge a user by its email, record
// type, groups and status. An API that lists one id as two users (first in the protected group Admins, then in
// no group) could have one record judged and the other's id removed, so the rule that decides which records
// are the same user lives here, once, for every read of the organization (groups report, pages, or both).

/** The id as compared: ids are UUIDs, which name the same user in either letter case. */
export function userIdKey(id: string): string {
  return id.toLowerCase();
}

/**
 * What differs, in words, between two records of one id, in every fact roster judges a user by: the email (in
 * its compared form), the record type (as judged), the status, and the groups (as sets; unknown is not "no
 * groups"). Empty when the two records are the same user. Facts only shown (sign-in, creation time, the
 * email's letter case) are not judged: a repeated record may differ in them and is still the same user.
 */
export function recordDifferences(first: OrganizationUser, second: OrganizationUser): string[] {
  const differences: string[] = [];
  if (normalizeEmail(first.email) !== normalizeEmail(second.email)) {
    differences.push(`email ${shown(first.email)} in the first record, ${shown(second.email)} in the second`);
  }
  if (recordTypeOf(first) !== recordTypeOf(second)) {
    differences.push(
      `record type ${shown(String(first.record_type))} in the first record, ${shown(String(second.record_type))} in ` +
        `the second`,
    );
  }
  if (first.user_status !== second.user_status) {
    differences.push(
      `status ${shown(first.user_status)} in the first record, ${shown(second.user_status)} in the second`,
    );
  }
  const groups = groupsDifference(groupNamesOf(first), groupNamesOf(second));
  if (groups !== undefined) differences.push(groups);
  return differences;
}

/** The groups of two records of one id, in words, when they differ; unknown groups differ from any known ones. */
function groupsDifference(first: string[] | null, second: string[] | null): string | undefined {
  if (first === null && second === null) return undefined;
  if (first !== null && second !== null && sameGroups(first, second)) return undefined;
  const [one, other] = [groupsShown(first), groupsShown(second)];
  if (one !== other) return `groups: ${one} in the first record, ${other} in the second`;
  // Lists too long to tell apart as shown: the names that only one of them has.
  const onlyFirst = namesNotIn(first ?? [], second ?? []);
  const onlySecond = namesNotIn(second ?? [], first ?? []);
  const parts = [
    ...(onlyFirst.length > 0 ? [`${groupsText(onlyFirst)} only in the first record`] : []),
    ...(onlySecond.length > 0 ? [`${groupsText(onlySecond)} only in the second`] : []),
  ];
  return `groups: ${parts.length > 0 ? parts.join(", ") : `${one} in both records, but not the same groups`}`;
}

/** A record's groups in the words of a difference: unknown, none, or their names. */
function groupsShown(names: readonly string[] | null): string {
  if (names === null) return "unknown";
  const named = names.filter((name) => groupKey(name) !== "");
  return named.length === 0 ? "none" : groupsText(named);
}

/** The names of `names` that `other` does not have, each once, as groupKey compares them. */
function namesNotIn(names: readonly string[], other: readonly string[]): string[] {
  const keys = new Set(other.map(groupKey));
  const seen = new Set<string>();
  return names.filter((name) => {
    const key = groupKey(name);
    if (key === "" || keys.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const shown = (value: string) => JSON.stringify(clip(value, 80));

/** One id listed as two different users: the id, as first listed, and what differs. */
export interface RecordConflict {
  id: string;
  differences: string[];
}

/** The users of one read, each once; or the first id listed as two different users. */
export type DistinctUsers =
  | { users: OrganizationUser[]; conflict?: undefined }
  | { users?: undefined; conflict: RecordConflict };

/**
 * The users of every list (the groups report, the pages, or both), each id once, in the order first listed,
 * the first record of each kept. Any id listed twice with different judged facts is a conflict, and then no
 * user is given at all: such a read cannot be trusted. Pure.
 */
export function distinctUsers(lists: readonly (readonly OrganizationUser[])[]): DistinctUsers {
  const byId = new Map<string, OrganizationUser>();
  for (const users of lists) {
    for (const user of users) {
      const key = userIdKey(user.id);
      const seen = byId.get(key);
      if (seen === undefined) {
        byId.set(key, user);
        continue;
      }
      const differences = recordDifferences(seen, user);
      if (differences.length > 0) return { conflict: { id: seen.id, differences } };
    }
  }
  return { users: [...byId.values()] };
}

/** A conflict in words, for the error that refuses the read: names the id and each fact that differs. */
export function conflictText(conflict: RecordConflict): string {
  return `user id ${shown(conflict.id)} twice, as two different users (${conflict.differences.join("; ")})`;
}
