import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { AccountRef } from "../../src/apply/apply-run.js";
import type { ApplyResult } from "../../src/apply/apply-plan.js";
import { accountsApplyMarkdown, type AccountApplyPart } from "../../src/render/apply-markdown.js";
import { STEP_SUMMARY_LIMIT } from "../../src/render/apply-markdown.js";
import { ApiError } from "../../src/telnyx/api-error.js";

/** The results of apply across accounts in the job summary: per account, cut to the summary's limit as the plan is. */
const test = suite("apply across accounts as Markdown");

const ref = (n: number): AccountRef => ({
  id: `acc-${n}`,
  email: `ops@account${n}.example.com`,
  organization_name: `Account ${n}`,
});
const removed = (count: number, slug: string): ApplyResult => ({
  summary: { removed: count, already_absent: 0, failed: 0, unknown: 0, not_started: 0 },
  results: Array.from({ length: count }, (_, i) => ({
    removal: {
      id: `${slug}-${i}`,
      email: `ünïcödé.user${i}@${slug}.example.com`,
      user_status: "enabled",
      last_sign_in_at: null,
      groups: null,
      action: "remove",
      record_type: "organization_sub_user",
      created_at: null,
    },
    outcome: "removed" as const,
    attempts: 1,
    finishedAt: "2026-11-28T00:00:00Z",
  })),
});
const part = (n: number, result: ApplyResult): AccountApplyPart => ({
  account: ref(n),
  result,
  planned: result.results.length + result.summary.not_started,
});
const together = (parts: AccountApplyPart[]): ApplyResult => ({
  summary: parts.reduce(
    (s, p) => ({
      removed: s.removed + p.result.summary.removed,
      already_absent: 0,
      failed: 0,
      unknown: 0,
      not_started: s.not_started + p.result.summary.not_started,
    }),
    { removed: 0, already_absent: 0, failed: 0, unknown: 0, not_started: 0 },
  ),
  results: parts.flatMap((p) => p.result.results),
});
const PLAN = "## roster plan across 3 accounts: 40010 to remove\n";
const rowsOf = (text: string, slug: string) => text.split(`@${slug}.example.com`).length - 1;

test("40,000 results in one account and a few in two others fit in 1 MiB: the small accounts whole, the big one cut with a count", () => {
  const parts = [part(1, removed(5, "small1")), part(2, removed(40_000, "big")), part(3, removed(5, "small3"))];
  const text = accountsApplyMarkdown(
    PLAN,
    { accounts: parts, result: together(parts) },
    ["Verified: all 3 accounts now match their manifests."],
    40_010,
  );
  const bytes = Buffer.byteLength(text, "utf8");
  assert.ok(bytes <= STEP_SUMMARY_LIMIT, `${bytes} bytes`);
  assert.ok(bytes > STEP_SUMMARY_LIMIT - 20_000, `the room is used: ${bytes} bytes`);
  assert.ok(
    text.startsWith(
      `${PLAN}\n## roster apply complete across 3 accounts: 40010 removed, 0 already absent, 0 failed, of 40010 planned removals\n`,
    ),
  );
  assert.is(rowsOf(text, "small1"), 5);
  assert.is(rowsOf(text, "small3"), 5, "the account after the big one keeps its results");
  const shown = rowsOf(text, "big");
  assert.ok(shown > 10_000 && shown < 40_000, `${shown} of the big account's results`);
  assert.match(text, `\n… and ${(40_000 - shown).toLocaleString("en-US")} more results of this account left out.\n`);
  assert.match(
    text,
    "\nSome accounts' results are left out: a job summary holds at most 1,048,576 bytes. roster apply --format json, or --audit-log, lists them all.\n",
  );
  for (const n of [1, 2, 3])
    assert.match(
      text,
      `\n#### Account ${n} \\<ops\\@account${n}.example.com\\> (acc-${n})\n\n##### roster apply complete: `,
    );
  assert.ok(text.endsWith("\n\nVerified: all 3 accounts now match their manifests.\n"), "the verification is kept");
  assert.is(text.split("\n```text\n").length - 1, 3);
  assert.is(text.split("\n```\n").length - 1, 3, "every block is closed");
});

test("with little room every account keeps its heading and counts; results that do not fit are counted", () => {
  const parts = [part(1, removed(50, "a")), part(2, removed(50, "b"))];
  const text = accountsApplyMarkdown(
    "## plan\n",
    { accounts: parts, result: together(parts) },
    "Verified.",
    100,
    2_000,
  );
  assert.ok(Buffer.byteLength(text, "utf8") <= 2_000);
  assert.match(
    text,
    "\n#### Account 1 \\<ops\\@account1.example.com\\> (acc-1)\n\n##### roster apply complete: 50 removed, 0 already absent, 0 failed, of 50 planned removals\n",
  );
  assert.match(
    text,
    "\n#### Account 2 \\<ops\\@account2.example.com\\> (acc-2)\n\n##### roster apply complete: 50 removed",
  );
  assert.match(
    text,
    /\n… and \d+ more results of this account left out\.\n[\s\S]*\n… and \d+ more results of this account left out\.\n/,
  );
  assert.ok(text.endsWith("\nVerified.\n"));
});

test("a small run is shown whole, without a note", () => {
  const parts = [part(1, removed(2, "a")), part(2, removed(1, "b"))];
  const text = accountsApplyMarkdown("## plan\n", { accounts: parts, result: together(parts) }, "Verified.", 3);
  assert.is(rowsOf(text, "a") + rowsOf(text, "b"), 3);
  assert.not.match(text, "left out");
});

test("an account stopped by a refused key says so, and the total counts the accounts stopped; an interrupted run says interrupted", () => {
  const refused: ApplyResult = {
    summary: { removed: 0, already_absent: 0, failed: 0, unknown: 0, not_started: 4 },
    results: [],
    stoppedBy: "auth",
    fatal: new ApiError(
      "auth",
      "the API refused the key of the managed account Account 2 (401): its key may have been revoked",
      { status: 401 },
    ),
  };
  const parts = [part(1, removed(2, "a")), part(2, refused)];
  const text = accountsApplyMarkdown(
    "## plan\n",
    { accounts: parts, result: { ...together(parts), stoppedBy: "auth" } },
    "",
    6,
  );
  assert.match(
    text,
    "\n## roster apply complete across 2 accounts: 2 removed, 0 already absent, 0 failed, 4 not started, of 6 planned removals; 1 account stopped by a refused key\n",
  );
  assert.match(
    text,
    "\n##### roster apply stopped: 0 removed, 0 already absent, 0 failed, 4 not started, of 4 planned removals\n\n**Stopped:** the API refused the key of the managed account Account 2 (401): its key may have been revoked\n",
  );

  const interrupted = accountsApplyMarkdown(
    "## plan\n",
    { accounts: parts.slice(0, 1), result: { ...together(parts.slice(0, 1)), stoppedBy: "interrupt" } },
    "",
    2,
  );
  assert.match(interrupted, "\n## roster apply interrupted across 1 account: 2 removed");
});

test.run();
