import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ACCOUNTS, CEDAR, HARBOR, managerSandbox, manifestFor, NORTHWIND } from "../helpers/accounts.js";
import { runCli, TEST_API_KEY, withTempDir, writeTemp } from "../helpers/cli.js";
import { EXAMPLES, ROOT, exampleOrg } from "../helpers/org.js";
import { startProxy } from "../helpers/proxy.js";
import { withSandbox } from "../helpers/sandbox.js";

const USERS = `${EXAMPLES}users.yaml`;
const CERT = `${ROOT}test/fixtures/tls/localhost.crt`;
const tls = { key: readFileSync(`${ROOT}test/fixtures/tls/localhost.key`), cert: readFileSync(CERT) };
const SUMMARY = { remove: 5, keep: 22, protected: 3, missing: 1, group_drift: 0 };

test("HTTPS_PROXY: requests go through a CONNECT tunnel, and the proxy never sees the key", async () => {
  await withSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY, tls }, async (sandbox) => {
    const proxy = await startProxy();
    try {
      // The test's certificate is trusted the way a company's own CA is: NODE_EXTRA_CA_CERTS.
      const env = { TELNYX_BASE_URL: sandbox.url, HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: CERT };
      const run = await runCli(["plan", "-f", USERS, "--format", "json"], { env });
      assert.is(run.code, 0, run.stderr);
      assert.equal(JSON.parse(run.stdout).summary, SUMMARY);
      assert.ok(proxy.log.connects.length >= 1);
      assert.ok(proxy.log.connects.every((c) => c.authority === new URL(sandbox.url).host));
      assert.not.match(JSON.stringify(proxy.log), TEST_API_KEY);
      assert.not.ok(proxy.log.connects.some((c) => "authorization" in c.headers));
      assert.is(proxy.log.forwards.length, 0);
      assert.ok(sandbox.stats.reportRequests >= 1);
    } finally {
      await proxy.close();
    }
  });
});

test("HTTP_PROXY on loopback forwards plain-http requests to the sandbox; NO_PROXY takes them direct", async () => {
  await withSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY }, async (sandbox) => {
    const proxy = await startProxy();
    try {
      const env = { TELNYX_BASE_URL: sandbox.url, HTTP_PROXY: proxy.url };
      const run = await runCli(["plan", "-f", USERS, "--format", "json"], { env });
      assert.is(run.code, 0, run.stderr);
      assert.equal(JSON.parse(run.stdout).summary, SUMMARY);
      assert.ok(proxy.log.forwards.length >= 1);
      assert.ok(proxy.log.forwards.every((f) => f.url.startsWith(`${sandbox.url}/organizations/users`)));

      const seen = proxy.log.forwards.length;
      const direct = await runCli(["plan", "-f", USERS, "--format", "json"], {
        env: { ...env, NO_PROXY: "localhost,127.0.0.1" },
      });
      assert.is(direct.code, 0);
      assert.is(proxy.log.forwards.length, seen, "NO_PROXY: the proxy saw nothing more");
    } finally {
      await proxy.close();
    }
  });
});

test("across managed accounts, every client of the run goes through the proxy, each account's reads with its own key", async () => {
  await withSandbox(managerSandbox(), async (sandbox) => {
    const proxy = await startProxy();
    try {
      await withTempDir(async (dir) => {
        writeTemp(dir, "a-harbor.yaml", manifestFor(HARBOR, ["amara"]));
        writeTemp(dir, "b-northwind.yaml", manifestFor(NORTHWIND, ["farah"]));
        writeTemp(dir, "c-cedar.yaml", manifestFor(CEDAR, ["jia"]));
        const env = { TELNYX_BASE_URL: sandbox.url, HTTP_PROXY: proxy.url };
        const run = await runCli(["plan", "-f", dir, "--format", "json"], { env });
        assert.is(run.code, 0, run.stderr);
        const doc = JSON.parse(run.stdout) as { accounts: { account: { id: string } }[]; summary: { remove: number } };
        assert.equal(
          doc.accounts.map((a) => a.account.id),
          [HARBOR.id, NORTHWIND.id, CEDAR.id],
        );
        assert.is(doc.summary.remove, 4 + 3 + 1);
        const reports = proxy.log.forwards.filter((f) => f.url.endsWith("/organizations/users/users_groups_report"));
        assert.equal(
          reports.map((f) => f.headers.authorization).sort(),
          ACCOUNTS.map((a) => `Bearer ${a.api_key}`).sort(),
          "each account's report was read through the proxy with that account's key",
        );
        for (const seed of ACCOUNTS)
          assert.ok(
            proxy.log.forwards.some((f) => f.url.endsWith(`/managed_accounts/${seed.id}`)),
            `${seed.organization_name}'s key fetched through the proxy`,
          );
      });
    } finally {
      await proxy.close();
    }
  });
});

test("plain http through a proxy on another machine is refused before any request", async () => {
  await withSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY }, async (sandbox) => {
    const run = await runCli(["plan", "-f", USERS], {
      env: { TELNYX_BASE_URL: sandbox.url, HTTP_PROXY: "http://192.0.2.1:3128" },
    });
    assert.is(run.code, 1);
    assert.is(
      run.stderr,
      `roster: error: refusing to send the API key over plain http through the proxy at 192.0.2.1:3128 (from HTTP_PROXY): add 127.0.0.1 to NO_PROXY\n`,
    );
    assert.is(sandbox.stats.requests, 0);
  });
});

test("an unreachable proxy is named by its host, never with its password", async () => {
  // A port that was free a moment ago: nothing listens there.
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const run = await runCli(["plan", "-f", USERS, "--max-retries", "0"], {
    env: {
      TELNYX_BASE_URL: "https://api.telnyx.com/v2",
      HTTPS_PROXY: `http://roster:s3cret-proxy-pass@127.0.0.1:${port}`,
    },
  });
  assert.is(run.code, 1);
  assert.is(
    run.stderr,
    `roster: error: GET api.telnyx.com/v2/organizations/users/users_groups_report via the proxy at 127.0.0.1:${port} failed: the proxy 127.0.0.1:${port} refused the connection (nothing listens at that port): check HTTPS_PROXY / HTTP_PROXY\n`,
  );
  assert.not.match(run.stdout + run.stderr, "s3cret");
});

test.run();
