import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { checkGuards } from "../../src/plan/guards.js";
import { parseSavedPlan } from "../../src/plan/plan-file.js";
import { planRemovals } from "../../src/plan/plan.js";
import {
  checksumOf,
  organizationFingerprint,
  savedPlanText,
  SavedPlanError,
  savedRunText,
  type SavedPlan,
  type SavedRun,
} from "../../src/plan/saved-plan.js";
import { parseSavedRun } from "../../src/plan/load-saved-plan.js";
import { sha256 } from "../../src/core/digest.js";
import { exampleOrg, manifestText } from "../helpers/org.js";

const org = exampleOrg();
const manifest = parseManifest(
  manifestText(
    org.slice(0, 20).map((u) => u.email),
    'protect:\n  - "*@partners.example.com"\nguards:\n  max_removals: 9\n',
  ),
  "users.yaml",
);
const plan = planRemovals(manifest, org);
const saved: SavedPlan = {
  createdAt: "2026-11-28T12:00:00.000Z",
  apiHost: "api.telnyx.com",
  manifest: {
    path: "users.yaml",
    sha256: `sha256:${"ab".repeat(32)}`,
    desiredEmails: manifest.users.map((u) => u.email).sort(),
    protect: manifest.protect,
    protectGroups: [],
    guards: manifest.guards,
  },
  fingerprint: organizationFingerprint(org),
  plan,
  verdict: checkGuards(plan, manifest.guards),
};
const KEY = "KEYtest_plan_seal_0123456789";
const text = savedPlanText(saved, KEY);

/**
 * The saved plan with `edit` applied to its JSON; `reseal` computes the checksum again, as a forger with the key would.
 */
// biome-ignore lint/suspicious/noExplicitAny: a test edits the saved JSON as it likes, to make it wrong
function edited(edit: (doc: Record<string, any>) => void, reseal = true): string {
  const doc = JSON.parse(text);
  edit(doc);
  if (reseal) {
    const { checksum: _old, ...body } = doc;
    doc.checksum = checksumOf(body, KEY);
  }
  return JSON.stringify(doc);
}

function refusal(content: string, file = "plan.json", key = KEY): string {
  try {
    parseSavedPlan(content, file, key);
  } catch (error) {
    assert.instance(error, SavedPlanError);
    return (error as Error).message;
  }
  throw new Error("expected the plan to be refused");
}

test("a saved plan reads back as the same plan, rules, guards and fingerprint", () => {
  assert.equal(parseSavedPlan(text, "plan.json", KEY), saved);
});

test("one loader reads both files 0.1 writes into one list of organizations, and a save writes each file as 0.1 did", () => {
  // One organization: format 3 as it always was, a run of one with no account.
  const one = parseSavedRun(text, "plan.json", KEY);
  assert.equal(one, {
    shape: "organization",
    createdAt: saved.createdAt,
    apiHost: saved.apiHost,
    targets: [{ account: null, saved }],
  });
  assert.is(savedRunText(one, KEY), text, "saved again, byte for byte the file of one organization");
  // Across accounts: the list of accounts, each with its own sealed plan, and the seal over the whole.
  const account = {
    id: "6a09cdc3-8948-47f0-aa62-74ac943d6c58",
    email: "ops@harbor.example",
    organization_name: "Harbor Dental",
  };
  const across: SavedRun = {
    shape: "accounts",
    createdAt: saved.createdAt,
    apiHost: saved.apiHost,
    targets: [
      { account: null, saved },
      { account, saved },
    ],
  };
  const acrossText = savedRunText(across, KEY);
  const doc = JSON.parse(acrossText);
  assert.equal(Object.keys(doc), ["format", "format_version", "created_at", "api_host", "accounts", "checksum"]);
  assert.is(doc.format, "roster-plan-accounts");
  assert.is(doc.format_version, 1);
  assert.equal(doc.accounts[1].plan, JSON.parse(text), "each account's plan is the file of one organization");
  assert.equal(parseSavedRun(acrossText, "plan.json", KEY), across);
  // A run of one account is still across accounts: its outputs name the account.
  const oneAccount: SavedRun = { ...across, targets: [{ account, saved }] };
  assert.equal(parseSavedRun(savedRunText(oneAccount, KEY), "plan.json", KEY).shape, "accounts");
});

test("the file names its format, version, host and manifest, and carries the removal fields the executor and audit need", () => {
  const doc = JSON.parse(text);
  assert.equal(Object.keys(doc), [
    "format",
    "format_version",
    "created_at",
    "api_host",
    "manifest",
    "organization",
    "guard",
    "summary",
    "removals",
    "kept",
    "protected",
    "missing",
    "group_drift",
    "checksum",
  ]);
  assert.is(doc.format, "roster-plan");
  assert.equal(Object.keys(doc.removals[0]), [
    "action",
    "id",
    "email",
    "user_status",
    "last_sign_in_at",
    "groups",
    "record_type",
    "created_at",
    // Added with expires: (why the plan removes the user); plans saved without it still load.
    "reason",
  ]);
  assert.is(doc.format_version, 3);
  assert.equal(
    doc.removals.find((r: { email: string }) => r.email === "Former.Employee@Example.com").groups,
    ["Admins", "Billing"],
    "each removal keeps its groups",
  );
  assert.equal(doc.manifest.guards, { max_removals: 9 });
  assert.equal(doc.organization, { fingerprint: saved.fingerprint, live_count: 30 });
});

test("the fingerprint changes when a user is added, removed or renamed, not when the order or a status changes", () => {
  const base = organizationFingerprint(org);
  assert.is(organizationFingerprint([...org].reverse()), base);
  assert.is(
    organizationFingerprint(org.map((u) => ({ ...u, user_status: "blocked", email: u.email.toUpperCase() }))),
    base,
  );
  assert.is.not(organizationFingerprint(org.slice(1)), base);
  assert.is.not(organizationFingerprint([...org, { ...org[0]!, id: "new" }]), base);
  assert.is.not(
    organizationFingerprint(org.map((u, i) => (i === 3 ? { ...u, email: "renamed@example.com" } : u))),
    base,
  );
});

const ALTERED =
  "plan.json was altered after roster saved it, or made with another API key (its checksum does not match): make the plan again with roster plan --out";

test("a file edited by hand is refused by its checksum", () => {
  assert.is(refusal(edited((doc) => (doc.removals[0].email = "someone.else@example.com"), false)), ALTERED);
});

test("a plan edited and resealed with a plain sha256, as anyone could, is refused", () => {
  const forged = JSON.parse(
    edited((doc) => {
      const { id, email, user_status, last_sign_in_at, groups } = doc.removals.pop();
      doc.kept.push({ id, email, user_status, last_sign_in_at, groups });
    }, false),
  );
  forged.summary = { ...forged.summary, remove: forged.summary.remove - 1, keep: forged.summary.keep + 1 };
  const { checksum: _old, ...body } = forged;
  forged.checksum = `hmac-sha256:${sha256(JSON.stringify(body)).slice("sha256:".length)}`;
  assert.is(refusal(JSON.stringify(forged)), ALTERED);
});

test("a plan made with another API key is refused, and one checked without a key says to set it", () => {
  assert.is(refusal(text, "plan.json", `${KEY}-other`), ALTERED);
  assert.is(
    refusal(text, "plan.json", ""),
    "plan.json cannot be checked without the API key it was made with: TELNYX_API_KEY is not set; export it first",
  );
});

test("the file never holds the key, and its checksum is an HMAC, not the sha256 of its content", () => {
  assert.not.match(text, KEY);
  const { checksum, ...body } = JSON.parse(text);
  assert.match(checksum, /^hmac-sha256:[0-9a-f]{64}$/);
  assert.is.not(checksum.slice("hmac-sha256:".length), sha256(JSON.stringify(body)).slice("sha256:".length));
});

test("a forged plan that would remove a listed user, the owner or a protected user is refused, even with a good checksum", () => {
  assert.match(
    refusal(edited((doc) => (doc.manifest.desired_emails = [...doc.manifest.desired_emails, doc.removals[0].email]))),
    /^plan\.json would remove \S+, who is listed in its manifest: the file was changed by hand/,
  );
  assert.match(
    refusal(edited((doc) => (doc.removals[0].record_type = "organization_owner"))),
    "who is the organization owner",
  );
  assert.match(refusal(edited((doc) => doc.manifest.protect.push(doc.removals[0].email))), "who is protected by ");
});

test("a forged plan whose lists do not match its counts or fingerprint is refused", () => {
  assert.match(
    refusal(edited((doc) => doc.removals.pop())),
    "does not agree with itself: its counts differ from the users it lists",
  );
  assert.match(
    refusal(edited((doc) => (doc.removals[0].id = "00000000-dead-beef-0000-000000000000"))),
    "does not agree with itself: its fingerprint is not that of the users it lists",
  );
  assert.match(refusal(edited((doc) => (doc.kept[0].id = doc.removals[0].id))), "lists a user twice");
  assert.match(
    refusal(edited((doc) => (doc.kept[0].id = doc.removals[0].id.toUpperCase()))),
    "lists a user twice",
    "an id in another letter case is the same user",
  );
});

test("a malformed plan is refused with the place of the problem", () => {
  assert.is(
    refusal(edited((doc) => (doc.removals[1].id = 42))),
    "plan.json is not a valid saved plan: at /removals/1/id, must be string; make the plan again with roster plan --out",
  );
  assert.match(
    refusal(edited((doc) => delete doc.organization)),
    "plan.json is not a valid saved plan: at the top, must have required property 'organization'",
  );
  assert.match(
    refusal(edited((doc) => (doc.manifest.guards.max_removal_percent = 101))),
    "at /manifest/guards/max_removal_percent, must be <= 100",
  );
});

test("a file that is not a saved plan says what it is and what to do", () => {
  assert.is(refusal(text.slice(0, 200)), "plan.json is not a saved plan: it is not JSON");
  assert.is(
    refusal("version: 1\nusers: []\n", "users.yaml"),
    "users.yaml is not a saved plan: it is not JSON; to apply a manifest, run roster apply -f users.yaml",
  );
  assert.is(
    refusal(JSON.stringify({ format_version: 1, summary: {}, changes: [] })),
    "plan.json is the output of roster plan --format json, which is for reading, not applying: save a plan with roster plan --out FILE",
  );
  assert.is(refusal("[]"), "plan.json is not a plan saved by roster plan --out");
  assert.is(
    refusal(edited((doc) => (doc.format_version = 4))),
    "plan.json has plan format version 4; this roster reads version 3: make the plan again with this roster",
  );
  assert.is(
    refusal(edited((doc) => (doc.format_version = 2))),
    "plan.json was saved by an older roster (plan format version 2, which does not keep users' groups): make the plan again with roster plan --out",
  );
  assert.is(
    refusal(edited((doc) => (doc.format_version = 1))),
    "plan.json was saved by an older roster (plan format version 1, whose checksum anyone could compute again): make the plan again with roster plan --out",
  );
});

test.run();
