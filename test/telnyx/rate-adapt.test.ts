import { test } from "uvu";
import * as assert from "uvu/assert";
import { applyPlan } from "../../src/apply/apply-plan.js";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { planRemovals } from "../../src/plan/plan.js";
import { rulesOf } from "../../src/plan/rules.js";
import { TelnyxClient } from "../../src/telnyx/client.js";
import { TEST_API_KEY } from "../helpers/cli.js";
import { makeOrg, manifestText } from "../helpers/org.js";
import { startServer } from "../helpers/servers.js";
import { withSandbox } from "../helpers/sandbox.js";

test("when 429s say nothing of the window, fewer requests are sent at once and every removal still lands", async () => {
  const org = makeOrg(121);
  const manifest = parseManifest(manifestText(["owner@example.com"]), "users.yaml");
  const plan = planRemovals(manifest, org);
  let inFlight = 0;
  let refused = 0;
  let removed = 0;
  // An API that serves 4 requests at a time and refuses the rest with a bare 429: no Retry-After, no x-ratelimit-*.
  const server = await startServer((req, res) => {
    if (inFlight >= 4) {
      refused += 1;
      res.writeHead(429, { "content-type": "application/json" });
      res.end(JSON.stringify({ errors: [{ code: "10011", title: "Too many requests" }] }));
      return;
    }
    inFlight += 1;
    setTimeout(() => {
      inFlight -= 1;
      removed += 1;
      res.writeHead(200, { "content-type": "application/json" });
      // The removed user's own record: a 200 naming anyone else is not a removal.
      res.end(JSON.stringify({ data: { id: decodeURIComponent(req.url!.split("/").at(-3)!) } }));
    }, 10);
  });
  const api = new TelnyxClient({ baseUrl: server.url, apiKey: TEST_API_KEY, backoffBaseMs: 5, maxSockets: 16 });
  try {
    const result = await applyPlan(plan, rulesOf(manifest), api, { concurrency: 16 });
    assert.is(result.summary.removed, 120);
    assert.is(removed, 120);
    // Sending 16 at once regardless was refused 332 times when measured; halving on each round of 429s, 22.
    assert.ok(refused < 60, `${refused} requests were refused`);
  } finally {
    api.close();
    await server.close();
  }
});

test("a limit the API tells only by its 429s is learned from them: every removal lands, with few 429s", async () => {
  const org = makeOrg(41);
  const manifest = parseManifest(manifestText(["owner@example.com"]), "users.yaml");
  await withSandbox(
    {
      users: org,
      apiKey: TEST_API_KEY,
      latencyMs: 2,
      faults: { rateLimit: 10, rateWindowMs: 200, quietRateLimit: true },
    },
    async (sandbox) => {
      const api = sandbox.client({ backoffBaseMs: 5, maxSockets: 8 });
      const result = await applyPlan(planRemovals(manifest, org), rulesOf(manifest), api, { concurrency: 8 });
      assert.is(result.summary.removed, 40);
      assert.is(sandbox.users().length, 1);
      // 40 removals in windows of 10: once the first 429 tells the window, the client waits for each reset.
      assert.ok(sandbox.stats.rateLimited <= 12, `${sandbox.stats.rateLimited} requests were refused`);
    },
  );
});

test.run();
