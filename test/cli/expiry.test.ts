import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { checksumOf } from "../../src/plan/saved-plan.js";
import { utcToday } from "../../src/plan/lifecycle.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/sandbox.js";
import { runCli, tempDir, TEST_API_KEY, writeTemp } from "../helpers/cli.js";
import { liveUser } from "../helpers/org.js";

/** Access that ends on a date and idle access, through the CLI against the sandbox, on dates around today. */
const expiry = suite<{ sandbox: Sandbox; env: Record<string, string>; dir: string }>("expiry", {
  sandbox: undefined as unknown as Sandbox,
  env: {},
  dir: "",
});

const now = Date.now();
const day = (offset: number) => utcToday(new Date(now + offset * 86_400_000));
const ago = (days: number) => new Date(now - days * 86_400_000 - 3_600_000).toISOString();

const ORG = [
  liveUser("10000000-0000-4000-8000-000000000000", "owner@example.com", {
    record_type: "organization_owner",
    last_sign_in_at: ago(1),
  }),
  liveUser("10000000-0000-4000-8000-000000000001", "gone@example.com", { last_sign_in_at: ago(3) }),
  liveUser("10000000-0000-4000-8000-000000000002", "soon@example.com", { last_sign_in_at: ago(3) }),
  liveUser("10000000-0000-4000-8000-000000000003", "later@example.com", { last_sign_in_at: ago(3) }),
  liveUser("10000000-0000-4000-8000-000000000004", "svc-bot@example.com", { last_sign_in_at: ago(400) }),
  liveUser("10000000-0000-4000-8000-000000000005", "asleep@example.com", { last_sign_in_at: ago(120) }),
];
const MANIFEST = [
  "version: 1",
  "users:",
  "  - owner@example.com",
  `  - email: gone@example.com\n    expires: ${day(-1)}`,
  `  - email: soon@example.com\n    expires: ${day(5)}`,
  `  - email: later@example.com\n    expires: ${day(15)}`,
  `  - email: svc-bot@example.com\n    expires: ${day(-1)}`,
  "  - asleep@example.com",
  "protect:",
  '  - "svc-*@example.com"',
  "policy:",
  "  inactive_after_days: 90",
  "",
].join("\n");

expiry.before.each(async (context) => {
  context.sandbox = await startSandbox({ users: ORG, apiKey: TEST_API_KEY });
  context.env = { TELNYX_BASE_URL: context.sandbox.url };
  context.dir = tempDir();
});
expiry.after.each(async ({ sandbox, dir }) => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

expiry(
  "plan --format json: yesterday's date removes with reason expired, 5 days ahead is expiring, idle users kept",
  async ({ env, dir }) => {
    const file = writeTemp(dir, "users.yaml", MANIFEST);
    const run = await runCli(["plan", "-f", file, "--format", "json", "--detailed-exitcode"], { env });
    assert.is(run.code, 2, run.stderr);
    const doc = JSON.parse(run.stdout);
    assert.equal(
      doc.changes.map((c: { email: string; reason: string; expires?: string }) => [c.email, c.reason, c.expires]),
      [["gone@example.com", "expired", day(-1)]],
    );
    assert.equal(doc.expiring, [{ email: "soon@example.com", expires: day(5), days_left: 5 }]);
    assert.equal(doc.idle, [
      { email: "asleep@example.com", last_sign_in_at: ORG[5]!.last_sign_in_at, idle_days: 120 },
      { email: "svc-bot@example.com", last_sign_in_at: ORG[4]!.last_sign_in_at, idle_days: 400 },
    ]);
    assert.equal(
      doc.protected.map((p: { email: string; reason: string; expires?: string }) => [p.email, p.reason, p.expires]),
      [["svc-bot@example.com", "pattern", day(-1)]],
    );
    assert.equal(
      doc.warnings.map((w: { kind: string; email?: string }) => [w.kind, w.email]),
      [["expiry_not_enforced", "svc-bot@example.com"]],
    );
    assert.is(run.stderr, "");
  },
);

expiry(
  "idle users never change --detailed-exitcode: a plan with only idle users has no changes",
  async ({ env, dir }) => {
    const file = writeTemp(
      dir,
      "users.yaml",
      `version: 1\nusers:\n${ORG.map((u) => `  - ${u.email}\n`).join("")}policy:\n  inactive_after_days: 90\n`,
    );
    const run = await runCli(["plan", "-f", file, "--detailed-exitcode"], { env });
    assert.is(run.code, 0, run.stderr);
    assert.match(run.stdout, "Idle (2): not signed in for 90 days or more; kept; a report, not a change\n");
  },
);

expiry(
  "every plan format shows the reason, the expiring soon section, the idle users and the warning",
  async ({ env, dir }) => {
    const file = writeTemp(dir, "users.yaml", MANIFEST);
    const text = (await runCli(["plan", "-f", file], { env })).stdout;
    assert.match(text, `  - gone@example.com     enabled   last sign-in ${day(-3)}  expired (last day ${day(-1)})\n`);
    assert.match(
      text,
      `\nExpiring soon (1): kept until their last day of access; extend expires: to keep them longer\n  ◷ soon@example.com  last day ${day(5)} (in 5 days)\n`,
    );
    assert.match(text, "\n  · asleep@example.com   not signed in for 120 days (last sign-in ");
    assert.match(
      text,
      `  ! svc-bot@example.com was listed until ${day(-1)}, which has passed, but is kept (matches svc-*@example.com): the date cannot be enforced`,
    );

    const markdown = (await runCli(["plan", "-f", file, "--format", "markdown"], { env })).stdout;
    assert.match(markdown, `; expired (last day ${day(-1)})\n`);
    assert.match(markdown, `**Expiring soon (1)**: kept until their last day of access`);
    assert.match(markdown, `- \`soon@example.com\`: last day ${day(5)} (in 5 days)\n`);
    assert.match(markdown, "**Idle (2)**: not signed in for 90 days or more; kept; a report, not a change.\n");
    assert.match(
      markdown,
      `- \`svc-bot@example.com\` was listed until ${day(-1)}, which has passed, but is kept (matches \`svc-*@example.com\`)`,
    );

    const diff = (await runCli(["plan", "-f", file, "--format", "diff"], { env })).stdout;
    assert.match(diff, `expiring soon: soon@example.com last day ${day(5)} (in 5 days)\n`);
    assert.match(diff, "idle: asleep@example.com not signed in for 120 days");
    assert.match(diff, "warning: svc-bot@example.com was listed until");
    assert.match(diff, `-gone@example.com     enabled, last sign-in ${day(-3)}; expired (last day ${day(-1)})\n`);

    const github = (await runCli(["plan", "-f", file, "--format", "github"], { env })).stdout;
    assert.ok(github.startsWith(text), "the GitHub format prints the same plan before its annotations");
    assert.match(
      github,
      `::warning file=${file.replace(/:/g, "%3A").replace(/,/g, "%2C")},line=7::soon@example.com: expiring soon, last day ${day(5)} (in 5 days)\n`,
    );
    assert.match(github, "::notice file=");
    assert.match(github, "::asleep@example.com is idle: not signed in for 120 days");
  },
);

expiry("apply removes the expired user and keeps the protected one past its date", async ({ sandbox, env, dir }) => {
  const file = writeTemp(dir, "users.yaml", MANIFEST);
  const run = await runCli(["apply", "-f", file, "--yes"], { env });
  assert.is(run.code, 0, run.stderr);
  const left = sandbox.users().map((u) => u.email);
  assert.not.ok(left.includes("gone@example.com"));
  for (const email of ["owner@example.com", "soon@example.com", "svc-bot@example.com", "asleep@example.com"])
    assert.ok(left.includes(email), email);
});

expiry(
  "apply PLAN re-judges expiry with the saved dates: a plan whose dates were taken out is refused",
  async ({ sandbox, env, dir }) => {
    writeTemp(dir, "users.yaml", MANIFEST);
    const planned = await runCli(["plan", "-f", "users.yaml", "--out", "plan.json"], { env, cwd: dir });
    assert.is(planned.code, 0, planned.stderr);
    const saved = JSON.parse(readFileSync(`${dir}/plan.json`, "utf8"));
    assert.equal(saved.manifest.desired_expires, {
      "gone@example.com": day(-1),
      "later@example.com": day(15),
      "soon@example.com": day(5),
      "svc-bot@example.com": day(-1),
    });
    assert.equal(
      saved.removals.map((r: { email: string; reason: string }) => [r.email, r.reason]),
      [["gone@example.com", "expired"]],
    );

    // The same plan without its dates, sealed again with the key: its own rules now list gone@, so it is refused.
    const { checksum: _, ...body } = saved;
    delete body.manifest.desired_expires;
    writeFileSync(`${dir}/undated.json`, JSON.stringify({ ...body, checksum: checksumOf(body, TEST_API_KEY) }));
    const requests = sandbox.stats.requests;
    const refused = await runCli(["apply", "undated.json", "--yes"], { env, cwd: dir });
    assert.is(refused.code, 1);
    assert.match(refused.stderr, "would remove gone@example.com, who is listed in its manifest");
    assert.is(sandbox.stats.requests, requests, "no request at all");

    const applied = await runCli(["apply", "plan.json", "--yes"], { env, cwd: dir });
    assert.is(applied.code, 0, applied.stderr);
    assert.not.ok(sandbox.users().some((u) => u.email === "gone@example.com"));
    assert.ok(sandbox.users().some((u) => u.email === "svc-bot@example.com"));
  },
);

expiry(
  "validate: a date that is not a calendar date is an error at its value; a past date a warning at its line",
  async ({ dir }) => {
    const env = { TELNYX_API_KEY: undefined };
    const bad = writeTemp(dir, "bad.yaml", "version: 1\nusers:\n  - email: a@example.com\n    expires: 2026-02-30\n");
    const refused = await runCli(["validate", "-f", bad], { env });
    assert.is(refused.code, 1);
    assert.match(refused.stderr, `${bad}:4:14: expires "2026-02-30" is not a day of the calendar`);

    const past = writeTemp(dir, "users.yaml", MANIFEST);
    const run = await runCli(["validate", "-f", past, "--format", "github"], { env });
    assert.is(run.code, 0, run.stderr);
    const warned = run.stderr.split("\n").filter((l) => l.startsWith("warning:"));
    assert.equal(
      warned.map((l) => l.split(": the access")[0]),
      [`warning: ${past}:5:14`, `warning: ${past}:11:14`],
    );
    assert.match(warned[0]!, `the access of gone@example.com ended on ${day(-1)} (1 day ago)`);
    assert.match(run.stdout, `,line=5,col=14::the access of gone@example.com ended on ${day(-1)}`);
  },
);

expiry.run();
