import { test } from "uvu";
import * as assert from "uvu/assert";
import { readAuditLog, runCli, TEST_API_KEY, writeTemp, withTempDir } from "../helpers/cli.js";
import { makeOrg, manifestText } from "../helpers/org.js";
import { withSandbox } from "../helpers/sandbox.js";

test("300 removals in a CI log: a progress line per tenth, not a line per removal; the summary lists every failure", async () => {
  const org = makeOrg(321);
  const planned = org.slice(21);
  const failing = new Set(planned.filter((_, i) => i % 43 === 5).map((u) => u.id));
  await withTempDir(async (dir) => {
    await withSandbox(
      {
        users: org,
        apiKey: TEST_API_KEY,
        latencyMs: 3,
        faults: {
          script: (r) =>
            r.method === "POST" && [...failing].some((id) => r.path.includes(id))
              ? { kind: "error", status: 500 }
              : undefined,
        },
      },
      async (sandbox) => {
        const manifest = writeTemp(dir, "users.yaml", manifestText(org.slice(1, 21).map((u) => u.email)));
        const log = `${dir}/audit.jsonl`;
        const run = await runCli(
          ["apply", "-f", manifest, "--yes", "--force", "--max-retries", "1", "--audit-log", log],
          { env: { TELNYX_BASE_URL: sandbox.url, ROSTER_BACKOFF_BASE_MS: "2" } },
        );
        assert.is(run.code, 1, run.stderr);
        const lines = run.stdout.split("\n");
        const progress = lines.filter((l) => l.startsWith("Removing: "));
        assert.ok(
          progress.length >= 10,
          `at least a line per tenth: ${progress.length} progress lines:\n${progress.join("\n")}`,
        );
        assert.ok(
          progress.length <= 12,
          `not many more than a line per tenth: ${progress.length} progress lines:\n${progress.join("\n")}`,
        );
        assert.match(
          progress.at(-1)!,
          /^Removing: 300 of 300 done \(100%\): 293 removed, 0 already absent, 7 failed; \d+ s elapsed, [\d.]+\/s, about 0 s left, 0 in flight, 7 retries$/,
          "each failing removal was tried twice",
        );
        assert.not.ok(
          lines.some((l) => l.startsWith("  removed ")),
          "no line per removal",
        );
        const summary = run.stdout.slice(run.stdout.indexOf("\nApply complete:"));
        const failures = planned
          .filter((u) => failing.has(u.id))
          .map(
            (u) =>
              `  failed         ${u.email}: POST /organizations/users/${u.id}/actions/remove answered 500 10007: Unexpected error: injected fault (after 2 attempts)`,
          );
        assert.is(failures.length, 7);
        assert.equal(summary.split("\n").slice(1, 3), [
          "Apply complete: 293 removed, 0 already absent, 7 failed, of 300 planned removals.",
          "Failed (7):",
        ]);
        assert.equal(
          summary.split("\n").slice(3, 10).sort(),
          failures.sort(),
          "every failure listed under the summary",
        );
        // Summary, failures, verification (naming the 7 users left): the whole log is a few dozen lines more than the
        // preview.
        assert.ok(lines.length - lines.indexOf(progress[0]!) <= 12 + 1 + 2 + 7 + 2 + 7, `${lines.length} lines`);
        for (const failed of planned.filter((u) => failing.has(u.id))) {
          const left = `\n  - ${failed.email}: removal failed: POST /organizations/users/${failed.id}/actions/remove answered 500 10007: Unexpected error: injected fault (after 2 attempts)\n`;
          assert.match(summary, left, "each user left is named, with what its removal's attempts were");
        }
        const audit = readAuditLog(log);
        assert.is(audit.length, 300, "the audit log keeps every result");
        assert.is(audit.filter((l) => l.outcome === "failed").length, 7);
      },
    );
  });
});

test("100 removals or fewer in a CI log: a line per removal, as before", async () => {
  const org = makeOrg(121);
  await withTempDir(async (dir) => {
    await withSandbox({ users: org, apiKey: TEST_API_KEY }, async (sandbox) => {
      const manifest = writeTemp(dir, "users.yaml", manifestText(org.slice(1, 21).map((u) => u.email)));
      const run = await runCli(["apply", "-f", manifest, "--yes", "--force"], {
        env: { TELNYX_BASE_URL: sandbox.url },
      });
      assert.is(run.code, 0, run.stderr);
      assert.is(run.stdout.split("\n").filter((l) => l.startsWith("  removed ")).length, 100);
      assert.not.match(run.stdout, "Removing: ");
      assert.not.match(run.stdout, "Failed (");
    });
  });
});

test("a JSON apply of 300 removals still carries every result", async () => {
  const org = makeOrg(321);
  await withTempDir(async (dir) => {
    await withSandbox({ users: org, apiKey: TEST_API_KEY }, async (sandbox) => {
      const manifest = writeTemp(dir, "users.yaml", manifestText(org.slice(1, 21).map((u) => u.email)));
      const run = await runCli(["apply", "-f", manifest, "--yes", "--force", "--format", "json"], {
        env: { TELNYX_BASE_URL: sandbox.url },
      });
      assert.is(run.code, 0, run.stderr);
      const doc = JSON.parse(run.stdout);
      assert.is(doc.results.length, 300);
      assert.equal(doc.summary, { removed: 300, already_absent: 0, failed: 0 });
    });
  });
});

test.run();
