import { test } from "uvu";
import * as assert from "uvu/assert";
import { scanPlainManifest } from "../../src/manifest/fast-scan.js";
import { parseManifest, parseManifestWithYaml } from "../../src/manifest/parse-manifest.js";
import { problems } from "../helpers/manifest.js";

const HEAD = "version: 1\nusers:\n  - a@example.com\n";
const NAMED = "must be named by non-empty text as the Telnyx portal shows it, such as Admins";

test("a protect entry { group: NAME } is read with the name trimmed and its place", () => {
  const manifest = parseManifest(
    `${HEAD}protect:\n  - "*@partners.example.com"\n  - group: Admins\n  - group: "  Billing  "\n`,
    "users.yaml",
  );
  assert.equal(manifest.protect, ["*@partners.example.com"]);
  assert.equal(manifest.protectGroups, [
    { name: "Admins", position: { line: 6, col: 12 } },
    { name: "Billing", position: { line: 7, col: 12 } },
  ]);
});

test("both manifest readers give the same manifest for - group: entries", () => {
  const text = `# reviewed\n${HEAD}protect:\n  - "*@partners.example.com"   # partners\n  - group: Admins   # never remove an admin\n  - group: "Billing team"\n`;
  assert.ok(scanPlainManifest(text), "the fast reader reads it");
  assert.equal(parseManifest(text, "users.yaml"), parseManifestWithYaml(text, "users.yaml"));
  assert.equal(
    parseManifestWithYaml(text, "users.yaml").protectGroups.map((g) => g.name),
    ["Admins", "Billing team"],
  );
});

test("both readers give the same manifest for users' groups and the groups guard, which the yaml reader reads", () => {
  const text = `version: 1\nusers:\n  - email: a@example.com\n    groups: [Support, " Admins "]\n  - b@example.com\nguards:\n  require_force_for_groups: [Admins]\n`;
  const manifest = parseManifest(text, "users.yaml");
  assert.equal(manifest, parseManifestWithYaml(text, "users.yaml"));
  assert.equal(manifest.users[0]!.groups, ["Support", "Admins"]);
  assert.is(manifest.users[1]!.groups, undefined, "a user that says nothing of groups");
  assert.equal(manifest.guards, { requireForceForGroups: ["Admins"] });
});

test("a blank or non-text protected group is an error at its value", () => {
  assert.equal(problems(`${HEAD}protect:\n  - group: ""\n`), [
    `users.yaml:5:12: a protected group ${NAMED}, found the text ""`,
  ]);
  assert.equal(problems(`${HEAD}protect:\n  - group: "   "\n`), [
    `users.yaml:5:12: a protected group ${NAMED}, found the text "   "`,
  ]);
  assert.equal(problems(`${HEAD}protect:\n  - group: [Admins]\n`), [
    `users.yaml:5:12: a protected group ${NAMED}, found a list`,
  ]);
});

test("a protect mapping without group, or with another key, is an error at the entry or the key", () => {
  assert.equal(problems(`${HEAD}protect:\n  - {}\n`), [
    "users.yaml:5:5: a protect entry written as a mapping names a group: { group: Admins }",
  ]);
  assert.equal(problems(`${HEAD}protect:\n  - grup: Admins\n`), [
    "users.yaml:5:5: a protect entry written as a mapping names a group: { group: Admins }",
    'users.yaml:5:5: unknown key "grup" in a protect entry: the keys allowed are group',
  ]);
  assert.equal(problems(`${HEAD}protect:\n  - group: Admins\n    role: x\n`), [
    'users.yaml:6:5: unknown key "role" in a protect entry: the keys allowed are group',
  ]);
});

test("a user's groups must be a list of non-blank names", () => {
  assert.equal(problems("version: 1\nusers:\n  - email: a@example.com\n    groups: Support\n"), [
    'users.yaml:4:13: "groups" must be a list of group names such as [Support], found the text "Support"',
  ]);
  assert.equal(problems('version: 1\nusers:\n  - email: a@example.com\n    groups: [Support, "", 3]\n'), [
    `users.yaml:4:23: a group ${NAMED}, found the text ""`,
    `users.yaml:4:27: a group ${NAMED}, found the number 3`,
  ]);
});

test("require_force_for_groups must be a list of non-blank names", () => {
  assert.equal(problems(`${HEAD}guards:\n  require_force_for_groups: Admins\n`), [
    'users.yaml:5:29: require_force_for_groups must be a list of group names such as [Admins], found the text "Admins"',
  ]);
  assert.equal(problems(`${HEAD}guards:\n  require_force_for_groups: [" "]\n`), [
    `users.yaml:5:30: a group ${NAMED}, found the text " "`,
  ]);
});

test.run();
