import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Fault, FaultRequest, Sandbox } from "../../src/sandbox/sandbox.js";
import type { ApiError } from "../../src/telnyx/api-error.js";
import { MAX_RATE_LIMITED, TelnyxClient, type ClientOptions, type RetryEvent } from "../../src/telnyx/client.js";
import { readOrganization } from "../../src/telnyx/read-organization.js";
import { rejection, TEST_API_KEY } from "../helpers/cli.js";
import { makeOrg } from "../helpers/org.js";
import { startServer } from "../helpers/servers.js";
import { withSandbox, type TestSandbox } from "../helpers/sandbox.js";

const ORG = makeOrg(6);
const VICTIM = ORG[3]!;
const removePath = (id: string) => `/organizations/users/${id}/actions/remove`;

/** What a test of `faulty` is given: the sandbox, its client and the retries the client reported. */
interface Faulty {
  sandbox: TestSandbox;
  api: TelnyxClient;
  retries: RetryEvent[];
}

/**
 * Runs `fn` with a sandbox whose faults come from `script` and a client for it with fast backoff and a short
 * timeout (`options` override them); both are closed however `fn` ends.
 */
async function faulty(
  script: (request: FaultRequest) => Fault | undefined,
  options: Partial<ClientOptions>,
  fn: (run: Faulty) => Promise<void>,
) {
  // A short rate-limit window: an injected 429 asks for a wait of 5 ms.
  await withSandbox({ users: ORG, apiKey: TEST_API_KEY, faults: { script, rateWindowMs: 5 } }, async (sandbox) => {
    const retries: RetryEvent[] = [];
    const api = sandbox.client({ backoffBaseMs: 1, timeoutMs: 200, onRetry: (e) => retries.push(e), ...options });
    await fn({ sandbox, api, retries });
  });
}

/** The first `times` requests to `path` get `fault`, the rest are served. */
const firstTimes = (path: string, times: number, fault: Fault) => (r: FaultRequest) =>
  r.path === path && r.occurrence <= times ? fault : undefined;
const removals = (sandbox: Sandbox) => sandbox.stats.removeRequests.get(VICTIM.id) ?? 0;

for (const status of [408, 500, 502, 503] as const) {
  test(`a ${status} is retried, and the removal then succeeds`, async () => {
    await faulty(
      firstTimes(removePath(VICTIM.id), 2, { kind: "error", status }),
      {},
      async ({ sandbox, api, retries }) => {
        const result = await api.removeUser(VICTIM.id);
        assert.equal(result, { outcome: "removed", status: 200, attempts: 3 });
        assert.equal(
          retries.map((r) => r.reason),
          [`${status}`, `${status}`],
        );
        assert.is(removals(sandbox), 3);
      },
    );
  });
}

test("retries stop at --max-retries: the error names the status and the attempts made", async () => {
  await faulty(
    () => ({ kind: "error", status: 503 }),
    { maxRetries: 2 },
    async ({ sandbox, api }) => {
      const error = (await rejection(api.removeUser(VICTIM.id))) as ApiError;
      assert.is(error.status, 503);
      assert.is(error.attempts, 3);
      assert.is(error.message, `POST ${removePath(VICTIM.id)} answered 503 10007: Unexpected error: injected fault`);
      assert.is(removals(sandbox), 3, "1 attempt and 2 retries");
    },
  );
});

test("a connection cut before any work is retried", async () => {
  await faulty(firstTimes(removePath(VICTIM.id), 1, { kind: "reset" }), {}, async ({ api, retries }) => {
    assert.equal(await api.removeUser(VICTIM.id), { outcome: "removed", status: 200, attempts: 2 });
    assert.match(retries[0]!.reason, /^the connection to 127\.0\.0\.1:\d+ was cut$/);
  });
});

test("a request that is never answered times out and is sent again", async () => {
  await faulty(
    firstTimes("/organizations/users?page[number]=1&page[size]=250&include_groups=true", 1, { kind: "hang" }),
    {},
    async ({ api, retries }) => {
      assert.is((await readOrganization(api, { concurrency: 2, source: "pages" })).length, ORG.length);
      assert.equal(
        retries.map((r) => r.reason),
        ["no answer within 0.2 s (timeout)"],
      );
    },
  );
});

test("after the timeouts run out, the error says so", async () => {
  await faulty(
    () => ({ kind: "hang" }),
    { maxRetries: 1, timeoutMs: 50 },
    async ({ api }) => {
      const error = await rejection(api.listUsersPage(1));
      assert.match(
        error.message,
        /^GET 127\.0\.0\.1:\d+\/v2\/organizations\/users failed: no answer within 0\.05 s \(timeout\): check the network, or give the API more time with --timeout$/,
      );
    },
  );
});

for (const loss of ["hang", "reset", "504"] as const) {
  test(`a removal done by the API whose answer was lost (${loss}) ends as removed, never failed`, async () => {
    await faulty(firstTimes(removePath(VICTIM.id), 1, { kind: "ghost", loss }), {}, async ({ sandbox, api }) => {
      const result = await api.removeUser(VICTIM.id);
      assert.equal(result, { outcome: "removed", status: 404, attempts: 2 });
      assert.equal([...sandbox.stats.ghostRemovals], [VICTIM.id]);
      assert.not.ok(sandbox.users().some((u) => u.id === VICTIM.id));
    });
  });
}

test("a 404 on a first attempt is already absent, not removed", async () => {
  await faulty(
    () => undefined,
    {},
    async ({ api }) => {
      await api.removeUser(VICTIM.id);
      assert.equal(await api.removeUser(VICTIM.id), { outcome: "already_absent", status: 404, attempts: 1 });
    },
  );
});

test("a 403 on a removal fails that user at once, without a retry", async () => {
  const owner = ORG[0]!;
  await faulty(
    () => undefined,
    {},
    async ({ sandbox, api, retries }) => {
      const error = (await rejection(api.removeUser(owner.id))) as ApiError;
      assert.is(error.status, 403);
      assert.is(error.attempts, 1);
      assert.is(sandbox.stats.removeRequests.get(owner.id), 1);
      assert.is(retries.length, 0);
    },
  );
});

test("a 403 on reading the organization is an error that names it", async () => {
  const server = await startServer((_req, res) => {
    res.writeHead(403, { "content-type": "application/json" });
    res.end(
      JSON.stringify({ errors: [{ code: "10010", title: "Not authorized", detail: "This key may not list users" }] }),
    );
  });
  const api = new TelnyxClient({ baseUrl: server.url, apiKey: TEST_API_KEY, backoffBaseMs: 1 });
  try {
    const error = await rejection(readOrganization(api, { concurrency: 2 }));
    assert.is(
      error.message,
      "GET /organizations/users answered 403 10010: Not authorized: This key may not list users",
    );
    assert.is(server.requests(), 2, "the groups report, refused, then the first page, neither retried");
  } finally {
    api.close();
    await server.close();
  }
});

test("429s wait for the window and do not use up --max-retries", async () => {
  await withSandbox(
    {
      users: ORG,
      apiKey: TEST_API_KEY,
      faults: { script: firstTimes(removePath(VICTIM.id), 3, { kind: "throttle" }), rateWindowMs: 20 },
    },
    async (sandbox) => {
      const retries: RetryEvent[] = [];
      const api = sandbox.client({ maxRetries: 0, backoffBaseMs: 1, onRetry: (e) => retries.push(e) });
      assert.equal(await api.removeUser(VICTIM.id), { outcome: "removed", status: 200, attempts: 4 });
      assert.equal(
        retries.map((r) => r.reason),
        ["429 rate limited", "429 rate limited", "429 rate limited"],
      );
      // Each waited for the window: never at once. (Since issue 11 a wait may end before the reset the API gave,
      // when the answers have shown the window ends sooner: the reset is only an upper bound.)
      assert.ok(
        retries.every((r) => r.delayMs > 0),
        `each waited for the window: ${retries.map((r) => r.delayMs)}`,
      );
    },
  );
});

test(`a request answered 429 more than ${MAX_RATE_LIMITED} times fails with the API's error`, async () => {
  await faulty(
    () => ({ kind: "throttle" }),
    { maxRetries: 0 },
    async ({ api }) => {
      const error = (await rejection(api.listUsersPage(1))) as ApiError;
      assert.is(error.status, 429);
      assert.is(error.attempts, MAX_RATE_LIMITED + 1);
    },
  );
});

test("under a real rate limit the client paces itself: every request succeeds, almost none sees a 429", async () => {
  const org = makeOrg(61);
  // Windows of 250 ms: a loaded machine's timers move a window's edges by tens of milliseconds, which in
  // windows of 40 ms turned a well-paced run into one with a dozen 429s.
  await withSandbox(
    { users: org, apiKey: TEST_API_KEY, faults: { rateLimit: 10, rateWindowMs: 250 } },
    async (sandbox) => {
      const api = sandbox.client({ maxRetries: 0, backoffBaseMs: 1 });
      // As apply does: the organization is read first, so the client knows the window before the removals.
      await readOrganization(api, { concurrency: 2 });
      const results = await Promise.all(org.slice(1).map((u) => api.removeUser(u.id)));
      assert.ok(results.every((r) => r.outcome === "removed"));
      // Sent as fast as asked, 60 removals into windows of 10 would be refused 50 at a time; paced, a few at
      // the windows' edges.
      assert.ok(sandbox.stats.rateLimited <= 12, `${sandbox.stats.rateLimited} answered 429`);
      assert.is(sandbox.users().length, 1);
    },
  );
});

test("after a 429 neither that request nor any other started since comes before the window the API named", async () => {
  let resetAt = 0;
  const arrivals: number[] = [];
  const server = await startServer((_req, res) => {
    const now = Date.now();
    arrivals.push(now);
    if (resetAt === 0) {
      resetAt = now + 100;
      res.writeHead(429, {
        "content-type": "application/json",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": "0.1",
      });
      res.end(JSON.stringify({ errors: [{ code: "10011", title: "Too many requests" }] }));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ data: [], meta: { total_pages: 0, total_results: 0 } }));
  });
  let other: Promise<unknown> | undefined;
  const api = new TelnyxClient({
    baseUrl: server.url,
    apiKey: TEST_API_KEY,
    maxRetries: 0,
    // Once the first request is told to wait, another one is asked for: it must wait as well.
    onRetry: () => void (other ??= api.listUsersPage(2)),
  });
  try {
    await api.listUsersPage(1);
    // Asked for while the first one waited, so it exists by now.
    await other;
    assert.is(arrivals.length, 3);
    assert.ok(
      arrivals.slice(1).every((t) => t >= resetAt),
      "both came after the reset",
    );
  } finally {
    api.close();
    await server.close();
  }
});

test("Retry-After, when the 429 carries it, is waited rather than x-ratelimit-reset", async () => {
  let first = 0;
  let second = 0;
  const server = await startServer((_req, res) => {
    if (first === 0) {
      first = Date.now();
      res.writeHead(429, { "content-type": "application/json", "retry-after": "1", "x-ratelimit-reset": "0" });
      res.end("{}");
      return;
    }
    second = Date.now();
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ data: [], meta: { total_pages: 0 } }));
  });
  const api = new TelnyxClient({ baseUrl: server.url, apiKey: TEST_API_KEY, maxRetries: 0, backoffBaseMs: 1 });
  try {
    await api.listUsersPage(1);
    assert.ok(second - first >= 1000, "the second request came after the second the API asked for");
  } finally {
    api.close();
    await server.close();
  }
});

test("once the key is refused, requests already waiting to retry are not sent", async () => {
  await faulty(
    () => undefined,
    {},
    async ({ sandbox, api }) => {
      sandbox.setApiKey("rotated");
      const results = await Promise.allSettled(ORG.slice(1).map((u) => api.removeUser(u.id)));
      assert.equal(
        results.map((r) => r.status),
        Array(results.length).fill("rejected"),
        "every removal fails",
      );
      assert.equal(
        results.map((r) => (r.status === "rejected" ? (r.reason as ApiError).kind : "sent")),
        Array(results.length).fill("auth"),
        "each for the refused key",
      );
      const before = sandbox.stats.requests;
      await rejection(api.listUsersPage(1));
      assert.is(sandbox.stats.requests, before, "nothing sent after the 401");
      assert.is(sandbox.users().length, ORG.length);
    },
  );
});

test("a redirect is never followed: the other host receives nothing, the key stays home", async () => {
  const elsewhere = await startServer((_req, res) => res.end("{}"));
  for (const target of [`${elsewhere.url}/organizations/users`, "/v2/other"]) {
    const redirecting = await startServer((_req, res) => {
      res.writeHead(307, { location: target });
      res.end();
    });
    const api = new TelnyxClient({ baseUrl: redirecting.url, apiKey: TEST_API_KEY, backoffBaseMs: 1 });
    try {
      const error = await rejection(api.removeUser("abc"));
      assert.match(
        error.message,
        /was redirected \(307\) to .*: roster does not follow redirects with the API key; check --base-url$/,
      );
      assert.is(redirecting.requests(), 1, "not retried");
    } finally {
      api.close();
      await redirecting.close();
    }
  }
  assert.is(elsewhere.requests(), 0);
  await elsewhere.close();
});

test("a 200 to a removal that is not the API's answer is not counted as removed", async () => {
  const portal = await startServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<html>Please log in to the Wi-Fi</html>");
  });
  const api = new TelnyxClient({ baseUrl: portal.url, apiKey: TEST_API_KEY, backoffBaseMs: 1 });
  try {
    const error = (await rejection(api.removeUser("abc"))) as ApiError;
    assert.is(error.kind, "shape");
    assert.match(error.message, "answered 200 but not with the API's JSON user: not counted as removed");
  } finally {
    api.close();
    await portal.close();
  }
});

test("an endless answer is cut off as not the API's, not read into memory", async () => {
  const flood = await startServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < 40 && res.write(chunk)) sent += 1;
      if (sent < 40) res.once("drain", pump);
      else res.end();
    };
    pump();
  });
  const api = new TelnyxClient({ baseUrl: flood.url, apiKey: TEST_API_KEY, backoffBaseMs: 1 });
  try {
    const error = (await rejection(api.listUsersPage(1))) as ApiError;
    assert.is(error.kind, "shape");
    assert.match(error.message, "answered with more than 16777216 bytes: not the API's answer");
  } finally {
    api.close();
    await flood.close();
  }
});

test.run();
