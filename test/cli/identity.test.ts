import { readFileSync, rmSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { startSandbox, type Sandbox } from "../../src/sandbox/sandbox.js";
import type { OrganizationUser } from "../../src/core/organization-user.js";
import { readAuditLog, runCli, tempDir, TEST_API_KEY, writeTemp } from "../helpers/cli.js";
import { liveUser } from "../helpers/org.js";

// Who is who: the spelling and script of an address, patterns, internationalised domains, record types.
const identity = suite<{ dir: string; sandboxes: Sandbox[] }>("identity", { dir: "", sandboxes: [] });

identity.before.each((context) => {
  context.dir = tempDir();
  context.sandboxes = [];
});
identity.after.each(async ({ dir, sandboxes }) => {
  for (const sandbox of sandboxes) await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

async function sandboxOf(context: { sandboxes: Sandbox[] }, users: OrganizationUser[]) {
  const sandbox = await startSandbox({ users, apiKey: TEST_API_KEY });
  context.sandboxes.push(sandbox);
  return { sandbox, env: { TELNYX_BASE_URL: sandbox.url } };
}

const owner = liveUser("1", "owner@example.com", { record_type: "organization_owner" });

identity(
  "a look-alike of a user the plan removes refuses the plan, naming both, and no removal is sent",
  async (context) => {
    const { sandbox, env } = await sandboxOf(context, [
      owner,
      liveUser("2", "alice@example.com"),
      liveUser("3", "cope@example.com"),
    ]);
    // соре typed in Cyrillic: one script, a legitimate address, but it reads as cope.
    const file = writeTemp(
      context.dir,
      "users.yaml",
      "version: 1\nusers:\n  - alice@example.com\n  - соре@example.com\n",
    );
    const expected =
      `${file}:4:5: "соре@example.com" is not in the organization, but it looks like cope@example.com ` +
      "(с (U+0441) reads as c, о (U+043E) reads as o, р (U+0440) reads as p, е (U+0435) reads as e), whom this plan would remove: " +
      'type the address as the organization has it. If they are two people, leave "соре@example.com" out of the manifest until they are invited\n' +
      "roster: the manifest has a problem; fix it and run again. Nothing was changed.\n";
    for (const args of [["plan"], ["plan", "--detailed-exitcode"], ["apply", "--yes"], ["apply", "--yes", "--force"]]) {
      const run = await runCli([...args, "-f", file], { env });
      assert.is(run.code, 1, args.join(" "));
      assert.is(run.stderr, expected, args.join(" "));
      assert.is(run.stdout, "", "no plan is shown");
    }
    const github = await runCli(["plan", "-f", file, "--format", "github"], { env });
    assert.match(
      github.stdout,
      `::error file=${file.replace(/:/g, "%3A")},line=4,col=5::"соре@example.com" is not in the organization`,
    );
    assert.is(sandbox.stats.removeRequests.size, 0, "no removal request reached the API");
    assert.is(sandbox.users().length, 3);

    // validate cannot know the organization, but it says which letters read as Latin ones, and passes.
    const validate = await runCli(["validate", "-f", file], { env: { TELNYX_API_KEY: undefined } });
    assert.is(validate.code, 0);
    assert.is(validate.stdout, `${file}: valid manifest: 2 users\n`);
    assert.is(
      validate.stderr,
      `warning: ${file}:4:5: the address "соре@example.com" uses letters that look like Latin ones: с (U+0441) reads as c, о (U+043E) reads as o, р (U+0440) reads as p, е (U+0435) reads as e; check that it is written as the organization has it\n`,
    );
  },
);

identity("look-alikes across case and script refuse the plan, naming both; apply removes nobody", async (context) => {
  // Each manifest spelling reads as the live address once case is set aside: Greek capitals as Latin
  // capitals, Cyrillic capitals, a capital I as a small l, the digit 1 as a capital I.
  const cases = [
    ["ΑΒΕ@example.com", "abe@example.com"],
    ["ΤΟΜ@example.com", "Tom@Example.com"],
    ["ТОМ@example.com", "tom@example.com"],
    ["lan@example.com", "Ian@example.com"],
    ["k1m@example.com", "kim@example.com"],
  ];
  for (const [written, live] of cases) {
    const { sandbox, env } = await sandboxOf(context, [
      owner,
      liveUser("2", "alice@example.com"),
      liveUser("3", live!),
    ]);
    const file = writeTemp(context.dir, "users.yaml", `version: 1\nusers:\n  - alice@example.com\n  - ${written}\n`);
    for (const args of [["plan"], ["apply", "--yes", "--force"]]) {
      const run = await runCli([...args, "-f", file], { env });
      assert.is(run.code, 1, `${written} against ${live}: ${args.join(" ")}\n${run.stdout}`);
      assert.match(run.stderr, `${file}:4:5: "${written}" is not in the organization, but it looks like ${live}`);
      assert.is(run.stdout, "", "no plan is shown");
    }
    assert.is(sandbox.stats.removeRequests.size, 0, `${written}: no removal request reached the API`);
  }
});

identity(
  "a protect pattern whose domain only looks like the live users' (Cyrillic соре.com) refuses the plan: they would go unprotected",
  async (context) => {
    const { sandbox, env } = await sandboxOf(context, [
      owner,
      liveUser("2", "alice@example.com"),
      liveUser("3", "bob@cope.com"),
    ]);
    const file = writeTemp(
      context.dir,
      "users.yaml",
      'version: 1\nusers:\n  - alice@example.com\nprotect:\n  - "*@соре.com"\n',
    );
    for (const args of [["plan"], ["apply", "--yes", "--force"]]) {
      const run = await runCli([...args, "-f", file], { env });
      assert.is(run.code, 1, `${args.join(" ")}\n${run.stdout}`);
      assert.match(
        run.stderr,
        `${file}:5:5: protect pattern "*@соре.com" matches no user, but its domain looks like cope.com`,
      );
    }
    assert.is(sandbox.stats.removeRequests.size, 0, "bob, whom the pattern was written for, is not removed");
  },
);

identity("addresses written wholly in another script are kept, Greek final sigma and all", async (context) => {
  const { sandbox, env } = await sandboxOf(context, [
    owner,
    liveUser("2", "οδοσ@example.com"),
    liveUser("3", "иван@пример.example"),
    liveUser("4", "cope@example.com"),
  ]);
  const file = writeTemp(
    context.dir,
    "users.yaml",
    "version: 1\nusers:\n  - ΟΔΟΣ@example.com\n  - Иван@пример.example\n",
  );
  const run = await runCli(["apply", "-f", file, "--yes", "--force", "--format", "json"], { env });
  assert.is(run.code, 0, run.stderr);
  assert.equal(
    JSON.parse(run.stdout).results.map((r: { email: string }) => r.email),
    ["cope@example.com"],
  );
  assert.equal([...sandbox.stats.removeRequests.keys()], ["4"]);
});

identity("a protect pattern in decomposed form protects the users it reads as", async (context) => {
  const { sandbox, env } = await sandboxOf(context, [
    owner,
    liveUser("2", "alice@example.com"),
    liveUser("3", "José.Garcia@example.com"),
    liveUser("4", "zed@example.com"),
  ]);
  const file = writeTemp(
    context.dir,
    "users.yaml",
    'version: 1\nusers:\n  - alice@example.com\nprotect:\n  - "jose\u0301*@example.com"\n',
  );
  const plan = await runCli(["plan", "-f", file, "--format", "json"], { env });
  assert.equal(
    JSON.parse(plan.stdout).protected.map((p: { email: string; reason: string }) => [p.email, p.reason]),
    [
      ["José.Garcia@example.com", "pattern"],
      ["owner@example.com", "owner"],
    ],
  );
  const run = await runCli(["apply", "-f", file, "--yes", "--force"], { env });
  assert.is(run.code, 0, run.stderr);
  assert.equal([...sandbox.stats.removeRequests.keys()], ["4"]);
});

identity(
  "pattern syntax roster does not support is a positioned error, and nothing is asked of the API",
  async (context) => {
    const { sandbox, env } = await sandboxOf(context, [owner, liveUser("2", "alice@example.com")]);
    const file = writeTemp(
      context.dir,
      "users.yaml",
      "version: 1\nusers:\n  - alice@example.com\nprotect:\n  - svc-[ab]@example.com\n",
    );
    for (const command of ["validate", "plan"]) {
      const run = await runCli([command, "-f", file], { env });
      assert.is(run.code, 1);
      assert.is(
        run.stderr,
        `${file}:5:9: protect pattern "svc-[ab]@example.com": character classes such as [ab] are not supported: write one pattern for each address, or ? for any one character\n` +
          "roster: the manifest has a problem; fix it and run again. Nothing was changed.\n",
      );
    }
    assert.is(sandbox.stats.requests, 0);
  },
);

identity("a protect pattern that matches no one is a warning in every plan format", async (context) => {
  const { env } = await sandboxOf(context, [
    owner,
    liveUser("2", "alice@example.com"),
    liveUser("3", "bot@partners.example.com"),
  ]);
  const file = writeTemp(
    context.dir,
    "users.yaml",
    'version: 1\nusers:\n  - alice@example.com\nprotect:\n  - "*@partners.example.com"\n  - "*@partner.example.com"\n',
  );
  const warning =
    'protect pattern "*@partner.example.com" (manifest line 6) matches no user in the organization: check it for a typo, or remove it';
  const pretty = await runCli(["plan", "-f", file], { env });
  assert.match(pretty.stdout, `\nWarnings (1):\n  ! ${warning}\n`);
  const json = JSON.parse((await runCli(["plan", "-f", file, "--format", "json"], { env })).stdout);
  assert.equal(json.warnings, [
    { kind: "unused_protect_pattern", pattern: "*@partner.example.com", line: 6, message: warning },
  ]);
  const markdown = await runCli(["plan", "-f", file, "--format", "markdown"], { env });
  assert.match(
    markdown.stdout,
    "**Warnings (1)**\n\n- protect pattern `*@partner.example.com` (manifest line 6) matches no user in the organization",
  );
  const github = await runCli(["plan", "-f", file, "--format", "github"], { env });
  assert.match(github.stdout, `\n::warning file=${file.replace(/:/g, "%3A")},line=6,col=5::${warning}\n`);
  const diff = await runCli(["plan", "-f", file, "--format", "diff"], { env });
  assert.ok(diff.stdout.startsWith(`warning: ${warning}\n--- live`));
  for (const run of [pretty, markdown, github, diff]) assert.is(run.code, 0);
  assert.not.match(
    pretty.stdout,
    '*@partners.example.com" (manifest line 5)',
    "the pattern in use is not warned about",
  );
});

identity(
  "an internationalised domain in either spelling keeps its user, and export round-trips it",
  async (context) => {
    const users = [
      owner,
      liveUser("2", "user@bücher.example"),
      liveUser("3", "Other@XN--BCHER-KVA.example"),
      liveUser("4", "zed@example.com"),
    ];
    const { sandbox, env } = await sandboxOf(context, users);
    const file = writeTemp(
      context.dir,
      "users.yaml",
      "version: 1\nusers:\n  - user@xn--bcher-kva.example\n  - other@bücher.example\n",
    );
    assert.is((await runCli(["validate", "-f", file])).code, 0);
    const plan = await runCli(["plan", "-f", file, "--format", "json"], { env });
    const doc = JSON.parse(plan.stdout);
    assert.equal(doc.summary, { remove: 1, keep: 2, protected: 1, missing: 0, group_drift: 0 });
    assert.equal(
      doc.changes.map((c: { email: string }) => c.email),
      ["zed@example.com"],
    );

    const exported = `${context.dir}/exported.yaml`;
    const run = await runCli(["export", "-o", exported], { env });
    assert.is(run.code, 0, run.stderr);
    const text = readFileSync(exported, "utf8");
    assert.match(text, '\n  - "user@bücher.example"');
    assert.match(text, "\n  - Other@XN--BCHER-KVA.example");
    const again = await runCli(["plan", "-f", exported, "--detailed-exitcode"], { env });
    assert.is(again.code, 0, "the exported manifest finds nothing to do");
    assert.is(sandbox.stats.removeRequests.size, 0);
  },
);

identity(
  "the owner by any spelling of its record type, and an unknown record type, are never removed",
  async (context) => {
    const { sandbox, env } = await sandboxOf(context, [
      liveUser("1", "boss@example.com", { record_type: " Organization_Owner " }),
      liveUser("2", "alice@example.com"),
      liveUser("3", "admin@example.com", { record_type: "admin" }),
      liveUser("4", "blank@example.com", { record_type: "" }),
      liveUser("5", "zed@example.com", { record_type: "ORGANIZATION_SUB_USER" }),
    ]);
    const file = writeTemp(context.dir, "users.yaml", "version: 1\nusers:\n  - alice@example.com\n");
    const pretty = await runCli(["plan", "-f", file, "--force"], { env });
    assert.match(
      pretty.stdout,
      '  = admin@example.com  unknown record type "admin": roster removes only organization_sub_user\n',
    );
    assert.match(
      pretty.stdout,
      '  = blank@example.com  unknown record type "": roster removes only organization_sub_user\n',
    );
    assert.match(pretty.stdout, "  = boss@example.com   organization owner\n");
    const json = JSON.parse((await runCli(["plan", "-f", file, "--format", "json"], { env })).stdout);
    assert.equal(
      json.protected.map((p: { email: string; reason: string; record_type?: string }) => [
        p.email,
        p.reason,
        p.record_type,
      ]),
      [
        ["admin@example.com", "unknown_record_type", "admin"],
        ["blank@example.com", "unknown_record_type", ""],
        ["boss@example.com", "owner", undefined],
      ],
    );
    const markdown = await runCli(["plan", "-f", file, "--format", "markdown"], { env });
    assert.match(
      markdown.stdout,
      "- `admin@example.com`: unknown record type `admin`: roster removes only organization_sub_user",
    );
    const apply = await runCli(["apply", "-f", file, "--yes", "--force"], { env });
    assert.is(apply.code, 0, apply.stderr);
    assert.equal([...sandbox.stats.removeRequests.keys()], ["5"], "only the sub-user was sent a removal");
  },
);

identity("emails are shown and logged as the API spells them, and compared folded", async (context) => {
  const { env } = await sandboxOf(context, [
    owner,
    liveUser("2", "Alice@Example.com"),
    liveUser("3", "Bob@Example.COM"),
  ]);
  const file = writeTemp(
    context.dir,
    "users.yaml",
    "version: 1\nusers:\n  - bob@example.com\n  - New.Hire@Example.com\n",
  );
  const log = `${context.dir}/audit.jsonl`;
  const run = await runCli(["apply", "-f", file, "--yes", "--force", "--audit-log", log], { env });
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, "Remove 1 user:\n  - Alice@Example.com");
  assert.match(run.stdout, "  ? New.Hire@Example.com  (manifest line 4)", "a missing user as the manifest writes it");
  assert.match(run.stdout, "  removed        Alice@Example.com");
  assert.equal(
    readAuditLog(log).map((entry) => entry.email),
    ["Alice@Example.com"],
  );
});

identity.run();
