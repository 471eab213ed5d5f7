import { readFileSync, rmSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { OrganizationUser } from "../../src/core/organization-user.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/sandbox.js";
import { readAuditLog, runCli, tempDir, TEST_API_KEY, writeTemp } from "../helpers/cli.js";
import { EXAMPLES, exampleOrg } from "../helpers/org.js";

/** Groups through the CLI, against the sandbox's example organization (Admins, Billing, Engineering, Support). */
const groups = suite<{ sandbox: Sandbox; env: Record<string, string>; dir: string }>("groups", {
  sandbox: undefined as unknown as Sandbox,
  env: {},
  dir: "",
});
groups.before.each(async (context) => {
  context.sandbox = await startSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY });
  context.env = { TELNYX_BASE_URL: context.sandbox.url };
  context.dir = tempDir();
});
groups.after.each(async ({ sandbox, dir }) => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

const EXAMPLE = readFileSync(`${EXAMPLES}users.yaml`, "utf8");
const PARTNERS = '  - "*@partners.example.com"\n';
/** The example manifest, whose removals include Former.Employee (Admins, Billing), with more protect entries. */
const withProtect = (...entries: string[]) =>
  EXAMPLE.replace(PARTNERS, PARTNERS + entries.map((e) => `  - ${e}\n`).join(""));
const namesOf = (user: OrganizationUser) => (user.groups ?? []).map((g) => g.name);
const ORG = exampleOrg();
const byEmail = new Map(ORG.map((u) => [u.email, u]));
const FORMER = byEmail.get("Former.Employee@Example.com")!;
const ISABEL = byEmail.get("isabel.costa@example.com")!;

groups("plan shows each user's groups in every format", async ({ env, dir }) => {
  const file = writeTemp(dir, "users.yaml", withProtect("group: Admins"));
  const pretty = await runCli(["plan", "-f", file], { env });
  assert.is(pretty.code, 0, pretty.stderr);
  assert.match(pretty.stdout, "\n  - ben.cohen@example.com             disabled  last sign-in never       Billing\n");
  assert.match(
    pretty.stdout,
    '\n  = Former.Employee@Example.com       in protected group "Admins"     Admins, Billing\n',
  );
  const github = await runCli(["plan", "-f", file, "--format", "github"], { env });
  assert.ok(github.stdout.startsWith(pretty.stdout), "the GitHub format prints the same plan before its annotations");

  const markdown = await runCli(["plan", "-f", file, "--format", "markdown"], { env });
  assert.match(
    markdown.stdout,
    "\n- ben.cohen@example.com             disabled, last sign-in never; groups: Billing\n",
  );
  assert.match(
    markdown.stdout,
    "\n- `Former.Employee@Example.com`: in protected group `Admins`; groups: Admins, Billing\n",
  );

  const diff = await runCli(["plan", "-f", file, "--format", "diff"], { env });
  assert.match(diff.stdout, "\n-ben.cohen@example.com             disabled, last sign-in never; groups: Billing\n");
  assert.match(
    diff.stdout,
    "\n Former.Employee@Example.com       blocked, last sign-in 2026-03-02; groups: Admins, Billing\n",
    "kept, as context",
  );
  assert.match(
    diff.stdout,
    "\n lena.novak@example.com            disabled, last sign-in 2026-11-13\n",
    "a user in no group has no groups note",
  );
});

groups(
  "--format json gives the groups of every change, protected and kept user, and the group that protects",
  async ({ env, dir }) => {
    const file = writeTemp(dir, "users.yaml", withProtect("group: Admins"));
    const run = await runCli(["plan", "-f", file, "--format", "json"], { env });
    assert.is(run.code, 0, run.stderr);
    const doc = JSON.parse(run.stdout);
    assert.equal(doc.summary, { remove: 4, keep: 22, protected: 4, missing: 1, group_drift: 0 });
    const everyone = [...doc.changes, ...doc.protected, ...doc.kept] as {
      id: string;
      email: string;
      groups: string[];
    }[];
    assert.is(everyone.length, 30, "the whole organization, once");
    for (const user of everyone) assert.equal(user.groups, namesOf(ORG.find((u) => u.id === user.id)!), user.email);
    assert.equal(
      doc.protected.find((p: { email: string }) => p.email === FORMER.email),
      {
        id: FORMER.id,
        email: FORMER.email,
        user_status: "blocked",
        last_sign_in_at: FORMER.last_sign_in_at,
        groups: ["Admins", "Billing"],
        reason: "group",
        group: "Admins",
      },
    );
    assert.equal(
      doc.kept.find((k: { email: string }) => k.email === "tom.nguyen@example.com").groups,
      [],
      "in no group: an empty list",
    );
    assert.equal(doc.group_drift, []);
    assert.equal(doc.warnings, []);
  },
);

groups("a member of a protected group is never removed: apply removes the others", async ({ sandbox, env, dir }) => {
  const file = writeTemp(dir, "users.yaml", withProtect("group: Admins"));
  const run = await runCli(["apply", "-f", file, "--yes"], { env });
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, "Apply complete: 4 removed, 0 already absent, 0 failed, of 4 planned removals.\n");
  assert.is(sandbox.stats.removeRequests.size, 4);
  assert.not.ok(sandbox.stats.removeRequests.has(FORMER.id), "no request for the member of Admins");
  assert.ok(sandbox.users().some((u) => u.id === FORMER.id));
});

groups(
  "a protected group no one is in is a warning in every format, not an error; names compare as written",
  async ({ env, dir }) => {
    const file = writeTemp(dir, "users.yaml", withProtect("group: Auditors"));
    const line = EXAMPLE.split("\n").length; // the line after the partners pattern, the file's last
    const warning = `protected group "Auditors" (manifest line ${line}) has no member in the organization: check its name for a typo (names compare exactly), or remove it`;
    const pretty = await runCli(["plan", "-f", file, "--detailed-exitcode"], { env });
    assert.is(pretty.code, 2, "a plan with removals, not an error");
    assert.match(pretty.stdout, `\nWarnings (1):\n  ! ${warning}\n`);
    assert.match(
      pretty.stdout,
      "\n  - Former.Employee@Example.com       blocked   last sign-in 2026-03-02  Admins, Billing\n",
      "Auditors protects nobody",
    );
    const json = JSON.parse((await runCli(["plan", "-f", file, "--format", "json"], { env })).stdout);
    assert.equal(json.warnings, [{ kind: "unused_protect_group", group: "Auditors", line, message: warning }]);
    const markdown = await runCli(["plan", "-f", file, "--format", "markdown"], { env });
    assert.match(
      markdown.stdout,
      `**Warnings (1)**\n\n- protected group \`Auditors\` (manifest line ${line}) has no member`,
    );
    const github = await runCli(["plan", "-f", file, "--format", "github"], { env });
    assert.match(github.stdout, `\n::warning file=${file},line=${line},col=12::${warning}\n`);
    const diff = await runCli(["plan", "-f", file, "--format", "diff"], { env });
    assert.ok(diff.stdout.startsWith(`warning: ${warning}\n--- live`));
  },
);

groups(
  "a protected group that matches a live group only as a look-alike is an error naming both; nothing is sent",
  async ({ sandbox, env, dir }) => {
    const line = EXAMPLE.split("\n").length;
    for (const [name, why] of [
      ["admins", ""],
      ["\u0391dmins", " (\u0391 (U+0391) reads as A)"],
    ] as const) {
      const file = writeTemp(dir, "users.yaml", withProtect(`group: ${name}`));
      for (const args of [
        ["plan", "-f", file],
        ["apply", "-f", file, "--yes", "--force"],
      ]) {
        const run = await runCli(args, { env });
        assert.is(run.code, 1, run.stdout);
        assert.match(
          run.stderr,
          `users.yaml:${line}:12: protected group "${name}" is no group of the organization, but it looks like "Admins"${why}: write the name as the organization has it`,
        );
      }
    }
    assert.is(sandbox.stats.removeRequests.size, 0);
    // validate cannot know the organization, but it says which letters read as Latin ones.
    const file = writeTemp(dir, "users.yaml", withProtect("group: \u0391dmins"));
    const validate = await runCli(["validate", "-f", file], { env: { TELNYX_API_KEY: undefined } });
    assert.is(validate.code, 0);
    assert.match(
      validate.stderr,
      `${line}:12: the protected group "\u0391dmins" uses letters that look like Latin ones: \u0391 (U+0391) reads as A`,
    );
  },
);

groups("protect: [{ group: Équipe }] composed keeps a member of the API's decomposed Équipe", async ({ dir }) => {
  const sandbox = await startSandbox({
    users: ORG.map((u) => (u.id === FORMER.id ? { ...u, groups: [{ id: "g-e", name: "E\u0301quipe" }] } : u)),
    apiKey: TEST_API_KEY,
  });
  try {
    const file = writeTemp(dir, "users.yaml", withProtect("group: \u00c9quipe"));
    const run = await runCli(["apply", "-f", file, "--yes", "--format", "json"], {
      env: { TELNYX_BASE_URL: sandbox.url },
    });
    assert.is(run.code, 0, run.stderr);
    assert.not.ok(sandbox.stats.removeRequests.has(FORMER.id), "the member of Équipe is kept");
    assert.ok(sandbox.users().some((u) => u.id === FORMER.id));
    assert.ok(sandbox.stats.removeRequests.size > 0, "the others are removed");
  } finally {
    await sandbox.close();
  }
});

groups(
  "require_force_for_groups: exit 3 naming the user and group, nothing sent, unless --force",
  async ({ sandbox, env, dir }) => {
    const file = writeTemp(dir, "users.yaml", `${EXAMPLE}guards:\n  require_force_for_groups: [Admins]\n`);
    const verdict =
      "would remove 1 member of Admins, listed in require_force_for_groups: Former.Employee@Example.com (Admins); review the plan, then pass --force";
    const plan = await runCli(["plan", "-f", file, "--detailed-exitcode"], { env });
    assert.is(plan.code, 3);
    assert.ok(plan.stdout.endsWith(`\nRefused: ${verdict}\n`), plan.stdout);
    const json = JSON.parse((await runCli(["plan", "-f", file, "--format", "json"], { env })).stdout);
    assert.equal(json.guard, { allowed: false, forced: false, guard: "require_force_for_groups", message: verdict });

    const refused = await runCli(["apply", "-f", file, "--yes"], { env });
    assert.is(refused.code, 3);
    assert.match(refused.stderr, `roster: refused: ${verdict}\nNothing was changed.\n`);
    assert.is(sandbox.stats.removeRequests.size, 0);

    const forced = await runCli(["apply", "-f", file, "--yes", "--force"], { env });
    assert.is(forced.code, 0, forced.stderr);
    assert.match(
      forced.stdout,
      `Guard lifted: ${verdict.replace("; review the plan, then pass --force", "; lifted by --force")}\n`,
    );
    assert.ok(sandbox.stats.removeRequests.has(FORMER.id));
    assert.is(sandbox.users().length, 25);
  },
);

groups(
  "group drift is reported in every format and counted, changes nothing, and alone keeps --detailed-exitcode at 0",
  async ({ sandbox, env, dir }) => {
    // Everyone listed; sofia (Billing) said to be in Support; maria's groups in another order; lena in none, as said.
    const users = ORG.map((u) =>
      u.email === "sofia.rossi@example.com"
        ? `  - email: ${u.email}\n    groups: [Support]\n`
        : u.email === "maria.garcia@example.com"
          ? `  - email: ${u.email}\n    groups: [Engineering, " Admins "]\n`
          : u.email === "lena.novak@example.com"
            ? `  - email: ${u.email}\n    groups: []\n`
            : `  - ${u.email}\n`,
    );
    const text = `version: 1\nusers:\n${users.join("")}`;
    const file = writeTemp(dir, "users.yaml", text);
    const line = text.split("\n").indexOf("  - email: sofia.rossi@example.com") + 1;
    const advice =
      "roster cannot change groups (the API has no endpoint for memberships); change them in the Telnyx portal, or the manifest's groups";

    const pretty = await runCli(["plan", "-f", file, "--detailed-exitcode"], { env });
    assert.is(pretty.code, 0, "drift alone is not a change roster makes");
    assert.ok(
      pretty.stdout.startsWith(
        "Plan: 0 to remove, 30 to keep, 0 protected, 0 missing, 1 with group drift (30 users in the organization)\n",
      ),
      pretty.stdout,
    );
    assert.match(
      pretty.stdout,
      `\nGroup drift (1): ${advice}\n  ≠ sofia.rossi@example.com  in [Billing]; manifest says [Support]\n`,
    );

    const json = JSON.parse(
      (await runCli(["plan", "-f", file, "--format", "json", "--detailed-exitcode"], { env })).stdout,
    );
    assert.is(json.summary.group_drift, 1);
    assert.equal(json.group_drift, [
      { email: "sofia.rossi@example.com", live: ["Billing"], manifest: ["Support"], line },
    ]);

    const markdown = await runCli(["plan", "-f", file, "--format", "markdown", "--detailed-exitcode"], { env });
    assert.is(markdown.code, 0);
    assert.ok(
      markdown.stdout.startsWith(
        "### roster plan: 0 to remove, 30 to keep, 0 protected, 0 missing, 1 with group drift\n",
      ),
    );
    assert.match(
      markdown.stdout,
      `\n**Group drift (1)**: ${advice}.\n\n- \`sofia.rossi@example.com\`: in \\[Billing\\]; manifest says \\[Support\\]\n`,
    );
    const diff = await runCli(["plan", "-f", file, "--format", "diff", "--detailed-exitcode"], { env });
    assert.is(diff.code, 0);
    assert.ok(
      diff.stdout.startsWith(
        `group drift: sofia.rossi@example.com in [Billing]; manifest says [Support]; ${advice}\n--- live`,
      ),
    );
    const github = await runCli(["plan", "-f", file, "--format", "github", "--detailed-exitcode"], { env });
    assert.is(github.code, 0);
    assert.match(
      github.stdout,
      `\n::notice file=${file},line=${line}::sofia.rossi@example.com is in [Billing]; manifest says [Support]: ${advice}\n`,
    );

    const apply = await runCli(["apply", "-f", file, "--yes"], { env });
    assert.is(apply.code, 0);
    assert.match(apply.stdout, "Nothing to apply: the organization already matches the manifest.");
    assert.is(sandbox.stats.removeRequests.size, 0);
  },
);

groups(
  "export writes every user's groups, and plan on the export finds no drift and nothing to do",
  async ({ env, dir }) => {
    const run = await runCli(["export", "-o", `${dir}/users.yaml`], { env });
    assert.is(run.code, 0, run.stderr);
    assert.match(
      readFileSync(`${dir}/users.yaml`, "utf8"),
      '\n  - email: maria.garcia@example.com          # enabled, last sign-in 2026-11-19\n    groups: ["Admins", "Engineering"]\n',
    );
    const plan = await runCli(["plan", "-f", `${dir}/users.yaml`, "--format", "json", "--detailed-exitcode"], { env });
    assert.is(plan.code, 0);
    const doc = JSON.parse(plan.stdout);
    assert.equal(doc.summary, { remove: 0, keep: 30, protected: 0, missing: 0, group_drift: 0 });
    assert.equal(doc.group_drift, []);
  },
);

groups(
  "export round-trips hostile group names: quotes, colons, bidi and control characters, spaces around",
  async ({ dir, sandbox }) => {
    await sandbox.close();
    const names = [
      'Ops "night": on-call',
      "Ad\u202emins",
      "tab\there\u0007",
      "  padded  ",
      "# not a comment",
      "[x], y",
    ];
    const users = [{ ...ORG[0]! }, { ...ORG[1]!, groups: names.map((name, i) => ({ id: `g${i}`, name })) }];
    const odd = await startSandbox({ users, apiKey: TEST_API_KEY });
    try {
      const oddEnv = { TELNYX_BASE_URL: odd.url };
      const run = await runCli(["export", "-o", `${dir}/users.yaml`], { env: oddEnv });
      assert.is(run.code, 0, run.stderr);
      const text = readFileSync(`${dir}/users.yaml`, "utf8");
      assert.not.match(text, /[\u202e\u0007\t]/, "no raw control or bidi character in the file");
      const plan = await runCli(["plan", "-f", `${dir}/users.yaml`, "--format", "json"], { env: oddEnv });
      assert.is(plan.code, 0, plan.stderr);
      const doc = JSON.parse(plan.stdout);
      assert.equal(doc.summary, { remove: 0, keep: 2, protected: 0, missing: 0, group_drift: 0 });
      assert.equal(doc.kept[1].groups, names, "the JSON keeps the names whole");
    } finally {
      await odd.close();
    }
  },
);

groups("the audit log carries each removal's groups, to restore them on a re-invite", async ({ env, dir }) => {
  const log = `${dir}/audit.jsonl`;
  const run = await runCli(["apply", "-f", `${EXAMPLES}users.yaml`, "--yes", "--audit-log", log], { env });
  assert.is(run.code, 0, run.stderr);
  const lines = readAuditLog(log);
  assert.is(lines.length, 5);
  for (const line of lines) assert.equal(line.groups, namesOf(byEmail.get(line.email as string)!), String(line.email));
  assert.equal(lines.find((l) => l.id === FORMER.id)!.groups, ["Admins", "Billing"]);
});

groups(
  "a user who moves into a protected group between plan --out and apply PLAN is refused, and nothing is sent",
  async (context) => {
    const { dir, env } = context;
    writeTemp(dir, "users.yaml", withProtect("group: Admins"));
    const planned = await runCli(["plan", "-f", "users.yaml", "--out", "plan.json"], { env, cwd: dir });
    assert.is(planned.code, 0, planned.stderr);
    const saved = JSON.parse(readFileSync(`${dir}/plan.json`, "utf8"));
    assert.is(saved.format_version, 3);
    assert.equal(saved.manifest.protect_groups, ["Admins"]);
    assert.equal(
      saved.removals.find((r: { id: string }) => r.id === ISABEL.id).groups,
      ["Support"],
      "planned while in Support only",
    );

    // The same organization at the same address, but Isabel has joined Admins since the plan was made.
    const port = Number(new URL(context.sandbox.url).port);
    await context.sandbox.close();
    const moved = exampleOrg().map((u) =>
      u.id === ISABEL.id ? { ...u, groups: [...(u.groups ?? []), { id: "g-admins", name: "Admins" }] } : u,
    );
    context.sandbox = await startSandbox({ users: moved, apiKey: TEST_API_KEY, port });

    const run = await runCli(["apply", "plan.json", "--yes"], { env, cwd: dir });
    assert.is(run.code, 3, "refused, as a plan that would remove a protected user is");
    assert.is(
      run.stderr,
      'roster: refusing to apply: the plan would remove isabel.costa@example.com, who is in the protected group "Admins"; nothing was sent\n',
    );
    assert.is(context.sandbox.stats.removeRequests.size, 0, "no removal sent, not even the others'");
    assert.is(context.sandbox.users().length, 30);
  },
);

groups(
  "a user who moves into a guarded group between plan --out and apply PLAN trips the guard again",
  async (context) => {
    const { dir, env } = context;
    writeTemp(dir, "users.yaml", `${withProtect("group: Admins")}guards:\n  require_force_for_groups: [Engineering]\n`);
    // Planned with --force: contractor.jones and intern.2024 are in Engineering.
    assert.is((await runCli(["plan", "-f", "users.yaml", "--out", "plan.json", "--force"], { env, cwd: dir })).code, 0);
    const port = Number(new URL(context.sandbox.url).port);
    await context.sandbox.close();
    const moved = exampleOrg().map((u) =>
      u.id === ISABEL.id ? { ...u, groups: [{ id: "g-eng", name: "Engineering" }] } : u,
    );
    context.sandbox = await startSandbox({ users: moved, apiKey: TEST_API_KEY, port });
    const run = await runCli(["apply", "plan.json", "--yes"], { env, cwd: dir });
    assert.is(run.code, 3, run.stdout + run.stderr);
    assert.match(run.stderr, "isabel.costa@example.com (Engineering)");
    assert.is(context.sandbox.stats.removeRequests.size, 0);
  },
);

groups(
  "when the groups report is refused, the pages are read with their groups, and protection by group still holds",
  async (context) => {
    const { dir, env } = context;
    await context.sandbox.close();
    context.sandbox = await startSandbox({
      users: exampleOrg(),
      apiKey: TEST_API_KEY,
      refuseGroupsReport: true,
      port: Number(new URL(context.sandbox.url).port),
    });
    const file = writeTemp(dir, "users.yaml", withProtect("group: Admins"));
    const run = await runCli(["plan", "-f", file, "--format", "json"], { env });
    assert.is(run.code, 0, run.stderr);
    const doc = JSON.parse(run.stdout);
    assert.is(context.sandbox.stats.reportRequests, 1, "the report was asked for, and refused");
    assert.equal(doc.protected.find((p: { email: string }) => p.email === FORMER.email).reason, "group");
    for (const user of [...doc.changes, ...doc.protected, ...doc.kept])
      assert.equal(user.groups, namesOf(ORG.find((u) => u.id === user.id)!));
  },
);

groups.run();
