import { mkdirSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { ManagedAccountSeed } from "../../src/sandbox/sandbox.js";
import {
  ACCOUNTS,
  assertNoPieceOfKey,
  CEDAR,
  HARBOR,
  label,
  managerSandbox,
  manifestFor,
  NORTHWIND,
} from "../helpers/accounts.js";
import { runCli, TEST_API_KEY, withTempDir, writeTemp, type CliRun } from "../helpers/cli.js";
import { withSandbox, type TestSandbox } from "../helpers/sandbox.js";
import { startGateway, type GatewayRequest } from "../helpers/servers.js";

// A manager's GET /managed_accounts/{id} that hands an account a key that is not its own: the manager's,
// another account's of the run, or a second key of an organization roster already reads. Such an account is
// refused before anything is removed with the key, and named; in a plan or apply from manifests the other
// accounts go on (as for an account that cannot be read), a saved plan is refused whole.

/** Keys that read an organization under another name: a gateway forwards each as the key it stands for. */
const ALIAS_OF_MANAGER = "KEY0ALIAS0F0MANAGER0000000_c2Vjb25kLWtleQ";
const ALIAS_OF_NORTHWIND = "KEY0ALIAS0F0NORTHWIND00000_bm9ydGh3aW5k";
const KEYS = [TEST_API_KEY, ...ACCOUNTS.map((a) => a.api_key), ALIAS_OF_MANAGER, ALIAS_OF_NORTHWIND];

/**
 * A gateway before the sandbox whose GET /managed_accounts/{Harbor} answers with `handed()` as Harbor's key
 * (the real one while it returns undefined); the aliases reach the organizations they stand for.
 */
async function handing(sandbox: TestSandbox, handed: () => string | undefined) {
  return startGateway(sandbox.url, {
    forwardKey: (key) =>
      key === ALIAS_OF_MANAGER ? TEST_API_KEY : key === ALIAS_OF_NORTHWIND ? NORTHWIND.api_key : key,
    rewrite: (request, status, body) => {
      const key = handed();
      if (key === undefined || status !== 200 || request.path !== `/managed_accounts/${HARBOR.id}`) return body;
      return { data: { ...(body as { data: object }).data, api_key: key } };
    },
  });
}

/** The CLI through the gateway; every output checked for any piece of any key. */
async function roster(url: string, args: string[]): Promise<CliRun> {
  const run = await runCli(args, { env: { TELNYX_BASE_URL: url } });
  assertNoPieceOfKey(run.stdout + run.stderr, KEYS, `roster ${args.join(" ")}`);
  return run;
}

/** Harbor keeps amara (4 removals), Northwind farah (3), Cedar jia (1). */
function writeThree(dir: string): string {
  const folder = `${dir}/accounts`;
  mkdirSync(folder);
  writeTemp(folder, "a-harbor.yaml", manifestFor(HARBOR, ["amara"]));
  writeTemp(folder, "b-northwind.yaml", manifestFor(NORTHWIND, ["farah"]));
  writeTemp(folder, "c-cedar.yaml", manifestFor(CEDAR, ["jia"]));
  return folder;
}

const removedFrom = (sandbox: TestSandbox, seed: ManagedAccountSeed) =>
  sandbox.managedAccount(seed.id).stats.removeRequests.size;
/** Requests to the Organization Users endpoints that carried `key`. */
const usersRequestsWith = (log: readonly GatewayRequest[], key: string) =>
  log.filter((r) => r.key === key && r.path.startsWith("/organizations/users"));
const skippedOf = (run: CliRun) =>
  JSON.parse(run.stdout).skipped.map((s: { account: { id: string }; reason: string }) => [s.account.id, s.reason]);
const plannedOf = (run: CliRun) =>
  JSON.parse(run.stdout).accounts.map((a: { account: { id: string } }) => a.account.id);

const test = suite("cli: a managed account handed a key that is not its own");

test("handed the manager's own key: skipped and named before any request with it; the others planned and applied; the manager's organization untouched", async () => {
  await withSandbox(managerSandbox(), async (sandbox) => {
    const gateway = await handing(sandbox, () => TEST_API_KEY);
    try {
      await withTempDir(async (dir) => {
        const folder = writeThree(dir);
        const plan = await roster(gateway.url, ["plan", "-f", folder, "--format", "json"]);
        assert.is(plan.code, 0, plan.stderr);
        assert.equal(plannedOf(plan), [NORTHWIND.id, CEDAR.id]);
        const [[id, reason]] = skippedOf(plan);
        assert.is(id, HARBOR.id);
        assert.match(reason, "the API handed it the manager's own key (the one in TELNYX_API_KEY)");

        const apply = await roster(gateway.url, ["apply", "-f", folder, "--yes"]);
        assert.is(apply.code, 0, apply.stderr);
        assert.match(apply.stdout, `  ! ${label(HARBOR)}  the API handed it the manager's own key`);
        assert.match(apply.stdout, `(manifest ${folder}/a-harbor.yaml)`);
        assert.match(apply.stdout, "Apply complete: 4 removed");
        assert.is(removedFrom(sandbox, NORTHWIND), 3);
        assert.is(removedFrom(sandbox, CEDAR), 1);
        assert.is(removedFrom(sandbox, HARBOR), 0);
        assert.is(sandbox.own.stats.removeRequests.size, 0, "nobody of the manager's staff was removed");
        assert.equal(
          usersRequestsWith(gateway.log, TEST_API_KEY),
          [],
          "the manager's organization was never even read",
        );
      });
    } finally {
      await gateway.close();
    }
  });
});

test("handed another account's key: both accounts skipped, each naming the other, before any request with the key; the third applied", async () => {
  await withSandbox(managerSandbox(), async (sandbox) => {
    const gateway = await handing(sandbox, () => NORTHWIND.api_key);
    try {
      await withTempDir(async (dir) => {
        const folder = writeThree(dir);
        const plan = await roster(gateway.url, ["plan", "-f", folder, "--format", "json"]);
        assert.is(plan.code, 0, plan.stderr);
        assert.equal(plannedOf(plan), [CEDAR.id]);
        assert.equal(skippedOf(plan), [
          [
            HARBOR.id,
            `the API handed it the same key as ${label(NORTHWIND)}, so roster cannot tell whose organization that key reads: roster sent nothing with that key and changed nothing in the account; ask Telnyx why GET /managed_accounts/{id} answered so`,
          ],
          [
            NORTHWIND.id,
            `the API handed it the same key as ${label(HARBOR)}, so roster cannot tell whose organization that key reads: roster sent nothing with that key and changed nothing in the account; ask Telnyx why GET /managed_accounts/{id} answered so`,
          ],
        ]);

        const apply = await roster(gateway.url, ["apply", "-f", folder, "--yes"]);
        assert.is(apply.code, 0, apply.stderr);
        assert.match(apply.stdout, "Skipped (2)");
        assert.match(apply.stdout, "Apply complete: 1 removed");
        assert.is(removedFrom(sandbox, CEDAR), 1);
        assert.is(removedFrom(sandbox, NORTHWIND), 0, "Northwind's customers were not removed by Harbor's manifest");
        assert.is(removedFrom(sandbox, HARBOR), 0);
        assert.equal(usersRequestsWith(gateway.log, NORTHWIND.api_key), [], "nothing was sent with the shared key");
      });
    } finally {
      await gateway.close();
    }
  });
});

/** The apply document of `apply -f DIR --yes --format json` across the three accounts. */
interface ApplyDocument {
  accounts: { account: { id: string } }[];
  skipped: { account: { id: string }; reason: string }[];
}

/**
 * `apply -f DIR --yes --format json` across the three accounts, Harbor handed `key`: it succeeds, and `check` is
 * given the sandbox and the apply document.
 */
async function applyHanded(key: string, check: (sandbox: TestSandbox, doc: ApplyDocument) => void): Promise<void> {
  await withSandbox(managerSandbox(), async (sandbox) => {
    const gateway = await handing(sandbox, () => key);
    try {
      await withTempDir(async (dir) => {
        const apply = await roster(gateway.url, ["apply", "-f", writeThree(dir), "--yes", "--format", "json"]);
        assert.is(apply.code, 0, apply.stderr);
        check(sandbox, JSON.parse(apply.stdout) as ApplyDocument);
      });
    } finally {
      await gateway.close();
    }
  });
}

test("handed a second key of the manager's organization: read, told by its owner (the manager), skipped before any plan; nothing removed there", async () => {
  await applyHanded(ALIAS_OF_MANAGER, (sandbox, doc) => {
    assert.equal(
      doc.accounts.map((a) => a.account.id),
      [NORTHWIND.id, CEDAR.id],
    );
    assert.equal(
      doc.skipped.map((s) => s.account.id),
      [HARBOR.id],
    );
    assert.match(
      doc.skipped[0]!.reason,
      "its key reads the manager's own organization (its owner is the manager), not this account's",
    );
    assert.is(sandbox.own.stats.removeRequests.size, 0, "nobody of the manager's staff was removed");
    assert.is(removedFrom(sandbox, NORTHWIND) + removedFrom(sandbox, CEDAR), 4);
  });
});

test("handed a second key of another account's organization: both read the same owner, both skipped, nothing removed in it", async () => {
  await applyHanded(ALIAS_OF_NORTHWIND, (sandbox, doc) => {
    assert.equal(
      doc.skipped.map((s) => s.account.id),
      [HARBOR.id, NORTHWIND.id],
    );
    assert.match(
      doc.skipped[0]!.reason,
      `its key reads the same organization (the same owner) as the key of ${label(NORTHWIND)}`,
    );
    assert.match(doc.skipped[1]!.reason, `as the key of ${label(HARBOR)}`);
    assert.is(removedFrom(sandbox, NORTHWIND), 0);
    assert.is(removedFrom(sandbox, CEDAR), 1);
  });
});

test("each account is planned as it is read, but a plan is taken only once its organization is checked: a refused account's plan failure is not the run's", async () => {
  // Harbor names a protected group spelt with a Cyrillic і: against the manager's organization (which its key reads)
  // that looks like Admins, a typo that refuses the plan. Harbor is skipped for its key, so that plan never counts.
  await withSandbox(managerSandbox(), async (sandbox) => {
    const gateway = await handing(sandbox, () => ALIAS_OF_MANAGER);
    try {
      await withTempDir(async (dir) => {
        const folder = writeThree(dir);
        writeTemp(folder, "a-harbor.yaml", manifestFor(HARBOR, ["amara"], "id", "protect:\n  - group: Adm\u0456ns\n"));
        for (const command of [["plan"], ["apply", "--yes"]]) {
          const run = await roster(gateway.url, [...command, "-f", folder, "--format", "json"]);
          assert.is(run.code, 0, run.stderr);
          assert.not.match(run.stderr, "looks like");
          assert.equal(skippedOf(run), [
            [
              HARBOR.id,
              "its key reads the manager's own organization (its owner is the manager), not this account's: nothing was planned or changed with that key; ask Telnyx why GET /managed_accounts/{id} answered so",
            ],
          ]);
          assert.equal(plannedOf(run), [NORTHWIND.id, CEDAR.id]);
        }
        assert.is(sandbox.own.stats.removeRequests.size, 0, "nobody of the manager's staff was removed");
        assert.is(removedFrom(sandbox, NORTHWIND) + removedFrom(sandbox, CEDAR), 4);
      });
    } finally {
      await gateway.close();
    }
  });
});

test("a plan refused in one account while the others are still being read stops the whole run: nothing shown, nothing removed anywhere", async () => {
  // Cedar, the last account read, lists \u0458\u0456\u0430 in Cyrillic: not in Cedar, and it reads as jia, whom the plan
  // would remove. Harbor and Northwind are planned first, and nothing of theirs is shown or applied either.
  await withSandbox(managerSandbox(), async (sandbox) => {
    await withTempDir(async (dir) => {
      const folder = writeThree(dir);
      const cedar = writeTemp(folder, "c-cedar.yaml", manifestFor(CEDAR, ["kofi", "\u0458\u0456\u0430"]));
      for (const args of [["plan"], ["apply", "--yes"]]) {
        const run = await roster(sandbox.url, [...args, "-f", folder]);
        assert.is(run.code, 1, args.join(" "));
        assert.is(run.stdout, "", "no plan of any account is shown");
        assert.match(
          run.stderr,
          `${cedar}:5:5: "\u0458\u0456\u0430@cedar.example.com" is not in the organization, but it looks like jia@`,
        );
      }
      for (const seed of ACCOUNTS) assert.is(removedFrom(sandbox, seed), 0, seed.organization_name);
    });
  });
});

test("apply PLAN fetches the keys again: an account handed the manager's key, or another's, refuses the whole plan, named; nothing removed anywhere", async () => {
  for (const wrong of [TEST_API_KEY, NORTHWIND.api_key, ALIAS_OF_MANAGER]) {
    await withSandbox(managerSandbox(), async (sandbox) => {
      let handed: string | undefined;
      const gateway = await handing(sandbox, () => handed);
      try {
        await withTempDir(async (dir) => {
          const folder = writeThree(dir);
          const saved = `${dir}/plan.json`;
          const plan = await roster(gateway.url, ["plan", "-f", folder, "--out", saved]);
          assert.is(plan.code, 0, plan.stderr);
          assert.match(plan.stderr, "Saved the plan of 3 accounts");

          handed = wrong;
          const apply = await roster(gateway.url, ["apply", saved]);
          assert.is(apply.code, 1, apply.stdout);
          assert.match(apply.stderr, `roster: error: ${label(HARBOR)}: `);
          assert.match(
            apply.stderr,
            wrong === ALIAS_OF_MANAGER ? "its key reads the manager's own organization" : "the API handed it",
          );
          assert.match(apply.stderr, "\nNothing was changed.\n");
          assert.is(
            sandbox.stats.removeRequests.size,
            0,
            "no removal in any account, nor in the manager's organization",
          );
          if (wrong !== ALIAS_OF_MANAGER)
            assert.equal(
              usersRequestsWith(gateway.log, wrong).filter((r) => r.method === "POST"),
              [],
            );
        });
      } finally {
        await gateway.close();
      }
    });
  }
});

test.run();
