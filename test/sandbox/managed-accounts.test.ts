import { readFileSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { startSandbox, type ManagedAccountSeed, type Sandbox, type SandboxOptions } from "../../src/sandbox/sandbox.js";
import { generateManagedAccounts } from "../../src/sandbox/generate.js";
import type { OrganizationUser } from "../../src/core/organization-user.js";
import { API_FIXTURES, assertShape, type ApiSchema } from "../helpers/api-schemas.js";
import { TEST_API_KEY } from "../helpers/cli.js";
import { exampleOrg } from "../helpers/org.js";

// A manager account and its managed accounts, each its own organization behind its own key: every answer of
// the managed-accounts endpoints checked against the published shapes, and each key kept to its own users.

interface Listing {
  id: string;
  email: string;
  organization_name: string;
  created_at: string;
  updated_at: string;
  [field: string]: unknown;
}
type ListBody = {
  data: Listing[];
  meta: { page_number: number; page_size: number; total_pages: number; total_results: number };
};
type OneBody = { data: Listing & { api_key: string; api_token: string } };

interface Answer {
  status: number;
  text: string;
  body: unknown;
  headers: Headers;
}

async function ask(sandbox: Sandbox, path: string, key: string, method = "GET"): Promise<Answer> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, Accept: "application/json" },
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    headers: response.headers,
    body: response.headers.get("content-type")?.includes("json") ? JSON.parse(text) : undefined,
  };
}

function ok<T>(answer: Answer, shape: ApiSchema, what: string): T {
  assert.is(answer.status, 200, `${what}: ${answer.text.slice(0, 300)}`);
  assertShape(shape, answer.body, what);
  return answer.body as T;
}

/** Asserts the API's error body with `code` (and the pointer, when given). */
function apiError(answer: Answer, status: number, code: string, what: string, pointer?: string): void {
  assert.is(answer.status, status, `${what}: ${answer.text.slice(0, 300)}`);
  assertShape("error", answer.body, what);
  const error = (answer.body as { errors: { code: string; source?: { pointer: string } }[] }).errors[0]!;
  assert.is(error.code, code, `${what}: code`);
  if (pointer !== undefined) assert.is(error.source?.pointer, pointer, `${what}: pointer`);
}

/** Three accounts with distinct names, dates and users; the third cancelled. */
function threeAccounts(): ManagedAccountSeed[] {
  const [a, b, c] = generateManagedAccounts(3, 11, 4);
  return [
    {
      ...a!,
      organization_name: "Harbor Dental LLC",
      email: "accounts@harbor.example.com",
      created_at: "2024-03-01T09:00:00Z",
    },
    {
      ...b!,
      organization_name: "Northwind Logistics Inc",
      email: "ops@northwind.example.com",
      created_at: "2024-01-15T09:00:00Z",
    },
    {
      ...c!,
      organization_name: "Cedar Realty Group",
      email: "admin@cedar.example.com",
      created_at: "2024-02-10T09:00:00Z",
      status: "cancelled",
    },
  ];
}

async function withManager(
  options: Partial<SandboxOptions>,
  fn: (sandbox: Sandbox, accounts: ManagedAccountSeed[]) => Promise<void>,
): Promise<void> {
  const accounts = options.managedAccounts ? [...options.managedAccounts] : threeAccounts();
  const sandbox = await startSandbox({
    users: exampleOrg(),
    apiKey: TEST_API_KEY,
    ...options,
    managedAccounts: accounts,
  });
  try {
    await fn(sandbox, accounts);
  } finally {
    await sandbox.close();
  }
}

const emails = (body: ListBody) => body.data.map((a) => a.email);
const ids = (users: readonly OrganizationUser[]) => users.map((u) => u.id).sort();

const shapes = suite("managed accounts: published shapes");

shapes("the published examples of the list and of one account have the shapes the sandbox is checked against", () => {
  const example = (file: string) => JSON.parse(readFileSync(`${API_FIXTURES}examples/${file}`, "utf8"));
  assertShape("managed-account-list", example("list-managed-accounts.json"), "the published list example");
  assertShape("managed-account-response", example("get-managed-account.json"), "the published example of one account");
  // The list item's schema refuses a key: the shape itself says list items carry none.
  const item = example("list-managed-accounts.json").data[0];
  assert.throws(
    () => assertShape("managed-account-multi-listing", { ...item, api_key: "KEY0123" }, "a listed account with a key"),
    /must NOT have additional properties/,
  );
  assert.throws(() => assertShape("managed-account", { ...item }, "one account without its key"), /api_key/);
});

shapes("every answer of the managed-accounts endpoints has the published shape, errors included", async () => {
  await withManager(
    { faults: { script: (r) => (/[?&]inject=429/.test(r.path) ? { kind: "throttle" } : undefined) } },
    async (sandbox, accounts) => {
      const [harbor, , cedar] = accounts;
      ok<ListBody>(await ask(sandbox, "/managed_accounts", TEST_API_KEY), "managed-account-list", "the list");
      ok<ListBody>(
        await ask(
          sandbox,
          "/managed_accounts?include_cancelled_accounts=true&sort=email&page[size]=1&page[number]=2",
          TEST_API_KEY,
        ),
        "managed-account-list",
        "a sorted page",
      );
      ok<ListBody>(
        await ask(sandbox, "/managed_accounts?filter[organization_name][contains]=zzz", TEST_API_KEY),
        "managed-account-list",
        "an empty list",
      );
      ok<OneBody>(
        await ask(sandbox, `/managed_accounts/${harbor!.id}`, TEST_API_KEY),
        "managed-account-response",
        "one account",
      );
      ok<OneBody>(
        await ask(sandbox, `/managed_accounts/${cedar!.id}`, TEST_API_KEY),
        "managed-account-response",
        "a cancelled account",
      );
      ok<OneBody>(
        await ask(sandbox, `/managed_accounts/${harbor!.id}/actions/disable`, TEST_API_KEY, "POST"),
        "managed-account-response",
        "disable",
      );
      ok<OneBody>(
        await ask(sandbox, `/managed_accounts/${harbor!.id}/actions/enable`, TEST_API_KEY, "POST"),
        "managed-account-response",
        "enable",
      );
      apiError(
        await ask(sandbox, "/managed_accounts/00000000-0000-4000-8000-000000000000", TEST_API_KEY),
        404,
        "10005",
        "an unknown account",
      );
      apiError(
        await ask(
          sandbox,
          "/managed_accounts/00000000-0000-4000-8000-000000000000/actions/disable",
          TEST_API_KEY,
          "POST",
        ),
        404,
        "10005",
        "disabling an unknown account",
      );
      apiError(
        await ask(sandbox, `/managed_accounts/${cedar!.id}/actions/enable`, TEST_API_KEY, "POST"),
        422,
        "10015",
        "enabling a cancelled account",
      );
      apiError(await ask(sandbox, "/managed_accounts", "wrong-key"), 401, "10009", "a wrong key");
      apiError(await ask(sandbox, "/managed_accounts", harbor!.api_key), 403, "10010", "a managed account's key", "/");
      apiError(await ask(sandbox, "/managed_accounts?inject=429", TEST_API_KEY), 429, "10011", "a throttled list");
      for (const [query, pointer] of [
        ["page[size]=0", "/page/size"],
        ["page[size]=251", "/page/size"],
        ["page[number]=0", "/page/number"],
        ["filter[email][contains]=ab", "/filter/email/contains"],
        ["filter[organization_name][contains]=ce", "/filter/organization_name/contains"],
        ["sort=name", "/sort"],
        ["include_cancelled_accounts=maybe", "/include_cancelled_accounts"],
        ["filter[status][eq]=paused", "/filter/status/eq"],
        ["filter[status][eq]=", "/filter/status/eq"],
        ["filter[status][in]=active", "/filter/status/in"],
        ["filter[email]=ops@northwind.example.com", "/filter/email"],
        ["filter[name][contains]=harbor", "/filter/name/contains"],
        ["filter=active", "/filter"],
      ] as const) {
        apiError(await ask(sandbox, `/managed_accounts?${query}`, TEST_API_KEY), 400, "10015", query, pointer);
      }
    },
  );
});

const lists = suite("managed accounts: the list");

lists("pages of 20 by default, up to 250; read one after another they hold every account once", async () => {
  const accounts = generateManagedAccounts(45, 3, 2);
  await withManager({ managedAccounts: accounts }, async (sandbox) => {
    const first = ok<ListBody>(await ask(sandbox, "/managed_accounts", TEST_API_KEY), "managed-account-list", "page 1");
    assert.equal(first.meta, { page_number: 1, page_size: 20, total_pages: 3, total_results: 45 });
    const rest = [];
    for (const page of [2, 3])
      rest.push(
        ok<ListBody>(
          await ask(sandbox, `/managed_accounts?page[number]=${page}`, TEST_API_KEY),
          "managed-account-list",
          `page ${page}`,
        ),
      );
    assert.equal(
      rest.map((p) => p.data.length),
      [20, 5],
    );
    assert.equal(
      [...first.data, ...rest.flatMap((p) => p.data)].map((a) => a.id).sort(),
      accounts.map((a) => a.id).sort(),
    );
    const all = ok<ListBody>(
      await ask(sandbox, "/managed_accounts?page[size]=250", TEST_API_KEY),
      "managed-account-list",
      "one page of 250",
    );
    assert.equal(all.meta, { page_number: 1, page_size: 250, total_pages: 1, total_results: 45 });
    const beyond = ok<ListBody>(
      await ask(sandbox, "/managed_accounts?page[number]=4", TEST_API_KEY),
      "managed-account-list",
      "past the end",
    );
    assert.equal(beyond.data, []);
  });
});

lists("sorted newest first unless asked: created_at oldest first, email, -email", async () => {
  await withManager({}, async (sandbox) => {
    const order = async (query: string) =>
      emails(
        ok<ListBody>(
          await ask(sandbox, `/managed_accounts?include_cancelled_accounts=true${query}`, TEST_API_KEY),
          "managed-account-list",
          query,
        ),
      );
    const [harbor, northwind, cedar] = [
      "accounts@harbor.example.com",
      "ops@northwind.example.com",
      "admin@cedar.example.com",
    ];
    assert.equal(
      await order(""),
      [harbor, cedar, northwind],
      "newest first when not given, as the published text says",
    );
    assert.equal(await order("&sort=created_at"), [northwind, cedar, harbor]);
    assert.equal(await order("&sort=-created_at"), [harbor, cedar, northwind]);
    assert.equal(await order("&sort=email"), [harbor, cedar, northwind]);
    assert.equal(await order("&sort=-email"), [northwind, cedar, harbor]);
  });
});

lists(
  "filters: email and organization name, exactly or containing (any case); cancelled accounts only when asked",
  async () => {
    await withManager({}, async (sandbox) => {
      const list = async (query: string) =>
        emails(
          ok<ListBody>(await ask(sandbox, `/managed_accounts?${query}`, TEST_API_KEY), "managed-account-list", query),
        ).sort();
      assert.equal(
        await list(""),
        ["accounts@harbor.example.com", "ops@northwind.example.com"],
        "the cancelled account is not listed",
      );
      assert.equal(await list("include_cancelled_accounts=true"), [
        "accounts@harbor.example.com",
        "admin@cedar.example.com",
        "ops@northwind.example.com",
      ]);
      assert.equal(await list("include_cancelled_accounts=false"), [
        "accounts@harbor.example.com",
        "ops@northwind.example.com",
      ]);
      assert.equal(await list("filter[email][eq]=ops@northwind.example.com"), ["ops@northwind.example.com"]);
      assert.equal(await list("filter[email][eq]=OPS@northwind.example.com"), [], "eq is exact");
      assert.equal(
        await list("filter[email][contains]=HARB"),
        ["accounts@harbor.example.com"],
        "contains ignores case",
      );
      assert.equal(await list("filter[organization_name][eq]=Northwind Logistics Inc"), ["ops@northwind.example.com"]);
      assert.equal(await list("filter[organization_name][eq]=northwind logistics inc"), []);
      assert.equal(
        await list("filter[organization_name][contains]=REALTY"),
        [],
        "a cancelled account matches only when asked",
      );
      assert.equal(await list("filter[organization_name][contains]=REALTY&include_cancelled_accounts=true"), [
        "admin@cedar.example.com",
      ]);
      assert.equal(
        await list("filter[organization_name][contains]=inc&filter[email][contains]=north"),
        ["ops@northwind.example.com"],
        "filters add up",
      );
    });
  },
);

lists("list items carry no key; the single GET carries the account's own key, and nothing else does", async () => {
  await withManager({}, async (sandbox, accounts) => {
    const list = await ask(sandbox, "/managed_accounts?include_cancelled_accounts=true", TEST_API_KEY);
    for (const account of accounts) {
      assert.not.match(list.text, account.api_key, `the list does not carry ${account.organization_name}'s key`);
      const one = ok<OneBody>(
        await ask(sandbox, `/managed_accounts/${account.id}`, TEST_API_KEY),
        "managed-account-response",
        account.organization_name,
      );
      assert.is(one.data.api_key, account.api_key);
      assert.is(one.data.organization_name, account.organization_name);
      assert.ok(
        one.data.api_token.length > 0 && one.data.api_token !== account.api_key,
        "a V1 token that is not the V2 key",
      );
    }
    assert.not.match(list.text, TEST_API_KEY, "nor the manager's key");
  });
});

const keys = suite("managed accounts: one organization per key");

keys("an account's key reads and removes only its own users; the manager's key only the manager's", async () => {
  await withManager({}, async (sandbox, accounts) => {
    const [harbor, northwind] = accounts;
    const users = async (key: string) =>
      ids(
        ok<{ data: OrganizationUser[] }>(await ask(sandbox, "/organizations/users", key), "user-list", "a list").data,
      );
    assert.equal(await users(harbor!.api_key), ids(harbor!.users));
    assert.equal(await users(northwind!.api_key), ids(northwind!.users));
    assert.equal(await users(TEST_API_KEY), ids(exampleOrg()));
    const report = ok<{ data: OrganizationUser[] }>(
      await ask(sandbox, "/organizations/users/users_groups_report", harbor!.api_key),
      "users-groups-report",
      "harbor's report",
    );
    assert.equal(ids(report.data), ids(harbor!.users));

    const theirs = northwind!.users[1]!;
    apiError(
      await ask(sandbox, `/organizations/users/${theirs.id}`, harbor!.api_key),
      404,
      "10005",
      "another account's user, read",
    );
    apiError(
      await ask(sandbox, `/organizations/users/${theirs.id}/actions/remove`, harbor!.api_key, "POST"),
      404,
      "10005",
      "another account's user, removed",
    );
    const managers = exampleOrg()[1]!;
    apiError(
      await ask(sandbox, `/organizations/users/${managers.id}/actions/remove`, harbor!.api_key, "POST"),
      404,
      "10005",
      "the manager's user, with an account's key",
    );
    apiError(
      await ask(sandbox, `/organizations/users/${theirs.id}/actions/remove`, TEST_API_KEY, "POST"),
      404,
      "10005",
      "an account's user, with the manager's key",
    );
    assert.equal(
      ids(sandbox.managedAccount(northwind!.id).users()),
      ids(northwind!.users),
      "nothing removed from northwind",
    );
    assert.is(sandbox.users().length, exampleOrg().length, "nothing removed from the manager");

    const own = harbor!.users[2]!;
    ok(
      await ask(sandbox, `/organizations/users/${own.id}/actions/remove`, harbor!.api_key, "POST"),
      "organization-user-response",
      "harbor removes its own",
    );
    assert.not.ok(
      sandbox
        .managedAccount(harbor!.id)
        .users()
        .some((u) => u.id === own.id),
    );
    apiError(
      await ask(sandbox, `/organizations/users/${harbor!.users[0]!.id}/actions/remove`, harbor!.api_key, "POST"),
      403,
      "10010",
      "harbor's owner",
    );

    const harborStats = sandbox.managedAccount(harbor!.id).stats;
    assert.equal(
      [...harborStats.removeRequests.keys()].sort(),
      [theirs.id, managers.id, own.id, harbor!.users[0]!.id].sort(),
      "removals counted against the key that asked",
    );
    assert.equal([...sandbox.managedAccount(northwind!.id).stats.removeRequests.keys()], [], "none against northwind");
    assert.equal([...sandbox.own.stats.removeRequests.keys()], [theirs.id]);
    assert.is(
      sandbox.stats.requests,
      sandbox.own.stats.requests + sandbox.managedAccounts.reduce((n, a) => n + a.stats.requests, 0),
      "the totals are the sum over keys",
    );
  });
});

keys("each key has its own rate limit: one account at its limit does not slow another, nor the manager", async () => {
  await withManager({ faults: { rateLimit: 2, rateWindowMs: 60_000 } }, async (sandbox, accounts) => {
    const [harbor, northwind] = accounts;
    const statuses = async (key: string, n: number) => {
      const answers = [];
      for (let i = 0; i < n; i += 1) answers.push((await ask(sandbox, "/organizations/users", key)).status);
      return answers;
    };
    assert.equal(await statuses(harbor!.api_key, 3), [200, 200, 429]);
    assert.equal(await statuses(northwind!.api_key, 2), [200, 200]);
    assert.equal(await statuses(TEST_API_KEY, 2), [200, 200]);
    assert.is(sandbox.managedAccount(harbor!.id).stats.rateLimited, 1);
    assert.is(sandbox.managedAccount(northwind!.id).stats.rateLimited, 0);
    assert.is(sandbox.own.stats.rateLimited, 0);
    assert.equal(
      [harbor, northwind].map((a) => sandbox.managedAccount(a!.id).stats.requests),
      [3, 2],
    );
    assert.is(sandbox.stats.rateLimited, 1);
  });
});

keys("faults are drawn per key: a script can aim at one account's requests", async () => {
  const accounts = threeAccounts();
  const target = accounts[0]!.id;
  await withManager(
    {
      managedAccounts: accounts,
      faults: { script: (r) => (r.account === target ? { kind: "error", status: 503 } : undefined) },
    },
    async (sandbox) => {
      apiError(await ask(sandbox, "/organizations/users", accounts[0]!.api_key), 503, "10007", "the aimed account");
      ok(await ask(sandbox, "/organizations/users", accounts[1]!.api_key), "user-list", "another account");
      ok(await ask(sandbox, "/organizations/users", TEST_API_KEY), "user-list", "the manager");
      assert.is(sandbox.managedAccount(target).stats.faults.error, 1);
      assert.is(sandbox.stats.faults.error, 1);
    },
  );
});

keys(
  "an account's key revoked mid-run: 401 on that key only, counted against that account; the GET gives the new key",
  async () => {
    await withManager({}, async (sandbox, accounts) => {
      const [harbor, northwind] = accounts;
      const account = sandbox.managedAccount(harbor!.id);
      account.setApiKey("harbor-rotated-key");
      apiError(await ask(sandbox, "/organizations/users", harbor!.api_key), 401, "10009", "the revoked key");
      apiError(
        await ask(sandbox, `/organizations/users/${harbor!.users[1]!.id}/actions/remove`, harbor!.api_key, "POST"),
        401,
        "10009",
        "a removal with the revoked key",
      );
      assert.is(account.stats.unauthorized, 2);
      assert.is(account.users().length, harbor!.users.length, "nothing removed");
      ok(await ask(sandbox, "/organizations/users", "harbor-rotated-key"), "user-list", "the new key");
      ok(
        await ask(sandbox, "/organizations/users", northwind!.api_key),
        "user-list",
        "another account's key still works",
      );
      assert.is(sandbox.managedAccount(northwind!.id).stats.unauthorized, 0);
      assert.is(sandbox.own.stats.unauthorized, 0);
      const one = ok<OneBody>(
        await ask(sandbox, `/managed_accounts/${harbor!.id}`, TEST_API_KEY),
        "managed-account-response",
        "the account after rotation",
      );
      assert.is(one.data.api_key, "harbor-rotated-key");
      assert.throws(() => account.setApiKey(northwind!.api_key), /belongs to another organization/);
    });
  },
);

keys(
  "a disabled account stays listed and its key is refused 403 until enabled; a cancelled one's key is unknown (401)",
  async () => {
    await withManager({}, async (sandbox, accounts) => {
      const [harbor, , cedar] = accounts;
      const disabled = ok<OneBody>(
        await ask(sandbox, `/managed_accounts/${harbor!.id}/actions/disable`, TEST_API_KEY, "POST"),
        "managed-account-response",
        "disable",
      );
      assert.is(disabled.data.id, harbor!.id);
      assert.ok(disabled.data.updated_at > disabled.data.created_at, "updated_at moves");
      assert.is(sandbox.managedAccount(harbor!.id).status, "disabled");
      apiError(await ask(sandbox, "/organizations/users", harbor!.api_key), 403, "10010", "a disabled account's list");
      apiError(
        await ask(sandbox, `/organizations/users/${harbor!.users[1]!.id}/actions/remove`, harbor!.api_key, "POST"),
        403,
        "10010",
        "a disabled account's removal",
      );
      assert.is(
        sandbox.managedAccount(harbor!.id).users().length,
        harbor!.users.length,
        "nothing removed while disabled",
      );
      const listed = ok<ListBody>(
        await ask(sandbox, "/managed_accounts", TEST_API_KEY),
        "managed-account-list",
        "the list",
      );
      assert.ok(emails(listed).includes(harbor!.email), "a disabled account is still listed");
      ok(
        await ask(sandbox, `/managed_accounts/${harbor!.id}/actions/enable`, TEST_API_KEY, "POST"),
        "managed-account-response",
        "enable",
      );
      ok(await ask(sandbox, "/organizations/users", harbor!.api_key), "user-list", "enabled again");

      apiError(await ask(sandbox, "/organizations/users", cedar!.api_key), 401, "10009", "a cancelled account's key");
      assert.is(sandbox.managedAccount(cedar!.id).stats.unauthorized, 1);
      apiError(
        await ask(sandbox, `/managed_accounts/${cedar!.id}/actions/disable`, TEST_API_KEY, "POST"),
        422,
        "10015",
        "disabling a cancelled account",
      );
      assert.is(sandbox.managedAccount(cedar!.id).status, "cancelled");
      apiError(
        await ask(sandbox, `/managed_accounts/${harbor!.id}/actions/disable`, harbor!.api_key, "POST"),
        403,
        "10010",
        "an account cannot disable itself",
      );
    });
  },
);

keys(
  "a sandbox without managed accounts answers /managed_accounts 403, as the API does for a key that manages none",
  async () => {
    const sandbox = await startSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY });
    try {
      apiError(await ask(sandbox, "/managed_accounts", TEST_API_KEY), 403, "10010", "not a manager");
      assert.equal(sandbox.managedAccounts, []);
    } finally {
      await sandbox.close();
    }
  },
);

keys("accounts the sandbox could not tell apart are refused, without printing a key", async () => {
  const [a, b] = generateManagedAccounts(2, 1, 2);
  const twice = await startSandbox({
    users: [],
    apiKey: TEST_API_KEY,
    managedAccounts: [a!, { ...b!, id: a!.id }],
  }).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.match(twice!.message, `sandbox managed account ${a!.id} is given twice`);
  const error = await startSandbox({
    users: [],
    apiKey: TEST_API_KEY,
    managedAccounts: [a!, { ...b!, api_key: TEST_API_KEY }],
  }).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.match(error!.message, "has the same api_key as another account or the manager");
  assert.not.match(error!.message, TEST_API_KEY);
});

shapes.run();
lists.run();
keys.run();
