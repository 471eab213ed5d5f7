import { test } from "uvu";
import * as assert from "uvu/assert";
import { applyPlan, UnsafeRemovalError } from "../../src/apply/apply-plan.js";
import { checkSavedPlanHost, prepareFromSavedPlan } from "../../src/plan/prepare.js";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { checkGuards, type GuardOptions } from "../../src/plan/guards.js";
import { planRemovals } from "../../src/plan/plan.js";
import { organizationFingerprint, SavedPlanError, type SavedPlan } from "../../src/plan/saved-plan.js";
import type { SandboxStats } from "../../src/sandbox/sandbox.js";
import type { TelnyxClient } from "../../src/telnyx/client.js";
import { readOrganization } from "../../src/telnyx/read-organization.js";
import type { OrganizationUser } from "../../src/core/organization-user.js";
import { rejection, TEST_API_KEY } from "../helpers/cli.js";
import { exampleOrg, manifestText } from "../helpers/org.js";
import { withSandbox } from "../helpers/sandbox.js";

const before = exampleOrg();
const manifest = parseManifest(manifestText(before.slice(0, 24).map((u) => u.email)), "users.yaml");

function savedFrom(org: readonly OrganizationUser[], apiHost: string): SavedPlan {
  const plan = planRemovals(manifest, org);
  return {
    createdAt: "2026-11-28T12:00:00.000Z",
    apiHost,
    manifest: {
      path: "users.yaml",
      sha256: `sha256:${"0".repeat(64)}`,
      desiredEmails: manifest.users.map((u) => u.email),
      protect: [],
      protectGroups: [],
      guards: {},
    },
    fingerprint: organizationFingerprint(org),
    plan,
    verdict: checkGuards(plan, {}),
  };
}

/** A saved plan against the organization as apply reads it: the host checked before any read, then read and checked. */
async function prepareSavedPlan(saved: SavedPlan, client: TelnyxClient, concurrency: number, guards: GuardOptions) {
  checkSavedPlanHost(saved, client.host);
  return prepareFromSavedPlan(saved, await readOrganization(client, { concurrency }), client.host, guards);
}

async function withOrganization(
  users: readonly OrganizationUser[],
  run: (client: TelnyxClient, stats: SandboxStats) => Promise<void>,
) {
  await withSandbox({ users, apiKey: TEST_API_KEY }, async (sandbox) => {
    const client = sandbox.client({ maxRetries: 0 });
    await run(client, sandbox.stats);
  });
}

test("a user who became the owner after the plan was saved is never sent a removal", async () => {
  const target = savedFrom(before, "").plan.removals[0]!;
  const after = before.map((u) => (u.id === target.id ? { ...u, record_type: "organization_owner" } : u));
  await withOrganization(after, async (client, stats) => {
    const prepared = await prepareSavedPlan(savedFrom(before, client.host), client, 4, { force: true });
    const error = await rejection(applyPlan(prepared.plan, prepared.rules, client, { concurrency: 4 }));
    assert.instance(error, UnsafeRemovalError);
    assert.match(
      error.message,
      `the plan would remove ${target.email}, who is the organization owner; nothing was sent`,
    );
    assert.is(stats.removeRequests.size, 0);
  });
});

test("a saved plan applies exactly its removals, judged by the rules it carries", async () => {
  await withOrganization(before, async (client, stats) => {
    const saved = savedFrom(before, client.host);
    const prepared = await prepareSavedPlan(saved, client, 4, {});
    assert.equal(
      prepared.plan.removals.map((c) => c.id),
      saved.plan.removals.map((c) => c.id),
    );
    const result = await applyPlan(prepared.plan, prepared.rules, client, { concurrency: 4 });
    assert.is(result.summary.removed, saved.plan.removals.length);
    assert.equal([...stats.removeRequests.keys()].sort(), saved.plan.removals.map((c) => c.id).sort());
  });
});

test("a plan made against another host is refused before the organization is read", async () => {
  await withOrganization(before, async (client, stats) => {
    const error = await rejection(prepareSavedPlan(savedFrom(before, "api.telnyx.com"), client, 4, {}));
    assert.is(stats.requests, 0);
    assert.instance(error, SavedPlanError);
    assert.is(
      error.message,
      `the plan was made against api.telnyx.com, but this run talks to ${client.host}: apply it with the base URL it was made with, or make a new plan`,
    );
  });
});

test.run();
