import type { IncomingHttpHeaders } from "node:http";
import zlib from "node:zlib";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ApiError } from "../../src/telnyx/api-error.js";
import { TelnyxClient, type ClientOptions, type RetryEvent } from "../../src/telnyx/client.js";
import { readOrganization } from "../../src/telnyx/read-organization.js";
import { rejection, TEST_API_KEY } from "../helpers/cli.js";
import { makeOrg } from "../helpers/org.js";
import { withSandbox } from "../helpers/sandbox.js";
import { startServer } from "../helpers/servers.js";

// How roster's own HTTP layer (src/telnyx/http-send.ts) reads answers: compressed as the real API sends large
// ones, past the size cap once decompressed, stalled or cut in the middle of the body.

const FAST = { maxRetries: 0, backoffBaseMs: 1 };
const EMPTY_PAGE = JSON.stringify({ data: [], meta: { total_pages: 0, total_results: 0 } });

/** Runs `fn` with a client of `url` (fast, no retries unless `options` say), closed however `fn` ends. */
async function withClient(url: string, options: Partial<ClientOptions>, fn: (api: TelnyxClient) => Promise<void>) {
  const api = new TelnyxClient({ baseUrl: url, apiKey: TEST_API_KEY, ...FAST, ...options });
  try {
    await fn(api);
  } finally {
    api.close();
  }
}

test("every removal of one client says its empty body, with the client's key; its reads do not", async () => {
  await withSandbox({ users: makeOrg(6), apiKey: TEST_API_KEY }, async (sandbox) => {
    const seen: { method: string; headers: IncomingHttpHeaders }[] = [];
    // A front of the sandbox that notes what each request carried, then forwards it.
    const front = await startServer(async (req, res) => {
      seen.push({ method: req.method!, headers: req.headers });
      const answer = await fetch(`${sandbox.url}${req.url!.slice("/v2".length)}`, {
        method: req.method!,
        headers: { authorization: req.headers.authorization ?? "" },
      });
      res.writeHead(answer.status, { "content-type": answer.headers.get("content-type")! });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
    try {
      await withClient(front.url, {}, async (api) => {
        const users = await readOrganization(api, { concurrency: 2 });
        const subUsers = users.filter((user) => user.record_type === "organization_sub_user").slice(0, 3);
        for (const user of subUsers) assert.is((await api.removeUser(user.id)).outcome, "removed");
        assert.is((await api.removeUser(subUsers[0]!.id)).outcome, "already_absent");
      });
      const posts = seen.filter((request) => request.method === "POST");
      assert.is(posts.length, 4, "three removals and one repeated");
      for (const { headers } of posts) {
        assert.is(headers["content-length"], "0", "a POST without a body says so, each time");
        assert.is(headers.authorization, `Bearer ${TEST_API_KEY}`);
      }
      for (const { headers } of seen.filter((request) => request.method === "GET"))
        assert.is(headers["content-length"], undefined, "a read says nothing of a body");
      assert.is(sandbox.users().length, 3);
    } finally {
      await front.close();
    }
  });
});

const compressors: Record<string, (body: Buffer) => Buffer> = {
  gzip: (body) => zlib.gzipSync(body),
  deflate: (body) => zlib.deflateSync(body),
  br: (body) => zlib.brotliCompressSync(body),
  // Not a coding roster knows: the body is taken as it came.
  identity: (body) => body,
};

for (const [coding, compress] of Object.entries(compressors)) {
  test(`an answer in content-encoding ${coding} is read as the sandbox's own; every request carries roster's headers`, async () => {
    await withSandbox({ users: makeOrg(600), apiKey: TEST_API_KEY }, async (sandbox) => {
      const seen: IncomingHttpHeaders[] = [];
      // A front of the sandbox that compresses every answer, in small pieces so the body comes in many chunks.
      const front = await startServer(async (req, res) => {
        seen.push(req.headers);
        const answer = await fetch(`${sandbox.url}${req.url!.slice("/v2".length)}`, {
          method: req.method!,
          headers: { authorization: req.headers.authorization ?? "" },
        });
        const body = compress(Buffer.from(await answer.arrayBuffer()));
        res.writeHead(answer.status, {
          "content-type": answer.headers.get("content-type")!,
          "content-encoding": coding,
        });
        for (let at = 0; at < body.length; at += 4096) res.write(body.subarray(at, at + 4096));
        res.end();
      });
      try {
        await withClient(front.url, {}, async (api) => {
          const users = await readOrganization(api, { concurrency: 2 });
          assert.equal(
            users.map((u) => u.id).sort(),
            sandbox
              .users()
              .map((u) => u.id)
              .sort(),
          );
          assert.equal((await api.removeUser(users[1]!.id)).outcome, "removed");
        });
        assert.is(seen.length, 2, "the groups report and a removal");
        for (const headers of seen) {
          assert.is(headers["accept-encoding"], "gzip, deflate, br");
          assert.is(headers.accept, "application/json");
          assert.is(headers["user-agent"], "telnyx-roster");
        }
        assert.is(seen[1]!["content-length"], "0", "a POST without a body says so");
      } finally {
        await front.close();
      }
    });
  });
}

test("raw deflate, as some old servers send it for deflate, is read as well", async () => {
  const server = await startServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-encoding": "deflate" });
    res.end(zlib.deflateRawSync(EMPTY_PAGE));
  });
  try {
    await withClient(server.url, {}, async (api) => {
      assert.equal((await api.listUsersPage(1)).users, []);
    });
  } finally {
    await server.close();
  }
});

test("a small compressed answer that decompresses past the cap is cut off as not the API's (a zip bomb)", async () => {
  const bomb = zlib.gzipSync(Buffer.alloc(40 * 1024 * 1024, 0x20));
  assert.ok(bomb.length < 1024 * 1024, "well under the cap as sent");
  const server = await startServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
    res.end(bomb);
  });
  try {
    await withClient(server.url, {}, async (api) => {
      const error = (await rejection(api.listUsersPage(1))) as ApiError;
      assert.is(error.kind, "shape");
      assert.match(error.message, "answered with more than 16777216 bytes: not the API's answer");
    });
  } finally {
    await server.close();
  }
});

test("a body that stalls after its first bytes times out, as an answer that never comes does, and is sent again", async () => {
  const server = await startServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"data": [');
  });
  const retries: RetryEvent[] = [];
  try {
    await withClient(server.url, { maxRetries: 1, timeoutMs: 100, onRetry: (e) => retries.push(e) }, async (api) => {
      const started = Date.now();
      const error = (await rejection(api.listUsersPage(1))) as ApiError;
      assert.ok(Date.now() - started >= 200, "each attempt waited its 100 ms");
      assert.match(error.message, /failed: no answer within 0\.1 s \(timeout\): check the network/);
      assert.equal(
        retries.map((r) => r.reason),
        ["no answer within 0.1 s (timeout)"],
      );
    });
    assert.is(server.requests(), 2);
  } finally {
    await server.close();
  }
});

test("a connection cut in the middle of a body is a cut connection, retried; the next answer is read whole", async () => {
  const server = await startServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": EMPTY_PAGE.length });
    if (server.requests() > 1) return res.end(EMPTY_PAGE);
    res.write(EMPTY_PAGE.slice(0, 10), () => res.socket?.destroy());
  });
  const retries: RetryEvent[] = [];
  try {
    await withClient(server.url, { maxRetries: 1, onRetry: (e) => retries.push(e) }, async (api) => {
      assert.equal((await api.listUsersPage(1)).users, []);
      assert.match(retries[0]!.reason, /^the connection to 127\.0\.0\.1:\d+ was cut$/);
    });
  } finally {
    await server.close();
  }
});

test("a body that is not what its content-encoding says is a failed request, never a hang", async () => {
  const server = await startServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
    res.end(EMPTY_PAGE);
  });
  try {
    await withClient(server.url, { timeoutMs: 5_000 }, async (api) => {
      const error = (await rejection(api.listUsersPage(1))) as ApiError;
      assert.is(error.kind, "network");
      assert.match(error.message, /^GET 127\.0\.0\.1:\d+\/v2\/organizations\/users failed: /);
    });
  } finally {
    await server.close();
  }
});

test("a redirect names where it leads as a full URL, as node-fetch gave it", async () => {
  const server = await startServer((_req, res) => {
    res.writeHead(301, { location: "/v2/elsewhere" });
    res.end("moved");
  });
  try {
    await withClient(server.url, {}, async (api) => {
      const error = await rejection(api.listUsersPage(1));
      const origin = new URL(server.url).origin;
      assert.match(error.message, ` was redirected (301) to ${origin}/v2/elsewhere: roster does not follow`);
    });
  } finally {
    await server.close();
  }
});

test.run();
