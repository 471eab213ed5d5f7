import { test } from "uvu";
import * as assert from "uvu/assert";
import { applyPlan, UnsafeRemovalError } from "../../src/apply/apply-plan.js";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { planRemovals, type Plan } from "../../src/plan/plan.js";
import { rulesOf } from "../../src/plan/rules.js";
import { startSandbox } from "../../src/sandbox/sandbox.js";
import { TelnyxClient } from "../../src/telnyx/client.js";
import { readOrganization } from "../../src/telnyx/read-organization.js";
import { rejection, TEST_API_KEY } from "../helpers/cli.js";
import { exampleOrg, makeOrg, manifestText } from "../helpers/org.js";
import { withSandbox } from "../helpers/sandbox.js";

const connect = (url: string) => new TelnyxClient({ baseUrl: url, apiKey: TEST_API_KEY, maxRetries: 0 });

async function planFor(url: string, manifestYaml: string) {
  const manifest = parseManifest(manifestYaml, "users.yaml");
  const api = connect(url);
  const plan = planRemovals(manifest, await readOrganization(api, { concurrency: 4 }));
  return { manifest, plan, rules: rulesOf(manifest), api };
}

test("never more than the concurrency bound are in flight, and every removal finishes", async () => {
  const org = makeOrg(120);
  const sandbox = await startSandbox({ users: org, apiKey: TEST_API_KEY, latencyMs: 2, jitterMs: 15 });
  const { plan, rules, api } = await planFor(sandbox.url, manifestText(org.slice(0, 20).map((u) => u.email)));
  try {
    let inFlight = 0;
    let maxInFlight = 0;
    const result = await applyPlan(plan, rules, api, {
      concurrency: 5,
      onEvent: (event) => {
        if (event.type === "sent") maxInFlight = Math.max(maxInFlight, ++inFlight);
        if (event.type === "finished") inFlight -= 1;
      },
    });
    assert.is(result.summary.removed, 100);
    assert.is(sandbox.stats.maxInFlightRemovals, 5, "the server saw at most 5 at once, and did see 5");
    assert.is(maxInFlight, 5);
    assert.is(sandbox.users().length, 20);
  } finally {
    api.close();
    await sandbox.close();
  }
});

test("a removal that fails does not stop the others", async () => {
  const org = exampleOrg();
  const sandbox = await startSandbox({ users: org, apiKey: TEST_API_KEY });
  const { plan, rules, api } = await planFor(sandbox.url, manifestText(["maria.garcia@example.com"], 'protect:\n  - "*@partners.example.com"\n'));
  // Tamper with one id so the API refuses it: a failure for that user alone.
  const tampered: Plan = { ...plan, removals: plan.removals.map((c, i) => (i === 3 ? { ...c, id: "bad/../id" } : c)) };
  try {
    const result = await applyPlan(tampered, rules, api, { concurrency: 4 });
    assert.is(result.summary.failed + result.summary.already_absent, 1);
    assert.is(result.summary.removed, plan.removals.length - 1);
  } finally {
    api.close();
    await sandbox.close();
  }
});

test("applying again finds nothing to do", async () => {
  const org = exampleOrg();
  await withSandbox({ users: org, apiKey: TEST_API_KEY }, async (sandbox) => {
    const manifest = manifestText(org.slice(0, 25).map((u) => u.email));
    const first = await planFor(sandbox.url, manifest);
    await applyPlan(first.plan, first.rules, first.api, { concurrency: 8 });
    first.api.close();
    const second = await planFor(sandbox.url, manifest);
    assert.is(second.plan.summary.remove, 0);
    second.api.close();
  });
});

test("two applies racing on one organization both succeed; the slower sees already absent", async () => {
  const org = makeOrg(80);
  const sandbox = await startSandbox({ users: org, apiKey: TEST_API_KEY, latencyMs: 1, jitterMs: 5 });
  const manifest = manifestText(org.slice(0, 30).map((u) => u.email));
  const a = await planFor(sandbox.url, manifest);
  const b = await planFor(sandbox.url, manifest);
  try {
    const [ra, rb] = await Promise.all([applyPlan(a.plan, a.rules, a.api, { concurrency: 8 }), applyPlan(b.plan, b.rules, b.api, { concurrency: 8 })]);
    assert.is(ra.summary.failed + rb.summary.failed, 0);
    assert.is(ra.summary.removed + rb.summary.removed, 50, "each user removed exactly once");
    assert.is(ra.summary.already_absent + rb.summary.already_absent, 50, "the other run saw a 404 for each");
    assert.is(sandbox.users().length, 30);
  } finally {
    a.api.close();
    b.api.close();
    await sandbox.close();
  }
});

test("a plan that would remove a listed, owner or protected user is refused before any request", async () => {
  const org = exampleOrg();
  const sandbox = await startSandbox({ users: org, apiKey: TEST_API_KEY });
  const { plan, rules, api } = await planFor(sandbox.url, manifestText(["maria.garcia@example.com"], 'protect:\n  - "*@partners.example.com"\n'));
  const owner = org.find((u) => u.record_type === "organization_owner")!;
  const listed = org.find((u) => u.email === "maria.garcia@example.com")!;
  const partner = org.find((u) => u.email.endsWith("@partners.example.com"))!;
  try {
    for (const victim of [owner, listed, partner]) {
      const bad: Plan = { ...plan, removals: [...plan.removals, { action: "remove", id: victim.id, email: victim.email, user_status: "enabled", last_sign_in_at: null, record_type: victim.record_type, created_at: null }] };
      const error = await rejection(applyPlan(bad, rules, api, { concurrency: 4 }));
      assert.instance(error, UnsafeRemovalError);
      assert.match(error.message, victim.email);
    }
    assert.is(sandbox.stats.removeRequests.size, 0, "no removal reached the server");
  } finally {
    api.close();
    await sandbox.close();
  }
});

test("once interrupted, no new removal starts and the rest are counted as not started", async () => {
  const org = makeOrg(60);
  const sandbox = await startSandbox({ users: org, apiKey: TEST_API_KEY, latencyMs: 20 });
  const { plan, rules, api } = await planFor(sandbox.url, manifestText(org.slice(0, 10).map((u) => u.email)));
  const interrupt = new AbortController();
  try {
    const result = await applyPlan(plan, rules, api, {
      concurrency: 2,
      signal: interrupt.signal,
      onEvent: (event) => event.type === "finished" && event.summary.removed === 4 && interrupt.abort(),
    });
    assert.is(result.stoppedBy, "interrupt");
    assert.ok(result.summary.removed >= 4 && result.summary.removed <= 6);
    assert.is(result.summary.removed + result.summary.not_started, 50);
    assert.is(sandbox.stats.removeRequests.size, result.summary.removed);
  } finally {
    api.close();
    await sandbox.close();
  }
});

test.run();
