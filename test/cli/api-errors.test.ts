import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli, TEST_API_KEY } from "../helpers/cli.js";
import { EXAMPLES, exampleOrg } from "../helpers/org.js";
import { startServer } from "../helpers/servers.js";
import { withSandbox } from "../helpers/sandbox.js";

/** An API error that ends the run says what to do, after the API's own words. */
const USERS = `${EXAMPLES}users.yaml`;

test("a read that keeps failing with 503 says the API failed and to try again later", async () => {
  await withSandbox(
    {
      users: exampleOrg(),
      apiKey: TEST_API_KEY,
      faults: { script: (r) => (r.method === "GET" ? { kind: "error", status: 503 } : undefined) },
    },
    async (sandbox) => {
      const run = await runCli(["plan", "-f", USERS, "--max-retries", "1"], {
        env: { TELNYX_BASE_URL: sandbox.url, ROSTER_BACKOFF_BASE_MS: "1" },
      });
      assert.is(run.code, 1);
      assert.is(
        run.stderr,
        "roster: error: GET /organizations/users/users_groups_report answered 503 10007: Unexpected error: injected fault: the API (or a gateway before it) failed, 2 times: try again later\n",
      );
    },
  );
});

test("a 403 on reading the organization says to check what the key may do", async () => {
  const server = await startServer((_req, res) => {
    res.writeHead(403, { "content-type": "application/json" });
    res.end(
      JSON.stringify({ errors: [{ code: "10010", title: "Not authorized", detail: "This key may not list users" }] }),
    );
  });
  try {
    const run = await runCli(["plan", "-f", USERS], { env: { TELNYX_BASE_URL: server.url } });
    assert.is(run.code, 1);
    assert.is(
      run.stderr,
      "roster: error: GET /organizations/users answered 403 10010: Not authorized: This key may not list users: check that the API key may manage the organization's users\n",
    );
  } finally {
    await server.close();
  }
});

test.run();
