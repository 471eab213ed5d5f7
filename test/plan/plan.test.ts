import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { checkGuards } from "../../src/plan/guards.js";
import { planRemovals } from "../../src/plan/plan.js";
import type { OrganizationUser } from "../../src/core/organization-user.js";
import { liveUser, makeOrg, manifestText } from "../helpers/org.js";

const user = (id: string, email: string, extra: Partial<OrganizationUser> = {}) =>
  liveUser(id, email, { created_at: "2025-01-01T00:00:00Z", ...extra });

const live = [
  user("1", "owner@example.com", { record_type: "organization_owner" }),
  user("2", "Alice@Example.com"),
  user("3", "zed@example.com", { user_status: "disabled", last_sign_in_at: "2026-01-02T03:04:05Z" }),
  user("4", "bot@partners.example.com"),
  user("5", "bob@example.com", { user_status: "blocked" }),
];
const manifest = parseManifest(
  manifestText(["alice@example.com", "carol@example.com"], 'protect:\n  - "*@PARTNERS.example.com"\n'),
  "users.yaml",
);

test("users the manifest lists are kept, in any letter case", () => {
  const plan = planRemovals(manifest, live);
  assert.is(plan.summary.keep, 1);
  assert.not.ok(plan.removals.some((c) => c.email === "alice@example.com"));
});

test("the owner and users matching a protect pattern are protected, with their reason", () => {
  const plan = planRemovals(manifest, live);
  assert.equal(plan.protected, [
    {
      id: "4",
      email: "bot@partners.example.com",
      user_status: "enabled",
      last_sign_in_at: null,
      groups: null,
      reason: "pattern",
      pattern: "*@PARTNERS.example.com",
    },
    {
      id: "1",
      email: "owner@example.com",
      user_status: "enabled",
      last_sign_in_at: null,
      groups: null,
      reason: "owner",
    },
  ]);
});

test("everyone else is removed, sorted by email, with status and last sign-in", () => {
  const plan = planRemovals(manifest, live);
  assert.equal(
    plan.removals.map((c) => [c.action, c.id, c.email, c.user_status, c.last_sign_in_at]),
    [
      ["remove", "5", "bob@example.com", "blocked", null],
      ["remove", "3", "zed@example.com", "disabled", "2026-01-02T03:04:05Z"],
    ],
  );
  assert.equal(plan.summary, { remove: 2, keep: 1, protected: 2, missing: 1, group_drift: 0 });
});

test("manifest users absent from the organization are reported missing, not changed", () => {
  const plan = planRemovals(manifest, live);
  assert.equal(plan.missing, [{ email: "carol@example.com", line: 4, col: 5 }]);
});

test("the users the manifest lists are kept in the plan, so the plan holds the whole live roster", () => {
  const plan = planRemovals(manifest, live);
  assert.equal(plan.kept, [
    { id: "2", email: "Alice@Example.com", user_status: "enabled", last_sign_in_at: null, groups: null },
  ]);
  assert.is(plan.kept.length + plan.protected.length + plan.removals.length, plan.liveCount);
});

test("an owner the manifest lists is simply kept", () => {
  const plan = planRemovals(parseManifest(manifestText(["owner@example.com"]), "u.yaml"), live.slice(0, 1));
  assert.equal(plan.summary, { remove: 0, keep: 1, protected: 0, missing: 0, group_drift: 0 });
});

test("a protect pattern matches whole emails only, with ? as one character", () => {
  const m = parseManifest(manifestText(["a@example.com"], 'protect:\n  - "svc-?@example.com"\n'), "u.yaml");
  const plan = planRemovals(m, [
    user("1", "svc-1@example.com"),
    user("2", "svc-12@example.com"),
    user("3", "xsvc-1@example.com"),
  ]);
  assert.equal(
    plan.protected.map((p) => p.email),
    ["svc-1@example.com"],
  );
  assert.equal(
    plan.removals.map((c) => c.email),
    ["svc-12@example.com", "xsvc-1@example.com"],
  );
});

test("the plan is the same whatever order the API lists users in", () => {
  const org = makeOrg(60);
  const m = parseManifest(manifestText(org.slice(0, 40).map((u) => u.email)), "u.yaml");
  assert.equal(planRemovals(m, org), planRemovals(m, [...org].reverse()));
});

test("by default a plan removing more than 25% of 10 or more users is refused, with the numbers", () => {
  const org = makeOrg(40);
  const m = parseManifest(manifestText(org.slice(0, 28).map((u) => u.email)), "u.yaml");
  const verdict = checkGuards(planRemovals(m, org), {});
  assert.is(verdict.allowed, false);
  assert.is(
    verdict.message,
    "would remove 12 of 40 users (30.0%), over the 25% guard: review the plan, then raise guards.max_removal_percent or pass --force",
  );
});

test("the default percent guard does not apply below 10 users; an explicit one does", () => {
  const org = makeOrg(9);
  const m = parseManifest(manifestText(org.slice(0, 2).map((u) => u.email)), "u.yaml");
  const plan = planRemovals(m, org);
  assert.is(checkGuards(plan, {}).allowed, true);
  assert.is(checkGuards(plan, { maxRemovalPercent: 50 }).allowed, false);
});

test("the count guard trips above its number, and --force lifts both guards", () => {
  const org = makeOrg(20);
  const m = parseManifest(manifestText(org.slice(0, 17).map((u) => u.email)), "u.yaml");
  const plan = planRemovals(m, org);
  const refused = checkGuards(plan, { maxRemovals: 2 });
  assert.is(refused.allowed, false);
  assert.is(refused.guard, "max_removals");
  assert.match(refused.message, "would remove 3 of 20 users (15.0%), over the max_removals guard of 2");
  const forced = checkGuards(plan, { maxRemovals: 2, force: true });
  assert.is(forced.allowed, true);
  assert.is(forced.forced, true);
});

test.run();
