import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { startSandbox, type Sandbox } from "../../src/sandbox/sandbox.js";
import { runCli, tempDir, TEST_API_KEY, writeTemp, assertNoKey } from "../helpers/cli.js";
import { EXAMPLES, ROOT, exampleOrg, manifestText } from "../helpers/org.js";

const cli = suite<{ sandbox: Sandbox; env: Record<string, string> }>("cli", {
  sandbox: undefined as unknown as Sandbox,
  env: {},
});
const USERS = `${EXAMPLES}users.yaml`;

cli.before.each(async (context) => {
  context.sandbox = await startSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY });
  context.env = { TELNYX_BASE_URL: context.sandbox.url };
});
cli.after.each(async ({ sandbox }) => {
  await sandbox.close();
});

const EXAMPLE_PLAN = `Plan: 5 to remove, 22 to keep, 3 protected, 1 missing (30 users in the organization)

Remove 5 users:
  - ben.cohen@example.com             disabled  last sign-in never       Billing
  - contractor.jones@example.com      enabled   last sign-in 2026-07-26  Engineering
  - Former.Employee@Example.com       blocked   last sign-in 2026-03-02  Admins, Billing
  - intern.2024@example.com           disabled  last sign-in never       Engineering
  - isabel.costa@example.com          blocked   last sign-in never       Support

Protected, never removed (3):
  = billing-bot@partners.example.com  matches *@partners.example.com  Billing
  = dana.whitfield@example.com        organization owner              Admins
  = noc@partners.example.com          matches *@partners.example.com  Support

Missing from the organization (1): roster does not invite; invite them in the Telnyx portal
  ? new.hire@example.com  (manifest line 32)

Guards: would remove 5 of 30 users (16.7%): within the guards
`;

cli("every command has --help", async () => {
  for (const command of [[], ["validate"], ["plan"], ["apply"], ["export"], ["sandbox"]]) {
    const run = await runCli([...command, "--help"]);
    assert.is(run.code, 0);
    assert.match(run.stdout, /^Usage: roster/);
  }
  const apply = await runCli(["apply", "--help"]);
  for (const flag of ["--file", "--yes", "--concurrency", "--format", "--base-url", "--force", "--audit-log"])
    assert.match(apply.stdout, flag);
});

cli("validate checks the manifest offline, without a key", async () => {
  const run = await runCli(["validate", "-f", USERS], { env: { TELNYX_API_KEY: undefined } });
  assert.is(run.code, 0);
  assert.is(run.stdout, `${USERS}: valid manifest: 23 users, 1 protect pattern\n`);
});

cli("-f defaults to users.yaml in the current folder", async () => {
  const run = await runCli(["validate"], { cwd: EXAMPLES, env: { TELNYX_API_KEY: undefined } });
  assert.is(run.stdout, "users.yaml: valid manifest: 23 users, 1 protect pattern\n");
});

cli(
  "a bad manifest is reported with file, line and column, exit 1, and no request is made",
  async ({ sandbox, env }) => {
    const dir = tempDir();
    const file = writeTemp(
      dir,
      "users.yaml",
      "version: 1\nusers:\n  - alice@example.com\n  - bob@example\n  - alice@EXAMPLE.com\n",
    );
    for (const command of ["validate", "plan", "apply"]) {
      const run = await runCli([command, "-f", file, "--yes"].slice(0, command === "apply" ? 4 : 3), { env });
      assert.is(run.code, 1, command);
      assert.is(
        run.stderr,
        `${file}:4:5: invalid email "bob@example": write it as name@domain.example\n` +
          `${file}:5:5: duplicate user "alice@example.com" (first at line 3)\n` +
          "roster: the manifest has 2 problems; fix them and run again. Nothing was changed.\n",
      );
      assert.is(run.stdout, "");
    }
    assert.is(sandbox.stats.requests, 0, "no request reached the API");
  },
);

cli("plan prints the preview as plain text in CI, without cursor codes or colour", async ({ env }) => {
  const run = await runCli(["plan", "-f", USERS], { env });
  assert.is(run.code, 0);
  assert.is(run.stdout, EXAMPLE_PLAN);
  assert.not.match(run.stdout, "\u001b");
});

cli("plan --format json prints exactly one JSON document with changes sorted by email", async ({ env }) => {
  const run = await runCli(["plan", "-f", USERS, "--format", "json"], { env });
  assert.is(run.code, 0);
  const doc = JSON.parse(run.stdout);
  assert.is(doc.format_version, 1);
  assert.equal(doc.summary, { remove: 5, keep: 22, protected: 3, missing: 1, group_drift: 0 });
  const emails = doc.changes.map((c: { email: string }) => c.email);
  // Sorted by the emails as compared, shown as the API spells them.
  assert.equal(
    emails,
    [...emails].sort((a: string, b: string) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)),
  );
  assert.ok(emails.includes("Former.Employee@Example.com"));
  // "reason" was added with expires: (keys are only ever added to format_version 1).
  assert.equal(Object.keys(doc.changes[0]), [
    "action",
    "id",
    "email",
    "user_status",
    "last_sign_in_at",
    "groups",
    "reason",
  ]);
  assert.ok(doc.changes.every((c: { reason: string }) => c.reason === "not_in_manifest"));
  assert.equal(doc.protected.find((p: { reason: string }) => p.reason === "owner").email, "dana.whitfield@example.com");
  assert.equal(doc.missing, [{ email: "new.hire@example.com" }]);
});

cli("plan --detailed-exitcode exits 2 with removals, and 0 once applied", async ({ env }) => {
  assert.is((await runCli(["plan", "-f", USERS, "--detailed-exitcode"], { env })).code, 2);
  assert.is((await runCli(["apply", "-f", USERS, "--yes"], { env })).code, 0);
  assert.is((await runCli(["plan", "-f", USERS, "--detailed-exitcode"], { env })).code, 0);
});

cli("apply without a terminal and without --yes refuses and changes nothing", async ({ sandbox, env }) => {
  const run = await runCli(["apply", "-f", USERS], { env, input: "yes\n" });
  assert.is(run.code, 1);
  assert.match(
    run.stderr,
    "refusing to apply without confirmation: no terminal to ask at. Review the plan, then pass --yes",
  );
  assert.is(sandbox.stats.removeRequests.size, 0);
  assert.is(sandbox.users().length, 30);
});

cli("apply --yes removes exactly the planned users, reports each, and verifies", async ({ sandbox, env }) => {
  const run = await runCli(["apply", "-f", USERS, "--yes"], { env });
  assert.is(run.code, 0);
  assert.ok(run.stdout.startsWith(EXAMPLE_PLAN));
  const rows = run.stdout
    .slice(EXAMPLE_PLAN.length)
    .split("\n")
    .filter((l) => l.startsWith("  removed"));
  assert.equal(rows.sort(), [
    "  removed        Former.Employee@Example.com",
    "  removed        ben.cohen@example.com",
    "  removed        contractor.jones@example.com",
    "  removed        intern.2024@example.com",
    "  removed        isabel.costa@example.com",
  ]);
  assert.match(
    run.stdout,
    "Apply complete: 5 removed, 0 already absent, 0 failed, of 5 planned removals.\nVerified: the organization now matches the manifest.\n",
  );
  assert.is(sandbox.users().length, 25);
  assert.ok(sandbox.users().some((u) => u.record_type === "organization_owner"));
  assert.is(sandbox.stats.removeRequests.size, 5);

  const again = await runCli(["apply", "-f", USERS, "--yes"], { env });
  assert.is(again.code, 0);
  assert.match(again.stdout, "Nothing to apply: the organization already matches the manifest.");
  assert.is(sandbox.stats.removeRequests.size, 5, "the second run sent no removal");
});

cli("apply --format json prints the outcome of every removal", async ({ env }) => {
  const run = await runCli(["apply", "-f", USERS, "--yes", "--format", "json", "--concurrency", "2"], { env });
  assert.is(run.code, 0);
  const doc = JSON.parse(run.stdout);
  assert.equal(doc.summary, { removed: 5, already_absent: 0, failed: 0 });
  assert.is(doc.results.length, 5);
  assert.ok(
    doc.results.every((r: { outcome: string; id: string }) => r.outcome === "removed" && typeof r.id === "string"),
  );
  assert.equal(doc.verified, { converged: true, remaining: 0 });
});

cli(
  "apply --audit-log appends one JSON line per removal, with what is needed to invite the user again",
  async ({ env }) => {
    const log = `${tempDir()}/audit.jsonl`;
    await runCli(["apply", "-f", USERS, "--yes", "--audit-log", log], { env });
    const lines = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.is(lines.length, 5);
    assert.equal(Object.keys(lines[0]), [
      "time",
      "id",
      "email",
      "user_status",
      "record_type",
      "created_at",
      "last_sign_in_at",
      "groups",
      "outcome",
      "http_status",
      "attempts",
    ]);
    assert.equal(
      lines.map((l) => l.outcome),
      Array(5).fill("removed"),
      "every removal is recorded as removed",
    );
    assert.equal(
      lines.map((l) => l.http_status),
      Array(5).fill(200),
      "with the API's 200",
    );
  },
);

cli("a wrong key fails clearly, exit 1, and the key is never shown", async ({ sandbox, env }) => {
  const run = await runCli(["plan", "-f", USERS], { env: { ...env, TELNYX_API_KEY: `${TEST_API_KEY}-wrong` } });
  assert.is(run.code, 1);
  assert.is(run.stderr, "roster: error: authentication failed: check TELNYX_API_KEY\n");
  assert.is(sandbox.stats.requests, 1, "one request, then it stopped");
});

cli("a missing key is named, not guessed", async ({ env }) => {
  const run = await runCli(["plan", "-f", USERS], { env: { ...env, TELNYX_API_KEY: undefined } });
  assert.is(run.code, 1);
  assert.is(
    run.stderr,
    "roster: error: TELNYX_API_KEY is not set: export your Telnyx API key (or the sandbox's key) first\n",
  );
});

cli(
  "a plan that removes 80% of the organization is refused with exit 3 and no removal request",
  async ({ sandbox, env }) => {
    const dir = tempDir();
    const file = writeTemp(
      dir,
      "users.yaml",
      manifestText(
        exampleOrg()
          .slice(0, 6)
          .map((u) => u.email),
      ),
    );
    const run = await runCli(["apply", "-f", file, "--yes"], { env });
    assert.is(run.code, 3);
    assert.match(
      run.stderr,
      "roster: refused: would remove 24 of 30 users (80.0%), over the 25% guard: review the plan, then raise guards.max_removal_percent or pass --force\nNothing was changed.\n",
    );
    assert.is(sandbox.stats.removeRequests.size, 0);
    const plan = await runCli(["plan", "-f", file, "--detailed-exitcode"], { env });
    assert.is(plan.code, 3);
    const forced = await runCli(["apply", "-f", file, "--yes", "--force"], { env });
    assert.is(forced.code, 0);
    assert.is(sandbox.users().length, 6);
  },
);

cli("flags out of range are refused with the range", async () => {
  const run = await runCli(["apply", "--concurrency", "65"]);
  assert.is(run.code, 1);
  assert.match(run.stderr, "--concurrency takes a whole number from 1 to 64.");
  assert.is((await runCli(["plan", "--bogus"])).code, 1);
});

cli("a base URL that answers with HTML is an error, not an empty organization", async ({ sandbox }) => {
  const run = await runCli(["plan", "-f", USERS, "--base-url", sandbox.url.replace("/v2", "/nope")]);
  assert.is(run.code, 1);
  assert.match(run.stderr, "roster: error: GET /organizations/users answered 404");
});

cli("roster sandbox serves the bundled organization and prints its base URL first", async () => {
  const child = spawn(process.execPath, [`${ROOT}dist/roster.js`, "sandbox"], {
    env: { PATH: process.env.PATH, TELNYX_API_KEY: TEST_API_KEY },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = once(child, "exit");
  try {
    const [chunk] = await once(child.stdout, "data");
    const url = String(chunk).trim();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/v2$/);
    const run = await runCli(["plan", "-f", USERS, "--format", "json"], { env: { TELNYX_BASE_URL: url } });
    assert.equal(JSON.parse(run.stdout).summary, { remove: 5, keep: 22, protected: 3, missing: 1, group_drift: 0 });
  } finally {
    // Stopped whatever the checks found: a sandbox left running would keep the whole suite from ending.
    child.kill("SIGTERM");
  }
  const [code] = await exited;
  assert.is(code, 0);
  assertNoKey(stderr, "roster sandbox");
  assert.match(stderr, "accepting the key in TELNYX_API_KEY");
});

cli("a reader that goes away (roster plan | head) ends the output quietly, not with a stack trace", async ({ env }) => {
  const child = spawn(process.execPath, [`${ROOT}dist/roster.js`, "plan", "-f", USERS], {
    env: { PATH: process.env.PATH, CI: "true", TELNYX_API_KEY: TEST_API_KEY, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.destroy();
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const [code] = await once(child, "exit");
  assert.is(stderr, "");
  assert.is(code, 0);
});

cli("npm run demo's script plans, applies and converges on the bundled sandbox", async () => {
  const child = spawn(process.execPath, [`${ROOT}scripts/demo.mjs`], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, CI: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout.on("data", (d) => (stdout += d));
  const [code] = await once(child, "exit");
  assert.is(code, 0);
  assert.match(stdout, `$ roster plan -f examples/users.yaml\n\n${EXAMPLE_PLAN}`);
  assert.match(
    stdout,
    "Apply complete: 5 removed, 0 already absent, 0 failed, of 5 planned removals.\nVerified: the organization now matches the manifest.\n",
  );
  assert.match(
    stdout,
    /\$ roster plan -f examples\/users\.yaml\n\nPlan: 0 to remove, 22 to keep, 3 protected, 1 missing \(25 users in the organization\)/,
  );
  // Then across a manager's managed accounts, one manifest each; the disabled account is skipped.
  assert.match(
    stdout,
    "Total across 2 accounts: 3 to remove, 8 to keep, 0 protected, 0 missing, 1 with group drift (11 users); 1 account skipped\n",
  );
  assert.match(stdout, "Apply complete: 3 removed, 0 already absent, 0 failed, of 3 planned removals.\n");
  assert.match(
    stdout,
    "Total across 2 accounts: 0 to remove, 8 to keep, 0 protected, 0 missing, 1 with group drift (8 users); 1 account skipped\n",
  );
});

cli.run();
