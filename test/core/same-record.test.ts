import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { OrganizationUser } from "../../src/core/organization-user.js";
import { conflictText, distinctUsers, recordDifferences } from "../../src/core/same-record.js";
import { liveUser } from "../helpers/org.js";
import { judgedFacts, onlySameRepeats, withOneConflict } from "../helpers/records.js";

const groups = (...names: string[]) => names.map((name, i) => ({ id: `g${i}`, name }));
const admin = liveUser("7", "admin@example.com", { groups: groups("Admins") });

/** One id listed twice as two different users: the two records, and every difference the error names. */
const CONFLICTS: [string, OrganizationUser, OrganizationUser, string[]][] = [
  [
    "in the protected group, then in no group",
    admin,
    { ...admin, groups: [] },
    ["groups: Admins in the first record, none in the second"],
  ],
  [
    "in no group, then in the protected group",
    { ...admin, groups: [] },
    admin,
    ["groups: none in the first record, Admins in the second"],
  ],
  [
    "groups unknown, then known",
    liveUser("7", "admin@example.com"),
    admin,
    ["groups: unknown in the first record, Admins in the second"],
  ],
  [
    "groups known, then unknown",
    admin,
    liveUser("7", "admin@example.com"),
    ["groups: Admins in the first record, unknown in the second"],
  ],
  [
    "in no group, then groups unknown",
    { ...admin, groups: [] },
    liveUser("7", "admin@example.com"),
    ["groups: none in the first record, unknown in the second"],
  ],
  [
    "in one group, then in another",
    admin,
    { ...admin, groups: groups("Billing") },
    ["groups: Admins in the first record, Billing in the second"],
  ],
  [
    "in two groups, then in one of them",
    { ...admin, groups: groups("Billing", "Admins") },
    { ...admin, groups: groups("Billing") },
    ["groups: Billing, Admins in the first record, Billing in the second"],
  ],
  [
    "under two emails",
    admin,
    { ...admin, email: "mallory@example.com" },
    ['email "admin@example.com" in the first record, "mallory@example.com" in the second'],
  ],
  [
    "as the owner, then as a sub-user",
    { ...admin, record_type: "organization_owner" },
    admin,
    ['record type "organization_owner" in the first record, "organization_sub_user" in the second'],
  ],
  [
    "as a record type roster does not know, then as a sub-user",
    { ...admin, record_type: "admin" },
    admin,
    ['record type "admin" in the first record, "organization_sub_user" in the second'],
  ],
  [
    "under two statuses",
    admin,
    { ...admin, user_status: "disabled" },
    ['status "enabled" in the first record, "disabled" in the second'],
  ],
  [
    "ids in two letter cases, in two groups",
    liveUser("ab-CD", "x@example.com", { groups: groups("Admins") }),
    liveUser("AB-cd", "x@example.com", { groups: [] }),
    ["groups: Admins in the first record, none in the second"],
  ],
  [
    "in everything at once",
    admin,
    liveUser("7", "eve@example.com", { record_type: "organization_owner", user_status: "blocked" }),
    [
      'email "admin@example.com" in the first record, "eve@example.com" in the second',
      'record type "organization_sub_user" in the first record, "organization_owner" in the second',
      'status "enabled" in the first record, "blocked" in the second',
      "groups: Admins in the first record, unknown in the second",
    ],
  ],
];

/** Repeated records that are the same user: only what roster does not judge, or its spelling, differs. */
const SAME: [string, OrganizationUser, OrganizationUser][] = [
  ["exactly the same record", admin, { ...admin }],
  ["the email in another letter case and with spaces around", admin, { ...admin, email: " Admin@EXAMPLE.com " }],
  ["the record type in another letter case", admin, { ...admin, record_type: "Organization_Sub_User" }],
  [
    "the groups in another order, repeated, with spaces around",
    { ...admin, groups: groups("Admins", "Billing") },
    { ...admin, groups: groups("Billing ", "Admins", "Billing") },
  ],
  ["the groups under other group ids", admin, { ...admin, groups: [{ id: "another", name: "Admins" }] }],
  ["a blank group name, which is no group", { ...admin, groups: [] }, { ...admin, groups: groups(" ") }],
  [
    "another sign-in and creation time",
    admin,
    { ...admin, last_sign_in_at: "2026-11-01T12:00:00Z", created_at: "2025-01-01T00:00:00Z" },
  ],
  ["both without groups given", liveUser("7", "a@example.com"), liveUser("7", "A@example.com")],
  ["the id in another letter case", liveUser("ab-cd", "a@example.com"), liveUser("AB-CD", "a@example.com")],
];

test("one id listed as two different users is refused, naming the id and each fact that differs", () => {
  for (const [name, first, second, differences] of CONFLICTS) {
    assert.equal(recordDifferences(first, second), differences, name);
    const { users, conflict } = distinctUsers([[first, liveUser("8", "bob@example.com"), second]]);
    assert.is(users, undefined, `${name}: no user is given`);
    assert.equal(conflict, { id: first.id, differences }, name);
    assert.match(
      conflictText(conflict!),
      `user id ${JSON.stringify(first.id)} twice, as two different users (${differences.join("; ")})`,
      name,
    );
  }
});

test("the same conflict across the groups report and a page, or two pages, is refused the same way", () => {
  for (const [name, first, second] of CONFLICTS) {
    assert.ok(distinctUsers([[first], [liveUser("8", "bob@example.com"), second]]).conflict, name);
    assert.ok(distinctUsers([[liveUser("8", "bob@example.com")], [first], [], [second]]).conflict, name);
  }
});

test("repeated records of one user are that user once, as first listed", () => {
  for (const [name, first, second] of SAME) {
    assert.equal(recordDifferences(first, second), [], name);
    const { users, conflict } = distinctUsers([[first, liveUser("8", "bob@example.com")], [second]]);
    assert.is(conflict, undefined, name);
    assert.equal(users, [first, liveUser("8", "bob@example.com")], name);
  }
});

test("a third record that differs from the first is refused even when the second agrees with it", () => {
  const { conflict } = distinctUsers([[admin, { ...admin }], [{ ...admin, groups: [] }]]);
  assert.equal(conflict?.differences, ["groups: Admins in the first record, none in the second"]);
});

test("long lists of groups that differ beyond what is shown name the groups only one record has", () => {
  const many = Array.from({ length: 12 }, (_, i) => `Group number ${i}`);
  const [difference] = recordDifferences(
    { ...admin, groups: groups(...many, "Admins") },
    { ...admin, groups: groups(...many, "Billing") },
  );
  assert.is(difference, "groups: Admins only in the first record, Billing only in the second");
});

test("property: any list with one id recorded as two different users is refused, naming that id", () => {
  fc.assert(
    fc.property(withOneConflict, ({ lists, conflicting }) => {
      const { users, conflict } = distinctUsers(lists);
      assert.is(users, undefined);
      assert.is(conflict!.id.toLowerCase(), conflicting.id.toLowerCase());
      assert.ok(conflict!.differences.length > 0);
    }),
    { numRuns: 300 },
  );
});

test("property: any list whose repeats are all the same user gives each user once, judged as listed", () => {
  fc.assert(
    fc.property(onlySameRepeats, ({ users, lists }) => {
      const read = distinctUsers(lists);
      assert.is(read.conflict, undefined);
      const facts = (list: OrganizationUser[]) => list.map(judgedFacts).sort((a, b) => (a.id < b.id ? -1 : 1));
      assert.equal(facts(read.users!), facts(users));
    }),
    { numRuns: 300 },
  );
});

test("property: two records differ exactly when what roster judges of them differs", () => {
  const pair = fc.oneof(
    onlySameRepeats.map(({ lists }) => lists.flat()),
    withOneConflict.map(({ lists }) => lists.flat()),
  );
  fc.assert(
    fc.property(pair, fc.nat(), fc.nat(), (records, i, j) => {
      const first = records[i % records.length]!;
      const second = records[j % records.length]!;
      if (judgedFacts(first).id !== judgedFacts(second).id) return;
      const same = JSON.stringify({ ...judgedFacts(first) }) === JSON.stringify({ ...judgedFacts(second) });
      assert.is(recordDifferences(first, second).length === 0, same);
    }),
    { numRuns: 300 },
  );
});

test.run();
