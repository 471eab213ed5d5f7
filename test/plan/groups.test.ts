import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertPlanRemovable, UnsafeRemovalError } from "../../src/apply/apply-plan.js";
import type { OrganizationUser } from "../../src/core/organization-user.js";
import type { GuardSettings } from "../../src/manifest/manifest.js";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { checkGuards } from "../../src/plan/guards.js";
import { planRemovals, type Plan } from "../../src/plan/plan.js";
import { prepareFromSavedPlan } from "../../src/plan/prepare.js";
import { judge, rulesOf } from "../../src/plan/rules.js";
import { organizationFingerprint, SavedPlanError, type SavedPlan } from "../../src/plan/saved-plan.js";
import { liveUser, manifestText } from "../helpers/org.js";

/** A live user in these groups, as the groups report gives them. */
const member = (id: string, email: string, groups: string[], extra: Partial<OrganizationUser> = {}) =>
  liveUser(id, email, { groups: groups.map((name, i) => ({ id: `g-${i}-${name}`, name })), ...extra });

const live = [
  member("1", "owner@example.com", ["Admins"], { record_type: "organization_owner" }),
  member("2", "alice@example.com", ["Admins", "Engineering"]),
  member("3", "root@example.com", ["Admins"]),
  member("4", "bill@example.com", ["Billing"]),
  member("5", "sue@example.com", ["Support"]),
  member("6", "nobody@example.com", []),
  member("7", "bot@partners.example.com", ["Admins"]),
];
const manifestOf = (extra: string, emails = ["alice@example.com"]) =>
  parseManifest(manifestText(emails, extra), "users.yaml");

test("a member of a protected group is protected with the group's name; the others are removed", () => {
  const plan = planRemovals(manifestOf("protect:\n  - group: Admins\n"), live);
  assert.equal(
    plan.protected.map((p) => [p.email, p.reason, p.group ?? null, p.groups]),
    [
      ["bot@partners.example.com", "group", "Admins", ["Admins"]],
      ["owner@example.com", "owner", null, ["Admins"]],
      ["root@example.com", "group", "Admins", ["Admins"]],
    ],
  );
  assert.equal(
    plan.removals.map((r) => [r.email, r.groups]),
    [
      ["bill@example.com", ["Billing"]],
      ["nobody@example.com", []],
      ["sue@example.com", ["Support"]],
    ],
  );
  assert.equal(
    plan.kept.map((k) => [k.email, k.groups]),
    [["alice@example.com", ["Admins", "Engineering"]]],
    "a listed member stays listed, not protected",
  );
});

test("a protect pattern is named before a group, and the owner before both", () => {
  const plan = planRemovals(manifestOf('protect:\n  - group: Admins\n  - "*@partners.example.com"\n'), live);
  assert.equal(plan.protected.find((p) => p.email === "bot@partners.example.com")?.reason, "pattern");
  assert.equal(plan.protected.find((p) => p.email === "owner@example.com")?.reason, "owner");
});

test("group names compare exactly after trimming: spaces around do not matter, letter case does", () => {
  const trimmed = planRemovals(manifestOf('protect:\n  - group: "  Admins "\n'), [
    member("3", "root@example.com", [" Admins\t"]),
  ]);
  assert.equal(
    trimmed.protected.map((p) => [p.reason, p.group]),
    [["group", "Admins"]],
  );
  const lower = planRemovals(manifestOf("protect:\n  - group: admins\n"), [
    member("3", "root@example.com", ["Admins"]),
  ]);
  assert.equal(
    lower.removals.map((r) => r.email),
    ["root@example.com"],
  );
  assert.equal(
    lower.unusedGroups,
    [{ group: "admins", line: 5, col: 12 }],
    "and the group nobody is in is warned about",
  );
});

test("a user whose groups the API did not give is protected only when the manifest protects groups", () => {
  const unknown = liveUser("8", "who@example.com");
  assert.equal(judge(unknown, rulesOf(manifestOf("protect:\n  - group: Admins\n"))), {
    kind: "protected",
    reason: "groups_unknown",
  });
  assert.equal(judge(unknown, rulesOf(manifestOf(""))), { kind: "remove" });
  assert.equal(judge({ ...unknown, groups: null }, rulesOf(manifestOf("protect:\n  - group: Admins\n"))), {
    kind: "protected",
    reason: "groups_unknown",
  });
  const plan = planRemovals(manifestOf("protect:\n  - group: Admins\n"), [unknown]);
  assert.equal(
    plan.protected.map((p) => [p.email, p.reason, p.groups]),
    [["who@example.com", "groups_unknown", null]],
  );
});

test("a protected group no user is in is a warning with its place, not an error; one in use is not warned about", () => {
  const plan = planRemovals(manifestOf("protect:\n  - group: Admins\n  - group: Admns\n"), live);
  assert.equal(plan.unusedGroups, [{ group: "Admns", line: 6, col: 12 }]);
  assert.is(planRemovals(manifestOf("protect:\n  - group: Admins\n"), live).unusedGroups, undefined);
});

test("group drift: a listed user whose live groups differ is reported, in any order and with repeats ignored", () => {
  const text =
    "version: 1\nusers:\n" +
    "  - email: alice@example.com\n    groups: [Engineering, Admins, Admins]\n" + // the same set: no drift
    "  - email: bill@example.com\n    groups: [Support]\n" + // drift
    "  - email: nobody@example.com\n    groups: []\n" + // in no group, as the manifest says
    "  - email: sue@example.com\n    groups: []\n" + // in Support, the manifest says none
    "  - root@example.com\n"; // says nothing of groups: never drift
  const plan = planRemovals(parseManifest(text, "users.yaml"), live);
  assert.equal(plan.groupDrift, [
    { email: "bill@example.com", live: ["Billing"], manifest: ["Support"], line: 5 },
    { email: "sue@example.com", live: ["Support"], manifest: [], line: 9 },
  ]);
  assert.is(plan.summary.group_drift, 2);
  assert.equal(
    plan.removals.map((r) => r.email),
    ["bot@partners.example.com"],
    "drift changes nothing: only the unlisted user is removed",
  );
  assert.equal(
    plan.kept.map((k) => k.email),
    ["alice@example.com", "bill@example.com", "nobody@example.com", "root@example.com", "sue@example.com"],
  );
});

test("group drift is not guessed for a user whose groups the API did not give", () => {
  const plan = planRemovals(
    parseManifest("version: 1\nusers:\n  - email: who@example.com\n    groups: [Support]\n", "u.yaml"),
    [liveUser("8", "who@example.com")],
  );
  assert.equal(plan.groupDrift, []);
});

test("require_force_for_groups refuses a plan removing a member, naming each such user with its guarded groups", () => {
  const plan = planRemovals(
    manifestOf("", ["owner@example.com", "alice@example.com", "nobody@example.com", "bot@partners.example.com"]),
    live,
  );
  const verdict = checkGuards(plan, { requireForceForGroups: ["Admins", "Billing"] });
  assert.equal(verdict, {
    allowed: false,
    forced: false,
    guard: "require_force_for_groups",
    message:
      "would remove 2 members of Admins, Billing, listed in require_force_for_groups: bill@example.com (Billing), root@example.com (Admins); review the plan, then pass --force",
  });
  const forced = checkGuards(plan, { requireForceForGroups: ["Admins", "Billing"], force: true });
  assert.equal([forced.allowed, forced.forced, forced.guard], [true, true, "require_force_for_groups"]);
  // Lifted: the finding, and who lifted it; no advice to pass the --force that was passed.
  assert.is(
    forced.message,
    "would remove 2 members of Admins, Billing, listed in require_force_for_groups: bill@example.com (Billing), root@example.com (Admins); lifted by --force",
  );
  assert.is(
    checkGuards(plan, { requireForceForGroups: ["Engineering"] }).allowed,
    true,
    "no member of Engineering is removed",
  );
});

test("the groups guard counts a removal whose groups are unknown, names at most 5 users, and comes before the count guards", () => {
  const many = Array.from({ length: 7 }, (_, i) => member(String(10 + i), `admin${i}@example.com`, ["Admins"]));
  const plan = planRemovals(manifestOf("", ["owner@example.com"]), [
    member("1", "owner@example.com", [], { record_type: "organization_owner" }),
    ...many,
    liveUser("99", "who@example.com"),
  ]);
  const verdict = checkGuards(plan, { requireForceForGroups: ["Admins"], maxRemovals: 1 });
  assert.is(verdict.guard, "require_force_for_groups");
  assert.is(
    verdict.message,
    "would remove 8 members of Admins, listed in require_force_for_groups: admin0@example.com (Admins), admin1@example.com (Admins), admin2@example.com (Admins), admin3@example.com (Admins), admin4@example.com (Admins) and 3 more; review the plan, then pass --force",
  );
  assert.match(
    checkGuards(plan, { requireForceForGroups: ["Admins"], maxRemovals: 1, force: true }).message,
    "lifted by --force",
  );
});

test("a guarded group name with control characters is shown escaped in the verdict", () => {
  const plan = planRemovals(manifestOf(""), [member("2", "x@example.com", ["Ad\u001b[2Jmins\u202e"])]);
  const verdict = checkGuards(plan, { requireForceForGroups: ["Ad\u001b[2Jmins\u202e"] });
  assert.is(verdict.allowed, false);
  assert.not.match(verdict.message, /[\u001b\u202e]/);
  assert.match(verdict.message, "x@example.com (Ad\\u001b[2Jmins\\u202e)");
});

/** A saved plan of `plan` made against `users`, listing alice, with these protected groups and guards. */
function savedOf(
  plan: Plan,
  users: OrganizationUser[],
  protectGroups: string[],
  guards: GuardSettings = {},
): SavedPlan {
  return {
    createdAt: "2026-11-28T12:00:00.000Z",
    apiHost: "api.telnyx.com",
    manifest: {
      path: "users.yaml",
      sha256: `sha256:${"ab".repeat(32)}`,
      desiredEmails: ["alice@example.com"],
      protect: [],
      protectGroups,
      guards,
    },
    fingerprint: organizationFingerprint(users),
    plan,
    verdict: checkGuards(plan, guards),
  };
}

test("a saved plan's removal of a user who joined a protected group since is refused before anything is sent", async () => {
  const manifest = manifestOf("protect:\n  - group: Admins\n");
  const plan = planRemovals(manifest, live);
  const saved = savedOf(plan, live, ["Admins"]);
  const unchanged = await prepareFromSavedPlan(saved, live, "api.telnyx.com", {});
  assert.not.throws(() => assertPlanRemovable(unchanged.plan, unchanged.rules));
  const moved = live.map((u) => (u.email === "sue@example.com" ? member(u.id, u.email, ["Support", "Admins"]) : u));
  const prepared = await prepareFromSavedPlan(saved, moved, "api.telnyx.com", {});
  assert.equal(
    prepared.plan.removals.find((r) => r.email === "sue@example.com")?.groups,
    ["Support", "Admins"],
    "the groups as planned and as they are now",
  );
  try {
    assertPlanRemovable(prepared.plan, prepared.rules);
    assert.unreachable("the removal should be refused");
  } catch (error) {
    assert.instance(error, UnsafeRemovalError);
    assert.match((error as Error).message, 'in the protected group "Admins"');
  }
});

test("a saved plan whose protected group matches a live group only as a look-alike is refused whole, with no made-up line", async () => {
  const manifest = manifestOf("");
  const plan = planRemovals(manifest, live);
  const saved = savedOf(plan, live, ["\u0391dmins"]);
  try {
    await prepareFromSavedPlan(saved, live, "api.telnyx.com", {});
    assert.unreachable("the plan should be refused");
  } catch (error) {
    assert.instance(error, SavedPlanError);
    const message = (error as Error).message;
    assert.match(message, 'protected group "\u0391dmins" is no group of the organization, but it looks like "Admins"');
    assert.not.match(message, "users.yaml:", "no position the saved plan does not have");
  }
});

test("a saved plan's removal of a user who joined a guarded group since trips the guard again", async () => {
  const manifest = manifestOf("");
  const plan = planRemovals(manifest, live.slice(0, 2).concat(live[4]!));
  const saved = savedOf(plan, live.slice(0, 2).concat(live[4]!), [], { requireForceForGroups: ["Admins"] });
  assert.is(saved.verdict.allowed, true);
  const moved = [live[0]!, live[1]!, member("5", "sue@example.com", ["Admins"])];
  const verdict = (await prepareFromSavedPlan(saved, moved, "api.telnyx.com", {})).verdict;
  assert.is(verdict.allowed, false);
  assert.match(verdict.message, "sue@example.com (Admins)");
});

test.run();
