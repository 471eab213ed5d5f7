import { createServer as createHttpsServer } from "node:https";
import { createServer } from "node:net";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "../helpers/cli.js";
import { EXAMPLES, ROOT } from "../helpers/org.js";

/** Network and TLS failures say what happened in words and what to do; a bad certificate is not retried. */
const USERS = `${EXAMPLES}users.yaml`;
const CERT = `${ROOT}test/fixtures/tls/localhost.crt`;
const tls = { key: readFileSync(`${ROOT}test/fixtures/tls/localhost.key`), cert: readFileSync(CERT) };
const UNTRUSTED =
  "if a proxy or gateway on your network inspects TLS, give its CA certificate with NODE_EXTRA_CA_CERTS=ca.pem; otherwise check --base-url / TELNYX_BASE_URL";

/** An https server on loopback with the test certificate, counting the connections made to it. */
async function tlsServer(host = "127.0.0.1") {
  let connections = 0;
  const server = createHttpsServer(tls, (_req, res) => res.end("{}"));
  server.on("connection", () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens at: free a moment ago. */
function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

test("a self-signed certificate is named in words and not retried", async () => {
  const server = await tlsServer();
  try {
    const run = await runCli(["apply", "-f", USERS, "--yes", "--max-retries", "5"], {
      env: { TELNYX_BASE_URL: `https://127.0.0.1:${server.port}/v2` },
    });
    assert.is(run.code, 1);
    assert.is(
      run.stderr,
      `roster: error: GET 127.0.0.1:${server.port}/v2/organizations/users/users_groups_report failed: the TLS certificate of 127.0.0.1:${server.port} is not trusted (self-signed): ${UNTRUSTED}\n`,
    );
    assert.is(server.connections(), 1, "one attempt: a certificate does not get better");
  } finally {
    await server.close();
  }
});

test("a certificate for another host name says so and is not retried", async () => {
  // The test certificate names localhost and 127.0.0.1; 127.0.0.2 is loopback too, and not in it.
  const server = await tlsServer("127.0.0.2");
  try {
    const run = await runCli(["plan", "-f", USERS], {
      env: { TELNYX_BASE_URL: `https://127.0.0.2:${server.port}/v2`, NODE_EXTRA_CA_CERTS: CERT },
    });
    assert.is(run.code, 1);
    assert.is(
      run.stderr,
      `roster: error: GET 127.0.0.2:${server.port}/v2/organizations/users/users_groups_report failed: the TLS certificate of 127.0.0.2:${server.port} is for other host names: check --base-url / TELNYX_BASE_URL (the Telnyx API is https://api.telnyx.com/v2)\n`,
    );
    assert.is(server.connections(), 1);
  } finally {
    await server.close();
  }
});

test("a port nothing listens at is a refused connection, in words", async () => {
  const port = await unusedPort();
  const run = await runCli(["plan", "-f", USERS, "--max-retries", "0"], {
    env: { TELNYX_BASE_URL: `http://127.0.0.1:${port}/v2` },
  });
  assert.is(run.code, 1);
  assert.is(
    run.stderr,
    `roster: error: GET 127.0.0.1:${port}/v2/organizations/users/users_groups_report failed: 127.0.0.1:${port} refused the connection (nothing listens at that port): check --base-url / TELNYX_BASE_URL\n`,
  );
});

test("a host name that does not resolve says to check the base URL and DNS, without retrying", async () => {
  // .invalid never resolves (RFC 6761): no request can reach anyone.
  const run = await runCli(["apply", "-f", USERS, "--yes"], {
    env: { TELNYX_BASE_URL: "https://api.roster-test.invalid/v2" },
  });
  assert.is(run.code, 1);
  assert.is(
    run.stderr,
    "roster: error: GET api.roster-test.invalid/v2/organizations/users/users_groups_report failed: cannot resolve api.roster-test.invalid: check --base-url / TELNYX_BASE_URL and your DNS\n",
    "no retry line either",
  );
});

test.run();
