import { readFileSync, rmSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { ApplyResult } from "../../src/apply/apply-plan.js";
import { applyMarkdown, STEP_SUMMARY_LIMIT } from "../../src/render/apply-markdown.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/sandbox.js";
import { assertNoKey, runCli, tempDir, TEST_API_KEY, writeTemp } from "../helpers/cli.js";
import { EXAMPLES, exampleOrg, manifestText } from "../helpers/org.js";

/**
 * GitHub Actions' job summary: plan and apply append their Markdown to $GITHUB_STEP_SUMMARY, whatever --format prints.
 */
const summary = suite<{ sandbox: Sandbox; env: Record<string, string>; dir: string; file: string }>("job summary", {
  sandbox: undefined as unknown as Sandbox,
  env: {},
  dir: "",
  file: "",
});
const USERS = `${EXAMPLES}users.yaml`;
/** The five users of the example organization that examples/users.yaml does not list, as the plan shows them. */
const unlisted = () => {
  const listed = readFileSync(USERS, "utf8").toLowerCase();
  return exampleOrg()
    .filter(
      (u) =>
        u.record_type !== "organization_owner" &&
        !u.email.endsWith("@partners.example.com") &&
        !listed.includes(u.email.toLowerCase()),
    )
    .map((u) => u.email); // as the API spells them: the summary shows that spelling
};

summary.before.each(async (context) => {
  context.sandbox = await startSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY });
  context.dir = tempDir();
  // An earlier step of the job wrote to the summary already: roster appends after it.
  context.file = writeTemp(context.dir, "step-summary.md", "## earlier step\n");
  context.env = { TELNYX_BASE_URL: context.sandbox.url, GITHUB_STEP_SUMMARY: context.file };
});
summary.after.each(async ({ sandbox, dir }) => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

summary("plan --format json prints JSON and appends the Markdown plan to the job summary", async ({ env, file }) => {
  const run = await runCli(["plan", "-f", USERS, "--format", "json"], { env });
  assert.is(run.code, 0, run.stderr);
  assert.is(JSON.parse(run.stdout).summary.remove, 5, "stdout holds the JSON alone");
  const text = readFileSync(file, "utf8");
  assertNoKey(text, "the job summary");
  assert.ok(text.startsWith("## earlier step\n### roster plan: 5 to remove, "), text.slice(0, 200));
  assert.equal(unlisted().length, 5);
  for (const email of unlisted()) assert.match(text, `\n- ${email}  `);
  assert.match(text, "**Guards:**");
});

summary("each plan appends: two runs, two plans in the summary", async ({ env, file }) => {
  await runCli(["plan", "-f", USERS], { env });
  const markdown = await runCli(["plan", "-f", USERS, "--format", "markdown"], { env });
  const text = readFileSync(file, "utf8");
  assert.is(text.split("### roster plan:").length - 1, 2);
  assert.ok(text.endsWith(`${markdown.stdout}\n`), "the same Markdown --format markdown prints");
});

summary(
  "apply --yes appends the plan, the counts, every result and the verification",
  async ({ env, file, sandbox }) => {
    const run = await runCli(["apply", "-f", USERS, "--yes"], { env });
    assert.is(run.code, 0, run.stderr);
    assert.is(sandbox.users().length, 25);
    const text = readFileSync(file, "utf8");
    assert.match(text, "### roster plan: 5 to remove");
    assert.match(text, "\n### roster apply complete: 5 removed, 0 already absent, 0 failed, of 5 planned removals\n");
    for (const email of unlisted()) assert.match(text, `\nremoved         ${email}\n`);
    assert.ok(text.endsWith("\nVerified: the organization now matches the manifest.\n\n"), text.slice(-200));
  },
);

summary("apply refused by a guard says so in the summary, and that nothing was changed", async ({ env, file, dir }) => {
  const manifest = writeTemp(
    dir,
    "users.yaml",
    manifestText(
      exampleOrg()
        .slice(0, 6)
        .map((u) => u.email),
    ),
  );
  const run = await runCli(["apply", "-f", manifest, "--yes", "--format", "json"], { env });
  assert.is(run.code, 3);
  const text = readFileSync(file, "utf8");
  assert.match(text, "(refused by a guard)");
  assert.match(text, "**Refused:**");
  assert.match(text, "Not applied: a safety guard refused the plan. Nothing was changed.");
});

summary("a job summary that cannot be written is reported, and the run's outcome stands", async ({ env, dir }) => {
  const run = await runCli(["plan", "-f", USERS, "--detailed-exitcode"], {
    env: { ...env, GITHUB_STEP_SUMMARY: `${dir}/no-such-folder/summary.md` },
  });
  assert.is(run.code, 2);
  assert.is(run.stderr, `roster: could not append to the job summary ${dir}/no-such-folder/summary.md (ENOENT)\n`);
});

summary("without GITHUB_STEP_SUMMARY nothing is written", async ({ env, file }) => {
  const run = await runCli(["plan", "-f", USERS], { env: { ...env, GITHUB_STEP_SUMMARY: undefined } });
  assert.is(run.code, 0);
  assert.is(readFileSync(file, "utf8"), "## earlier step\n");
});

summary.run();

/** The Markdown of an apply is cut to the job summary's limit, in bytes, and says how many results it left out. */
const cutting = suite("apply Markdown size");

const results = (count: number): ApplyResult => ({
  summary: { removed: count, already_absent: 0, failed: 0, unknown: 0, not_started: 0 },
  results: Array.from({ length: count }, (_, i) => ({
    removal: {
      id: String(i),
      email: `ünïcödé.user${i}@example.com`,
      status: "enabled",
      recordType: "organization_sub_user",
    } as never,
    outcome: "removed" as const,
    attempts: 1,
    finishedAt: "2026-11-28T00:00:00Z",
  })),
});

cutting("40,000 results fit in 1 MiB of summary with a note of how many were left out", () => {
  const plan = "### roster plan: 40000 to remove\n";
  const text = applyMarkdown(plan, results(40_000), "Verified: the organization now matches the manifest.", 40_000);
  const bytes = Buffer.byteLength(text, "utf8");
  assert.ok(bytes <= STEP_SUMMARY_LIMIT, `${bytes} bytes`);
  assert.ok(bytes > STEP_SUMMARY_LIMIT - 2000, "the room is used");
  const shown = text.split("\nremoved ").length - 1;
  assert.match(
    text,
    `… and ${(40_000 - shown).toLocaleString("en-US")} more results left out: a job summary holds at most 1,048,576 bytes.`,
  );
  assert.ok(text.endsWith("Verified: the organization now matches the manifest.\n"), "the verification is kept");
  assert.ok(text.startsWith(plan));
  const fence = text.match(/\n(`{3,})text\n/)![1]!;
  assert.match(text, `\n${fence}\n`, "the block is closed");
});

cutting("a small apply is shown whole", () => {
  const text = applyMarkdown("### plan\n", results(3), "Verified.", 3, 4000);
  assert.is(text.split("\nremoved ").length - 1, 3);
  assert.not.match(text, "left out");
});

cutting.run();
