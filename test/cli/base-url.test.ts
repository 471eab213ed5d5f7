import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli, TEST_API_KEY } from "../helpers/cli.js";
import { EXAMPLES, exampleOrg } from "../helpers/org.js";
import { startServer } from "../helpers/servers.js";
import { withSandbox } from "../helpers/sandbox.js";

/** A base URL that cannot be right is refused in words before any request; one missing /v2 gets a hint. */
const USERS = `${EXAMPLES}users.yaml`;
const HINT = "check --base-url: the Telnyx API's base URL ends in /v2 (https://api.telnyx.com/v2)";

test("a base URL without /v2 is not refused, and the API's 404 then says to check it", async () => {
  await withSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY }, async (sandbox) => {
    const base = sandbox.url.replace(/\/v2$/, "");
    const run = await runCli(["apply", "-f", USERS, "--yes", "--base-url", base]);
    assert.is(run.code, 1);
    assert.ok(
      run.stderr.startsWith("roster: error: GET /organizations/users answered 404 10005: Resource not found: "),
      run.stderr,
    );
    assert.ok(run.stderr.endsWith(`; ${HINT}\n`), run.stderr);
    assert.is(sandbox.stats.removeRequests.size, 0);
  });
});

test("a 404 that is not the API's JSON says to check the base URL, whatever its path", async () => {
  const server = await startServer((_req, res) => {
    res.writeHead(404, { "content-type": "text/html" });
    res.end("<h1>Not Found</h1>");
  });
  try {
    const run = await runCli(["plan", "-f", USERS], { env: { TELNYX_BASE_URL: server.url } });
    assert.is(run.code, 1);
    assert.is(
      run.stderr,
      `roster: error: GET /organizations/users answered 404 without the API's JSON error body: not the Telnyx API's answer; ${HINT}\n`,
    );
  } finally {
    await server.close();
  }
});

test("a base URL without a path sends requests to /organizations/..., not //organizations/...", async () => {
  const paths: string[] = [];
  const server = await startServer((req, res) => {
    paths.push(req.url ?? "");
    res.writeHead(404, { "content-type": "text/html" });
    res.end("<h1>Not Found</h1>");
  });
  try {
    const run = await runCli(["plan", "-f", USERS], { env: { TELNYX_BASE_URL: server.url.replace(/\/v2$/, "") } });
    assert.is(run.code, 1);
    assert.ok(paths.length > 0, "a request was made");
    for (const path of paths) assert.ok(path.startsWith("/organizations/"), `requested ${path}`);
  } finally {
    await server.close();
  }
});

test("a base URL roster will not use is refused in words, naming where it came from, before any request", async () => {
  const cases: [string[], Record<string, string>, string][] = [
    [
      ["--base-url", "ftp://x"],
      {},
      "--base-url ftp://x: the scheme must be https (or http to a loopback host such as the sandbox)",
    ],
    [
      [],
      { TELNYX_BASE_URL: "ftp://x" },
      "TELNYX_BASE_URL ftp://x: the scheme must be https (or http to a loopback host such as the sandbox)",
    ],
    [
      ["--base-url", "http://api.telnyx.com/v2"],
      {},
      "--base-url http://api.telnyx.com/v2: plain http to api.telnyx.com would send the API key unencrypted: use https (plain http is allowed only to a loopback host such as the sandbox)",
    ],
    [
      ["--base-url", "api telnyx"],
      {},
      '--base-url "api telnyx" is not a URL: give a full URL such as https://api.telnyx.com/v2',
    ],
    [
      [],
      { TELNYX_BASE_URL: "https://me:s3cret-pass@api.telnyx.com/v2" },
      "TELNYX_BASE_URL holds a user name or password: remove them; the key comes from TELNYX_API_KEY",
    ],
  ];
  for (const [args, env, message] of cases) {
    const run = await runCli(["plan", "-f", USERS, ...args], { env });
    assert.is(run.code, 1, message);
    assert.is(run.stderr, `roster: error: ${message}\n`);
    assert.not.match(run.stderr, "s3cret");
  }
});

test.run();
