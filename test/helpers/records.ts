import fc from "fast-check";
import { normalizeEmail } from "../../src/core/email.js";
import { groupKey } from "../../src/core/groups.js";
import { recordTypeOf, type OrganizationUser } from "../../src/core/organization-user.js";
import { userIdKey } from "../../src/core/same-record.js";

// Random organizations whose users the API lists more than once, across the groups report and the pages:
// repeated records that are the same user (spelt another way in what roster does not judge), and records
// of one id that say something else of it in one fact roster judges.

const GROUP_NAMES = ["Admins", "Billing", "Support", "Engineering", "Sales"];
const RECORD_TYPES = ["organization_sub_user", "organization_owner", "admin", ""];
const STATUSES = ["enabled", "disabled", "blocked", "unknown"];
const SIGN_INS = [null, "2026-11-01T12:00:00Z", "2026-01-02T03:04:05Z"];

/**
 * What roster judges of a user, worked out here apart from the code under test: two records are one user when these are
 * equal.
 */
export function judgedFacts(user: OrganizationUser) {
  const groups =
    user.groups === undefined
      ? null
      : [...new Set(user.groups.map((g) => groupKey(g.name)).filter((name) => name !== ""))].sort();
  return {
    id: userIdKey(user.id),
    email: normalizeEmail(user.email),
    record_type: recordTypeOf(user),
    user_status: user.user_status,
    groups,
  };
}

const baseUser = fc.record({
  local: fc.constantFrom("abe", "ben", "cora", "dee", "eli"),
  record_type: fc.constantFrom(...RECORD_TYPES),
  user_status: fc.constantFrom(...STATUSES),
  groups: fc.option(fc.subarray(GROUP_NAMES), { nil: undefined }),
  last_sign_in_at: fc.constantFrom(...SIGN_INS),
});

/**
 * How one repeated record spells the same user: the letter case of what is compared case-folded, group order and
 * repeats, what is only shown.
 */
const sameUserSpelling = fc.record({
  flips: fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
  padded: fc.boolean(),
  order: fc.array(fc.integer(), { minLength: GROUP_NAMES.length * 2, maxLength: GROUP_NAMES.length * 2 }),
  repeat: fc.boolean(),
  last_sign_in_at: fc.constantFrom(...SIGN_INS),
  created_at: fc.constantFrom(undefined, "2025-01-01T00:00:00Z", "2025-06-01T00:00:00Z"),
});
type Spelling = typeof sameUserSpelling extends fc.Arbitrary<infer T> ? T : never;

const recase = (text: string, flips: readonly boolean[]) =>
  [...text].map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c.toLowerCase())).join("");

function respelt(user: OrganizationUser, spelling: Spelling): OrganizationUser {
  const pad = (text: string) => (spelling.padded ? ` ${text} ` : text);
  const groups = user.groups?.map((g, i) => ({ id: `g-${i}-again`, name: pad(g.name) }));
  const shuffled = groups
    ?.map((group, i) => ({ group, rank: spelling.order[i] ?? 0 }))
    .sort((a, b) => a.rank - b.rank)
    .map(({ group }) => group);
  return {
    id: recase(user.id, spelling.flips),
    email: pad(recase(user.email, spelling.flips.slice(7))),
    record_type: pad(recase(user.record_type, spelling.flips.slice(13))),
    user_status: user.user_status,
    last_sign_in_at: spelling.last_sign_in_at,
    ...(spelling.created_at !== undefined ? { created_at: spelling.created_at } : {}),
    ...(shuffled ? { groups: spelling.repeat && shuffled.length > 0 ? [...shuffled, shuffled[0]!] : shuffled } : {}),
  };
}

/** A record of the same id that says something else of the user, in one fact roster judges. */
const otherFact = fc.constantFrom(
  "email",
  "record_type",
  "user_status",
  "groups unknown or known",
  "one group more",
  "one group less",
);
type OtherFact = typeof otherFact extends fc.Arbitrary<infer T> ? T : never;

function differing(user: OrganizationUser, fact: OtherFact): OrganizationUser {
  const { groups, ...rest } = user;
  const names = (groups ?? []).map((g) => g.name);
  const asGroups = (list: string[]) => list.map((name, i) => ({ id: `g-${i}`, name }));
  switch (fact) {
    case "email":
      return { ...user, email: `other.${user.email}` };
    case "record_type":
      return {
        ...user,
        record_type: recordTypeOf(user) === "organization_owner" ? "organization_sub_user" : "organization_owner",
      };
    case "user_status":
      return { ...user, user_status: user.user_status === "enabled" ? "disabled" : "enabled" };
    case "groups unknown or known":
      return groups === undefined ? { ...user, groups: [] } : rest;
    case "one group more": {
      const had = new Set(names.map(groupKey));
      return { ...user, groups: asGroups([...names, GROUP_NAMES.find((name) => !had.has(name)) ?? "Another group"]) };
    }
    case "one group less":
      // Every repeat of one group out: a list without the first of them.
      if (groups === undefined) return { ...user, groups: [] };
      return names.length === 0
        ? rest
        : { ...user, groups: asGroups(names.filter((name) => groupKey(name) !== groupKey(names[0]!))) };
  }
}

/** An organization as read: the users, and the same records split into lists (the report, pages) in any order. */
export interface ListedOrganization {
  users: OrganizationUser[];
  lists: OrganizationUser[][];
}

function listed(
  users: OrganizationUser[],
  records: OrganizationUser[],
  order: number[],
  cuts: number[],
): ListedOrganization {
  const shuffled = records
    .map((record, i) => ({ record, rank: order[i] ?? 0 }))
    .sort((a, b) => a.rank - b.rank)
    .map(({ record }) => record);
  const lists: OrganizationUser[][] = [[]];
  shuffled.forEach((record, i) => {
    if (i > 0 && cuts.includes(i)) lists.push([]);
    lists.at(-1)!.push(record);
  });
  return { users, lists };
}

const organization = fc
  .array(fc.tuple(baseUser, fc.array(sameUserSpelling, { maxLength: 3 })), { minLength: 1, maxLength: 8 })
  .map((rows) =>
    rows.map(([base, spellings], i) => {
      const groups = base.groups?.map((name, g) => ({ id: `g-${g}`, name }));
      const user: OrganizationUser = {
        id: `u-${i}-ab`,
        email: `${base.local}${i}@example.com`,
        record_type: base.record_type,
        user_status: base.user_status,
        last_sign_in_at: base.last_sign_in_at,
        ...(groups ? { groups } : {}),
      };
      return { user, repeats: spellings.map((spelling) => respelt(user, spelling)) };
    }),
  );

const arrangement = fc.record({
  order: fc.array(fc.integer(), { minLength: 40, maxLength: 40 }),
  cuts: fc.array(fc.integer({ min: 1, max: 32 }), { maxLength: 4 }),
});

/** Organizations whose users may be listed more than once, each repeat the same user. */
export const onlySameRepeats: fc.Arbitrary<ListedOrganization> = fc
  .tuple(organization, arrangement)
  .map(([rows, { order, cuts }]) =>
    listed(
      rows.map((row) => row.user),
      rows.flatMap((row) => [row.user, ...row.repeats]),
      order,
      cuts,
    ),
  );

/** Organizations like those, with one more record of one user's id that differs from it in one judged fact. */
export const withOneConflict: fc.Arbitrary<ListedOrganization & { conflicting: OrganizationUser; fact: OtherFact }> = fc
  .tuple(organization, arrangement, fc.nat(), otherFact)
  .map(([rows, { order, cuts }, pick, fact]) => {
    const target = rows[pick % rows.length]!;
    const conflicting = differing(target.repeats[0] ?? target.user, fact);
    const records = rows.flatMap((row) => [row.user, ...row.repeats, ...(row === target ? [conflicting] : [])]);
    return {
      ...listed(
        rows.map((row) => row.user),
        records,
        order,
        cuts,
      ),
      conflicting,
      fact,
    };
  });
