import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { IncomingMessage, ServerResponse } from "node:http";
import { generateManagedAccounts } from "../../src/sandbox/generate.js";
import type { ManagedAccountSeed } from "../../src/sandbox/sandbox.js";
import { ApiError } from "../../src/telnyx/api-error.js";
import { TelnyxClient } from "../../src/telnyx/client.js";
import { listManagedAccounts } from "../../src/telnyx/read-managed-accounts.js";
import { readOrganization } from "../../src/telnyx/read-organization.js";
import { rejection, TEST_API_KEY } from "../helpers/cli.js";
import { exampleOrg } from "../helpers/org.js";
import { startServer } from "../helpers/servers.js";
import { withSandbox } from "../helpers/sandbox.js";

// A manager's key lists its managed accounts and gets each one's own key; a client made with that key reads
// that account's users. Over real HTTP, against the sandbox (and plain servers for answers it never gives).

const FAST = { maxRetries: 0, backoffBaseMs: 1 };
/** A key of the shape Telnyx issues: the shape alone keeps it out of messages. */
const ECHOED_KEY = "KEY0123456789ABCDEF0123456789_c2VjcmV0LWtleS1lY2hvZWQ";

function accounts(count: number, usersEach = 3): ManagedAccountSeed[] {
  return generateManagedAccounts(count, 7, usersEach);
}

/** Every managed-account key of the seeds: none may appear in what roster returns or says. */
function assertNoSeedKey(text: string, seeds: readonly ManagedAccountSeed[], what: string): void {
  for (const seed of seeds) assert.not.ok(text.includes(seed.api_key), `${what} holds the key of ${seed.email}`);
}

const list = suite("managed accounts: list");

list(
  "a manager with 600 managed accounts: every one is listed, from 3 pages of 250, and none carries a key",
  async () => {
    const seeds = accounts(600, 1);
    await withSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY, managedAccounts: seeds }, async (sandbox) => {
      const listed = await listManagedAccounts(sandbox.client(FAST), { concurrency: 2 });
      assert.is(listed.length, 600);
      assert.equal(new Set(listed.map((a) => a.id)), new Set(seeds.map((s) => s.id)));
      assert.is(sandbox.own.stats.requests, 3, "one request a page");
      const first = listed.find((a) => a.id === seeds[0]!.id)!;
      assert.is(first.email, seeds[0]!.email);
      assert.is(first.organization_name, seeds[0]!.organization_name);
      assert.is(first.manager_account_id, "5c6b2a40-0d6e-4c38-9a1e-6f1d3a7b9e01");
      assert.ok(
        listed.every((a) => !("api_key" in a) && !("api_token" in a)),
        "no account holds a key field",
      );
      assertNoSeedKey(JSON.stringify(listed), seeds, "the listing");
      assert.ok(
        listed.every((a, i) => i === 0 || listed[i - 1]!.created_at <= a.created_at),
        "oldest first",
      );
    });
  },
);

list("the pages after the first are read concurrently, never more at once than the bound", async () => {
  const pages = 9;
  let inFlight = 0;
  let most = 0;
  const server = await startServer((req, res) => {
    const page = Number(new URL(req.url!, "http://x").searchParams.get("page[number]"));
    inFlight += 1;
    most = Math.max(most, inFlight);
    setTimeout(
      () => {
        inFlight -= 1;
        const data = [
          {
            record_type: "managed_account",
            id: `id-${page}`,
            email: `a${page}@example.com`,
            organization_name: `Org ${page}`,
            api_user: "m@example.com",
            manager_account_id: "m",
            created_at: "2024-01-01T00:00:00Z",
            updated_at: "2024-01-01T00:00:00Z",
          },
        ];
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            data,
            meta: { page_number: page, page_size: 250, total_pages: pages, total_results: pages },
          }),
        );
      },
      5 + Math.random() * 20,
    );
  });
  try {
    const listed = await listManagedAccounts(new TelnyxClient({ baseUrl: server.url, apiKey: TEST_API_KEY, ...FAST }), {
      concurrency: 3,
    });
    assert.is(listed.length, pages);
    assert.is(server.requests(), pages);
    assert.ok(most <= 3, `at most 3 at once, saw ${most}`);
    assert.ok(most >= 2, `the pages after the first overlap, saw ${most}`);
  } finally {
    await server.close();
  }
});

list("cancelled accounts are left out, unless asked for", async () => {
  const seeds = accounts(3).map((s, i) => (i === 1 ? { ...s, status: "cancelled" as const } : s));
  await withSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY, managedAccounts: seeds }, async (sandbox) => {
    const client = sandbox.client(FAST);
    assert.is((await listManagedAccounts(client, { concurrency: 2 })).length, 2);
    const all = await listManagedAccounts(client, { concurrency: 2, includeCancelled: true });
    assert.equal(new Set(all.map((a) => a.id)), new Set(seeds.map((s) => s.id)));
  });
});

list("a key that is not a manager's: a 403 that says so and what to do", async () => {
  await withSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY }, async (sandbox) => {
    const error = (await rejection(listManagedAccounts(sandbox.client(FAST), { concurrency: 2 }))) as ApiError;
    assert.instance(error, ApiError);
    assert.is(error.status, 403);
    assert.match(error.message, "GET /managed_accounts answered 403 10010");
    assert.match(error.message, "the key in TELNYX_API_KEY is not a manager account's key");
    assert.match(error.fullMessage, "export the manager's API key, or leave account: out of the manifests");
  });
});

list("a managed account's own key cannot list accounts: it is not a manager's", async () => {
  const seeds = accounts(2);
  await withSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY, managedAccounts: seeds }, async (sandbox) => {
    const error = await rejection(
      listManagedAccounts(sandbox.client({ ...FAST, apiKey: seeds[0]!.api_key }), { concurrency: 2 }),
    );
    assert.match(error.message, "is not a manager account's key");
    assertNoSeedKey(error.message, seeds, "the error");
  });
});

list("a wrong key: authentication failed, naming TELNYX_API_KEY", async () => {
  await withSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY, managedAccounts: accounts(2) }, async (sandbox) => {
    const error = (await rejection(
      listManagedAccounts(sandbox.client({ ...FAST, apiKey: "not-the-managers-key" }), { concurrency: 2 }),
    )) as ApiError;
    assert.is(error.kind, "auth");
    assert.is(error.message, "authentication failed: check TELNYX_API_KEY");
  });
});

/** A plain server answering every request with `status` and `body` as JSON. */
async function answering(status: number, body: unknown) {
  return startServer((_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
}

async function listError(status: number, body: unknown): Promise<Error> {
  const server = await answering(status, body);
  try {
    return await rejection(
      listManagedAccounts(new TelnyxClient({ baseUrl: server.url, apiKey: TEST_API_KEY, ...FAST }), { concurrency: 2 }),
    );
  } finally {
    await server.close();
  }
}

list("a list answer of the wrong shape is an error naming what is wrong, and nothing else is asked", async () => {
  const item = {
    id: "a",
    email: "a@example.com",
    organization_name: "A",
    api_user: "m@example.com",
    manager_account_id: "m",
    created_at: "x",
    updated_at: "x",
  };
  const cases: [unknown, string][] = [
    [
      { accounts: [] },
      'GET /managed_accounts answered 200 but without a "data" list: nothing was changed; check --base-url',
    ],
    [{ data: [] }, 'without "meta"'],
    [{ data: [item], meta: { total_pages: "one" } }, 'with an invalid meta.total_pages ("one")'],
    [{ data: [{ ...item, email: 42 }], meta: { total_pages: 1 } }, "with data[0] lacking a string email"],
    [{ data: [item, { ...item, id: "" }], meta: { total_pages: 1 } }, "with data[1] lacking a string id"],
    [
      { data: [{ ...item, organization_name: ["A"] }], meta: { total_pages: 1 } },
      "with data[0] having an organization_name that is not text",
    ],
  ];
  for (const [body, expected] of cases) assert.match((await listError(200, body)).message, expected);
});

list("a list item that carries a key anyway: the account returned holds no trace of it", async () => {
  const item = {
    id: "a",
    email: "a@example.com",
    api_user: "m@example.com",
    manager_account_id: "m",
    created_at: "x",
    updated_at: "x",
    api_key: ECHOED_KEY,
    api_token: "tok-secret",
  };
  const server = await answering(200, { data: [item], meta: { total_pages: 1, total_results: 1 } });
  try {
    const [account] = await listManagedAccounts(
      new TelnyxClient({ baseUrl: server.url, apiKey: TEST_API_KEY, ...FAST }),
      { concurrency: 2 },
    );
    assert.equal(account, {
      id: "a",
      email: "a@example.com",
      organization_name: null,
      api_user: "m@example.com",
      manager_account_id: "m",
      created_at: "x",
      updated_at: "x",
    });
  } finally {
    await server.close();
  }
});

list("one id listed as two different accounts is refused", async () => {
  const item = { id: "a", email: "a@example.com", organization_name: "A" };
  const error = await listError(200, {
    data: [item, { ...item, email: "b@example.com" }],
    meta: { total_pages: 1, total_results: 2 },
  });
  assert.match(
    error.message,
    'the API listed managed account id "a" twice, as two different accounts: nothing was changed; run again',
  );
});

list("pages that keep disagreeing with the reported total: an error after three reads", async () => {
  const item = { id: "a", email: "a@example.com" };
  const server = await answering(200, { data: [item], meta: { total_pages: 1, total_results: 2 } });
  try {
    const error = await rejection(
      listManagedAccounts(new TelnyxClient({ baseUrl: server.url, apiKey: TEST_API_KEY, ...FAST }), { concurrency: 2 }),
    );
    assert.match(
      error.message,
      "the managed accounts changed while they were being read (1 distinct accounts listed, 2 reported), 3 times",
    );
    assert.is(server.requests(), 3);
  } finally {
    await server.close();
  }
});

const one = suite("managed accounts: one account and its key");

one(
  "gets an account and its own key; a client with that key reads that account's users, counted against that account",
  async () => {
    const seeds = accounts(3, 5);
    await withSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY, managedAccounts: seeds }, async (sandbox) => {
      const target = seeds[1]!;
      const { account, apiKey } = await sandbox.client(FAST).getManagedAccount(target.id);
      assert.is(account.id, target.id);
      assert.is(account.email, target.email);
      assert.is(account.organization_name, target.organization_name);
      assert.not.ok("api_key" in account, "the account holds no key");
      assertNoSeedKey(JSON.stringify(account), seeds, "the account");
      assert.is(apiKey, sandbox.managedAccount(target.id).apiKey);
      const users = await readOrganization(sandbox.client({ ...FAST, apiKey }), { concurrency: 2 });
      assert.equal(users.map((u) => u.email).sort(), target.users.map((u) => u.email).sort());
      assert.is(sandbox.managedAccount(target.id).stats.reportRequests, 1);
      assert.is(sandbox.own.stats.reportRequests, 0, "the manager's organization was not read");
    });
  },
);

one("an unknown id: a 404 that says the key manages no such account", async () => {
  await withSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY, managedAccounts: accounts(2) }, async (sandbox) => {
    const error = (await rejection(
      sandbox.client(FAST).getManagedAccount("00000000-0000-4000-8000-000000000000"),
    )) as ApiError;
    assert.is(error.status, 404);
    assert.match(error.message, "GET /managed_accounts/00000000-0000-4000-8000-000000000000 answered 404 10005");
    assert.match(error.message, "this key manages no account with that id");
    assert.match(error.fullMessage, "run roster again");
  });
});

one("a revoked managed-account key: the 401 names the account, as the client was told to", async () => {
  const seeds = accounts(2);
  await withSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY, managedAccounts: seeds }, async (sandbox) => {
    const target = seeds[0]!;
    const { apiKey } = await sandbox.client(FAST).getManagedAccount(target.id);
    sandbox.managedAccount(target.id).setApiKey("KEY-rotated-by-the-account");
    const authFailedMessage = `authentication failed for managed account ${target.email}: its key was refused`;
    const error = (await rejection(
      readOrganization(sandbox.client({ ...FAST, apiKey, authFailedMessage }), { concurrency: 2 }),
    )) as ApiError;
    assert.is(error.kind, "auth");
    assert.is(error.message, authFailedMessage);
    assertNoSeedKey(error.message, seeds, "the error");
  });
});

async function getError(status: number, body: unknown, id = "f65ceda4-6522-4ad6-aede-98de83385123"): Promise<Error> {
  const server = await answering(status, body);
  try {
    return await rejection(
      new TelnyxClient({ baseUrl: server.url, apiKey: TEST_API_KEY, ...FAST }).getManagedAccount(id),
    );
  } finally {
    await server.close();
  }
}

one("an answer without a usable key, or about another account, is refused without showing any key", async () => {
  const data = {
    record_type: "managed_account",
    id: "f65ceda4-6522-4ad6-aede-98de83385123",
    email: "user@example.com",
    organization_name: "Example",
    api_key: ECHOED_KEY,
  };
  const cases: [unknown, string][] = [
    [{ data: { ...data, api_key: undefined } }, "answered 200 but without the account's api_key"],
    [{ data: { ...data, api_key: "KEY with space" } }, "with an api_key holding spaces or control characters"],
    [{ data: [data] }, 'without a "data" object'],
    [
      { data: { ...data, id: "0b5c2a40-0000-4000-8000-000000000000" } },
      'with another account (id "0b5c2a40-0000-4000-8000-000000000000") than the one asked for',
    ],
    // An id that is the key itself (a broken gateway): the message names it only as redacted.
    [{ data: { ...data, id: ECHOED_KEY } }, 'with another account (id "[redacted]") than the one asked for'],
  ];
  for (const [body, expected] of cases) {
    const error = await getError(200, body);
    assert.match(error.message, expected);
    assert.not.match(error.message, ECHOED_KEY);
    assert.not.match(error.message, "KEY with space");
  }
});

one(
  "an error answer that echoes a key: neither the managed account's key, its token nor the client's own key reaches the message",
  async () => {
    const body = {
      errors: [
        {
          code: "10015",
          title: "Bad Request",
          detail: `the key ${ECHOED_KEY} of account tok-secret-v1, called with ${TEST_API_KEY}, is not valid here`,
        },
      ],
      meta: { api_key: "another-secret-value", api_token: "tok-secret-v1" },
    };
    for (const status of [400, 403, 404, 500]) {
      const error = (await getError(status, {
        ...body,
        errors: [{ ...body.errors[0]!, detail: `${body.errors[0]!.detail} another-secret-value` }],
      })) as ApiError;
      assert.match(
        error.message,
        `answered ${status} 10015: Bad Request: the key [redacted] of account [redacted], called with [redacted], is not valid here [redacted]`,
      );
      for (const secret of [ECHOED_KEY, "tok-secret-v1", "another-secret-value", TEST_API_KEY]) {
        assert.not.ok(`${error.message} ${error.fullMessage}`.includes(secret), `${status}: ${secret} in the message`);
      }
    }
  },
);

one("the users endpoints keep an echoed key out of their errors too", async () => {
  const server = await answering(400, {
    errors: [{ code: "10015", title: "Bad Request", detail: `bad key ${ECHOED_KEY}` }],
  });
  try {
    const error = await rejection(
      new TelnyxClient({ baseUrl: server.url, apiKey: TEST_API_KEY, ...FAST }).listUsersPage(1),
    );
    assert.match(error.message, "GET /organizations/users answered 400 10015: Bad Request: bad key [redacted]");
  } finally {
    await server.close();
  }
});

list.run();
one.run();
