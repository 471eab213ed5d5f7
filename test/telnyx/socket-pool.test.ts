import type { Socket } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateManagedAccounts } from "../../src/sandbox/generate.js";
import { SocketPool, TelnyxClient } from "../../src/telnyx/client.js";
import { readOrganization } from "../../src/telnyx/read-organization.js";
import { TEST_API_KEY } from "../helpers/cli.js";
import { exampleOrg } from "../helpers/org.js";
import { startProxy } from "../helpers/proxy.js";
import { withSandbox } from "../helpers/sandbox.js";

// The clients of a run across managed accounts share one pool of keep-alive sockets: each must still send
// its own key on every request, so that each account's users are read and removed with that account's key.

const FAST = { maxRetries: 0, backoffBaseMs: 1 };

test("clients sharing sockets each read and remove in their own account, over the same few connections", async () => {
  const seeds = generateManagedAccounts(6, 11, 4);
  await withSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY, managedAccounts: seeds }, async (sandbox) => {
    const pool = new SocketPool(2);
    const sockets = () => Object.values(pool.agent!.freeSockets).flat() as Socket[];
    let open: Socket[] = [];
    const clients = seeds.map(
      (seed) => new TelnyxClient({ baseUrl: sandbox.url, apiKey: seed.api_key, sockets: pool, ...FAST }),
    );
    try {
      // Every account at once, three times over, so that requests of different keys take turns on the sockets.
      for (let round = 0; round < 3; round += 1) {
        const read = await Promise.all(clients.map((client) => readOrganization(client, { concurrency: 2 })));
        read.forEach((users, i) =>
          assert.equal(
            users.map((u) => u.email).sort(),
            seeds[i]!.users.map((u) => u.email).sort(),
            `account ${i + 1} read its own users`,
          ),
        );
      }
      open = sockets();
      assert.ok(open.length > 0 && open.length <= 2, `at most the pool's 2 sockets, found ${open.length}`);
      // A removal with a shared socket goes to the account whose key sent it.
      const [first, second] = seeds;
      const victim = first!.users[1]!;
      assert.equal((await clients[0]!.removeUser(victim.id)).outcome, "removed");
      assert.not.ok(
        sandbox
          .managedAccount(first!.id)
          .users()
          .some((u) => u.id === victim.id),
        "removed from its own account",
      );
      assert.equal(
        sandbox.managedAccount(second!.id).users().length,
        second!.users.length,
        "the other account untouched",
      );
      assert.is(sandbox.stats.unauthorized, 0, "no request went with another account's key");
      // Closing one client leaves the pool's sockets to the others.
      open = sockets();
      clients[0]!.close();
      assert.ok(
        open.every((socket) => !socket.destroyed),
        "closing a client of the pool closes none of its sockets",
      );
      assert.is((await readOrganization(clients[1]!, { concurrency: 2 })).length, second!.users.length);
      open = sockets();
    } finally {
      for (const client of clients) client.close();
      pool.close();
    }
    assert.ok(open.length > 0 && open.every((socket) => socket.destroyed), "closing the pool closes its sockets");
  });
});

/** Each pooled socket's listeners, event by event: what one request leaves on a socket it hands back. */
function listenersOf(pool: SocketPool): Record<string, number>[] {
  const sockets = Object.values(pool.agent!.freeSockets).flat() as Socket[];
  return sockets.map((socket) =>
    Object.fromEntries(socket.eventNames().map((name) => [String(name), socket.listenerCount(name)])),
  );
}

for (const via of ["direct", "through HTTP_PROXY"] as const) {
  test(`${via}: a pooled socket holds the same listeners after 600 requests of 6 accounts as after 6: none is left a request`, async () => {
    const seeds = generateManagedAccounts(6, 12, 4);
    const proxy = via === "direct" ? undefined : await startProxy();
    try {
      await withSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY, managedAccounts: seeds }, async (sandbox) => {
        const pool = new SocketPool(3);
        const env = proxy ? { HTTP_PROXY: proxy.url } : {};
        const clients = seeds.map(
          (seed) => new TelnyxClient({ baseUrl: sandbox.url, apiKey: seed.api_key, sockets: pool, env, ...FAST }),
        );
        try {
          const round = () => Promise.all(clients.map((client) => client.listUsersPage(1)));
          await round();
          const first = listenersOf(pool);
          assert.ok(first.length > 0, "sockets kept open for the next requests");
          for (let i = 1; i < 100; i += 1) await round();
          const after = listenersOf(pool);
          assert.ok(after.length <= 3, `at most the pool's 3 sockets, found ${after.length}`);
          for (const socket of after)
            assert.equal(
              socket,
              first[0],
              "every pooled socket holds one request's worth of listeners, as at the start",
            );
          if (proxy) assert.ok(proxy.log.forwards.length >= 600, "the requests went through the proxy");
        } finally {
          for (const client of clients) client.close();
          pool.close();
        }
      });
    } finally {
      await proxy?.close();
    }
  });
}

test.run();

test("clients of one pool share what they parse only when their base URL and environment are the same", () => {
  const pool = new SocketPool(2);
  const env = {};
  const client = (baseUrl: string, baseUrlSource?: string) =>
    new TelnyxClient({
      baseUrl,
      apiKey: TEST_API_KEY,
      sockets: pool,
      env,
      ...(baseUrlSource ? { baseUrlSource } : {}),
    });
  try {
    assert.is(client("http://127.0.0.1:1/v2").host, "127.0.0.1:1");
    assert.is(client("http://127.0.0.1:1/v2").host, "127.0.0.1:1");
    assert.is(client("http://localhost:2/v2/").host, "localhost:2", "another base URL is its own");
    assert.is(client("http://localhost:2/v2/").baseUrl.pathname, "/v2");
    // A base URL refused is refused for every client, the first or a later one, in the words of its own source.
    for (const source of ["--base-url", "TELNYX_BASE_URL"])
      assert.throws(() => client("http://api.telnyx.com/v2", source), new RegExp(`^${source} http://api`));
  } finally {
    pool.close();
  }
});
