import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { checkGuards } from "../../src/plan/guards.js";
import { planRemovals } from "../../src/plan/plan.js";
import {
  escapeData,
  escapeProperty,
  planGithub,
  problemCommands,
  workflowCommand,
} from "../../src/render/github-commands.js";
import { codeSpan } from "../../src/render/markdown.js";
import { planDiff } from "../../src/render/plan-diff.js";
import { GITHUB_COMMENT_LIMIT, planMarkdown } from "../../src/render/plan-markdown.js";
import { liveUser, makeOrg, manifestText, SMALL_MANIFEST, smallOrg } from "../helpers/org.js";

// smallOrg's users come without groups, as the API gives them when not asked: every line says so.
const live = smallOrg();
const manifest = parseManifest(SMALL_MANIFEST, "users.yaml");
const plan = planRemovals(manifest, live);
const verdict = checkGuards(plan, {});
const source = { manifest: "users.yaml", host: "api.telnyx.com" };

test("markdown: the summary, the removals as a diff block with status and last sign-in, protected, missing, the guards", () => {
  assert.is(
    planMarkdown(plan, verdict, source),
    `### roster plan: 2 to remove, 1 to keep, 2 protected, 1 missing

5 users in the organization at \`api.telnyx.com\`; manifest \`users.yaml\`.

\`\`\`diff
- bob@example.com           blocked, last sign-in never; groups unknown
- zed@example.com           disabled, last sign-in 2026-01-02; groups unknown
\`\`\`

**Protected, never removed (2)**

- \`bot@partners.example.com\`: matches \`*@partners.example.com\`; groups unknown
- \`owner@example.com\`: organization owner; groups unknown

**Missing from the organization (1)**: roster does not invite; invite them in the Telnyx portal.

- \`carol@example.com\` (manifest line 4)

**Guards:** would remove 2 of 5 users (40.0%): within the guards (the 25% default starts at 10 users)
`,
  );
});

test("markdown: a refused plan says so in its title and ends with the guard that tripped", () => {
  const text = planMarkdown(plan, checkGuards(plan, { maxRemovals: 1 }), source);
  assert.ok(text.startsWith("### roster plan: 2 to remove (refused by a guard), 1 to keep"));
  assert.ok(
    text.endsWith(
      "\n**Refused:** would remove 2 of 5 users (40.0%), over the max\\_removals guard of 1: review the plan, then raise guards.max\\_removals or pass --force\n",
    ),
  );
});

test("markdown: a plan without removals says so instead of an empty block", () => {
  const quiet = planRemovals(parseManifest(manifestText(["alice@example.com"]), "u.yaml"), [
    liveUser("2", "alice@example.com"),
  ]);
  const text = planMarkdown(quiet, checkGuards(quiet, {}), source);
  assert.match(text, "\n\nNo changes: every user in the organization is listed or protected.\n");
  assert.not.match(text, "```");
});

test("markdown: 5,000 removals stay within GitHub's comment limit, keep the summary and verdict, and say how many lines were left out", () => {
  const org = makeOrg(5_001);
  const big = planRemovals(parseManifest(manifestText(["owner@example.com"]), "u.yaml"), org);
  const text = planMarkdown(big, checkGuards(big, { force: true }), source);
  assert.ok(text.length <= GITHUB_COMMENT_LIMIT, `${text.length} characters`);
  assert.ok(text.startsWith("### roster plan: 5000 to remove, 1 to keep, 0 protected, 0 missing\n"));
  const shown = text.split("\n").filter((l) => l.startsWith("- user")).length;
  const left =
    /… and ([\d,]+) more removals left out: a comment holds at most 65,536 characters\. roster plan --format json lists them all\./.exec(
      text,
    );
  assert.ok(left, "says how many were left out");
  assert.is(shown + Number(left[1]!.replace(/,/g, "")), 5_000);
  assert.ok(shown > 500, `${shown} shown: the space is used`);
  assert.match(text, /\n```\n\n… and /, "the block is closed before the note");
  assert.ok(text.endsWith(": lifted by --force\n"), "the verdict is kept");
});

test("markdown: every limit is kept, down to a small one, with the notes counted", () => {
  const org = makeOrg(300);
  const big = planRemovals(
    parseManifest(manifestText(["owner@example.com"], 'protect:\n  - "user01*"\n'), "u.yaml"),
    org,
  );
  for (const limit of [2_000, 4_000, 9_000])
    assert.ok(planMarkdown(big, checkGuards(big, {}), source, limit).length <= limit, `limit ${limit}`);
  const text = planMarkdown(big, checkGuards(big, {}), source, 2_000);
  assert.match(text, "more protected users left out");
});

test("markdown: untrusted emails and patterns cannot close the block, start a heading, inject HTML or mention anyone", () => {
  const hostile = [
    liveUser("1", "owner@example.com", { record_type: "organization_owner" }),
    liveUser("2", "x```\n# pwned <img src=x onerror=alert(1)>@example.com"),
    liveUser("3", "svc`@partners.example.com"),
  ];
  const m = parseManifest(
    manifestText(["owner@example.com"], 'protect:\n  - "*`@partners.example.com"\n  - "@everyone"\n'),
    "u.yaml",
  );
  const p = planRemovals(m, hostile);
  const text = planMarkdown(p, checkGuards(p, {}), { manifest: "u.yaml", host: "h" });
  assert.not.match(text, /^#(?!## roster plan)/m, "no line starts a heading");
  assert.ok(
    text.includes("\n````diff\n- x```\\u000a# pwned <img"),
    "a longer fence, and the newline shown escaped inside it",
  );
  assert.ok(text.includes("\n````\n"), "the block is closed by the longer fence");
  assert.match(text, "\n- ``svc`@partners.example.com``: matches ``*`@partners.example.com``; groups unknown\n");
});

test("code spans hold any text literally", () => {
  assert.is(codeSpan("a@b.com"), "`a@b.com`");
  assert.is(codeSpan("a`b"), "``a`b``");
  assert.is(codeSpan("`a"), "`` `a ``");
});

test("diff: the live roster against the roster after apply, sorted by email, with 3 lines of context", () => {
  assert.is(
    planDiff(plan, source),
    `--- live\tapi.telnyx.com, 5 users
+++ after-apply\tusers.yaml, 3 users
@@ -1,5 +1,3 @@
 alice@example.com         enabled, last sign-in never; groups unknown
-bob@example.com           blocked, last sign-in never; groups unknown
 bot@partners.example.com  enabled, last sign-in never; groups unknown
 owner@example.com         enabled, last sign-in 2026-11-20; groups unknown
-zed@example.com           disabled, last sign-in 2026-01-02; groups unknown
`,
  );
});

test("diff and markdown show the same removal lines", () => {
  const org = makeOrg(400);
  const big = planRemovals(
    parseManifest(manifestText(org.filter((_, i) => i % 4 !== 1).map((u) => u.email)), "u.yaml"),
    org,
  );
  const fromDiff = planDiff(big, source)
    .split("\n")
    .filter((l) => /^-[^-]/.test(l));
  const fromMarkdown = planMarkdown(big, checkGuards(big, {}), source)
    .split("\n")
    .filter((l) => l.startsWith("- user"));
  assert.is(fromDiff.length, 100);
  assert.equal(
    fromMarkdown.map((l) => `-${l.slice(2)}`),
    fromDiff,
  );
});

test("diff: a plan without removals is the headers alone", () => {
  const quiet = planRemovals(parseManifest(manifestText(["alice@example.com"]), "u.yaml"), [
    liveUser("2", "alice@example.com"),
  ]);
  assert.is(planDiff(quiet, source), "--- live\tapi.telnyx.com, 1 user\n+++ after-apply\tusers.yaml, 1 user\n");
});

test("github: workflow commands escape %, CR and LF in messages, and , and : in properties too", () => {
  assert.is(
    workflowCommand("error", { file: "dir:x/a,b.yaml", line: 12, col: 5 }, "50% done\r\nnext: a,b"),
    "::error file=dir%3Ax/a%2Cb.yaml,line=12,col=5::50%25 done%0D%0Anext: a,b",
  );
  assert.is(escapeData("%0A"), "%250A");
  assert.is(escapeProperty("a:b,c%"), "a%3Ab%2Cc%25");
  assert.is(workflowCommand("notice", {}, "plain"), "::notice::plain");
});

test("github: manifest problems become error annotations at file, line and column", () => {
  assert.is(
    problemCommands([
      { file: "users.yaml", line: 12, col: 5, message: 'duplicate user "bob@example.com" (first at line 7)' },
      { file: "users.yaml", line: 3, col: 5, message: 'invalid email "a\nb": write it as name@domain.example' },
    ]),
    '::error file=users.yaml,line=12,col=5::duplicate user "bob@example.com" (first at line 7)\n' +
      '::error file=users.yaml,line=3,col=5::invalid email "a\\u000ab": write it as name@domain.example\n',
  );
});

test("github: the plan for the log, then a notice with the summary and verdict, an error when refused, a warning per missing user", () => {
  const text = planGithub(plan, checkGuards(plan, { maxRemovals: 1 }), source);
  const commands = text.split("\n").filter((l) => l.startsWith("::"));
  assert.ok(
    text.startsWith(
      "Plan: 2 to remove, 1 to keep, 2 protected, 1 missing (5 users in the organization)\n\nRemove 2 users:\n",
    ),
  );
  assert.equal(commands, [
    "::notice file=users.yaml::Plan: 2 to remove, 1 to keep, 2 protected, 1 missing (5 users in the organization)%0ARefused: would remove 2 of 5 users (40.0%25), over the max_removals guard of 1: review the plan, then raise guards.max_removals or pass --force",
    "::error file=users.yaml::Refused: would remove 2 of 5 users (40.0%25), over the max_removals guard of 1: review the plan, then raise guards.max_removals or pass --force",
    "::warning file=users.yaml,line=4,col=5::carol@example.com is not in the organization: roster does not invite; invite them in the Telnyx portal",
  ]);
});

test("github: at most 10 missing users are annotated, then one line counts the rest", () => {
  const emails = Array.from({ length: 14 }, (_, i) => `new${i}@example.com`);
  const m = parseManifest(manifestText(["owner@example.com", ...emails]), "u.yaml");
  const p = planRemovals(m, [liveUser("1", "owner@example.com", { record_type: "organization_owner" })]);
  const warnings = planGithub(p, checkGuards(p, {}), source)
    .split("\n")
    .filter((l) => l.startsWith("::warning"));
  assert.is(warnings.length, 11);
  assert.is(warnings[10], "::warning file=users.yaml::and 4 more missing users: see the plan in the log");
});

test.run();
