import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { startSandbox, type Sandbox } from "../../src/sandbox/sandbox.js";
import { sha256 } from "../../src/core/digest.js";
import { runCli, tempDir, TEST_API_KEY, writeTemp } from "../helpers/cli.js";
import { EXAMPLES, exampleOrg } from "../helpers/org.js";

/** A saved plan is sealed with the API key and tied to the manifest it was made from. */
const saved = suite<{ sandbox: Sandbox; env: Record<string, string>; dir: string }>("saved plans", {
  sandbox: undefined as unknown as Sandbox,
  env: {},
  dir: "",
});
const MANIFEST = readFileSync(`${EXAMPLES}users.yaml`, "utf8");
/** The example manifest with one of the users it plans to remove listed again. */
const WITH_BEN = MANIFEST.replace("users:\n", "users:\n  - ben.cohen@example.com\n");
const BEN = exampleOrg().find((u) => u.email === "ben.cohen@example.com")!;

saved.before.each(async (context) => {
  context.sandbox = await startSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY });
  context.env = { TELNYX_BASE_URL: context.sandbox.url };
  context.dir = tempDir();
});
saved.after.each(async ({ sandbox, dir }) => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Saves a plan of `users.yaml` in `cwd` (given relative, as in a repository) to `plan.json` there. */
async function planIn(cwd: string, env: Record<string, string>) {
  const run = await runCli(["plan", "-f", "users.yaml", "--out", "plan.json"], { env, cwd });
  assert.is(run.code, 0, run.stderr);
  return `${cwd}/plan.json`;
}

saved(
  "a user added back to the manifest after plan --out is not removed: apply PLAN refuses before any request",
  async ({ sandbox, env, dir }) => {
    writeTemp(dir, "users.yaml", MANIFEST);
    const plan = await planIn(dir, env);
    writeFileSync(`${dir}/users.yaml`, WITH_BEN);
    const requests = sandbox.stats.requests;
    const run = await runCli(["apply", plan], { env, cwd: dir });
    assert.is(run.code, 1);
    assert.is(
      run.stderr,
      "roster: error: the manifest changed since the plan was made: users.yaml is not the file the plan was made from; run roster plan again (or pass --ignore-manifest-change to apply the plan as saved)\nNothing was changed.\n",
    );
    assert.is(run.stdout, "");
    assert.is(sandbox.stats.requests, requests, "no request at all");
    assert.ok(sandbox.users().some((u) => u.id === BEN.id));
  },
);

saved("--ignore-manifest-change applies the plan as saved", async ({ sandbox, env, dir }) => {
  writeTemp(dir, "users.yaml", MANIFEST);
  const plan = await planIn(dir, env);
  writeFileSync(`${dir}/users.yaml`, WITH_BEN);
  const run = await runCli(["apply", plan, "--ignore-manifest-change"], { env, cwd: dir });
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, "Apply complete: 5 removed, 0 already absent, 0 failed, of 5 planned removals.\n");
  assert.ok(!sandbox.users().some((u) => u.id === BEN.id));
});

saved(
  "the manifest's path is resolved against the folder apply runs in: another checkout's changed manifest refuses the plan",
  async ({ sandbox, env, dir }) => {
    mkdirSync(`${dir}/pr`);
    mkdirSync(`${dir}/main`);
    writeTemp(`${dir}/pr`, "users.yaml", MANIFEST);
    const plan = await planIn(`${dir}/pr`, env);
    assert.is(JSON.parse(readFileSync(plan, "utf8")).manifest.path, "users.yaml", "recorded as given to -f");
    writeTemp(`${dir}/main`, "users.yaml", WITH_BEN);
    const refused = await runCli(["apply", plan], { env, cwd: `${dir}/main` });
    assert.is(refused.code, 1);
    assert.match(refused.stderr, "the manifest changed since the plan was made: users.yaml is not the file");
    assert.is(sandbox.stats.removeRequests.size, 0);

    writeFileSync(`${dir}/main/users.yaml`, MANIFEST);
    const applied = await runCli(["apply", plan], { env, cwd: `${dir}/main` });
    assert.is(applied.code, 0, applied.stderr);
    assert.is(applied.stderr, "", "the same manifest in another checkout applies without a word");
    assert.is(sandbox.users().length, 25);
  },
);

saved(
  "a manifest that is not where apply runs is noted, and the plan is applied as saved",
  async ({ sandbox, env, dir }) => {
    mkdirSync(`${dir}/checkout`);
    mkdirSync(`${dir}/elsewhere`);
    writeTemp(`${dir}/checkout`, "users.yaml", MANIFEST);
    const plan = await planIn(`${dir}/checkout`, env);
    const run = await runCli(["apply", plan], { env, cwd: `${dir}/elsewhere` });
    assert.is(run.code, 0, run.stderr);
    assert.is(
      run.stderr,
      `roster: note: the manifest users.yaml the plan was made from is not in ${dir}/elsewhere: applying the plan as saved, without comparing it with the manifest\n`,
    );
    assert.is(sandbox.users().length, 25);
  },
);

saved("a manifest path that is now a folder is refused with words, not a code", async ({ sandbox, env, dir }) => {
  writeTemp(dir, "users.yaml", MANIFEST);
  const plan = await planIn(dir, env);
  rmSync(`${dir}/users.yaml`);
  mkdirSync(`${dir}/users.yaml`);
  const run = await runCli(["apply", plan], { env, cwd: dir });
  assert.is(run.code, 1);
  assert.is(
    run.stderr,
    "roster: error: cannot compare the manifest users.yaml the plan was made from: it is not a file; pass --ignore-manifest-change to apply the plan as saved\nNothing was changed.\n",
  );
  assert.is(sandbox.stats.removeRequests.size, 0);
});

saved(
  "a plan applied with another API key, or edited and resealed with a plain sha256, is refused before any request",
  async ({ sandbox, env, dir }) => {
    writeTemp(dir, "users.yaml", MANIFEST);
    const plan = await planIn(dir, env);
    const requests = sandbox.stats.requests;
    const altered = `roster: error: ${plan} was altered after roster saved it, or made with another API key (its checksum does not match): make the plan again with roster plan --out\nNothing was changed.\n`;

    const otherKey = await runCli(["apply", plan], {
      env: { ...env, TELNYX_API_KEY: "KEYanother_key_entirely" },
      cwd: dir,
    });
    assert.is(otherKey.code, 1);
    assert.is(otherKey.stderr, altered);

    // Someone without the key keeps ben: moves him to the kept users, fixes the counts, recomputes a sha256.
    const doc = JSON.parse(readFileSync(plan, "utf8"));
    const { id, email, user_status, last_sign_in_at, groups } = doc.removals.shift();
    doc.kept.push({ id, email, user_status, last_sign_in_at, groups });
    doc.summary.remove -= 1;
    doc.summary.keep += 1;
    const { checksum: _old, ...body } = doc;
    doc.checksum = `hmac-sha256:${sha256(JSON.stringify(body)).slice("sha256:".length)}`;
    writeFileSync(plan, JSON.stringify(doc));
    const forged = await runCli(["apply", plan], { env, cwd: dir });
    assert.is(forged.code, 1);
    assert.is(forged.stderr, altered);
    assert.is(sandbox.stats.requests, requests);
  },
);

saved(
  "a plan saved by an older roster (format version 1) is refused: run roster plan again",
  async ({ sandbox, env, dir }) => {
    writeTemp(dir, "users.yaml", MANIFEST);
    const plan = await planIn(dir, env);
    const doc = JSON.parse(readFileSync(plan, "utf8"));
    doc.format_version = 1;
    const { checksum: _old, ...body } = doc;
    doc.checksum = sha256(JSON.stringify(body));
    writeFileSync(plan, JSON.stringify(doc));
    const run = await runCli(["apply", plan], { env, cwd: dir });
    assert.is(run.code, 1);
    assert.is(
      run.stderr,
      `roster: error: ${plan} was saved by an older roster (plan format version 1, whose checksum anyone could compute again): make the plan again with roster plan --out\nNothing was changed.\n`,
    );
    assert.is(sandbox.stats.removeRequests.size, 0);
  },
);

saved.run();
