import { writeFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readSandboxState, readSeed } from "../../src/sandbox/seed.js";
import { generateManagedAccounts } from "../../src/sandbox/generate.js";
import { startSandbox } from "../../src/sandbox/sandbox.js";
import { runCli, startCli, TEST_API_KEY } from "../helpers/cli.js";
import { EXAMPLES } from "../helpers/org.js";
import { withTempDir } from "../helpers/temp.js";

test("the example organization is a valid seed, its users in groups as the API gives them", async () => {
  const users = await readSeed(`${EXAMPLES}org.json`);
  assert.is(users.length, 30);
  assert.equal([...new Set(users.flatMap((u) => u.groups!.map((g) => g.name)))].sort(), [
    "Admins",
    "Billing",
    "Engineering",
    "Support",
  ]);
});

test("a seed whose groups are not { id, name } objects is refused, naming the file and the user", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/org.json`;
    writeFileSync(
      path,
      JSON.stringify([{ id: "1", email: "a@example.com", record_type: "organization_sub_user", groups: ["Admins"] }]),
    );
    const error = await readSeed(path).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.is(
      error?.message,
      `${path}: user 1 has "groups" that are not a list of { "id": string, "name": string }, like examples/org.json`,
    );
  });
});

test("examples/managed-accounts.json: a manager of three accounts, one disabled, each served by its own key", async () => {
  const state = await readSandboxState(`${EXAMPLES}managed-accounts.json`);
  assert.equal(
    state.managedAccounts.map((a) => [a.organization_name, a.status ?? "active", a.users.length]),
    [
      ["Harbor Dental LLC", "active", 6],
      ["Northwind Logistics Inc", "active", 5],
      ["Cedar Realty Group", "disabled", 4],
    ],
  );
  const sandbox = await startSandbox({
    users: state.users,
    apiKey: TEST_API_KEY,
    managedAccounts: state.managedAccounts,
  });
  try {
    const auth = (key: string) => ({ headers: { Authorization: `Bearer ${key}` } });
    const list = await (await fetch(`${sandbox.url}/managed_accounts`, auth(TEST_API_KEY))).json();
    assert.is(list.meta.total_results, 3);
    for (const account of state.managedAccounts) {
      const answer = await fetch(`${sandbox.url}/organizations/users`, auth(account.api_key));
      if (account.status === "disabled") assert.is(answer.status, 403, account.organization_name);
      else
        assert.equal(
          (await answer.json()).data.map((u: { email: string }) => u.email),
          account.users.map((u) => u.email),
          account.organization_name,
        );
    }
  } finally {
    await sandbox.close();
  }
});

test("a state file's managed accounts are refused with the file, the account and what to do", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/state.json`;
    const [a, b] = generateManagedAccounts(2, 1, 2);
    const cases: [unknown, string][] = [
      [
        { users: [], managed_accounts: {} },
        `"managed_accounts" must be a JSON array of accounts, like examples/managed-accounts.json`,
      ],
      [
        { managed_accounts: [] },
        `"users" must be a JSON array of the manager's own users, like examples/managed-accounts.json`,
      ],
      [
        { users: [], accounts: [] },
        `the sandbox state has an unknown field "accounts": it takes "users" and "managed_accounts"`,
      ],
      [
        { users: [], managed_accounts: [a, { ...b, api_key: 7 }] },
        `managed account 2 ("${b!.organization_name}") needs a non-empty string "api_key"`,
      ],
      [
        { users: [], managed_accounts: [{ ...a, status: "paused" }] },
        `managed account 1 ("${a!.organization_name}") has "status" "paused": it must be "active", "disabled" or "cancelled"`,
      ],
      [
        { users: [], managed_accounts: [{ ...a, users: [{ id: "1", email: "x@example.com" }] }] },
        `managed account 1 ("${a!.organization_name}"): user 1 needs string "id", "email" and "record_type" fields`,
      ],
      [
        { users: [], managed_accounts: [a, { ...b, api_key: a!.api_key }] },
        `managed accounts 1 and 2 have the same "api_key": each account needs its own`,
      ],
      [
        { users: [], managed_accounts: [a, { ...b, id: a!.id }] },
        `managed accounts 1 and 2 have the same id "${a!.id}": each account needs its own`,
      ],
      [
        { users: [], managed_accounts: [{ ...a, key: "x" }] },
        `managed account 1 ("${a!.organization_name}") has an unknown field "key"`,
      ],
      [
        "users",
        `the sandbox state must be a JSON array of users, like examples/org.json, or an object { "users": [...], "managed_accounts": [...] }`,
      ],
    ];
    for (const [state, message] of cases) {
      writeFileSync(path, JSON.stringify(state));
      const error = await readSandboxState(path).then(
        () => undefined,
        (e: Error) => e,
      );
      assert.ok(
        error?.message.startsWith(`${path}: ${message}`),
        `${JSON.stringify(state).slice(0, 80)}: ${error?.message}`,
      );
      assert.not.match(error!.message, a!.api_key, "never the key");
    }
  });
});

test("generated managed accounts: the same seed the same accounts, each with an owner, its own users, name and key", () => {
  const accounts = generateManagedAccounts(30, 9);
  assert.equal(generateManagedAccounts(30, 9), accounts);
  assert.not.equal(
    generateManagedAccounts(30, 10).map((a) => a.id),
    accounts.map((a) => a.id),
  );
  assert.is(new Set(accounts.map((a) => a.api_key)).size, 30);
  assert.is(new Set(accounts.map((a) => a.organization_name)).size, 30);
  for (const account of accounts) {
    assert.is(account.users.filter((u) => u.record_type === "organization_owner").length, 1, account.organization_name);
    assert.is(new Set(account.users.map((u) => u.email)).size, account.users.length, "distinct emails");
    assert.ok(
      account.users.every((u) => u.email.endsWith(account.email.split("@")[1]!)),
      "users at the account's domain",
    );
  }
  assert.equal(
    generateManagedAccounts(3, 1, 50).map((a) => a.users.length),
    [50, 50, 50],
  );
});

test("roster sandbox --managed-accounts N: the URL on stdout, the accounts in one line, no key of theirs or of the manager", async () => {
  const sandbox = startCli(["sandbox", "--managed-accounts", "4", "--seed", "5"], {
    env: { TELNYX_API_KEY: TEST_API_KEY },
  });
  try {
    await sandbox.waitFor("Press Ctrl-C to stop.");
    const { stdout, stderr } = sandbox.output();
    const url = stdout.trim();
    const accounts = generateManagedAccounts(4, 5);
    const users = accounts.reduce((n, a) => n + a.users.length, 0);
    assert.match(
      stderr,
      `  4 managed accounts (${users} users): GET /managed_accounts with the key in TELNYX_API_KEY lists them, GET /managed_accounts/{id} gives each one's own key.\n`,
    );
    for (const key of [TEST_API_KEY, ...accounts.map((a) => a.api_key)]) assert.not.match(stdout + stderr, key);
    const list = await (
      await fetch(`${url}/managed_accounts?sort=created_at`, { headers: { Authorization: `Bearer ${TEST_API_KEY}` } })
    ).json();
    assert.equal(
      list.data.map((a: { id: string }) => a.id),
      accounts.map((a) => a.id),
      "the accounts of --seed 5",
    );
  } finally {
    sandbox.child.kill("SIGTERM");
    assert.is((await sandbox.run).code, 0);
  }
});

test("roster sandbox --state with a managed account holding the manager's key is refused, naming the file and not the key", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/state.json`;
    const [a] = generateManagedAccounts(1, 1, 2);
    writeFileSync(path, JSON.stringify({ users: [], managed_accounts: [{ ...a, api_key: TEST_API_KEY }] }));
    const run = await runCli(["sandbox", "--state", path], { env: { TELNYX_API_KEY: TEST_API_KEY } });
    assert.is(run.code, 1);
    assert.is(
      run.stderr,
      `roster: error: ${path}: managed account 1 has the manager's own key as its "api_key": give it a key of its own\n`,
    );
    assert.is(run.stdout, "");
  });
});

test.run();
