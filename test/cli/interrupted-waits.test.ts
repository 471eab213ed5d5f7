import { test } from "uvu";
import * as assert from "uvu/assert";
import type { SandboxOptions } from "../../src/sandbox/sandbox.js";
import { readAuditLog, runCli, startCli, TEST_API_KEY, writeTemp, withTempDir } from "../helpers/cli.js";
import type { OrganizationUser } from "../../src/core/organization-user.js";
import { makeOrg, manifestText } from "../helpers/org.js";
import { withSandbox, type TestSandbox } from "../helpers/sandbox.js";

/** What a test of `setup` is given: the organization, its manifest, where the audit log goes, and the sandbox. */
interface Setting {
  org: OrganizationUser[];
  manifest: string;
  log: string;
  sandbox: TestSandbox;
}

/**
 * Runs `fn` with an organization of `size` users (the owner first), a manifest keeping the first `keep`
 * sub-users, and a sandbox; the sandbox and the folder are gone however `fn` ends.
 */
async function setup(
  size: number,
  keep: number,
  sandbox: Omit<SandboxOptions, "users">,
  fn: (setting: Setting) => Promise<void>,
) {
  const org = makeOrg(size);
  await withTempDir(async (dir) => {
    const manifest = writeTemp(dir, "users.yaml", manifestText(org.slice(1, keep + 1).map((u) => u.email)));
    await withSandbox({ users: org, apiKey: TEST_API_KEY, ...sandbox }, (server) =>
      fn({ org, manifest, log: `${dir}/audit.jsonl`, sandbox: server }),
    );
  });
}

const retries = (output: string) => output.split("\n").filter((line) => line.startsWith("retrying POST ")).length;

test("Ctrl-C while every removal waits out a 429: exit 130, all not started, no audit line, no verification", async () => {
  // Every removal is answered 429 with a reset a minute away: all four in flight wait for it.
  await setup(
    12,
    1,
    { faults: { rateWindowMs: 60_000, script: (r) => (r.method === "POST" ? { kind: "throttle" } : undefined) } },
    async (s) => {
      const run = startCli(
        ["apply", "-f", s.manifest, "--yes", "--force", "--concurrency", "4", "--audit-log", s.log],
        { env: { TELNYX_BASE_URL: s.sandbox.url } },
      );
      await run.waitFor((out) => retries(out) >= 4);
      run.child.kill("SIGINT");
      const ended = await run.run;
      assert.is(ended.code, 130, ended.stderr);
      assert.match(
        ended.stdout,
        "Apply interrupted: 0 removed, 0 already absent, 0 failed, 10 not started, of 10 planned removals.\n",
      );
      assert.not.match(ended.stdout, "  failed ");
      assert.not.match(ended.stdout, "Verified");
      assert.not.match(ended.stdout, "Not converged");
      assert.is(
        s.sandbox.stats.reportRequests + s.sandbox.stats.listRequests,
        1,
        "the organization was not read again",
      );
      assert.equal(readAuditLog(s.log), [], "a 429 removed nobody: nothing to record");
      assert.is(s.sandbox.users().length, 12);
    },
  );
});

test("Ctrl-C while removals wait to retry: one that may have gone through is unknown, one the API refused is not started; exit 130", async () => {
  await setup(6, 1, {}, async (s) => {
    const [maybe1, maybe2, refused1, refused2] = s.org.slice(2).map((u) => u.id);
    // A 500 may come after the work was done (unknown); a 408 says the API did not act (not started).
    await withSandbox(
      {
        users: s.org,
        apiKey: TEST_API_KEY,
        faults: {
          script: (r) => {
            if (r.method !== "POST") return undefined;
            if ([maybe1, maybe2].some((id) => r.path.includes(id!))) return { kind: "error", status: 500 };
            if ([refused1, refused2].some((id) => r.path.includes(id!))) return { kind: "error", status: 408 };
            return undefined;
          },
        },
      },
      async (sandbox) => {
        // Backoffs of 30 to 60 s: only the interruption ends them.
        const run = startCli(
          ["apply", "-f", s.manifest, "--yes", "--force", "--concurrency", "4", "--audit-log", s.log],
          {
            env: { TELNYX_BASE_URL: sandbox.url, ROSTER_BACKOFF_BASE_MS: "60000" },
          },
        );
        await run.waitFor((out) => retries(out) >= 4);
        run.child.kill("SIGINT");
        const ended = await run.run;
        assert.is(ended.code, 130, ended.stderr);
        assert.match(
          ended.stdout,
          "Apply interrupted: 0 removed, 0 already absent, 0 failed, 2 unknown, 2 not started, of 4 planned removals.\n",
        );
        const lines = readAuditLog(s.log);
        assert.equal(lines.map((l) => l.id).sort(), [maybe1, maybe2].sort());
        for (const line of lines) {
          assert.is(line.outcome, "unknown");
          assert.is(
            line.error,
            `POST /organizations/users/${line.id}/actions/remove not tried again after 1 attempt (an earlier one may have gone through): interrupted`,
          );
          assert.match(
            ended.stdout,
            `  unknown        ${line.email}: POST /organizations/users/${line.id}/actions/remove not tried again`,
          );
        }
        assert.is(
          sandbox.stats.reportRequests + sandbox.stats.listRequests,
          1,
          "no verification after an interruption",
        );
      },
    );
  });
});

test("a second SIGHUP exits at once, recording the removals in flight as unknown", async () => {
  await setup(11, 1, { faults: { script: (r) => (r.method === "POST" ? { kind: "hang" } : undefined) } }, async (s) => {
    const run = startCli(["apply", "-f", s.manifest, "--yes", "--force", "--concurrency", "3", "--audit-log", s.log], {
      env: { TELNYX_BASE_URL: s.sandbox.url },
    });
    while (s.sandbox.stats.inFlightRemovals < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    run.child.kill("SIGHUP");
    await run.waitFor("Interrupted:");
    run.child.kill("SIGHUP");
    const ended = await run.run;
    assert.is(ended.code, 130);
    assert.match(ended.stderr, "Exiting at once. 3 removals in flight may or may not have happened; run roster plan.");
    assert.equal(
      readAuditLog(s.log).map((l) => l.outcome),
      ["unknown", "unknown", "unknown"],
    );
  });
});

test("many removals waiting on the rate limit at once: no Node warning (no abort listener piles up), and the run converges", async () => {
  // 16 in flight against 5 requests a window: most of them wait, together, again and again.
  await setup(81, 1, { faults: { rateLimit: 5, rateWindowMs: 40 } }, async (s) => {
    // runCli fails on any Node warning on stderr, MaxListenersExceededWarning included.
    const run = await runCli(["apply", "-f", s.manifest, "--yes", "--force", "--concurrency", "16"], {
      env: { TELNYX_BASE_URL: s.sandbox.url },
    });
    assert.is(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      "Apply complete: 79 removed, 0 already absent, 0 failed, of 79 planned removals.\nVerified: the organization now matches the manifest.\n",
    );
  });
});

test.run();
