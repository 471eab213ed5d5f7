import { render } from "ink-testing-library";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { checkGuards } from "../../src/plan/guards.js";
import { planRemovals } from "../../src/plan/plan.js";
import { PlanView } from "../../src/render/ink/PlanView.js";
import { linesToText } from "../../src/render/lines.js";
import { planLines } from "../../src/render/plan-lines.js";
import { liveUser, makeOrg, manifestText, SMALL_MANIFEST, smallOrg } from "../helpers/org.js";

const live = smallOrg();
const manifest = parseManifest(SMALL_MANIFEST, "users.yaml");
const plan = planRemovals(manifest, live);
const verdict = checkGuards(plan, {});

// smallOrg's users come without groups, as the API gives them when not asked: every row says so.
const EXPECTED = `Plan: 2 to remove, 1 to keep, 2 protected, 1 missing (5 users in the organization)

Remove 2 users:
  - bob@example.com           blocked   last sign-in never       groups unknown
  - zed@example.com           disabled  last sign-in 2026-01-02  groups unknown

Protected, never removed (2):
  = bot@partners.example.com  matches *@partners.example.com  groups unknown
  = owner@example.com         organization owner              groups unknown

Missing from the organization (1): roster does not invite; invite them in the Telnyx portal
  ? carol@example.com  (manifest line 4)

Guards: would remove 2 of 5 users (40.0%): within the guards (the 25% default starts at 10 users)`;

test("the ink preview shows summary, removals with status and last sign-in, protected, missing and the guards", () => {
  const { lastFrame, unmount } = render(<PlanView plan={plan} context={{ verdict }} />);
  assert.is(lastFrame(), EXPECTED);
  unmount();
});

test("the plain text for CI logs reads exactly like the ink preview", () => {
  assert.is(linesToText(planLines(plan, { verdict })), `${EXPECTED}\n`);
});

test("a plan without removals says so", () => {
  const quiet = planRemovals(parseManifest(manifestText(["alice@example.com"]), "u.yaml"), [
    liveUser("2", "alice@example.com"),
  ]);
  const { lastFrame, unmount } = render(<PlanView plan={quiet} context={{ verdict: checkGuards(quiet, {}) }} />);
  assert.is(
    lastFrame(),
    `Plan: 0 to remove, 1 to keep, 0 protected, 0 missing (1 user in the organization)

No changes: every user in the organization is listed or protected.

Guards: no removals: within every guard`,
  );
  unmount();
});

test("a refused plan ends with the guard that tripped", () => {
  const org = makeOrg(40);
  const big = planRemovals(parseManifest(manifestText(org.slice(0, 10).map((u) => u.email)), "u.yaml"), org);
  const text = linesToText(planLines(big, { verdict: checkGuards(big, {}) }));
  assert.match(
    text,
    "\nRefused: would remove 30 of 40 users (75.0%), over the 25% guard: review the plan, then raise guards.max_removal_percent or pass --force\n",
  );
});

test("a long plan lists every removal in the preview, never a first few and a count", () => {
  const org = makeOrg(500);
  const big = planRemovals(parseManifest(manifestText(["owner@example.com"]), "u.yaml"), org);
  const { lastFrame, unmount } = render(<PlanView plan={big} />);
  const frame = lastFrame() ?? "";
  const rows = frame.split("\n").filter((l) => l.startsWith("  - "));
  assert.is(rows.length, big.summary.remove);
  assert.is(big.summary.remove, 499);
  for (const removal of big.removals)
    assert.ok(
      rows.some((row) => row.startsWith(`  - ${removal.email} `)),
      removal.email,
    );
  assert.not.match(frame, "more removals");
  unmount();
});

test("control characters and escape sequences in emails are shown neutralised", () => {
  const hostile = planRemovals(parseManifest(manifestText(["a@example.com"]), "u.yaml"), [
    liveUser("9", "evil\u001b[2J\u0007@example.com"),
  ]);
  const text = linesToText(planLines(hostile));
  assert.not.match(text, "\u001b");
  assert.match(text, "evil\\u001b[2J\\u0007@example.com");
});

test.run();
