import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { utcToday } from "../../src/plan/lifecycle.js";
import { planRemovals } from "../../src/plan/plan.js";
import { judge, rulesOf } from "../../src/plan/rules.js";
import { planJson } from "../../src/render/plan-json.js";
import { liveUser } from "../helpers/org.js";
import { generateManagedAccounts } from "../../src/sandbox/generate.js";
import { parseSavedPlan } from "../../src/plan/plan-file.js";
import { prepareFromSavedPlan } from "../../src/plan/prepare.js";
import {
  checksumOf,
  desiredExpiresOf,
  organizationFingerprint,
  savedPlanText,
  type SavedPlan,
} from "../../src/plan/saved-plan.js";

const KEY = "test-key";

// Dates relative to the real clock: yesterday, today, in 5, 14 and 15 days.
const now = new Date();
const today = utcToday(now);
const day = (offset: number) => utcToday(new Date(now.getTime() + offset * 86_400_000));
const ago = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();
const clock = { today, now };
const VERDICT = { allowed: true, forced: false, message: "within the guards" };

const owner = liveUser("0", "owner@example.com", { record_type: "organization_owner", last_sign_in_at: ago(1) });
const org = [
  owner,
  liveUser("1", "gone@example.com", { last_sign_in_at: ago(2) }),
  liveUser("2", "today@example.com", { last_sign_in_at: ago(2) }),
  liveUser("3", "soon@example.com", { last_sign_in_at: ago(2) }),
  liveUser("4", "fortnight@example.com", { last_sign_in_at: ago(2) }),
  liveUser("5", "later@example.com", { last_sign_in_at: ago(2) }),
  liveUser("6", "svc-bot@example.com", { last_sign_in_at: ago(200) }),
  liveUser("7", "stray@example.com", { last_sign_in_at: ago(2) }),
  liveUser("8", "asleep@example.com", { last_sign_in_at: ago(120) }),
  liveUser("9", "newcomer@example.com", { last_sign_in_at: null, created_at: ago(100) }),
];
const text = [
  "version: 1",
  "users:",
  `  - email: owner@example.com\n    expires: ${day(-30)}`,
  `  - email: gone@example.com\n    expires: ${day(-1)}`,
  `  - email: today@example.com\n    expires: ${today}`,
  `  - email: soon@example.com\n    expires: ${day(5)}`,
  `  - email: fortnight@example.com\n    expires: ${day(14)}`,
  `  - email: later@example.com\n    expires: ${day(15)}`,
  `  - email: svc-bot@example.com\n    expires: ${day(-3)}`,
  "  - asleep@example.com",
  "  - newcomer@example.com",
  "protect:",
  '  - "svc-*@example.com"',
  "policy:",
  "  inactive_after_days: 90",
  "",
].join("\n");
const manifest = parseManifest(text, "users.yaml");
const plan = planRemovals(manifest, org, clock);

test("a user listed with yesterday's date is removed with reason expired; one not listed, with not_in_manifest", () => {
  const doc = planJson(plan, VERDICT);
  assert.equal(
    doc.changes.map((c) => [c.email, c.reason, "expires" in c ? c.expires : undefined]),
    [
      ["gone@example.com", "expired", day(-1)],
      ["stray@example.com", "not_in_manifest", undefined],
    ],
  );
});

test("users whose last day is within 14 days, today included, are expiring soon and kept; 15 days ahead is not", () => {
  assert.equal(planJson(plan, VERDICT).expiring, [
    { email: "fortnight@example.com", expires: day(14), days_left: 14 },
    { email: "soon@example.com", expires: day(5), days_left: 5 },
    { email: "today@example.com", expires: today, days_left: 0 },
  ]);
  const kept = plan.kept.map((u) => u.email);
  for (const email of ["today@example.com", "soon@example.com", "fortnight@example.com", "later@example.com"])
    assert.ok(kept.includes(email), email);
});

test("policy.warn_before_expiry_days moves the line of expiring soon", () => {
  const narrow = parseManifest(text.replace("policy:\n", "policy:\n  warn_before_expiry_days: 5\n"), "users.yaml");
  assert.equal(
    planRemovals(narrow, org, clock).expiring.map((e) => e.email),
    ["soon@example.com", "today@example.com"],
  );
});

test("an owner or a protected user past its date is kept, with a warning that the date cannot be enforced", () => {
  const doc = planJson(plan, VERDICT);
  assert.equal(
    doc.protected.map((p) => [p.email, p.reason, "expires" in p ? p.expires : undefined]),
    [
      ["owner@example.com", "owner", day(-30)],
      ["svc-bot@example.com", "pattern", day(-3)],
    ],
  );
  const warnings = doc.warnings.filter((w) => w.kind === "expiry_not_enforced");
  assert.equal(
    warnings.map((w) => [(w as { email?: string }).email, w.expires]),
    [
      ["owner@example.com", day(-30)],
      ["svc-bot@example.com", day(-3)],
    ],
  );
  assert.match(
    warnings[1]!.message,
    `was listed until ${day(-3)}, which has passed, but is kept (matches svc-*@example.com)`,
  );
});

test("users who stay and have not signed in for inactive_after_days are listed as idle, never removed", () => {
  assert.equal(planJson(plan, VERDICT).idle, [
    { email: "asleep@example.com", last_sign_in_at: org[8]!.last_sign_in_at, idle_days: 120 },
    { email: "newcomer@example.com", last_sign_in_at: null, idle_days: 100 },
    { email: "svc-bot@example.com", last_sign_in_at: org[6]!.last_sign_in_at, idle_days: 200 },
  ]);
  assert.equal(plan.summary.remove, 2, "idle users are a report");
  const quiet = parseManifest(text.replace("policy:\n  inactive_after_days: 90\n", ""), "users.yaml");
  assert.equal(planRemovals(quiet, org, clock).idle, [], "no idle report without the policy");
});

test("a plan without expires: or policy: has no expiring or idle keys in JSON", () => {
  const plain = parseManifest("version: 1\nusers:\n  - soon@example.com\n", "users.yaml");
  const doc = planJson(planRemovals(plain, org), VERDICT);
  assert.not.ok("expiring" in doc);
  assert.not.ok("idle" in doc);
});

test("judge keeps a listed user up to its last day, and from the day after judges it as if not listed", () => {
  const rules = (on: string) => rulesOf(manifest, on);
  const user = org[3]!; // soon@example.com, last day in 5 days
  assert.is(judge(user, rules(day(5))).kind, "keep");
  assert.is(judge(user, rules(day(6))).kind, "remove");
  assert.is(judge(owner, rules(day(6))).kind, "protected", "the owner is protected whatever its date");
  assert.throws(() => rulesOf(manifest), /need the day/, "a manifest with expires: is never judged without a day");
});

test("whatever the dates, a listed user is removed only once its last day has passed, and protection always wins", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: -400, max: 400 }),
      fc.integer({ min: 0, max: 60 }),
      fc.constantFrom("organization_sub_user", "organization_owner"),
      fc.boolean(),
      (offset, warn, recordType, patterned) => {
        const email = patterned ? "svc-x@example.com" : "x@example.com";
        const m = parseManifest(
          `version: 1\nusers:\n  - email: ${email}\n    expires: ${day(offset)}\nprotect:\n  - "svc-*@example.com"\npolicy:\n  warn_before_expiry_days: ${warn}\n`,
          "users.yaml",
        );
        const p = planRemovals(m, [liveUser("1", email, { record_type: recordType })], clock);
        const removable = offset < 0 && recordType === "organization_sub_user" && !patterned;
        assert.is(p.removals.length, removable ? 1 : 0);
        assert.is(p.expiring.length, offset >= 0 && offset <= warn ? 1 : 0);
        if (removable) assert.equal([p.removals[0]!.reason, p.removals[0]!.expires], ["expired", day(offset)]);
        if (offset < 0 && !removable) assert.is(p.protected[0]!.expires, day(offset));
      },
    ),
    { numRuns: 200 },
  );
});

/** The plan above, saved as `plan --out` saves it, made `madeAt`. */
function savedOf(madeAt: Date): SavedPlan {
  return {
    createdAt: madeAt.toISOString(),
    apiHost: "api.telnyx.com",
    manifest: {
      path: "users.yaml",
      sha256: `sha256:${"ab".repeat(32)}`,
      desiredEmails: manifest.users.map((u) => u.email).sort(),
      ...(desiredExpiresOf(manifest.users) ? { desiredExpires: desiredExpiresOf(manifest.users)! } : {}),
      protect: manifest.protect,
      protectGroups: [],
      guards: {},
    },
    fingerprint: organizationFingerprint(org),
    plan,
    verdict: VERDICT,
  };
}

test("a saved plan keeps the dates and the reasons, and reads back as it was made (the day's reports are not kept)", () => {
  const text = savedPlanText(savedOf(now), KEY);
  const read = parseSavedPlan(text, "plan.json", KEY);
  assert.equal(read.manifest.desiredExpires, desiredExpiresOf(manifest.users));
  assert.equal(read.plan.removals, plan.removals);
  assert.equal(read.plan.protected, plan.protected, "with the passed dates the protection kept");
  assert.equal([read.plan.expiring, read.plan.idle], [[], []]);
});

test("a plan saved by roster 0.1 (no reasons, no dates, no sections) still loads: its removals are not_in_manifest", () => {
  const plain = parseManifest("version: 1\nusers:\n  - soon@example.com\n  - owner@example.com\n", "users.yaml");
  const old = planRemovals(plain, org);
  const { checksum: _, ...body } = JSON.parse(
    savedPlanText(
      {
        ...savedOf(now),
        manifest: { ...savedOf(now).manifest, desiredEmails: plain.users.map((u) => u.email), protect: [] },
        plan: old,
      },
      KEY,
    ),
  );
  body.manifest.desired_expires = undefined;
  for (const removal of body.removals) delete removal.reason;
  const text = JSON.stringify({ ...body, checksum: checksumOf(JSON.parse(JSON.stringify(body)), KEY) });
  const read = parseSavedPlan(text, "plan.json", KEY);
  assert.is(read.plan.removals.length, old.removals.length);
  assert.equal(read.plan.expiring, []);
  assert.equal(read.plan.idle, []);
  const doc = planJson(read.plan, VERDICT);
  assert.ok(doc.changes.every((c) => c.reason === "not_in_manifest"));
});

test("apply PLAN judges the saved dates on the day of apply: a user active at plan time is removable once expired", async () => {
  const read = parseSavedPlan(savedPlanText(savedOf(now), KEY), "plan.json", KEY);
  const soon = org[3]!; // last day in 5 days
  const onDay = async (offset: number) =>
    (await prepareFromSavedPlan(read, org, "api.telnyx.com", {}, { today: day(offset) })).rules;
  assert.is(judge(soon, await onDay(0)).kind, "keep");
  assert.is(judge(soon, await onDay(6)).kind, "remove", "the executor's rules judge expiry on the day of apply");
  assert.is(judge(org[1]!, await onDay(0)).kind, "remove", "a user removed as expired stays removable");
  assert.is(judge(owner, await onDay(6)).kind, "protected");
  // The saved removals are exactly those planned: soon@ is not among them, whatever the day.
  const prepared = await prepareFromSavedPlan(read, org, "api.telnyx.com", {}, { today: day(6) });
  assert.equal(
    prepared.plan.removals.map((r) => r.email),
    ["gone@example.com", "stray@example.com"],
  );
});

test("the sandbox's generated users include some never signed in and some idle for a year, listed under a 90-day policy", () => {
  const users = generateManagedAccounts(6, 1).flatMap((account) => account.users);
  const signIns = users.map((u) => u.last_sign_in_at ?? null);
  assert.ok(signIns.some((at) => at === null));
  assert.ok(signIns.some((at) => at?.startsWith("2025-")));
  assert.ok(signIns.some((at) => at?.startsWith("2026-11-")));
  const everyone = parseManifest(
    `version: 1\nusers:\n${users.map((u) => `  - ${u.email}\n`).join("")}policy:\n  inactive_after_days: 90\n`,
    "users.yaml",
  );
  const idle = planRemovals(everyone, users, clock).idle;
  assert.ok(idle.length > 0, "some generated users are idle");
});

test.run();
