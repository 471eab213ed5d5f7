import { test } from "uvu";
import * as assert from "uvu/assert";
import { applyPlan, UnsafeRemovalError } from "../../src/apply/apply-plan.js";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { lookalikeProblems } from "../../src/plan/lookalikes.js";
import { planRemovals } from "../../src/plan/plan.js";
import { judge, rulesOf } from "../../src/plan/rules.js";
import { rejection, TEST_API_KEY } from "../helpers/cli.js";
import { liveUser, manifestText } from "../helpers/org.js";
import { withSandbox } from "../helpers/sandbox.js";

const rules = rulesOf(parseManifest(manifestText(["alice@example.com"]), "users.yaml"));

test("the owner is recognised whatever the case and spacing of its record type", () => {
  for (const recordType of ["organization_owner", "Organization_Owner", " ORGANIZATION_OWNER\n"]) {
    assert.equal(
      judge(liveUser("1", "boss@example.com", { record_type: recordType }), rules),
      { kind: "protected", reason: "owner" },
      recordType,
    );
  }
});

test("only a sub-user can be removed: any other record type, missing or empty, is protected", () => {
  assert.equal(judge(liveUser("2", "zed@example.com", { record_type: "Organization_Sub_User" }), rules), {
    kind: "remove",
  });
  for (const recordType of ["admin", "", "organization_owner_pending", undefined, 7]) {
    const user = { ...liveUser("2", "zed@example.com"), record_type: recordType as unknown as string };
    assert.equal(judge(user, rules), { kind: "protected", reason: "unknown_record_type" }, String(recordType));
  }
  assert.equal(
    judge(liveUser("3", "Alice@Example.com", { record_type: "admin" }), rules),
    { kind: "keep" },
    "a listed user is simply kept",
  );
});

test("the executor sends nothing when a removal's live record type is unknown", async () => {
  await withSandbox(
    {
      users: [
        liveUser("1", "owner@example.com", { record_type: "organization_owner" }),
        liveUser("2", "zed@example.com"),
      ],
      apiKey: TEST_API_KEY,
    },
    async (sandbox) => {
      const api = sandbox.client({ maxRetries: 0 });
      const plan = planRemovals(parseManifest(manifestText(["owner@example.com"]), "users.yaml"), [
        liveUser("2", "zed@example.com"),
      ]);
      // As apply PLAN does: the saved removal carries what the organization says of the user now.
      const removals = plan.removals.map((c) => ({ ...c, record_type: "admin" }));
      const error = await rejection(
        applyPlan({ removals }, rulesOf({ users: [{ email: "owner@example.com" }], protect: [] }), api, {
          concurrency: 2,
        }),
      );
      assert.instance(error, UnsafeRemovalError);
      assert.match(
        error.message,
        'of record type "admin", which roster does not know and never removes; nothing was sent',
      );
      assert.is(sandbox.stats.removeRequests.size, 0);
    },
  );
});

test("a missing user who looks like a removal is a problem at the missing user's line; other missing users are not", () => {
  const manifest = parseManifest(
    manifestText(["alice@example.com", "соре@example.com", "rn@example.com", "new.hire@example.com"]),
    "users.yaml",
  );
  const plan = planRemovals(manifest, [
    liveUser("1", "alice@example.com"),
    liveUser("2", "Cope@Example.com"),
    liveUser("3", "m@example.com"),
    liveUser("4", "zed@example.com"),
  ]);
  const problems = lookalikeProblems(plan, "users.yaml");
  assert.equal(
    problems.map((p) => [p.line, p.col, p.message.slice(0, p.message.indexOf(" whom"))]),
    [
      [5, 5, '"rn@example.com" is not in the organization, but it looks like m@example.com,'],
      [
        4,
        5,
        '"соре@example.com" is not in the organization, but it looks like Cope@Example.com (с (U+0441) reads as c, о (U+043E) reads as o, р (U+0440) reads as p, е (U+0435) reads as e),',
      ],
    ],
  );
});

test("look-alikes over the domain are found too, and a plan without them has no problem", () => {
  // A domain label wholly in Cyrillic is a legitimate domain, and reads as cop.example.
  const manifest = parseManifest(manifestText(["ann@сор.example", "alice@example.com"]), "users.yaml");
  const plan = planRemovals(manifest, [liveUser("1", "alice@example.com"), liveUser("2", "ann@cop.example")]);
  assert.equal(
    lookalikeProblems(plan, "users.yaml").map((p) => p.line),
    [3],
  );
  const fine = planRemovals(parseManifest(manifestText(["alice@example.com", "bob@example.com"]), "users.yaml"), [
    liveUser("1", "alice@example.com"),
    liveUser("2", "rob@example.com"),
  ]);
  assert.equal(lookalikeProblems(fine, "users.yaml"), []);
});

test("a protect pattern that matches no live user is reported with its line; one that matches is not", () => {
  const manifest = parseManifest(
    manifestText(["alice@example.com"], 'protect:\n  - "*@partners.example.com"\n  - "*@partner.example.com"\n'),
    "users.yaml",
  );
  const plan = planRemovals(manifest, [liveUser("1", "alice@example.com"), liveUser("2", "bot@PARTNERS.example.com")]);
  assert.equal(plan.unusedPatterns, [{ pattern: "*@partner.example.com", line: 6, col: 5 }]);
});

test.run();
