import { readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { startSandbox, type Sandbox } from "../../src/sandbox/sandbox.js";
import { assertNoKey, runCli, tempDir, TEST_API_KEY, writeTemp } from "../helpers/cli.js";
import { EXAMPLES, ROOT, exampleOrg, manifestText } from "../helpers/org.js";

const VERSION: string = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")).version;

/** roster in a GitOps workflow: saved plans, review formats, guards in CI, adopting an organization. */
const gitops = suite<{ sandbox: Sandbox; env: Record<string, string>; dir: string }>("gitops", {
  sandbox: undefined as unknown as Sandbox,
  env: {},
  dir: "",
});
const USERS = `${EXAMPLES}users.yaml`;
/** A manifest that keeps 6 of the example organization's 30 users: an 80% removal. */
const sixUsers = () =>
  manifestText(
    exampleOrg()
      .slice(0, 6)
      .map((u) => u.email),
  );

gitops.before.each(async (context) => {
  context.sandbox = await startSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY });
  context.env = { TELNYX_BASE_URL: context.sandbox.url };
  context.dir = tempDir();
});
gitops.after.each(async ({ sandbox }) => {
  await sandbox.close();
});

gitops(
  "plan --out saves the plan; apply PLAN removes exactly its users, without asking",
  async ({ sandbox, env, dir }) => {
    const planned = await runCli(["plan", "-f", USERS, "--out", `${dir}/plan.json`], { env });
    assert.is(planned.code, 0);
    assert.is(
      planned.stderr,
      `Saved the plan to ${dir}/plan.json: roster apply ${dir}/plan.json applies exactly these removals.\n`,
    );
    const text = readFileSync(`${dir}/plan.json`, "utf8");
    assertNoKey(text, "the saved plan");
    assert.is(statSync(`${dir}/plan.json`).mode & 0o777, 0o600, "readable by its owner only");
    const saved = JSON.parse(text);
    assert.is(saved.api_host, new URL(sandbox.url).host);
    assert.is(saved.manifest.path, USERS);
    assert.match(saved.manifest.sha256, /^sha256:[0-9a-f]{64}$/);
    assert.is(sandbox.stats.removeRequests.size, 0, "plan removes nothing");

    const applied = await runCli(["apply", `${dir}/plan.json`], { env });
    assert.is(applied.code, 0, applied.stderr);
    assert.match(
      applied.stdout,
      "Apply complete: 5 removed, 0 already absent, 0 failed, of 5 planned removals.\nVerified: the organization now matches the manifest.\n",
    );
    assert.equal(
      [...sandbox.stats.removeRequests.keys()].sort(),
      saved.removals.map((r: { id: string }) => r.id).sort(),
    );
    assert.is(sandbox.users().length, 25);
  },
);

gitops("a saved plan made stale by another change is refused, and nothing is sent", async ({ sandbox, env, dir }) => {
  await runCli(["plan", "-f", USERS, "--out", `${dir}/plan.json`], { env });
  const other = writeTemp(
    dir,
    "other.yaml",
    manifestText(
      exampleOrg()
        .slice(0, 29)
        .map((u) => u.email),
    ),
  );
  assert.is((await runCli(["apply", "-f", other, "--yes"], { env })).code, 0);
  const sent = sandbox.stats.removeRequests.size;
  const run = await runCli(["apply", `${dir}/plan.json`], { env });
  assert.is(run.code, 1);
  assert.is(
    run.stderr,
    "roster: error: plan is stale: the organization changed since the plan was made; run roster plan again\nNothing was changed.\n",
  );
  assert.is(sandbox.stats.removeRequests.size, sent);
});

gitops(
  "the guards are checked again when a saved plan is applied, and --force then lifts them",
  async ({ sandbox, env, dir }) => {
    const file = writeTemp(dir, "users.yaml", sixUsers());
    assert.is((await runCli(["plan", "-f", file, "--out", `${dir}/plan.json`], { env })).code, 0);
    const refused = await runCli(["apply", `${dir}/plan.json`], { env });
    assert.is(refused.code, 3);
    assert.match(
      refused.stderr,
      "roster: refused: would remove 24 of 30 users (80.0%), over the 25% guard: review the plan, then raise guards.max_removal_percent or pass --force\nNothing was changed.\n",
    );
    assert.is(sandbox.stats.removeRequests.size, 0);
    const forced = await runCli(["apply", `${dir}/plan.json`, "--force"], { env });
    assert.is(forced.code, 0);
    assert.is(sandbox.users().length, 6);
  },
);

gitops("a saved plan and -f together are refused before anything is read", async ({ sandbox, env, dir }) => {
  await runCli(["plan", "-f", USERS, "--out", `${dir}/plan.json`], { env });
  const requests = sandbox.stats.requests;
  const run = await runCli(["apply", `${dir}/plan.json`, "-f", USERS], { env });
  assert.is(run.code, 1);
  assert.is(
    run.stderr,
    `roster: error: give a saved plan or -f, not both: roster apply ${dir}/plan.json applies the plan as saved, without reading a manifest. Nothing was changed.\n`,
  );
  assert.is(sandbox.stats.requests, requests);
});

gitops("a saved plan changed by hand is refused before any request", async ({ sandbox, env, dir }) => {
  await runCli(["plan", "-f", USERS, "--out", `${dir}/plan.json`], { env });
  const doc = JSON.parse(readFileSync(`${dir}/plan.json`, "utf8"));
  doc.removals[0].email = "maria.garcia@example.com";
  writeFileSync(`${dir}/plan.json`, JSON.stringify(doc));
  const requests = sandbox.stats.requests;
  const run = await runCli(["apply", `${dir}/plan.json`], { env });
  assert.is(run.code, 1);
  assert.is(
    run.stderr,
    `roster: error: ${dir}/plan.json was altered after roster saved it, or made with another API key (its checksum does not match): make the plan again with roster plan --out\nNothing was changed.\n`,
  );
  assert.is(sandbox.stats.requests, requests);
});

gitops("plan --out never writes over the manifest", async ({ sandbox, env, dir }) => {
  const file = writeTemp(dir, "users.yaml", readFileSync(USERS, "utf8"));
  const run = await runCli(["plan", "-f", file, "--out", file], { env });
  assert.is(run.code, 1);
  assert.is(
    run.stderr,
    `roster: error: --out ${file} is the manifest itself: save the plan to another file, such as plan.json. Nothing was changed.\n`,
  );
  assert.is(readFileSync(file, "utf8"), readFileSync(USERS, "utf8"));
  assert.is(sandbox.stats.requests, 0);
});

gitops("a manifest given where a saved plan goes says how to apply a manifest", async ({ sandbox, env }) => {
  const run = await runCli(["apply", USERS], { env });
  assert.is(run.code, 1);
  assert.is(
    run.stderr,
    `roster: error: roster apply takes the manifest with -f: roster apply -f ${USERS} (a file given without -f is a plan saved by roster plan --out)\n`,
  );
  assert.is(sandbox.stats.requests, 0);
});

gitops("--detailed-exitcode gives 0, 2 and 3 in every format", async ({ env, dir }) => {
  const refusing = writeTemp(dir, "refusing.yaml", sixUsers());
  const everyone = writeTemp(dir, "everyone.yaml", manifestText(exampleOrg().map((u) => u.email)));
  for (const format of ["pretty", "json", "markdown", "diff", "github"]) {
    assert.is(
      (await runCli(["plan", "-f", USERS, "--format", format, "--detailed-exitcode"], { env })).code,
      2,
      format,
    );
    assert.is(
      (await runCli(["plan", "-f", refusing, "--format", format, "--detailed-exitcode"], { env })).code,
      3,
      format,
    );
    assert.is(
      (await runCli(["plan", "-f", everyone, "--format", format, "--detailed-exitcode"], { env })).code,
      0,
      format,
    );
  }
});

gitops("plan --format markdown prints only the comment, even with --out", async ({ env, dir }) => {
  const run = await runCli(["plan", "-f", USERS, "--format", "markdown", "--out", `${dir}/plan.json`], { env });
  assert.ok(run.stdout.startsWith("### roster plan: 5 to remove, 22 to keep, 3 protected, 1 missing\n"));
  assert.match(
    run.stdout,
    "\n```diff\n- ben.cohen@example.com             disabled, last sign-in never; groups: Billing\n",
  );
  assert.ok(run.stdout.endsWith("\n**Guards:** would remove 5 of 30 users (16.7%): within the guards\n"));
});

gitops("plan --format diff prints a unified diff of the live roster", async ({ env }) => {
  const run = await runCli(["plan", "-f", USERS, "--format", "diff"], { env });
  const lines = run.stdout.split("\n");
  assert.is(lines[0], `--- live\t${new URL(env.TELNYX_BASE_URL!).host}, 30 users`);
  assert.is(lines[1], `+++ after-apply\t${USERS}, 25 users`);
  assert.equal(
    lines.filter((l) => l.startsWith("-") && !l.startsWith("---")).map((l) => l.split(" ")[0]),
    [
      "-ben.cohen@example.com",
      "-contractor.jones@example.com",
      "-Former.Employee@Example.com",
      "-intern.2024@example.com",
      "-isabel.costa@example.com",
    ],
  );
});

gitops(
  "plan --format github ends with a notice of the summary and a warning at the missing user's line",
  async ({ env }) => {
    const run = await runCli(["plan", "-f", USERS, "--format", "github"], { env });
    const commands = run.stdout.split("\n").filter((l) => l.startsWith("::"));
    assert.equal(commands, [
      `::notice file=${USERS}::Plan: 5 to remove, 22 to keep, 3 protected, 1 missing (30 users in the organization)%0AGuards: would remove 5 of 30 users (16.7%25): within the guards`,
      `::warning file=${USERS},line=32,col=12::new.hire@example.com is not in the organization: roster does not invite; invite them in the Telnyx portal`,
    ]);
  },
);

gitops("validate --format github turns manifest problems into error annotations, exit 1", async ({ dir }) => {
  const file = writeTemp(
    dir,
    "users.yaml",
    "version: 1\nusers:\n  - alice@example.com\n  - bob@example\n  - alice@EXAMPLE.com\n",
  );
  const run = await runCli(["validate", "-f", file, "--format", "github"], { env: { TELNYX_API_KEY: undefined } });
  assert.is(run.code, 1);
  assert.is(
    run.stdout,
    `::error file=${file},line=4,col=5::invalid email "bob@example": write it as name@domain.example\n` +
      `::error file=${file},line=5,col=5::duplicate user "alice@example.com" (first at line 3)\n`,
  );
  assert.is(run.stderr, "roster: the manifest has 2 problems; fix them and run again. Nothing was changed.\n");
  const plan = await runCli(["plan", "-f", file, "--format", "github"]);
  assert.is(plan.code, 1);
  assert.is(plan.stdout, run.stdout, "plan annotates the same problems");
  const good = await runCli(["validate", "-f", USERS, "--format", "github"], { env: { TELNYX_API_KEY: undefined } });
  assert.is(good.stdout, `${USERS}: valid manifest: 23 users, 1 protect pattern\n`);
});

gitops("errors other than the manifest's become an annotation too with --format github", async ({ env }) => {
  const run = await runCli(["plan", "-f", USERS, "--format", "github"], {
    env: { ...env, TELNYX_API_KEY: `${TEST_API_KEY}-wrong` },
  });
  assert.is(run.code, 1);
  assert.is(run.stdout, "::error::roster: error: authentication failed: check TELNYX_API_KEY\n");
});

gitops("guards in the manifest refuse a plan, and a flag overrides them for one run", async ({ sandbox, env, dir }) => {
  const file = writeTemp(dir, "users.yaml", `${readFileSync(USERS, "utf8")}guards:\n  max_removals: 2\n`);
  const plan = await runCli(["plan", "-f", file, "--detailed-exitcode"], { env });
  assert.is(plan.code, 3);
  assert.match(
    plan.stdout,
    "\nRefused: would remove 5 of 30 users (16.7%), over the max_removals guard of 2: review the plan, then raise guards.max_removals or pass --force\n",
  );
  const refused = await runCli(["apply", "-f", file, "--yes"], { env });
  assert.is(refused.code, 3);
  assert.is(sandbox.stats.removeRequests.size, 0);
  assert.is((await runCli(["plan", "-f", file, "--detailed-exitcode", "--max-removals", "5"], { env })).code, 2);
  assert.is(
    (
      await runCli(["plan", "-f", file, "--detailed-exitcode", "--max-removals", "5", "--max-removal-percent", "10"], {
        env,
      })
    ).code,
    3,
  );
});

gitops(
  "export then plan finds nothing to do; the export is a valid manifest naming the schema",
  async ({ sandbox, env, dir }) => {
    const run = await runCli(["export", "-o", `${dir}/users.yaml`], { env });
    assert.is(run.code, 0, run.stderr);
    assert.is(
      run.stderr,
      `Wrote 30 users to ${dir}/users.yaml: check it with roster plan -f ${dir}/users.yaml, which should find nothing to do.\n`,
    );
    const text = readFileSync(`${dir}/users.yaml`, "utf8");
    const ref = /^# yaml-language-server: \$schema=(\S+)\n/.exec(text);
    assert.ok(ref, "starts with the schema line");
    // This roster runs from a checkout the temporary folder is outside of: a path into it would break elsewhere.
    assert.is(ref[1], `https://unpkg.com/telnyx-roster@${VERSION}/schema/users.schema.json`);
    // A user in groups is written as a mapping with its groups, so that the plan finds no group drift.
    assert.match(
      text,
      '\n  - email: dana.whitfield@example.com        # organization owner, enabled, last sign-in 2026-11-20\n    groups: ["Admins"]\n',
    );
    assert.match(
      text,
      "\n  - tom.nguyen@example.com                   # enabled, last sign-in 2026-11-14\n  - email: ",
      "a user in no group stays a bare email",
    );
    const emails = text
      .split("\n")
      .filter((l) => l.startsWith("  - "))
      .map((l) =>
        l
          .slice(4)
          .replace(/^email: /, "")
          .split(" ")[0]!
          .toLowerCase(),
      );
    assert.is(emails.length, 30);
    assert.equal(emails, [...emails].sort(), "sorted by email, whatever the letter case");
    assert.match(
      text,
      '\n  - email: Former.Employee@Example.com       # blocked, last sign-in 2026-03-02\n    groups: ["Admins", "Billing"]\n',
      "written as the API has it",
    );

    assert.is(
      (await runCli(["validate", "-f", `${dir}/users.yaml`], { env })).stdout,
      `${dir}/users.yaml: valid manifest: 30 users\n`,
    );
    const plan = await runCli(["plan", "-f", `${dir}/users.yaml`, "--detailed-exitcode"], { env });
    assert.is(plan.code, 0);
    assert.ok(
      plan.stdout.startsWith("Plan: 0 to remove, 30 to keep, 0 protected, 0 missing (30 users in the organization)\n"),
    );
    assert.is(sandbox.stats.removeRequests.size, 0);
  },
);

gitops("export prints to stdout without -o, and takes a schema reference", async ({ env, dir }) => {
  const run = await runCli(["export", "--schema-ref", "https://example.com/users.schema.json"], { env, cwd: dir });
  assert.is(run.code, 0);
  assert.ok(run.stdout.startsWith("# yaml-language-server: $schema=https://example.com/users.schema.json\n"));
  assert.is(run.stdout.split("\n").filter((l) => l.startsWith("  - ")).length, 30);
});

gitops(
  "export does not overwrite a manifest unless --force, and never leaves a half-written one",
  async ({ env, dir }) => {
    const file = writeTemp(dir, "users.yaml", "# reviewed\n");
    const run = await runCli(["export", "-o", file], { env });
    assert.is(run.code, 1);
    assert.is(
      run.stderr,
      `roster: error: ${file} already exists: roster export does not overwrite a manifest (it may hold reviewed users, protect patterns and guards); pass --force to replace it, or -o another file\n`,
    );
    assert.is(readFileSync(file, "utf8"), "# reviewed\n");
    const forced = await runCli(["export", "-o", file, "--force"], { env });
    assert.is(forced.code, 0);
    assert.match(readFileSync(file, "utf8"), /^# yaml-language-server: /);
    assert.is(dirname(file), dir);
  },
);

gitops.run();
