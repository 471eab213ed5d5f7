import { test } from "uvu";
import * as assert from "uvu/assert";
import type { OrganizationUser } from "../../src/core/organization-user.js";
import { jsonText } from "../../src/core/safe-text.js";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { checkGuards } from "../../src/plan/guards.js";
import { planRemovals } from "../../src/plan/plan.js";
import { renderPlanToString } from "../../src/render/ink/render-plan.js";
import { linesToText } from "../../src/render/lines.js";
import { planDiff } from "../../src/render/plan-diff.js";
import { planJson } from "../../src/render/plan-json.js";
import { planLines } from "../../src/render/plan-lines.js";
import { planMarkdown } from "../../src/render/plan-markdown.js";
import { liveUser } from "../helpers/org.js";

const inGroups = (id: string, email: string, names: string[]): OrganizationUser =>
  liveUser(id, email, { groups: names.map((name, i) => ({ id: `${id}-${i}`, name })) });

const CONTROL = "Ad\u001b[2J\u0007mins";
const BIDI = "Bil\u202eling\u2066";
const BIDI_TOO = "Sup\u2067port\u200f";
const LONG = `L${"o".repeat(9_998)}ng`;
const MANY = Array.from({ length: 300 }, (_, i) => `Team ${String(i + 1).padStart(3, "0")}`);
const live = [
  liveUser("1", "owner@example.com", { record_type: "organization_owner", groups: [] }),
  inGroups("2", "ctrl@example.com", [CONTROL, BIDI_TOO]),
  inGroups("3", "long@example.com", [LONG, "Support"]),
  inGroups("4", "many@example.com", MANY),
  inGroups("5", "guarded@example.com", [BIDI]),
  inGroups("6", "kept@example.com", [CONTROL]),
];
// guarded@ is protected by its bidi group, which the manifest names as a reader sees it (names compare
// without invisible characters, and a manifest may not write them); kept@ is listed with a drift to a
// 10,000-character group.
const manifest = parseManifest(
  `version: 1\nusers:\n  - owner@example.com\n  - email: kept@example.com\n    groups: ["${LONG}"]\nprotect:\n  - group: Billing\n`,
  "users.yaml",
);
const plan = planRemovals(manifest, live);
const verdict = checkGuards(plan, { force: true });
const source = { manifest: "users.yaml", host: "api.telnyx.com" };
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f\u200f\u202e\u2066\u2067]/;

test("the plan is what the hostile names make it: a protected bidi group, drift to a long name, three removals", () => {
  assert.equal(
    plan.protected.map((p) => [p.email, p.reason, p.group]),
    [["guarded@example.com", "group", "Billing"]],
  );
  assert.equal(
    plan.removals.map((r) => r.email),
    ["ctrl@example.com", "long@example.com", "many@example.com"],
  );
  assert.equal(plan.groupDrift, [{ email: "kept@example.com", live: [CONTROL], manifest: [LONG], line: 4 }]);
});

/** Checks text drawn for a person: names escaped, never raw; long names and long lists cut. */
function assertShownSafely(text: string, where: string, narrow = false) {
  assert.not.match(text, RAW, `${where}: no raw control or bidi character`);
  assert.match(text, "Ad\\u001b[2J\\u0007mins", `${where}: control characters escaped`);
  // Markdown escapes the escape's backslash outside code.
  assert.ok(
    text.includes("Bil\\u202eling\\u2066") || text.includes("Bil\\\\u202eling\\\\u2066"),
    `${where}: bidi marks escaped`,
  );
  // At a narrow terminal ctrl@'s second group is only counted ("+1 more").
  if (!narrow) assert.match(text, "Sup\\u2067port\\u200f", `${where}: bidi marks escaped`);
  assert.not.match(text, "o".repeat(200), `${where}: the 10,000-character name is cut`);
  assert.not.match(text, "Team 300", `${where}: 300 groups are not all listed`);
  assert.match(
    text,
    narrow ? /Team 001 \+299 more/ : /Team 001, Team 002.* \+\d+ more/,
    `${where}: the first groups, then a count of the rest`,
  );
}

test("plain text: escaped and cut, each user's groups within 60 characters", () => {
  const text = linesToText(planLines(plan, { verdict }));
  assertShownSafely(text, "plain text");
  const row = (email: string) => text.split("\n").find((l) => l.includes(email))!;
  const groupsOf = (email: string) => row(email).split("  ").at(-1)!;
  assert.ok(groupsOf("many@example.com").length <= 60, groupsOf("many@example.com"));
  assert.match(groupsOf("many@example.com"), / \+\d+ more$/);
  assert.match(groupsOf("long@example.com"), /^Lo+… \(\d+ more characters\) \+1 more$/);
  assert.ok(groupsOf("long@example.com").length <= 60, groupsOf("long@example.com"));
  assert.match(row("guarded@example.com"), 'in protected group "Billing"');
});

test("Markdown: escaped and cut in the block, the protected list and the drift", () => {
  const text = planMarkdown(plan, verdict, source);
  assertShownSafely(text, "Markdown");
  assert.match(text, "- `kept@example.com`: in \\[Ad\\\\u001b\\[2J\\\\u0007mins");
});

test("diff: escaped and cut", () => {
  assertShownSafely(planDiff(plan, source), "diff");
});

for (const columns of [40, 100]) {
  test(`the terminal preview at ${columns} columns: escaped, cut, and no line wider than the terminal`, () => {
    const text = renderPlanToString(plan, { verdict }, columns, false);
    assertShownSafely(text, `${columns} columns`, columns === 40);
    const lines = text.split("\n");
    for (const line of lines) assert.ok(line.length <= columns, `${line.length} > ${columns}: ${line}`);
    const many = lines.findIndex((l) => l.includes("many@example.com"));
    // At 100 columns the groups fit beside the row; at 40 they go on a line of their own under it.
    const groupsLine =
      columns === 100 ? lines[many]! : lines.slice(many + 1).find((l) => l.startsWith("      groups: "))!;
    assert.ok(groupsLine, `the groups of many@example.com at ${columns} columns`);
    assert.match(groupsLine, /Team 001.* \+\d+ more$/);
    if (columns === 40) {
      // A first name too long for the room is cut before an escape, never in the middle of one.
      const ctrl = lines
        .slice(lines.findIndex((l) => l.includes("ctrl@example.com")))
        .find((l) => l.startsWith("      groups: "))!;
      assert.is(ctrl, "      groups: Ad\\u001b[2J… +1 more");
    }
  });
}

test("JSON: every name kept whole, escaped for the terminal, the same value once parsed", () => {
  const text = jsonText(planJson(plan, verdict), 2);
  assert.not.match(text, /[\u001b\u0007\u200f\u202e\u2066\u2067]/);
  const doc = JSON.parse(text);
  assert.equal(
    doc.changes.map((c: { groups: string[] }) => c.groups),
    [[CONTROL, BIDI_TOO], [LONG, "Support"], MANY],
  );
  assert.equal(doc.protected[0].group, "Billing");
  assert.equal(doc.group_drift, [{ email: "kept@example.com", live: [CONTROL], manifest: [LONG], line: 4 }]);
});

test.run();
