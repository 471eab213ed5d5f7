import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { OrganizationUser } from "../../src/core/organization-user.js";
import type { Blame, LineApproval } from "../../src/files/git-blame.js";
import type { Manifest } from "../../src/manifest/manifest.js";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { utcToday } from "../../src/plan/lifecycle.js";
import { planRemovals } from "../../src/plan/plan.js";
import { reviewOf, type ReviewRow } from "../../src/plan/review.js";
import { judge, rulesOf } from "../../src/plan/rules.js";
import { liveUser } from "../helpers/org.js";

// The access review, pure: built from a plan, its manifest and a blame; expiry and policy set on the manifest
// object the way the manifest readers will once issue 20's expiry part lands (expires:, policy:).

const NOW = new Date();
const DAY = 86_400_000;
/** A day relative to today, as the manifest writes it. */
const day = (offset: number) => utcToday(new Date(NOW.getTime() + offset * DAY));
/** A time `days` ago, as the API gives it. */
const ago = (days: number) => new Date(NOW.getTime() - days * DAY - 60_000).toISOString();

const approval = (commit: string, pull_request: number | null = null): LineApproval => ({
  commit: commit.repeat(40).slice(0, 40),
  author: "Ann Auditor",
  author_email: "ann@acme.example",
  date: "2026-01-05T10:00:00Z",
  subject: pull_request === null ? "Add users" : `Add users (#${pull_request})`,
  pull_request,
});

/** A manifest parsed from text, then given `expires` per email and a `policy`, as the readers will give them. */
function manifestOf(
  text: string,
  expires: Record<string, string> = {},
  policy?: { warnBeforeExpiryDays?: number; inactiveAfterDays?: number },
): Manifest {
  const manifest = parseManifest(text, "users.yaml");
  return {
    ...manifest,
    users: manifest.users.map((user) => (expires[user.email] ? { ...user, expires: expires[user.email] } : user)),
    ...(policy ? { policy } : {}),
  } as Manifest;
}

function review(manifest: Manifest, live: OrganizationUser[], blame: Blame = { kind: "blamed", lines: new Map() }) {
  const plan = planRemovals(manifest, live, { today: utcToday(NOW), now: NOW });
  const result = reviewOf({ plan, manifest, liveUsers: live, blame, now: NOW });
  const byEmail = new Map(result.rows.map((row) => [row.email, row]));
  return { ...result, row: (email: string) => byEmail.get(email)! };
}

const MANIFEST = [
  "version: 1", // 1
  "users:", // 2
  "  - alice@acme.example", // 3
  "  - bob@acme.example", // 4
  "  - email: carol@acme.example", // 5
  "    name: Carol", // 6
  "protect:", // 7
  '  - "*@partners.example"', // 8
  "  - group: Auditors", // 9
  "guards:", // 10
  "  require_force_for_groups: [Admins]", // 11
  "",
].join("\n");

const ORG: OrganizationUser[] = [
  liveUser("1", "owner@acme.example", { record_type: "organization_owner", groups: [] }),
  liveUser("2", "alice@acme.example", { last_sign_in_at: ago(3), groups: [{ id: "g1", name: "Admins" }] }),
  liveUser("3", "Bob@Acme.example", { last_sign_in_at: ago(100), groups: [] }),
  liveUser("4", "carol@acme.example", { created_at: ago(200), groups: [] }),
  liveUser("5", "bot@partners.example", { last_sign_in_at: ago(1), groups: [] }),
  liveUser("6", "ivan@acme.example", { groups: [{ id: "g2", name: "Auditors" }] }),
  liveUser("7", "mallory@acme.example", { last_sign_in_at: ago(400), groups: [{ id: "g1", name: "Admins" }] }),
  liveUser("8", "ghost@acme.example", {}),
  liveUser("9", "robot@acme.example", { record_type: "api_robot", groups: [] }),
];

test("every live user is one row, by email, with what apply would do and the manifest line or protection that keeps it", () => {
  const { rows, summary, row } = review(manifestOf(MANIFEST), ORG);
  assert.equal(
    rows.map((r) => [r.email, r.decision, r.kept_by]),
    [
      ["alice@acme.example", "keep", { reason: "manifest", line: 3 }],
      ["Bob@Acme.example", "keep", { reason: "manifest", line: 4 }],
      ["bot@partners.example", "protected", { reason: "protect", pattern: "*@partners.example", line: 8 }],
      ["carol@acme.example", "keep", { reason: "manifest", line: 5 }],
      ["ghost@acme.example", "protected", { reason: "groups_unknown" }],
      ["ivan@acme.example", "protected", { reason: "group", group: "Auditors", line: 9 }],
      ["mallory@acme.example", "remove", null],
      ["owner@acme.example", "protected", { reason: "owner" }],
      ["robot@acme.example", "protected", { reason: "unknown_record_type", record_type: "api_robot" }],
    ],
  );
  assert.equal(row("alice@acme.example").flags, ["privileged"], "in a group of require_force_for_groups");
  assert.equal(row("mallory@acme.example").flags, ["privileged"]);
  assert.equal(row("carol@acme.example").flags, ["never_signed_in"]);
  assert.is(row("carol@acme.example").idle_days, 200, "from creation, for a user who never signed in");
  assert.is(row("Bob@Acme.example").idle_days, 100);
  assert.is(row("ghost@acme.example").idle_days, null, "the API gave neither a sign-in nor a creation time");
  assert.equal(row("Bob@Acme.example").flags, [], "no policy: idle days are shown, never flagged idle");
  assert.equal(summary, {
    users: 9,
    keep: 3,
    remove: 1,
    protected: 5,
    approved: 0,
    idle: 0,
    never_signed_in: 5,
    expiring: 0,
    expired: 0,
    privileged: 2,
  });
});

test("expires: around today: expired from the day after the last day, expiring within warn_before_expiry_days (14)", () => {
  const cases: [offset: number, flags: string[], warnDays?: number][] = [
    [-1, ["expired"]],
    [0, ["expiring"]],
    [5, ["expiring"]],
    [14, ["expiring"]],
    [15, []],
    [5, [], 3],
    [15, ["expiring"], 30],
  ];
  for (const [offset, flags, warnDays] of cases) {
    const manifest = manifestOf(
      MANIFEST,
      { "alice@acme.example": day(offset) },
      warnDays === undefined ? undefined : { warnBeforeExpiryDays: warnDays },
    );
    const { row, summary } = review(manifest, ORG);
    const alice = row("alice@acme.example");
    assert.is(alice.expires, day(offset));
    assert.equal(alice.flags, [...flags, "privileged"], `expires in ${offset} days, warning ${warnDays ?? 14}`);
    assert.is(summary.expired, flags.includes("expired") ? 1 : 0);
    assert.is(row("Bob@Acme.example").expires, null, "a user without a date has none");
  }
});

test("policy.inactive_after_days flags every user idle at or past the days, whatever apply does with it", () => {
  const { row, summary } = review(manifestOf(MANIFEST, {}, { inactiveAfterDays: 100 }), ORG);
  assert.equal(row("Bob@Acme.example").flags, ["idle"], "100 days since the last sign-in");
  assert.equal(row("carol@acme.example").flags, ["idle", "never_signed_in"], "200 days since creation");
  assert.equal(row("alice@acme.example").flags, ["privileged"], "3 days");
  assert.equal(row("mallory@acme.example").flags, ["idle", "privileged"]);
  assert.equal(row("ghost@acme.example").flags, ["never_signed_in"], "no time to count from: not idle");
  assert.is(summary.idle, 3);
});

test("approved is the blame of the line that keeps the user: a listed user's, a pattern's, a group's; none for the rest", () => {
  const blame: Blame = {
    kind: "blamed",
    lines: new Map([
      [3, approval("a", 42)],
      [4, null],
      [5, approval("c")],
      [8, approval("d", 7)],
      [9, approval("e")],
    ]),
  };
  const { row, summary, notes } = review(manifestOf(MANIFEST), ORG, blame);
  assert.equal(row("alice@acme.example").approved, approval("a", 42));
  assert.is(row("Bob@Acme.example").approved, null, "its line is not committed yet");
  assert.equal(row("bot@partners.example").approved, approval("d", 7), "the protect pattern's line");
  assert.equal(row("ivan@acme.example").approved, approval("e"), "the protected group's line");
  for (const email of ["owner@acme.example", "mallory@acme.example", "ghost@acme.example", "robot@acme.example"])
    assert.is(row(email).approved, null, `${email}: no line keeps it`);
  assert.is(summary.approved, 4);
  assert.equal(notes, [
    "line 4 of users.yaml is not committed yet: approved is null for the users they keep (commit them to record who approved)",
  ]);
});

test("without a blame (outside Git, no git), approved is null for every user and the review says why, once", () => {
  const { rows, notes, summary } = review(manifestOf(MANIFEST), ORG, {
    kind: "none",
    why: "users.yaml is not in a Git work tree",
  });
  assert.ok(rows.every((r) => r.approved === null));
  assert.is(summary.approved, 0);
  assert.equal(notes, ["users.yaml is not in a Git work tree: approved is null for every user"]);
});

const arbitraryUser = fc.record({
  local: fc.constantFrom("ann", "bo", "cy", "dee", "eli", "fay"),
  domain: fc.constantFrom("acme.example", "partners.example"),
  record_type: fc.constantFrom("organization_sub_user", "organization_sub_user", "organization_owner", "bot"),
  groups: fc.option(fc.subarray(["Admins", "Auditors", "Ops"]), { nil: undefined }),
  signedIn: fc.option(fc.integer({ min: 0, max: 900 }), { nil: null }),
});

test("for any organization and manifest: one row a live user, its decision the one judge gives, kept_by null only for a removal", () => {
  fc.assert(
    fc.property(
      fc.array(arbitraryUser, { maxLength: 12 }),
      fc.subarray(["ann", "bo", "cy", "dee"], { minLength: 1 }),
      fc.boolean(),
      fc.boolean(),
      (users, listedNames, protectPattern, protectGroup) => {
        const live = users.map((u, i) =>
          liveUser(String(i), `${u.local}@${u.domain}`, {
            record_type: u.record_type,
            last_sign_in_at: u.signedIn === null ? null : ago(u.signedIn),
            ...(u.groups ? { groups: u.groups.map((name) => ({ id: name, name })) } : {}),
          }),
        );
        const text = [
          "version: 1",
          "users:",
          ...listedNames.map((name) => `  - ${name}@acme.example`),
          ...(protectPattern || protectGroup ? ["protect:"] : []),
          ...(protectPattern ? ['  - "*@partners.example"'] : []),
          ...(protectGroup ? ["  - group: Auditors"] : []),
          "",
        ].join("\n");
        const manifest = manifestOf(text);
        const lines = new Map<number, LineApproval | null>(
          text.split("\n").map((_, i) => [i + 1, i % 3 === 0 ? null : approval(String(i % 10))]),
        );
        const { rows } = review(manifest, live, { kind: "blamed", lines });
        assert.is(rows.length, live.length);
        assert.equal(rows.map((r) => r.id).sort(), live.map((u) => u.id).sort());
        const rules = rulesOf(manifest);
        for (const row of rows as ReviewRow[]) {
          const verdict = judge(live.find((u) => u.id === row.id)!, rules);
          assert.is(row.decision, verdict.kind === "keep" ? "keep" : verdict.kind);
          assert.is(row.kept_by === null, row.decision === "remove");
          const line = row.kept_by && "line" in row.kept_by ? row.kept_by.line : undefined;
          assert.equal(row.approved, line === undefined ? null : (lines.get(line) ?? null));
        }
      },
    ),
    { numRuns: 200 },
  );
});

test.run();
