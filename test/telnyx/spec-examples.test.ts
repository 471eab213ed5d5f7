import { readdirSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { ApiError } from "../../src/telnyx/api-error.js";
import { TelnyxClient } from "../../src/telnyx/client.js";
import { readOrganization } from "../../src/telnyx/read-organization.js";
import { API_FIXTURES, assertShape, exampleText, type ApiSchema } from "../helpers/api-schemas.js";
import { rejection, TEST_API_KEY } from "../helpers/cli.js";
import { startServer } from "../helpers/servers.js";

// roster's client fed the API's own published examples, byte for byte, by a loopback server: the sandbox is
// checked against the same shapes (test/sandbox/contract.test.ts), so the two cannot drift from the API together.

/** Each example of test/fixtures/api/examples/ and the published shape it is an example of. */
const EXAMPLES: Record<string, ApiSchema> = {
  "list-organization-users.json": "user-list",
  "get-organization-user.json": "organization-user-response",
  "remove-organization-user.json": "organization-user-response",
  "users-groups-report.json": "users-groups-report",
  "error-400-bad-request.json": "error",
  "error-401-authentication-failed.json": "error",
  "error-403-not-authorized.json": "error",
  "error-404-not-found.json": "error",
  "list-managed-accounts.json": "managed-account-list",
  "get-managed-account.json": "managed-account-response",
};

/** Removals of these ids are answered with the example of that status. */
const REMOVE_ANSWERS: Record<string, [number, string]> = {
  "6a09cdc3-8948-47f0-aa62-74ac943d6c58": [200, "remove-organization-user.json"],
  gone: [404, "error-404-not-found.json"],
  refused: [403, "error-403-not-authorized.json"],
  malformed: [400, "error-400-bad-request.json"],
};

const examples = suite<{
  seen: IncomingHttpHeaders[];
  csvReport: boolean;
  server: Awaited<ReturnType<typeof startServer>>;
}>("spec examples", {
  seen: [],
  csvReport: false,
  server: undefined as unknown as Awaited<ReturnType<typeof startServer>>,
});

examples.before.each(async (context) => {
  context.seen = [];
  context.csvReport = false;
  context.server = await startServer((req, res) => {
    context.seen.push(req.headers);
    const reply = (status: number, file: string) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(exampleText(file));
    };
    const path = new URL(req.url ?? "/", "http://x").pathname.replace(/^\/v2/, "");
    if (req.headers.authorization !== `Bearer ${TEST_API_KEY}`)
      return reply(401, "error-401-authentication-failed.json");
    if (req.method === "GET" && path === "/organizations/users/users_groups_report") {
      if (!context.csvReport) return reply(200, "users-groups-report.json");
      res.writeHead(200, { "content-type": "text/csv" });
      // The published columns, from the JSON example: nothing in it tells the owner.
      return res.end(
        "id,email,user_status,created_at,last_sign_in_at,groups\n" +
          '6a09cdc3-8948-47f0-aa62-74ac943d6c58,user@example.com,enabled,2018-02-02T22:25:27.521Z,2018-02-02T22:25:27.521Z,"Engineering, Sales"\n' +
          "9d09cdc3-8948-47f0-aa62-74ac943d6c61,owner@example.com,enabled,2018-01-01T00:00:00.000Z,2018-02-02T22:25:27.521Z,\n",
      );
    }
    if (req.method === "GET" && path === "/organizations/users") return reply(200, "list-organization-users.json");
    if (req.method === "GET" && path === "/managed_accounts") return reply(200, "list-managed-accounts.json");
    if (req.method === "GET" && path === "/managed_accounts/f65ceda4-6522-4ad6-aede-98de83385123")
      return reply(200, "get-managed-account.json");
    const removeId =
      req.method === "POST" ? /^\/organizations\/users\/([^/]+)\/actions\/remove$/.exec(path)?.[1] : undefined;
    const answer = removeId === undefined ? undefined : REMOVE_ANSWERS[decodeURIComponent(removeId)];
    if (answer) return reply(...answer);
    return reply(404, "error-404-not-found.json");
  });
});
examples.after.each(async ({ server }) => {
  await server.close();
});

const client = (baseUrl: string, apiKey = TEST_API_KEY) =>
  new TelnyxClient({ baseUrl, apiKey, maxRetries: 0, backoffBaseMs: 1 });

examples("every published example has its published shape: the schemas are the spec's, not the sandbox's", () => {
  assert.equal(
    readdirSync(`${API_FIXTURES}examples`).sort(),
    Object.keys(EXAMPLES).sort(),
    "every example file is checked",
  );
  for (const [file, shape] of Object.entries(EXAMPLES))
    assertShape(shape, JSON.parse(exampleText(file)), `the example ${file}`);
});

examples(
  "the report's example is read as its two users, the owner told apart by record_type, asked for as JSON",
  async ({ server, seen }) => {
    const api = client(server.url);
    try {
      const users = await readOrganization(api, { concurrency: 2 });
      assert.equal(
        users.map((u) => [u.email, u.record_type, u.user_status, u.last_sign_in_at, u.groups?.map((g) => g.name)]),
        [
          [
            "user@example.com",
            "organization_sub_user",
            "enabled",
            "2018-02-02T22:25:27.521Z",
            ["Engineering", "Sales"],
          ],
          ["owner@example.com", "organization_owner", "enabled", "2018-02-02T22:25:27.521Z", []],
        ],
      );
      assert.is(server.requests(), 1, "one request: the report");
      assert.is(seen[0]!.accept, "application/json", "the CSV report cannot tell the owner: roster never asks for it");
    } finally {
      api.close();
    }
  },
);

examples("a report answered as CSV (a proxy or API that ignores Accept) is never taken for users", async (context) => {
  context.csvReport = true;
  const api = client(context.server.url);
  try {
    const error = await rejection(api.usersGroupsReport());
    assert.instance(error, ApiError);
    assert.is((error as ApiError).kind, "shape");
    assert.is(
      error.message,
      "GET /organizations/users/users_groups_report answered 200 but not with JSON: nothing was changed; check --base-url",
    );
  } finally {
    api.close();
  }
});

examples("the list's example is read as one page with the API's meta", async ({ server }) => {
  const api = client(server.url);
  try {
    const page = await api.listUsersPage(2, 25);
    assert.is(page.totalPages, 3);
    assert.is(page.totalResults, 55);
    assert.equal(page.users, [
      {
        id: "6a09cdc3-8948-47f0-aa62-74ac943d6c58",
        record_type: "organization_sub_user",
        email: "user@example.com",
        user_status: "enabled",
        organization_user_bypasses_sso: false,
        created_at: "2018-02-02T22:25:27.521Z",
        last_sign_in_at: "2018-02-02T22:25:27.521Z",
      },
    ]);
  } finally {
    api.close();
  }
});

examples(
  "the managed accounts' examples: a page of the list, and one account with its key apart from the account",
  async ({ server }) => {
    const api = client(server.url);
    try {
      const page = await api.listManagedAccountsPage(2, 25);
      assert.equal([page.totalPages, page.totalResults], [3, 55]);
      assert.equal(
        page.accounts.map((a) => [a.id, a.email, a.organization_name]),
        [["f65ceda4-6522-4ad6-aede-98de83385123", "user@example.com", "Example Company LLC"]],
      );
      const { account, apiKey } = await api.getManagedAccount("f65ceda4-6522-4ad6-aede-98de83385123");
      assert.is(apiKey, "KEY01236170692E74656C6E79782E636F6D_YmlnIGlyb24gaXMgZGVhZA");
      assert.is(account.organization_name, "Example Company LLC");
      assert.not.ok(JSON.stringify(account).includes(apiKey), "the account object never holds its key");
      assert.not.ok(JSON.stringify(account).includes("x6oexQNHTs"), "nor its V1 token");
    } finally {
      api.close();
    }
  },
);

examples(
  "a removal answered with the 200 example is removed; with the 404 example, already absent",
  async ({ server }) => {
    const api = client(server.url);
    try {
      assert.equal(await api.removeUser("6a09cdc3-8948-47f0-aa62-74ac943d6c58"), {
        outcome: "removed",
        status: 200,
        attempts: 1,
      });
      assert.equal(await api.removeUser("gone"), { outcome: "already_absent", status: 404, attempts: 1 });
    } finally {
      api.close();
    }
  },
);

examples(
  "the 400 and 403 examples fail the removal with the API's code, title and detail; the 401 example stops the run",
  async ({ server }) => {
    const api = client(server.url);
    try {
      const refused = (await rejection(api.removeUser("refused"))) as ApiError;
      assert.is(
        refused.message,
        "POST /organizations/users/refused/actions/remove answered 403 10010: Not authorized: You are not authorized to access the requested resource.",
      );
      assert.is(refused.code, "10010");
      const malformed = (await rejection(api.removeUser("malformed"))) as ApiError;
      assert.is(
        malformed.message,
        "POST /organizations/users/malformed/actions/remove answered 400 10015: Bad Request: The request failed because it was not well-formed.",
      );
    } finally {
      api.close();
    }
    const wrongKey = client(server.url, "not-the-key");
    try {
      const denied = (await rejection(wrongKey.usersGroupsReport())) as ApiError;
      assert.is(denied.kind, "auth");
      assert.is(denied.message, "authentication failed: check TELNYX_API_KEY");
    } finally {
      wrongKey.close();
    }
  },
);

examples.run();
