import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { OrganizationUser } from "../../src/core/organization-user.js";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { checkGuards } from "../../src/plan/guards.js";
import { planRemovals } from "../../src/plan/plan.js";
import { planGithub } from "../../src/render/github-commands.js";
import { linesToText } from "../../src/render/lines.js";
import { planDiff } from "../../src/render/plan-diff.js";
import { planJson } from "../../src/render/plan-json.js";
import { planLines } from "../../src/render/plan-lines.js";
import { planMarkdown } from "../../src/render/plan-markdown.js";
import { liveUser } from "../helpers/org.js";

// When the API gives no groups for some users, roster cannot know who is in a protected group, nor whether a
// listed user's groups drifted: every format says the groups are unknown, never "no member" or nothing at all.

/** A live user in these groups; `null`: the API gave no groups for the user. */
const user = (id: string, email: string, groups: string[] | null, extra: Partial<OrganizationUser> = {}) =>
  liveUser(id, email, { ...(groups ? { groups: groups.map((name, i) => ({ id: `g${i}`, name })) } : {}), ...extra });

/** Lists ann (groups: [Support]) and bob (groups: [Billing]), protects the group Admins (line 7). */
const MANIFEST = parseManifest(
  "version: 1\nusers:\n  - email: ann@example.com\n    groups: [Support]\n  - email: bob@example.com\n    groups: [Billing]\nprotect:\n  - group: Admins\n",
  "users.yaml",
);
const source = { manifest: "users.yaml", host: "api.telnyx.com" };

/** Every format of the plan of these live users under MANIFEST. */
function formats(live: OrganizationUser[]) {
  const plan = planRemovals(MANIFEST, live);
  const verdict = checkGuards(plan, { maxRemovalPercent: 100 });
  return {
    plan,
    pretty: linesToText(planLines(plan, { verdict })),
    markdown: planMarkdown(plan, verdict, source),
    json: planJson(plan, verdict),
    diff: planDiff(plan, source),
    github: planGithub(plan, verdict, source),
  };
}

const ALL_UNKNOWN =
  'protected group "Admins" (manifest line 8): membership could not be checked: the API gave no groups for any user';
const NO_MEMBER =
  'protected group "Admins" (manifest line 8) has no member in the organization: check its name for a typo (names compare exactly), or remove it';

const CASES = [
  {
    name: "the API gave no user's groups",
    live: [
      user("1", "owner@example.com", null, { record_type: "organization_owner" }),
      user("2", "ann@example.com", null),
      user("3", "bob@example.com", null),
      user("4", "cy@example.com", null),
    ],
    warning: ALL_UNKNOWN,
    json: { groups_unknown: true, groups_unknown_users: 4 },
    drift: 0,
    unknownDrift: ["ann@example.com", "bob@example.com"],
    driftNote: "the groups of 2 listed users could not be checked: the API gave none, so their group drift is unknown",
  },
  {
    name: "the API gave some users' groups: the group has no member among them",
    live: [
      user("1", "owner@example.com", [], { record_type: "organization_owner" }),
      user("2", "ann@example.com", ["Billing"]),
      user("3", "bob@example.com", null),
      user("4", "cy@example.com", ["Support"]),
    ],
    warning:
      'protected group "Admins" (manifest line 8) has no member among the 3 users whose groups the API gave; the groups of 1 user could not be checked (the API gave none): check its name for a typo (names compare exactly), or remove it',
    json: { groups_unknown: true, groups_unknown_users: 1 },
    drift: 1,
    unknownDrift: ["bob@example.com"],
    driftNote: "the groups of 1 listed user could not be checked: the API gave none, so their group drift is unknown",
  },
  {
    name: "the API gave every user's groups: no member, as before",
    live: [
      user("1", "owner@example.com", [], { record_type: "organization_owner" }),
      user("2", "ann@example.com", ["Support"]),
      user("3", "bob@example.com", ["Billing"]),
      user("4", "cy@example.com", []),
    ],
    warning: NO_MEMBER,
    json: {},
    drift: 0,
    unknownDrift: [],
    driftNote: undefined,
  },
] as const;

const test = suite("groups unknown: every format says so");

for (const c of CASES) {
  test(`${c.name}: the protected group's warning`, () => {
    const { pretty, markdown, json, diff, github } = formats([...c.live]);
    assert.match(pretty, `\nWarnings (1):\n  ! ${c.warning}\n`);
    assert.match(markdown, `\n- ${c.warning.replace('"Admins"', "`Admins`")}\n`);
    assert.equal(json.warnings, [
      { kind: "unused_protect_group", group: "Admins", line: 8, ...c.json, message: c.warning },
    ]);
    assert.ok(diff.startsWith(`warning: ${c.warning}\n`), diff);
    assert.match(github, `::warning file=users.yaml,line=8,col=12::${c.warning}\n`);
    if (c.warning !== NO_MEMBER)
      for (const text of [pretty, markdown, diff, github]) assert.not.match(text, "has no member in the organization");
  });

  test(`${c.name}: group drift says how many listed users' groups could not be checked`, () => {
    const { plan, pretty, markdown, json, diff, github } = formats([...c.live]);
    assert.is(plan.summary.group_drift, c.drift, "a user whose groups are unknown is not counted as drift");
    assert.equal(
      plan.groupDriftUnknown?.map((d) => d.email),
      c.unknownDrift.length > 0 ? c.unknownDrift : undefined,
    );
    if (c.driftNote === undefined) {
      for (const text of [pretty, markdown, diff, github]) assert.not.match(text, "could not be checked");
      assert.not.ok("group_drift_unknown" in json, "no key when every listed user's groups were checked");
      return;
    }
    assert.equal(
      (json as { group_drift_unknown?: unknown }).group_drift_unknown,
      c.unknownDrift.map((email) => ({
        email,
        manifest: email.startsWith("ann") ? ["Support"] : ["Billing"],
        line: email.startsWith("ann") ? 3 : 5,
      })),
    );
    assert.match(diff, `\ngroup drift: ${c.driftNote}\n`);
    assert.match(github, `::notice file=users.yaml::Group drift: ${c.driftNote}`);
    if (c.drift === 0) {
      assert.match(pretty, `\nGroup drift: ${c.driftNote}\n`);
      assert.match(markdown, `\n**Group drift**: ${c.driftNote}.\n`);
    } else {
      assert.match(pretty, `\nGroup drift (1): `);
      assert.match(pretty, `\n  ≠ ann@example.com  in [Billing]; manifest says [Support]\n  ? ${c.driftNote}\n`);
      assert.match(
        markdown,
        "\n- `ann@example.com`: in \\[Billing\\]; manifest says \\[Support\\]\n\nThe groups of 1 listed user could not be checked: the API gave none, so their group drift is unknown.\n",
      );
    }
  });
}

test.run();
