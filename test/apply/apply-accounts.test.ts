import { readFileSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  applyAcrossAccounts,
  type AccountApply,
  type AccountApplyEvent,
  type AccountRef,
} from "../../src/apply/apply-run.js";
import { applyPlan, UnsafeRemovalError, type Remover } from "../../src/apply/apply-plan.js";
import { AuditLog } from "../../src/apply/audit-log.js";
import { subscribeAudit } from "../../src/apply/audit-subscription.js";
import { eventHub } from "../../src/apply/event-hub.js";
import { verifyAccounts } from "../../src/apply/verify.js";
import type { OrganizationUser } from "../../src/core/organization-user.js";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { planRemovals, type Removal } from "../../src/plan/plan.js";
import { rulesOf } from "../../src/plan/rules.js";
import { generateManagedAccounts } from "../../src/sandbox/generate.js";
import type { SandboxOptions } from "../../src/sandbox/sandbox.js";
import type { TelnyxClient } from "../../src/telnyx/client.js";
import { readOrganization } from "../../src/telnyx/read-organization.js";
import { readAuditLog, rejection, tempDir, TEST_API_KEY } from "../helpers/cli.js";
import { exampleOrg, manifestText } from "../helpers/org.js";
import { withSandbox, type TestSandbox } from "../helpers/sandbox.js";

// One apply across managed accounts, over real HTTP: the sandbox plays the manager (the test key) and its
// accounts, each behind its own key, which the test asks the manager's endpoint for, as roster does.

/**
 * One managed account ready to apply: its plan from a manifest listing its first `keep` users, its own client and key.
 */
interface Prepared extends AccountApply {
  client: TelnyxClient;
  key: string;
  listed: OrganizationUser[];
}

/** The account's key, from the manager's single-account GET (the list carries none). */
async function keyOf(sandbox: TestSandbox, id: string): Promise<string> {
  const response = await fetch(`${sandbox.url}/managed_accounts/${encodeURIComponent(id)}`, {
    headers: { Authorization: `Bearer ${TEST_API_KEY}` },
  });
  assert.is(response.status, 200);
  return ((await response.json()) as { data: { api_key: string } }).data.api_key;
}

async function prepare(sandbox: TestSandbox, keeps: number[], protect = ""): Promise<Prepared[]> {
  return Promise.all(
    sandbox.managedAccounts.map(async (managed, index) => {
      const key = await keyOf(sandbox, managed.id);
      const client = sandbox.client({ apiKey: key, maxRetries: 0 });
      const live = await readOrganization(client, { concurrency: 4 });
      const listed = live.slice(0, keeps[index]!);
      const manifest = parseManifest(
        manifestText(
          listed.map((u) => u.email),
          protect,
        ),
        `${managed.organizationName}.yaml`,
      );
      const account: AccountRef = { id: managed.id, email: managed.email, organization_name: managed.organizationName };
      return {
        account,
        plan: planRemovals(manifest, live),
        rules: rulesOf(manifest),
        remover: client,
        client,
        key,
        listed,
      };
    }),
  );
}

/** A sandbox with `count` managed accounts of `size` users each, besides the manager's own users. */
function managedSandbox(count: number, size: number, extra: Partial<SandboxOptions> = {}): SandboxOptions {
  return {
    users: exampleOrg(),
    apiKey: TEST_API_KEY,
    managedAccounts: generateManagedAccounts(count, 7, size),
    ...extra,
  };
}

const ids = (users: readonly { id: string }[]) => users.map((u) => u.id).sort();

const run = suite("apply across accounts");

run(
  "every account's removals are made with its own key, never more than the concurrency in flight across all accounts",
  async () => {
    await withSandbox(managedSandbox(4, 24, { latencyMs: 3, jitterMs: 10 }), async (sandbox) => {
      const accounts = await prepare(sandbox, [2, 20, 9, 23]);
      let inFlight = 0;
      let most = 0;
      const counted = accounts.map((a): AccountApply => {
        const remover: Remover = {
          removeUser: async (id) => {
            most = Math.max(most, ++inFlight);
            try {
              return await a.client.removeUser(id);
            } finally {
              inFlight -= 1;
            }
          },
        };
        return { ...a, remover };
      });
      const result = await applyAcrossAccounts(counted, { concurrency: 5 });
      assert.equal(result.summary, {
        removed: 22 + 4 + 15 + 1,
        already_absent: 0,
        failed: 0,
        unknown: 0,
        not_started: 0,
      });
      assert.equal(
        result.accounts.map((a) => [a.account.id, a.result.summary.removed]),
        accounts.map((a) => [a.account.id, a.plan.removals.length]),
        "each account's result, in the order given",
      );
      assert.is(most, 5, "at most 5 removals in flight at once, and 5 were");
      assert.is(sandbox.stats.maxInFlightRemovals, 5, "the server saw at most 5 at once, every key together");
      assert.equal(result.refused, []);
      for (const a of accounts) {
        const managed = sandbox.managedAccount(a.account.id);
        assert.equal(
          ids(managed.users()),
          ids(a.listed),
          `${a.account.organization_name} keeps exactly its listed users`,
        );
        assert.is(
          managed.stats.removeRequests.size,
          a.plan.removals.length,
          "each removal went with that account's own key",
        );
      }
      assert.is(sandbox.own.stats.removeRequests.size, 0, "nothing was removed from the manager's own organization");
    });
  },
);

run("a large account does not starve a small one: removals start in turns across the accounts waiting", async () => {
  await withSandbox(managedSandbox(3, 41, { latencyMs: 2, jitterMs: 6 }), async (sandbox) => {
    const [big, small1, small2] = await prepare(sandbox, [1, 38, 38]);
    const sent: string[] = [];
    const name = new Map([big, small1, small2].map((a, i) => [a!.account.id, ["big", "s1", "s2"][i]!]));
    const result = await applyAcrossAccounts([big!, small1!, small2!], {
      concurrency: 2,
      onEvent: (event) => event.type === "sent" && sent.push(name.get(event.account_id)!),
    });
    assert.is(result.summary.removed, 40 + 3 + 3);
    // The big account's 40 were queued first: a shared queue would send all of them before either small one.
    assert.equal(sent.slice(0, 11), ["big", "big", "big", "s1", "s2", "big", "s1", "s2", "big", "s1", "s2"]);
  });
});

run(
  "a key refused (401) stops its own account, its other removals not started; the other accounts finish",
  async () => {
    await withSandbox(managedSandbox(3, 30, { latencyMs: 4, jitterMs: 6 }), async (sandbox) => {
      const accounts = await prepare(sandbox, [5, 5, 5]);
      const victim = accounts[1]!;
      const events: AccountApplyEvent[] = [];
      const result = await applyAcrossAccounts(accounts, {
        concurrency: 4,
        onEvent: (event) => {
          events.push(event);
          // Its key revoked once its second removal is done: the requests after it are answered 401.
          if (event.type === "finished" && event.account_id === victim.account.id && event.summary.removed === 2) {
            sandbox.managedAccount(victim.account.id).setApiKey("rk_the_new_key_of_the_account");
          }
        },
      });
      assert.is(result.refused.length, 1);
      assert.is(result.refused[0]!.account.id, victim.account.id, "the result names the account whose key was refused");
      assert.is(result.refused[0]!.error.kind, "auth");
      assert.is(result.refused[0]!.error.status, 401);
      assert.not.match(result.refused[0]!.error.message, victim.key);
      const [first, stopped, third] = result.accounts;
      assert.is(stopped!.result.stoppedBy, "auth");
      const s = stopped!.result.summary;
      assert.ok(s.not_started > 0, `${s.not_started} of the account's removals not started`);
      assert.is(s.removed + s.failed + s.not_started, 25, "every planned removal of the account is accounted for");
      assert.is(
        sandbox.managedAccount(victim.account.id).users().length,
        30 - s.removed,
        "the account lost exactly the users reported removed",
      );
      for (const other of [first!, third!]) {
        assert.is(other.result.stoppedBy, undefined);
        assert.equal(other.result.summary, { removed: 25, already_absent: 0, failed: 0, unknown: 0, not_started: 0 });
        assert.is(sandbox.managedAccount(other.account.id).users().length, 5);
      }
      assert.equal(result.summary, {
        removed: 50 + s.removed,
        already_absent: 0,
        failed: s.failed,
        unknown: 0,
        not_started: s.not_started,
      });
      assert.is(result.stoppedBy, undefined, "the run itself was not interrupted");
      const notStarted = events.filter((e) => e.type === "not_started");
      assert.ok(
        notStarted.length === s.not_started && notStarted.every((e) => e.account_id === victim.account.id),
        "only the refused account has removals not started",
      );
    });
  },
);

run(
  "a listed, owner or protected user in one account's plan is refused before anything is sent in any account",
  async () => {
    await withSandbox(managedSandbox(3, 12), async (sandbox) => {
      const accounts = await prepare(sandbox, [3, 3, 3], `protect:\n  - "*@nowhere.example.com"\n`);
      const target = accounts[2]!;
      const live = sandbox.managedAccount(target.account.id).users();
      const owner = live.find((u) => u.record_type === "organization_owner")!;
      const listed = target.listed[1]!;
      const asRemoval = (u: OrganizationUser): Removal => ({
        action: "remove",
        id: u.id,
        email: u.email,
        user_status: u.user_status,
        last_sign_in_at: null,
        record_type: u.record_type,
        created_at: null,
        groups: [],
      });
      const partner: Removal = { ...asRemoval(live[5]!), email: "someone@nowhere.example.com" };
      for (const victim of [asRemoval(owner), asRemoval(listed), partner]) {
        const tampered = accounts.map((a) =>
          a === target ? { ...a, plan: { removals: [...a.plan.removals, victim] } } : a,
        );
        const error = await rejection(applyAcrossAccounts(tampered, { concurrency: 4 }));
        assert.instance(error, UnsafeRemovalError);
        assert.match(error.message, victim.email);
      }
      const twice = await rejection(
        applyAcrossAccounts([accounts[0]!, accounts[1]!, accounts[0]!], { concurrency: 4 }),
      );
      assert.match(twice.message, `two plans for the account ${accounts[0]!.account.id}`);
      assert.is(sandbox.stats.removeRequests.size, 0, "no removal reached the server, for any account");
      for (const a of accounts) assert.is(sandbox.managedAccount(a.account.id).users().length, 12);
    });
  },
);

run(
  "each account's plan is judged by its own rules: an email listed in one account is removed from another",
  async () => {
    await withSandbox(managedSandbox(2, 6), async (sandbox) => {
      const [a, b] = await prepare(sandbox, [6, 1]);
      // Account A lists all its users, B only its owner: B's removals are fine under B's rules, never A's.
      const result = await applyAcrossAccounts([a!, b!], { concurrency: 3 });
      assert.is(result.accounts[0]!.result.summary.removed, 0);
      assert.is(result.accounts[1]!.result.summary.removed, 5);
    });
  },
);

run("once interrupted, no removal starts in any account; the rest are not started", async () => {
  await withSandbox(managedSandbox(3, 20, { latencyMs: 10 }), async (sandbox) => {
    const accounts = await prepare(sandbox, [1, 1, 1]);
    const interrupt = new AbortController();
    let finished = 0;
    const result = await applyAcrossAccounts(accounts, {
      concurrency: 3,
      signal: interrupt.signal,
      onEvent: (event) => event.type === "finished" && ++finished === 6 && interrupt.abort(),
    });
    assert.is(result.stoppedBy, "interrupt");
    const { removed, not_started } = result.summary;
    assert.ok(
      removed >= 6 && removed <= 9,
      `${removed} removed: the 6 before the interruption and at most the 3 in flight`,
    );
    assert.is(removed + not_started, 57);
    assert.is(
      sandbox.stats.removeRequests.size,
      removed,
      "nothing was sent after the interruption but what was in flight",
    );
    for (const a of result.accounts) assert.is(a.result.stoppedBy, "interrupt");
  });
});

const audit = suite("apply across accounts: audit log and verification");

audit(
  "every audit line of a run across accounts names its account; a single organization's lines do not; no key is written",
  async () => {
    await withSandbox(managedSandbox(3, 10, { latencyMs: 2 }), async (sandbox) => {
      const accounts = await prepare(sandbox, [4, 7, 2]);
      const owners = new Map<string, string>();
      for (const a of accounts)
        for (const u of sandbox.managedAccount(a.account.id).users()) owners.set(u.id, a.account.id);
      const path = `${tempDir()}/audit.jsonl`;
      const hub = eventHub();
      const subscription = subscribeAudit(hub, AuditLog.open(path), () => assert.unreachable("every line was written"));
      await applyAcrossAccounts(accounts, { concurrency: 4, onEvent: hub.emit }).finally(() => subscription.close());
      const lines = readAuditLog(path);
      assert.is(lines.length, 6 + 3 + 8);
      for (const line of lines) {
        assert.is(line.outcome, "removed");
        assert.is(
          line.account_id,
          owners.get(line.id as string),
          `${line.email as string} is recorded with the account it was removed from`,
        );
      }
      const text = readFileSync(path, "utf8");
      for (const a of accounts) assert.not.ok(text.includes(a.key), "no account's key in the audit log");

      // The manager's own organization, applied alone as today: its lines carry no account.
      const own = sandbox.client({ maxRetries: 0 });
      const manifest = parseManifest(manifestText(["maria.garcia@example.com"]), "users.yaml");
      const plan = planRemovals(manifest, await readOrganization(own, { concurrency: 4 }));
      const single = `${tempDir()}/single.jsonl`;
      const singleHub = eventHub();
      const singleSubscription = subscribeAudit(singleHub, AuditLog.open(single), () =>
        assert.unreachable("every line was written"),
      );
      await applyPlan(plan, rulesOf(manifest), own, { concurrency: 4, onEvent: singleHub.emit }).finally(() =>
        singleSubscription.close(),
      );
      const singleLines = readAuditLog(single);
      assert.ok(singleLines.length > 0);
      for (const line of singleLines)
        assert.not.ok("account_id" in line, "a single organization's line has no account_id");
    });
  },
);

audit("exiting at once records each removal in flight as unknown, with its account", () => {
  const hub = eventHub();
  const written: Record<string, unknown>[] = [];
  const subscription = subscribeAudit(
    hub,
    { path: "audit.jsonl", write: (entry) => void written.push({ ...entry }), close: () => {} },
    () => {},
  );
  const removal = (id: string): Removal => ({
    action: "remove",
    id,
    email: `${id}@example.com`,
    user_status: "enabled",
    last_sign_in_at: null,
    record_type: "organization_sub_user",
    created_at: null,
    groups: [],
  });
  // The same user id in two accounts is two removals in flight.
  hub.emit({ type: "sent", removal: removal("u-1"), account_id: "acct-a" } as AccountApplyEvent);
  hub.emit({ type: "sent", removal: removal("u-1"), account_id: "acct-b" } as AccountApplyEvent);
  hub.emit({ type: "sent", removal: removal("u-2"), account_id: "acct-b" } as AccountApplyEvent);
  hub.emit({ type: "not_started", removal: removal("u-2"), account_id: "acct-b" } as AccountApplyEvent);
  assert.is(subscription.abandon("2026-11-28T12:00:00.000Z"), 2);
  assert.equal(
    written.map((e) => [e.account_id, e.id, e.outcome]),
    [
      ["acct-a", "u-1", "unknown"],
      ["acct-b", "u-1", "unknown"],
    ],
  );
});

audit(
  "verification reads each account again with its own key: one converged, one with users left, one whose key is refused",
  async () => {
    await withSandbox(managedSandbox(3, 8), async (sandbox) => {
      const accounts = await prepare(sandbox, [2, 2, 2]);
      const [done, partial, refused] = accounts;
      // The second account applies only half its plan; the third's key is revoked before the run.
      const half = { ...partial!, plan: { removals: partial!.plan.removals.slice(0, 3) } };
      sandbox.managedAccount(refused!.account.id).setApiKey("rk_rotated_key_of_the_account");
      const result = await applyAcrossAccounts([done!, half, refused!], { concurrency: 4 });
      assert.equal(
        result.refused.map((r) => r.account.id),
        [refused!.account.id],
      );
      const checks = accounts.map((a) => ({
        account: a.account,
        rules: a.rules,
        read: () => readOrganization(a.client, { concurrency: 4 }),
      }));
      const verification = await verifyAccounts(checks, { concurrency: 2 });
      assert.equal(
        verification.accounts.map((v) => v.account.id),
        accounts.map((a) => a.account.id),
      );
      assert.equal(verification.accounts[0]!.verification, { converged: true, remaining: 0, left: [] });
      const second = verification.accounts[1]!.verification as {
        converged: boolean;
        remaining: number;
        left: { email: string }[];
      };
      assert.equal([second.converged, second.remaining], [false, 3]);
      assert.equal(
        second.left.map((u) => u.email).sort(),
        partial!.plan.removals
          .slice(3)
          .map((r) => r.email)
          .sort(),
        "the users left are named",
      );
      const third = verification.accounts[2]!.verification;
      assert.ok("error" in third, "the refused account could not be read");
      assert.not.match((third as { error: string }).error, refused!.key);
      assert.is(verification.converged, false);
      assert.is(verification.remaining, 3);
      assert.is(verification.unreadable, 1);
    });
  },
);

run.run();
audit.run();
