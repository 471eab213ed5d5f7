import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { checkGuards } from "../../src/plan/guards.js";
import { planRemovals } from "../../src/plan/plan.js";
import { makeOrg, manifestText } from "../helpers/org.js";

// How each guard verdict reads: lifted says who lifted it (not advice to do so), and a small organization
// over the default share says why it is allowed.

/** A plan over an organization of `size` users (the owner first) removing `remove` of them. */
function planOf(size: number, remove: number) {
  const org = makeOrg(size);
  return planRemovals(parseManifest(manifestText(org.slice(1, size - remove).map((u) => u.email)), "users.yaml"), org);
}

const CASES = [
  {
    name: "within the guards",
    plan: planOf(30, 5),
    options: {},
    allowed: true,
    message: "would remove 5 of 30 users (16.7%): within the guards",
  },
  {
    name: "over the default share in a small organization",
    plan: planOf(3, 1),
    options: {},
    allowed: true,
    message: "would remove 1 of 3 users (33.3%): within the guards (the 25% default starts at 10 users)",
  },
  {
    name: "an explicit share applies at any size",
    plan: planOf(3, 1),
    options: { maxRemovalPercent: 50 },
    allowed: true,
    message: "would remove 1 of 3 users (33.3%): within the guards",
  },
  {
    name: "over the percent guard",
    plan: planOf(40, 30),
    options: {},
    allowed: false,
    message:
      "would remove 30 of 40 users (75.0%), over the 25% guard: review the plan, then raise guards.max_removal_percent or pass --force",
  },
  {
    name: "over the percent guard, lifted",
    plan: planOf(40, 30),
    options: { force: true },
    allowed: true,
    message: "would remove 30 of 40 users (75.0%), over the 25% guard: lifted by --force",
  },
  {
    name: "over max_removals, lifted",
    plan: planOf(40, 5),
    options: { maxRemovals: 2, force: true },
    allowed: true,
    message: "would remove 5 of 40 users (12.5%), over the max_removals guard of 2: lifted by --force",
  },
];

for (const c of CASES) {
  test(`the verdict ${c.name}`, () => {
    const verdict = checkGuards(c.plan, c.options);
    assert.is(verdict.allowed, c.allowed);
    assert.is(verdict.message, c.message);
    if (verdict.forced) assert.not.match(verdict.message, "pass --force", "no advice to do what was done");
  });
}

test.run();
