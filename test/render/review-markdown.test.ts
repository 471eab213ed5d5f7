import { test } from "uvu";
import * as assert from "uvu/assert";
import { OWN_ACCOUNT } from "../../src/core/managed-account.js";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { planRemovals } from "../../src/plan/plan.js";
import { reviewOf } from "../../src/plan/review.js";
import { bytesOf } from "../../src/render/apply-markdown.js";
import { csvCell } from "../../src/render/review-csv.js";
import type { ReviewView } from "../../src/render/review-json.js";
import { reviewMarkdown, reviewSummaryMarkdown } from "../../src/render/review-markdown.js";
import { makeOrg } from "../helpers/org.js";

const ORG = makeOrg(2000);
const manifest = parseManifest(
  `version: 1\nusers:\n${ORG.slice(1, 1900)
    .map((u) => `  - ${u.email}\n`)
    .join("")}`,
  "users.yaml",
);
const view: ReviewView = {
  shape: "organization",
  accounts: [
    {
      account: OWN_ACCOUNT,
      manifest: "users.yaml",
      host: "api.telnyx.com",
      review: reviewOf({
        plan: planRemovals(manifest, ORG),
        manifest,
        liveUsers: ORG,
        blame: { kind: "none", why: "users.yaml is not in a Git work tree" },
        now: new Date(),
      }),
    },
  ],
  skipped: [],
  manifests: 1,
  generatedAt: new Date().toISOString(),
  notes: [],
};

test("the job summary's review keeps within its limit: the counts and notes kept, the last rows left out and counted", () => {
  const whole = reviewMarkdown(view);
  assert.is(reviewSummaryMarkdown(view), whole, "whole when it fits");
  const limit = Math.floor(bytesOf(whole) / 2);
  const cut = reviewSummaryMarkdown(view, limit);
  assert.ok(bytesOf(cut) <= limit, `${bytesOf(cut)} bytes within ${limit}`);
  assert.ok(cut.startsWith(whole.split("\n")[0]!), "the counts first, as ever");
  assert.match(cut, "> **Note:** users.yaml is not in a Git work tree");
  const rows = (text: string) => text.split("\n").filter((line) => /^\| user|^\| owner/.test(line));
  const left = rows(whole).length - rows(cut).length;
  assert.ok(left > 0);
  assert.equal(rows(cut), rows(whole).slice(0, rows(cut).length), "the first rows, in order");
  assert.match(cut, `**${left} users left out** to keep within the job summary's limit`);
});

test("a CSV cell: quoted when it must be, formulas shown not run, control characters visible", () => {
  const cases: [string, string][] = [
    ["plain", "plain"],
    ["a, b", '"a, b"'],
    ['say "hi"', '"say ""hi"""'],
    ["=1+2", "'=1+2"],
    ["+1", "'+1"],
    ["-1", "'-1"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tx", "'\\u0009x"],
    ["line\nbreak", "line\\u000abreak"],
    ["\u001b[31mred", "\\u001b[31mred"],
    ['=HYPERLINK("x", "y")', `"'=HYPERLINK(""x"", ""y"")"`],
    ["", ""],
  ];
  for (const [value, cell] of cases) assert.is(csvCell(value), cell, JSON.stringify(value));
});

test.run();
