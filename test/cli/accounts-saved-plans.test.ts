import { cpSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readSandboxState } from "../../src/sandbox/seed.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/sandbox.js";
import { assertNoKey, assertNoWarning, readAuditLog, runCli, tempDir, TEST_API_KEY } from "../helpers/cli.js";
import { EXAMPLES } from "../helpers/org.js";

/** A plan across managed accounts saved with plan --out, and applied as saved. */
const saved = suite<{ sandbox: Sandbox; env: Record<string, string>; dir: string }>("saved plans across accounts", {
  sandbox: undefined as unknown as Sandbox,
  env: {},
  dir: "",
});

const HARBOR = "88f1f68f-d989-41d6-808b-f06d72cfd14a";
const NORTHWIND = "5d8ea945-f2f3-4ae2-86f9-975e74b1a9ed";

saved.before.each(async (context) => {
  const state = await readSandboxState(`${EXAMPLES}managed-accounts.json`);
  context.sandbox = await startSandbox({
    users: state.users,
    managedAccounts: state.managedAccounts,
    apiKey: TEST_API_KEY,
  });
  context.env = { TELNYX_BASE_URL: context.sandbox.url };
  context.dir = tempDir();
  // The examples' manifests, one per account (one of them for a disabled account), as a repository holds them.
  cpSync(`${EXAMPLES}accounts`, `${context.dir}/accounts`, { recursive: true });
});
saved.after.each(async ({ sandbox, dir }) => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

const emails = (sandbox: Sandbox, id: string) =>
  sandbox
    .managedAccount(id)
    .users()
    .map((u) => u.email)
    .sort();

/** Saves the plan of the examples' accounts to plan.json in the test's folder. */
async function planOut(env: Record<string, string>, dir: string): Promise<string> {
  const run = await runCli(["plan", "-f", "accounts", "--out", "plan.json"], { env, cwd: dir });
  assert.is(run.code, 0, run.stderr);
  assert.match(
    run.stderr,
    "Saved the plan of 2 accounts to plan.json (without the 1 skipped account): roster apply plan.json applies exactly these removals.\n",
  );
  return `${dir}/plan.json`;
}

saved(
  "apply PLAN removes exactly the saved removals of every account, without asking; the file holds no key",
  async ({ sandbox, env, dir }) => {
    const plan = await planOut(env, dir);
    const text = readFileSync(plan, "utf8");
    assertNoKey(text, "the saved plan");
    for (const account of sandbox.managedAccounts)
      assert.not.ok(text.includes(account.apiKey), `no key of ${account.organizationName} in the saved plan`);
    assert.is(statSync(plan).mode & 0o777, 0o600, "readable by its owner only");
    const data = JSON.parse(text) as { format: string; accounts: { account: { id: string } }[] };
    assert.is(data.format, "roster-plan-accounts");
    assert.equal(
      data.accounts.map((a) => a.account.id),
      [HARBOR, NORTHWIND],
      "every account read, by id; the disabled one is not in it",
    );

    const run = await runCli(["apply", "plan.json", "--audit-log", "audit.jsonl"], { env, cwd: dir });
    assert.is(run.code, 0, run.stderr);
    assertNoWarning(run.stderr, "apply PLAN");
    assert.match(run.stdout, "Apply complete: 3 removed, 0 already absent, 0 failed, of 3 planned removals.\n");
    assert.match(run.stdout, "Verified: both accounts now match their manifests.\n");
    assert.match(
      run.stdout,
      "  removed        quinn.kowalski@northwind-logistics.example.com  (Northwind Logistics Inc)\n",
      "each result names its account",
    );
    assert.not.ok(emails(sandbox, HARBOR).includes("viktor.moreau@harbor-dental.example.com"));
    assert.not.ok(emails(sandbox, HARBOR).includes("ximena.brennan@harbor-dental.example.com"));
    assert.not.ok(emails(sandbox, NORTHWIND).includes("quinn.kowalski@northwind-logistics.example.com"));
    assert.is(emails(sandbox, HARBOR).length + emails(sandbox, NORTHWIND).length, 8, "everyone else stays");
    const audit = readAuditLog(`${dir}/audit.jsonl`);
    assert.equal(
      audit.map((line) => line.account_id).sort(),
      [HARBOR, HARBOR, NORTHWIND].sort(),
      "each line names its account",
    );
    const cedar = sandbox.managedAccounts.find((a) => a.status === "disabled")!;
    assert.is(cedar.users().length, 4, "the skipped account is left alone");
  },
);

saved(
  "one account changed since the plan: the whole plan is refused, nothing removed in any account",
  async ({ sandbox, env, dir }) => {
    const plan = await planOut(env, dir);
    // Someone removes a user of Northwind by hand after the review.
    const northwind = sandbox.managedAccount(NORTHWIND);
    const gone = northwind.users().find((u) => u.email === "tariq.tanaka@northwind-logistics.example.com")!;
    const response = await fetch(`${sandbox.url}/organizations/users/${gone.id}/actions/remove`, {
      method: "POST",
      headers: { authorization: `Bearer ${northwind.apiKey}` },
    });
    assert.is(response.status, 200);
    const before = { harbor: emails(sandbox, HARBOR), northwind: emails(sandbox, NORTHWIND) };
    const run = await runCli(["apply", plan], { env, cwd: dir });
    assert.is(run.code, 1);
    assert.match(
      run.stderr,
      "Northwind Logistics Inc <accounts@northwind-logistics.example.com> (5d8ea945-f2f3-4ae2-86f9-975e74b1a9ed): plan is stale: the organization changed since the plan was made; run roster plan again\n",
    );
    assert.match(run.stderr, "Nothing was changed.\n");
    assert.equal(
      { harbor: emails(sandbox, HARBOR), northwind: emails(sandbox, NORTHWIND) },
      before,
      "no removal in any account",
    );
  },
);

saved(
  "one account disabled since the plan: the whole plan is refused, naming the account; nothing removed anywhere",
  async ({ sandbox, env, dir }) => {
    const plan = await planOut(env, dir);
    sandbox.managedAccount(NORTHWIND).status = "disabled";
    const before = { harbor: emails(sandbox, HARBOR), northwind: emails(sandbox, NORTHWIND) };
    const run = await runCli(["apply", plan], { env, cwd: dir });
    assert.is(run.code, 1);
    assert.match(
      run.stderr,
      "roster: error: Northwind Logistics Inc <accounts@northwind-logistics.example.com> (5d8ea945-f2f3-4ae2-86f9-975e74b1a9ed): ",
    );
    assert.match(run.stderr, "403");
    assert.equal(
      { harbor: emails(sandbox, HARBOR), northwind: emails(sandbox, NORTHWIND) },
      before,
      "no removal in any account",
    );
  },
);

saved("plan --out when no account could be read saves nothing and says so", async ({ sandbox, env, dir }) => {
  for (const id of [HARBOR, NORTHWIND]) sandbox.managedAccount(id).status = "disabled";
  const run = await runCli(["plan", "-f", "accounts", "--out", "plan.json"], { env, cwd: dir });
  assert.is(run.code, 1);
  assert.match(run.stderr, "no account could be read, so there is no plan to save to plan.json. Nothing was changed.");
  assert.not.ok(existsSync(`${dir}/plan.json`), "no plan file");
});

saved("one account's manifest changed since the plan: refused before any request", async ({ sandbox, env, dir }) => {
  const plan = await planOut(env, dir);
  writeFileSync(
    `${dir}/accounts/harbor-dental.yaml`,
    `${readFileSync(`${dir}/accounts/harbor-dental.yaml`, "utf8")}  # edited after review\n`,
  );
  const requests = sandbox.stats.requests;
  const run = await runCli(["apply", plan], { env, cwd: dir });
  assert.is(run.code, 1);
  assert.match(
    run.stderr,
    "the manifest changed since the plan was made: accounts/harbor-dental.yaml is not the file the plan was made from",
  );
  assert.is(sandbox.stats.requests, requests, "no request at all");
});

saved(
  "a plan with an account dropped or swapped by hand is refused, even resealed account by account",
  async ({ sandbox, env, dir }) => {
    const plan = await planOut(env, dir);
    const data = JSON.parse(readFileSync(plan, "utf8")) as { accounts: unknown[] };
    data.accounts = data.accounts.slice(1);
    writeFileSync(plan, JSON.stringify(data));
    const requests = sandbox.stats.requests;
    const run = await runCli(["apply", plan], { env, cwd: dir });
    assert.is(run.code, 1);
    assert.match(
      run.stderr,
      "plan.json was altered after roster saved it, or made with another API key (its checksum does not match)",
    );
    assert.is(sandbox.stats.requests, requests, "no request at all");
  },
);

saved.run();
