import { test } from "uvu";
import * as assert from "uvu/assert";
import { applyPlan, UnsafeRemovalError } from "../../src/apply/apply-plan.js";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { planRemovals, type Plan } from "../../src/plan/plan.js";
import { rulesOf } from "../../src/plan/rules.js";
import { readOrganization } from "../../src/telnyx/read-organization.js";
import { rejection, TEST_API_KEY } from "../helpers/cli.js";
import { exampleOrg, makeOrg, manifestText } from "../helpers/org.js";
import { withSandbox, type TestSandbox } from "../helpers/sandbox.js";

async function planFor(sandbox: TestSandbox, manifestYaml: string) {
  const manifest = parseManifest(manifestYaml, "users.yaml");
  const api = sandbox.client({ maxRetries: 0 });
  const plan = planRemovals(manifest, await readOrganization(api, { concurrency: 4 }));
  return { manifest, plan, rules: rulesOf(manifest), api };
}

test("never more than the concurrency bound are in flight, and every removal finishes", async () => {
  const org = makeOrg(120);
  await withSandbox({ users: org, apiKey: TEST_API_KEY, latencyMs: 2, jitterMs: 15 }, async (sandbox) => {
    const { plan, rules, api } = await planFor(sandbox, manifestText(org.slice(0, 20).map((u) => u.email)));
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
  });
});

test("a removal that fails does not stop the others", async () => {
  const org = exampleOrg();
  await withSandbox({ users: org, apiKey: TEST_API_KEY }, async (sandbox) => {
    const { plan, rules, api } = await planFor(
      sandbox,
      manifestText(["maria.garcia@example.com"], 'protect:\n  - "*@partners.example.com"\n'),
    );
    // Tamper with one id so the API refuses it: a failure for that user alone.
    const tampered: Plan = {
      ...plan,
      removals: plan.removals.map((c, i) => (i === 3 ? { ...c, id: "bad/../id" } : c)),
    };
    const result = await applyPlan(tampered, rules, api, { concurrency: 4 });
    assert.is(result.summary.failed + result.summary.already_absent, 1);
    assert.is(result.summary.removed, plan.removals.length - 1);
  });
});

test("applying again finds nothing to do", async () => {
  const org = exampleOrg();
  await withSandbox({ users: org, apiKey: TEST_API_KEY }, async (sandbox) => {
    const manifest = manifestText(org.slice(0, 25).map((u) => u.email));
    const first = await planFor(sandbox, manifest);
    await applyPlan(first.plan, first.rules, first.api, { concurrency: 8 });
    const second = await planFor(sandbox, manifest);
    assert.is(second.plan.summary.remove, 0);
  });
});

test("two applies racing on one organization both succeed; the slower sees already absent", async () => {
  const org = makeOrg(80);
  await withSandbox({ users: org, apiKey: TEST_API_KEY, latencyMs: 1, jitterMs: 5 }, async (sandbox) => {
    const manifest = manifestText(org.slice(0, 30).map((u) => u.email));
    const a = await planFor(sandbox, manifest);
    const b = await planFor(sandbox, manifest);
    const [ra, rb] = await Promise.all([
      applyPlan(a.plan, a.rules, a.api, { concurrency: 8 }),
      applyPlan(b.plan, b.rules, b.api, { concurrency: 8 }),
    ]);
    assert.is(ra.summary.failed + rb.summary.failed, 0);
    assert.is(ra.summary.removed + rb.summary.removed, 50, "each user removed exactly once");
    assert.is(ra.summary.already_absent + rb.summary.already_absent, 50, "the other run saw a 404 for each");
    assert.is(sandbox.users().length, 30);
  });
});

test("a plan that would remove a listed, owner or protected user is refused before any request", async () => {
  const org = exampleOrg();
  await withSandbox({ users: org, apiKey: TEST_API_KEY }, async (sandbox) => {
    const { plan, rules, api } = await planFor(
      sandbox,
      manifestText(["maria.garcia@example.com"], 'protect:\n  - "*@partners.example.com"\n'),
    );
    const owner = org.find((u) => u.record_type === "organization_owner")!;
    const listed = org.find((u) => u.email === "maria.garcia@example.com")!;
    const partner = org.find((u) => u.email.endsWith("@partners.example.com"))!;
    for (const victim of [owner, listed, partner]) {
      const bad: Plan = {
        ...plan,
        removals: [
          ...plan.removals,
          {
            action: "remove",
            id: victim.id,
            email: victim.email,
            user_status: "enabled",
            last_sign_in_at: null,
            record_type: victim.record_type,
            created_at: null,
            groups: [],
          },
        ],
      };
      const error = await rejection(applyPlan(bad, rules, api, { concurrency: 4 }));
      assert.instance(error, UnsafeRemovalError);
      assert.match(error.message, victim.email);
    }
    assert.is(sandbox.stats.removeRequests.size, 0, "no removal reached the server");
  });
});

test("a plan that removes one user twice, even under its id in another letter case, is refused before any request", async () => {
  const org = exampleOrg();
  await withSandbox({ users: org, apiKey: TEST_API_KEY }, async (sandbox) => {
    const { plan, rules, api } = await planFor(
      sandbox,
      manifestText(["maria.garcia@example.com"], 'protect:\n  - "*@partners.example.com"\n'),
    );
    const first = plan.removals[0]!;
    assert.match(first.id, /[a-f]/, "an id with letters");
    for (const again of [first.id, first.id.toUpperCase()]) {
      const error = await rejection(
        applyPlan({ removals: [...plan.removals, { ...first, id: again }] }, rules, api, { concurrency: 4 }),
      );
      assert.instance(error, UnsafeRemovalError);
      assert.match(error.message, `the plan would remove ${first.email}, who is planned twice; nothing was sent`);
    }
    assert.is(sandbox.stats.removeRequests.size, 0, "no removal reached the server");
  });
});

test("once interrupted, no new removal starts and the rest are counted as not started", async () => {
  const org = makeOrg(60);
  await withSandbox({ users: org, apiKey: TEST_API_KEY, latencyMs: 20 }, async (sandbox) => {
    const { plan, rules, api } = await planFor(sandbox, manifestText(org.slice(0, 10).map((u) => u.email)));
    const interrupt = new AbortController();
    const result = await applyPlan(plan, rules, api, {
      concurrency: 2,
      signal: interrupt.signal,
      onEvent: (event) => event.type === "finished" && event.summary.removed === 4 && interrupt.abort(),
    });
    assert.is(result.stoppedBy, "interrupt");
    assert.ok(result.summary.removed >= 4, `${result.summary.removed} removed: at least the 4 before the interruption`);
    assert.ok(result.summary.removed <= 6, `${result.summary.removed} removed: at most the 2 in flight more`);
    assert.is(result.summary.removed + result.summary.not_started, 50);
    assert.is(sandbox.stats.removeRequests.size, result.summary.removed);
  });
});

test.run();
