import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { assertNoPieceOfKey, HARBOR, managerSandbox, manifestFor, NORTHWIND } from "../helpers/accounts.js";
import { runCli, TEST_API_KEY, withTempDir, writeTemp, type CliRun } from "../helpers/cli.js";
import { exampleOrg, manifestText } from "../helpers/org.js";
import { withSandbox } from "../helpers/sandbox.js";
import { startGateway, type GatewayRequest } from "../helpers/servers.js";

// An API (or a gateway before it) whose error detail echoes the key, long enough that roster's cut of the
// detail (300 characters) falls inside the key: no run of 8 of the key's characters reaches stdout, stderr,
// the audit log, the JSON or the job summary, for the manager's own key as for a managed account's.

/**
 * The API's cut of the detail keeps this many characters of the key: just enough to be taken for it, some, all but one.
 */
const KEPT = (key: string) => [8, 13, key.length - 1];
const CUT = 300;

/**
 * An error answer whose detail holds `key` placed so that the cut at 300 keeps `kept` of its characters, and `also`
 * after it.
 */
function echo(status: number, key: string, kept: number, also = ""): { status: number; body: unknown } {
  const before = `request rejected; authorization was Bearer `;
  const detail = `${before}${"x".repeat(CUT - before.length - kept)}${key} ${also}`;
  return { status, body: { errors: [{ code: "10015", title: `Bad request for ${key.slice(0, kept)}`, detail }] } };
}

/** Every output of a run, and every file it wrote, checked for any run of 8 characters of any of `keys`. */
function assertNothingOf(keys: readonly string[], run: CliRun, files: readonly string[], where: string): void {
  assertNoPieceOfKey(run.stdout, keys, `the stdout of ${where}`);
  assertNoPieceOfKey(run.stderr, keys, `the stderr of ${where}`);
  for (const file of files)
    if (existsSync(file)) assertNoPieceOfKey(readFileSync(file, "utf8"), keys, `${file} after ${where}`);
}

const test = suite("cli: an API error that echoes a key, cut inside it");

test("the own key: apply's stdout, stderr, JSON, audit log and job summary, and plan's error, hold no 8 characters of it", async () => {
  await withSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY }, async (sandbox) => {
    let removals = 0;
    const answer = ({ method, path, key }: GatewayRequest) => {
      if (method === "POST" && path.endsWith("/actions/remove")) {
        const kept = KEPT(key)[removals % 3]!;
        removals += 1;
        return echo(422, key, kept);
      }
      return undefined;
    };
    const gateway = await startGateway(sandbox.url, { answer });
    try {
      await withTempDir(async (dir) => {
        const users = exampleOrg();
        const keep = users.slice(0, Math.max(1, users.length - 3)).map((u) => u.email);
        const manifest = writeTemp(dir, "users.yaml", manifestText(keep));
        const log = `${dir}/audit.jsonl`;
        const summary = `${dir}/summary.md`;
        const files = [log, summary];
        const env = { TELNYX_BASE_URL: gateway.url, GITHUB_STEP_SUMMARY: summary };
        for (const format of ["pretty", "json"]) {
          const run = await runCli(
            ["apply", "-f", manifest, "--yes", "--max-retries", "0", "--audit-log", log, "--format", format],
            { env },
          );
          assert.is(run.code, 1, run.stderr);
          assertNothingOf([TEST_API_KEY], run, files, `apply --format ${format}`);
          if (format === "json") {
            const failures = JSON.parse(run.stdout).results.filter((r: { outcome: string }) => r.outcome === "failed");
            assert.ok(failures.length >= 3, "every removal failed, each with the API's words");
            for (const failure of failures) assert.match(failure.error, "authorization was Bearer xxx");
            assert.ok(
              failures.every((f: { error: string }) => f.error.includes("[redacted]")),
              "where the key was, [redacted]",
            );
          }
        }
        assert.is(removals, 6, "every cut was tried");
        assert.match(readFileSync(log, "utf8"), "[redacted]");

        // A plan whose read is refused with the key echoed: the error on stderr holds none of it either.
        const refusing = await startGateway(sandbox.url, { answer: ({ key }) => echo(400, key, 13) });
        try {
          for (const format of ["pretty", "json", "github"]) {
            const plan = await runCli(["plan", "-f", manifest, "--format", format], {
              env: { TELNYX_BASE_URL: refusing.url },
            });
            assert.is(plan.code, 1);
            assert.match(plan.stderr, "roster: error: GET /organizations/users");
            assert.match(plan.stderr, "[redacted]");
            assertNothingOf([TEST_API_KEY], plan, [], `plan --format ${format}`);
          }
        } finally {
          await refusing.close();
        }
      });
    } finally {
      await gateway.close();
    }
  });
});

test("a managed account's key (and the manager's after it): apply and plan across accounts hold no 8 characters of either", async () => {
  await withSandbox(managerSandbox([HARBOR, NORTHWIND]), async (sandbox) => {
    let removals = 0;
    const answer = ({ method, path, key }: GatewayRequest) => {
      if (key === NORTHWIND.api_key && method === "POST" && path.endsWith("/actions/remove")) {
        const kept = KEPT(key)[removals % 3]!;
        removals += 1;
        return echo(500, key, kept, TEST_API_KEY);
      }
      return undefined;
    };
    const gateway = await startGateway(sandbox.url, { answer });
    const keys = [TEST_API_KEY, HARBOR.api_key, NORTHWIND.api_key];
    try {
      await withTempDir(async (dir) => {
        const folder = `${dir}/accounts`;
        mkdirSync(folder);
        writeTemp(folder, "harbor.yaml", manifestFor(HARBOR, ["amara", "bruno", "chen"]));
        writeTemp(folder, "northwind.yaml", manifestFor(NORTHWIND, ["farah"]));
        const log = `${dir}/audit.jsonl`;
        const summary = `${dir}/summary.md`;
        const env = { TELNYX_BASE_URL: gateway.url, GITHUB_STEP_SUMMARY: summary };
        for (const format of ["pretty", "json"]) {
          const run = await runCli(
            ["apply", "-f", folder, "--yes", "--max-retries", "0", "--audit-log", log, "--format", format],
            { env },
          );
          assert.is(run.code, 1, run.stderr);
          assertNothingOf(keys, run, [log, summary], `apply across accounts --format ${format}`);
          if (format === "json") {
            const northwind = JSON.parse(run.stdout).accounts.find(
              (a: { account: { id: string } }) => a.account.id === NORTHWIND.id,
            );
            const failures = northwind.results.filter((r: { outcome: string }) => r.outcome === "failed");
            assert.is(failures.length, 3, "Northwind's removals failed with the API's words");
            for (const failure of failures) assert.match(failure.error, "[redacted]");
          }
        }
        assert.ok(removals >= 6, "every cut was tried");
        assert.match(readFileSync(log, "utf8"), "[redacted]");

        const refusing = await startGateway(sandbox.url, {
          answer: ({ path, key }) =>
            key === HARBOR.api_key && path.startsWith("/organizations/users")
              ? echo(400, key, HARBOR.api_key.length - 1, TEST_API_KEY)
              : undefined,
        });
        try {
          const plan = await runCli(["plan", "-f", folder, "--format", "json"], {
            env: { TELNYX_BASE_URL: refusing.url },
          });
          assert.is(plan.code, 1);
          assert.match(plan.stderr, `roster: error: ${HARBOR.organization_name}`);
          assert.match(plan.stderr, "[redacted]");
          assertNothingOf(keys, plan, [], "plan across accounts");
        } finally {
          await refusing.close();
        }
      });
    } finally {
      await gateway.close();
    }
  });
});

test.run();
