import { test } from "uvu";
import * as assert from "uvu/assert";
import { ApiError } from "../../src/telnyx/api-error.js";
import { TelnyxClient } from "../../src/telnyx/client.js";
import { readOrganization } from "../../src/telnyx/read-organization.js";
import { rejection, TEST_API_KEY } from "../helpers/cli.js";
import { exampleOrg, makeOrg } from "../helpers/org.js";
import { startServer } from "../helpers/servers.js";
import { withSandbox } from "../helpers/sandbox.js";

/** No retries, and a backoff of 1 ms where a test asks for them. */
const FAST = { maxRetries: 0, backoffBaseMs: 1 };
const client = (baseUrl: string, apiKey = TEST_API_KEY) => new TelnyxClient({ baseUrl, apiKey, ...FAST });

test("reads every user of a 600-user organization in one request, from the groups report", async () => {
  await withSandbox({ users: makeOrg(600), apiKey: TEST_API_KEY }, async (sandbox) => {
    const api = sandbox.client(FAST);
    const users = await readOrganization(api, { concurrency: 4 });
    assert.is(users.length, 600);
    assert.is(new Set(users.map((u) => u.id)).size, 600);
    assert.is(sandbox.stats.reportRequests, 1);
    assert.is(sandbox.stats.listRequests, 0);
  });
});

test("when the API refuses the groups report, every user is read from the pages, and the report is not asked again", async () => {
  await withSandbox({ users: makeOrg(600), apiKey: TEST_API_KEY, refuseGroupsReport: true }, async (sandbox) => {
    const api = sandbox.client(FAST);
    const users = await readOrganization(api, { concurrency: 4 });
    assert.is(users.length, 600);
    assert.is(new Set(users.map((u) => u.id)).size, 600);
    assert.is(sandbox.stats.listRequests, 3, "3 pages of 250");
    assert.is((await readOrganization(api, { concurrency: 4 })).length, 600);
    assert.is(sandbox.stats.reportRequests, 1, "asked once per client");
    assert.is(sandbox.stats.listRequests, 6);
  });
});

test("a groups report that is not the API's shape falls back to the pages; a 5xx does not", async () => {
  const org = makeOrg(30);
  const page = JSON.stringify({ data: org, meta: { total_pages: 1, total_results: 30 } });
  for (const [report, outcome] of [
    [{ status: 200, body: "<html>gateway</html>", type: "text/html" }, "read"],
    [{ status: 200, body: '{"users": []}', type: "application/json" }, "read"],
    [
      { status: 503, body: '{"errors":[{"code":"10003","title":"Service unavailable"}]}', type: "application/json" },
      "error",
    ],
  ] as const) {
    const server = await startServer((req, res) => {
      const isReport = req.url?.includes("users_groups_report");
      res.writeHead(isReport ? report.status : 200, { "content-type": isReport ? report.type : "application/json" });
      res.end(isReport ? report.body : page);
    });
    try {
      const read = readOrganization(client(server.url), { concurrency: 2 });
      if (outcome === "read") assert.is((await read).length, 30);
      else assert.match((await rejection(read)).message, "GET /organizations/users/users_groups_report answered 503");
    } finally {
      await server.close();
    }
  }
});

test("a page lists the API's meta, and filters narrow the sandbox's answer like the API's", async () => {
  await withSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY }, async (sandbox) => {
    const page = await sandbox.client(FAST).listUsersPage(2, 20);
    assert.is(page.users.length, 10);
    assert.is(page.totalPages, 2);
    assert.is(page.totalResults, 30);
    const headers = { Authorization: `Bearer ${TEST_API_KEY}` };
    const blocked = await (
      await fetch(`${sandbox.url}/organizations/users?filter[user_status]=blocked`, { headers })
    ).json();
    assert.ok(blocked.data.length > 0, "the status filter matches some users");
    assert.ok(
      blocked.data.every((u: { user_status: string }) => u.user_status === "blocked"),
      "every user it returns is blocked",
    );
    const partners = await (
      await fetch(`${sandbox.url}/organizations/users?filter[email]=PARTNERS`, { headers })
    ).json();
    assert.equal(partners.data.map((u: { email: string }) => u.email).sort(), [
      "billing-bot@partners.example.com",
      "noc@partners.example.com",
    ]);
    const bad = await fetch(`${sandbox.url}/organizations/users?page[size]=251`, { headers });
    assert.is(bad.status, 400);
    assert.is((await bad.json()).errors[0].code, "10015");
  });
});

test("removing answers removed, then already absent; the owner cannot be removed", async () => {
  const org = exampleOrg();
  await withSandbox({ users: org, apiKey: TEST_API_KEY }, async (sandbox) => {
    const api = sandbox.client(FAST);
    const victim = org.find((u) => u.email === "intern.2024@example.com")!;
    assert.equal(await api.removeUser(victim.id), { outcome: "removed", status: 200, attempts: 1 });
    assert.equal(await api.removeUser(victim.id), { outcome: "already_absent", status: 404, attempts: 1 });
    assert.not.ok(sandbox.users().some((u) => u.id === victim.id));
    const owner = org.find((u) => u.record_type === "organization_owner")!;
    const error = await rejection(api.removeUser(owner.id));
    assert.instance(error, ApiError);
    assert.is((error as ApiError).status, 403);
    assert.match(error.message, "403 10010: Not authorized: The organization owner cannot be removed");
  });
});

test("a wrong key fails with a clear message that never shows the key", async () => {
  await withSandbox({ users: exampleOrg(), apiKey: "the-right-key" }, async (sandbox) => {
    const error = await rejection(sandbox.client(FAST).listUsersPage(1));
    assert.is(error.message, "authentication failed: check TELNYX_API_KEY");
    assert.not.match(error.message + String(error.stack), TEST_API_KEY);
  });
});

test("after a 401 the client starts no further request", async () => {
  await withSandbox({ users: exampleOrg(), apiKey: "the-right-key" }, async (sandbox) => {
    const api = sandbox.client(FAST);
    await rejection(api.listUsersPage(1));
    const before = sandbox.stats.requests;
    await rejection(api.removeUser("anyone"));
    assert.is(sandbox.stats.requests, before);
  });
});

test("a 404 that is not the API's JSON error (a proxy's HTML page) is a failure, never already absent", async () => {
  const proxy = await startServer((_req, res) => {
    res.writeHead(404, { "content-type": "text/html" });
    res.end("<html><body>Not Found</body></html>");
  });
  try {
    const error = await rejection(client(proxy.url).removeUser("abc"));
    assert.is(
      error.message,
      "POST /organizations/users/abc/actions/remove answered 404 without the API's JSON error body: not the Telnyx API's answer; check --base-url: the Telnyx API's base URL ends in /v2 (https://api.telnyx.com/v2)",
    );
  } finally {
    await proxy.close();
  }
});

test("answers that are not the API's shape are errors that change nothing", async () => {
  const bodies: [string, string][] = [
    ["not json", "<html></html>"],
    ['without a "data" list', '{"meta":{"total_pages":1}}'],
    ['with an invalid meta.total_pages ("x")', '{"data":[],"meta":{"total_pages":"x"}}'],
    [
      "with data[0] lacking a string email",
      '{"data":[{"id":"1","record_type":"organization_sub_user","email":7}],"meta":{"total_pages":1}}',
    ],
  ];
  for (const [what, body] of bodies) {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": what === "not json" ? "text/html" : "application/json" });
      res.end(body);
    });
    try {
      const error = await rejection(client(server.url).listUsersPage(1));
      assert.match(
        error.message,
        `GET /organizations/users answered 200 but ${what === "not json" ? "not with JSON" : what}`,
      );
    } finally {
      await server.close();
    }
  }
});

test("plain http is refused for any host but loopback, before a request is made", () => {
  assert.throws(
    () => client("http://api.telnyx.com/v2"),
    /plain http to api\.telnyx\.com would send the API key unencrypted: use https/,
  );
  assert.ok(client("http://localhost:1/v2"));
  assert.ok(client("http://[::1]:1/v2"));
});

test("a missing key or one that cannot be sent is refused without echoing it", () => {
  assert.throws(() => client("https://api.telnyx.com/v2", ""), /TELNYX_API_KEY is not set/);
  let message = "";
  try {
    client("https://api.telnyx.com/v2", "secret value\n");
  } catch (error) {
    message = (error as Error).message;
  }
  assert.is(message, "TELNYX_API_KEY holds spaces or control characters, which cannot be sent: copy the key again");
});

test("an unreachable API is a clear network error", async () => {
  const server = await startServer(() => {});
  const url = server.url;
  await server.close();
  const error = await rejection(client(url).listUsersPage(1));
  assert.match(
    error.message,
    /^GET 127\.0\.0\.1:\d+\/v2\/organizations\/users failed: 127\.0\.0\.1:\d+ refused the connection \(nothing listens at that port\): check --base-url \/ TELNYX_BASE_URL$/,
  );
});

test.run();
