import { mkdirSync } from "node:fs";
import { getEventListeners } from "node:events";
import { PassThrough } from "node:stream";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { applyAcrossAccounts } from "../../src/apply/apply-run.js";
import { verifyAccounts } from "../../src/apply/verify.js";
import { loadManifests } from "../../src/manifest/load-manifests.js";
import { loadSavedRun } from "../../src/plan/load-saved-plan.js";
import { generateManagedAccounts } from "../../src/sandbox/generate.js";
import type { ManagedAccountSeed, SandboxFaults } from "../../src/sandbox/sandbox.js";
import { readOrganization } from "../../src/telnyx/read-organization.js";
import { planTargets, type PlannedTargets, type TargetOptions } from "../../src/targets/plan-targets.js";
import type { Io } from "../../src/terminal/io.js";
import { runCli, TEST_API_KEY, withTempDir, writeTemp } from "../helpers/cli.js";
import { exampleOrg } from "../helpers/org.js";
import { withSandbox, type TestSandbox } from "../helpers/sandbox.js";

// An apply across managed accounts, in process as the command runs it: the run's one interrupt signal is
// given to every account's client (its retries and rate-limit waits end when it aborts) and to the executor.
// However many accounts and waits, the signal holds a fixed few abort listeners at any moment (not one an
// account, nor one a waiting client), and none once the run is over: Node warns past 10.

/** The most abort listeners `signal` ever held, from now on: measured at each listener added. */
function peakListeners(signal: AbortSignal): () => number {
  let peak = 0;
  const add = signal.addEventListener.bind(signal);
  signal.addEventListener = (...args: Parameters<AbortSignal["addEventListener"]>) => {
    add(...args);
    peak = Math.max(peak, getEventListeners(signal, "abort").length);
  };
  return () => peak;
}

function quietIo(env: Record<string, string>): Io {
  return {
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    stdin: new PassThrough(),
    env: { TELNYX_API_KEY: TEST_API_KEY, ROSTER_BACKOFF_BASE_MS: "2", ...env },
  };
}

/** One manifest per account listing its owner and first user: one removal each. */
function writeManifests(dir: string, seeds: readonly ManagedAccountSeed[]): string[] {
  mkdirSync(`${dir}/accounts`);
  return seeds.map((seed) =>
    writeTemp(
      `${dir}/accounts`,
      `${seed.id}.yaml`,
      `version: 1\naccount:\n  id: ${seed.id}\nusers:\n${seed.users
        .slice(0, 2)
        .map((u) => `  - ${u.email}\n`)
        .join("")}`,
    ),
  );
}

interface Case {
  name: string;
  accounts: number;
  faults?: SandboxFaults;
  /** Aborts the signal at the run's first removal, as Ctrl-C does. */
  interrupt?: boolean;
  /** Plans with `plan --out` first and applies the saved plan. */
  saved?: boolean;
}

const CASES: Case[] = [
  { name: "60 accounts", accounts: 60 },
  {
    name: "60 accounts, many clients waiting after 429s at once",
    accounts: 60,
    faults: { seed: 7, throttleRate: 0.3, rateWindowMs: 20 },
  },
  {
    name: "60 accounts from a saved plan, after 429s",
    accounts: 60,
    faults: { seed: 8, throttleRate: 0.3, rateWindowMs: 20 },
    saved: true,
  },
  {
    name: "60 accounts, interrupted at the first removal while clients wait",
    accounts: 60,
    faults: { seed: 9, throttleRate: 0.3, rateWindowMs: 20 },
    interrupt: true,
  },
];

const run = suite("the run's interrupt signal across accounts");

for (const c of CASES) {
  run(`${c.name}: a fixed few abort listeners at once, none after the run`, async () => {
    const seeds = generateManagedAccounts(c.accounts, 23, 3);
    await withTempDir(async (dir) => {
      const files = writeManifests(dir, seeds);
      await withSandbox(
        {
          users: exampleOrg(),
          apiKey: TEST_API_KEY,
          managedAccounts: seeds,
          ...(c.faults ? { faults: c.faults } : {}),
        },
        async (sandbox: TestSandbox) => {
          const io = quietIo({ TELNYX_BASE_URL: sandbox.url });
          const interrupt = new AbortController();
          const peak = peakListeners(interrupt.signal);
          let waits = 0;
          const options: TargetOptions = {
            concurrency: 16,
            timeoutSeconds: 30,
            maxRetries: 5,
            guards: {},
            hooks: { signal: interrupt.signal, onWait: () => (waits += 1) },
          };
          let prepared: PlannedTargets;
          if (c.saved) {
            const out = await runCli(["plan", "-f", "accounts", "--out", "plan.json"], {
              env: { TELNYX_BASE_URL: sandbox.url },
              cwd: dir,
            });
            assert.is(out.code, 0, out.stderr);
            const saved = await loadSavedRun(`${dir}/plan.json`, TEST_API_KEY);
            assert.is(saved.shape, "accounts");
            prepared = await planTargets({ saved }, options, io);
          } else {
            prepared = await planTargets({ manifests: await loadManifests(files), shape: "accounts" }, options, io);
          }
          try {
            assert.is(prepared.targets.length, c.accounts);
            assert.is(getEventListeners(interrupt.signal, "abort").length, 0, "after planning, no listener left");
            const outcome = await applyAcrossAccounts(
              prepared.targets.map((a) => ({
                account: a.account,
                plan: a.prepared.plan,
                rules: a.prepared.rules,
                remover: a.client,
              })),
              {
                concurrency: 16,
                signal: interrupt.signal,
                onEvent: (event) => c.interrupt && event.type === "finished" && interrupt.abort(),
              },
            );
            assert.is(getEventListeners(interrupt.signal, "abort").length, 0, "after the removals, no listener left");
            if (c.interrupt) {
              assert.is(outcome.stoppedBy, "interrupt");
              assert.ok(outcome.summary.not_started > 0, "removals not started after the interruption");
            } else {
              assert.equal(outcome.summary, {
                removed: c.accounts,
                already_absent: 0,
                failed: 0,
                unknown: 0,
                not_started: 0,
              });
              const verification = await verifyAccounts(
                prepared.targets.map((a) => ({
                  account: a.account,
                  rules: a.prepared.rules,
                  read: () => readOrganization(a.client, { concurrency: 16 }),
                })),
                { concurrency: 16 },
              );
              assert.ok(verification.converged, "every account verified");
            }
          } finally {
            prepared.close();
          }
          if (c.faults) assert.ok(waits > 16, `many waits (${waits}), so that many clients waited at once`);
          assert.ok(
            peak() <= 2,
            `at most 2 abort listeners at once (the executor's and the waits' one), found ${peak()}`,
          );
          assert.is(getEventListeners(interrupt.signal, "abort").length, 0, "none after the run");
        },
      );
    });
  });
}

run.run();
