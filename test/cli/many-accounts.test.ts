import { mkdirSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { generateManagedAccounts } from "../../src/sandbox/generate.js";
import type { ManagedAccountSeed, SandboxFaults } from "../../src/sandbox/sandbox.js";
import { runCli, TEST_API_KEY, withTempDir, writeTemp, type CliRun } from "../helpers/cli.js";
import { exampleOrg } from "../helpers/org.js";
import { withSandbox, type TestSandbox } from "../helpers/sandbox.js";

// plan and apply across many managed accounts, as a manager with many customers runs them: every account's
// client, its waits and its sockets must leave nothing behind on the run's shared signal, sockets or process,
// or Node warns on stderr (MaxListenersExceededWarning past 10 listeners). Each run's stderr must hold
// nothing the user did not ask for: no Node warning, no retry line (--format json), no stack trace.

/** Each account: its owner and two users; the manifest lists the owner and the first, so one removal each. */
const USERS_PER_ACCOUNT = 3;

interface Case {
  accounts: number;
  /** The sandbox answers some requests 429: the clients of many accounts wait at once. */
  faults?: SandboxFaults;
}

const CASES: Case[] = [
  { accounts: 12 },
  { accounts: 300 },
  { accounts: 300, faults: { seed: 22, throttleRate: 0.15, rateWindowMs: 15 } },
];

function describe(c: Case): string {
  return `${c.accounts} accounts${c.faults ? ", some requests answered 429" : ""}`;
}

/** One manifest per account, naming it by id and listing its owner and first user. */
function writeManifests(dir: string, seeds: readonly ManagedAccountSeed[]): string {
  const folder = `${dir}/accounts`;
  mkdirSync(folder);
  for (const seed of seeds) {
    const kept = seed.users
      .slice(0, 2)
      .map((u) => `  - ${u.email}\n`)
      .join("");
    writeTemp(folder, `${seed.id}.yaml`, `version: 1\naccount:\n  id: ${seed.id}\nusers:\n${kept}`);
  }
  return folder;
}

/** The CLI against this sandbox, in `dir`; no key (the manager's or an account's) in any output. */
async function roster(
  sandbox: TestSandbox,
  dir: string,
  seeds: readonly ManagedAccountSeed[],
  args: string[],
): Promise<CliRun> {
  // runCli fails the test on any Node warning or stack trace on stderr, and on the manager's key anywhere.
  const run = await runCli(args, { env: { TELNYX_BASE_URL: sandbox.url, ROSTER_BACKOFF_BASE_MS: "5" }, cwd: dir });
  const output = run.stdout + run.stderr;
  for (const seed of seeds)
    assert.not.ok(output.includes(seed.api_key), `an account's key in the output of roster ${args[0]}`);
  assert.not.match(run.stderr, /Warning|MaxListeners|memory leak/, `roster ${args.join(" ")}: a warning on stderr`);
  return run;
}

/** Every account lost exactly its one unlisted user, the manager's own organization nothing. */
function assertOneRemovedEach(sandbox: TestSandbox, seeds: readonly ManagedAccountSeed[]): void {
  assert.is(sandbox.users().length, exampleOrg().length, "the manager's own organization untouched");
  const wrong = seeds.filter((seed) => {
    const left = sandbox
      .managedAccount(seed.id)
      .users()
      .map((u) => u.id)
      .sort();
    return (
      left.join() !==
      seed.users
        .slice(0, 2)
        .map((u) => u.id)
        .sort()
        .join()
    );
  });
  assert.equal(
    wrong.map((s) => s.organization_name),
    [],
    "accounts that did not end with exactly their listed users",
  );
}

const many = suite("plan and apply across many managed accounts");

for (const c of CASES) {
  const seeds = generateManagedAccounts(c.accounts, 22, USERS_PER_ACCOUNT);
  const options = {
    users: exampleOrg(),
    apiKey: TEST_API_KEY,
    managedAccounts: seeds,
    ...(c.faults ? { faults: c.faults } : {}),
  };

  many(
    `${describe(c)}: plan, plan --out and apply of the saved plan print no Node warning, and remove one user in each`,
    async () => {
      await withTempDir(async (dir) => {
        writeManifests(dir, seeds);
        await withSandbox(options, async (sandbox) => {
          const plan = await roster(sandbox, dir, seeds, ["plan", "-f", "accounts", "--format", "json"]);
          assert.is(plan.code, 0, plan.stderr);
          assert.is(plan.stderr, "");
          const planned = JSON.parse(plan.stdout) as { accounts: unknown[]; summary: { remove: number } };
          assert.is(planned.accounts.length, c.accounts);
          assert.is(planned.summary.remove, c.accounts);

          const out = await roster(sandbox, dir, seeds, ["plan", "-f", "accounts", "--out", "plan.json"]);
          assert.is(out.code, 0, out.stderr);
          assert.is(
            out.stderr,
            `Saved the plan of ${c.accounts} accounts to plan.json: roster apply plan.json applies exactly these removals.\n`,
          );
          assert.is(sandbox.managedAccount(seeds[0]!.id).users().length, USERS_PER_ACCOUNT, "planning removed nobody");

          const apply = await roster(sandbox, dir, seeds, ["apply", "plan.json", "--format", "json"]);
          assert.is(apply.code, 0, apply.stderr);
          assert.is(apply.stderr, "");
          const applied = JSON.parse(apply.stdout) as {
            summary: { removed: number; failed: number };
            verified: { converged: boolean };
          };
          assert.equal(
            [applied.summary.removed, applied.summary.failed, applied.verified.converged],
            [c.accounts, 0, true],
          );
          assertOneRemovedEach(sandbox, seeds);
        });
      });
    },
  );

  many(
    `${describe(c)}: apply -f --yes prints no Node warning, removes one user in each and verifies every account`,
    async () => {
      await withTempDir(async (dir) => {
        writeManifests(dir, seeds);
        await withSandbox(options, async (sandbox) => {
          // Text in a log (CI): the retries after a 429 are said on stderr, asked for by the format; nothing else is.
          const apply = await roster(sandbox, dir, seeds, ["apply", "-f", "accounts", "--yes"]);
          assert.is(apply.code, 0, apply.stderr);
          const unasked = apply.stderr
            .split("\n")
            .filter(
              (line) =>
                line !== "" &&
                !/^retrying (GET|POST) \/\S+ \(attempt \d+\) after 429 rate limited in \d+\.\d s$/.test(line),
            );
          assert.equal(unasked, [], "stderr holds only the retries of a log");
          if (!c.faults) assert.is(apply.stderr, "");
          assert.match(
            apply.stdout,
            `Apply complete: ${c.accounts} removed, 0 already absent, 0 failed, of ${c.accounts} planned removals.\n`,
          );
          assert.match(apply.stdout, `Verified: all ${c.accounts} accounts now match their manifests.\n`);
          assertOneRemovedEach(sandbox, seeds);
          if (c.faults)
            assert.ok(
              sandbox.managedAccounts.some((a) => a.stats.faults.throttle > 0),
              "some account's requests were answered 429",
            );
        });
      });
    },
  );
}

many.run();
