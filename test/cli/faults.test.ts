import { test } from "uvu";
import * as assert from "uvu/assert";
import type { SandboxOptions } from "../../src/sandbox/sandbox.js";
import type { OrganizationUser } from "../../src/core/organization-user.js";
import { readAuditLog, runCli, startCli, tempDir, TEST_API_KEY, writeTemp, withTempDir } from "../helpers/cli.js";
import { EXAMPLES, exampleOrg, makeOrg, manifestText } from "../helpers/org.js";
import { startServer } from "../helpers/servers.js";
import { withSandbox, type TestSandbox } from "../helpers/sandbox.js";

const FAST = { ROSTER_BACKOFF_BASE_MS: "2" };
const USERS = `${EXAMPLES}users.yaml`;

/**
 * Runs `fn` with an organization of `size` users (the owner first), a manifest keeping the first `keep`
 * sub-users, and a sandbox serving them, closed however `fn` ends.
 */
async function setup(
  size: number,
  keep: number,
  sandbox: Omit<SandboxOptions, "users">,
  fn: (setting: Setting) => Promise<void>,
) {
  const org = makeOrg(size);
  const kept = org.slice(1, keep + 1);
  const dir = tempDir();
  const manifest = writeTemp(dir, "users.yaml", manifestText(kept.map((u) => u.email)));
  const planned = new Set(org.slice(keep + 1).map((u) => u.id));
  await withSandbox({ users: org, apiKey: TEST_API_KEY, ...sandbox }, (server) =>
    fn({
      org,
      kept,
      planned,
      dir,
      manifest,
      log: `${dir}/audit.jsonl`,
      sandbox: server,
      env: { TELNYX_BASE_URL: server.url, ...FAST },
    }),
  );
}

/** What a test of `setup` is given. */
interface Setting {
  org: OrganizationUser[];
  kept: OrganizationUser[];
  /** The ids of the users the manifest does not keep. */
  planned: Set<string>;
  dir: string;
  manifest: string;
  log: string;
  sandbox: TestSandbox;
  env: Record<string, string>;
}

const removedLines = (stdout: string) => stdout.split("\n").filter((l) => l.startsWith("  removed ")).length;
const ids = (lines: Record<string, unknown>[]) => lines.map((l) => l.id as string);

test("300 removals under 5xx, 429, resets, ghosts and hangs converge in one apply, never touching a kept user", async () => {
  const org = makeOrg(340);
  const kept = org.slice(1, 31);
  const dir = tempDir();
  const manifest = writeTemp(
    dir,
    "users.yaml",
    manifestText(
      kept.map((u) => u.email),
      'protect:\n  - "user003?@example.com"\n',
    ),
  );
  const faults = {
    seed: 4,
    errorRate: 0.2,
    throttleRate: 0.1,
    resetRate: 0.05,
    ghostRate: 0.05,
    hangRate: 0.02,
    rateLimit: 60,
    rateWindowMs: 50,
  };
  await withSandbox({ users: org, apiKey: TEST_API_KEY, jitterMs: 2, faults }, async (sandbox) => {
    const log = `${dir}/audit.jsonl`;
    const run = await runCli(
      [
        "apply",
        "-f",
        manifest,
        "--yes",
        "--force",
        "--concurrency",
        "8",
        "--timeout",
        "0.25",
        "--max-retries",
        "10",
        "--audit-log",
        log,
      ],
      { env: { TELNYX_BASE_URL: sandbox.url, ...FAST } },
    );
    assert.is(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      "Apply complete: 300 removed, 0 already absent, 0 failed, of 300 planned removals.\nVerified: the organization now matches the manifest.\n",
    );
    const protectedIds = new Set(org.filter((u) => /^user003[1-9]@/.test(u.email)).map((u) => u.id));
    assert.is(protectedIds.size, 9, "user0030 is listed, user0031 to user0039 protected");
    const untouchable = [org[0]!, ...kept].map((u) => u.id).concat([...protectedIds]);
    assert.equal(
      untouchable.filter((id) => sandbox.stats.removeRequests.has(id)),
      [],
      "no request for the owner, a kept or a protected user",
    );
    assert.equal(
      sandbox
        .users()
        .map((u) => u.id)
        .sort(),
      [...untouchable].sort(),
    );
    const lines = readAuditLog(log);
    assert.is(lines.length, 300, "one line per removal");
    assert.is(new Set(ids(lines)).size, 300, "no user twice");
    assert.ok(lines.every((l) => l.outcome === "removed"));
    // The faults did happen: this run is the hostile one it claims to be.
    const { faults: seen, ghostRemovals, rateLimited } = sandbox.stats;
    const figures = JSON.stringify({ seen, rateLimited });
    assert.ok(seen.error > 50, `more than 50 5xx errors: ${figures}`);
    assert.ok(seen.throttle > 20, `more than 20 429s: ${figures}`);
    assert.ok(seen.reset > 5, `more than 5 connection resets: ${figures}`);
    assert.ok(seen.hang > 3, `more than 3 hung requests: ${figures}`);
    assert.ok(ghostRemovals.size > 5, `more than 5 removals done with their answer lost: ${figures}`);
    const ghost = lines.find((l) => l.id === [...ghostRemovals][0]);
    assert.equal(
      [ghost?.outcome, ghost?.http_status],
      ["removed", 404],
      "a ghost is recorded as removed, from the 404 of its retry",
    );
  });
});

test("kill -9 in the middle of an apply: every audit line parses, and the next apply converges", async () => {
  await setup(121, 20, { latencyMs: 15 }, async ({ manifest, log, sandbox, env, planned }) => {
    const first = startCli(["apply", "-f", manifest, "--yes", "--force", "--concurrency", "4", "--audit-log", log], {
      env,
    });
    await first.waitFor((out) => removedLines(out) >= 20);
    first.child.kill("SIGKILL");
    const killed = await first.run;
    assert.is(killed.signal, "SIGKILL");
    const before = readAuditLog(log);
    const gone = [...planned].filter((id) => !sandbox.users().some((u) => u.id === id));
    assert.ok(before.length >= 20, `${before.length} lines: at least the 20 removals seen before the kill`);
    assert.ok(before.length < 100, `${before.length} lines: the kill stopped the run before its end`);
    assert.ok(
      ids(before).every((id) => gone.includes(id)),
      "every recorded removal happened",
    );
    assert.ok(gone.length - before.length <= 4, "at most the removals in flight went unrecorded");

    const second = await runCli(["apply", "-f", manifest, "--yes", "--force", "--audit-log", log], { env });
    assert.is(second.code, 0, second.stderr);
    assert.match(second.stdout, "Verified: the organization now matches the manifest.");
    const after = readAuditLog(log);
    assert.equal(after.slice(0, before.length), before, "the lines already written were left as they were");
    assert.is(new Set(ids(after)).size, after.length, "no user recorded twice");
    assert.ok(planned.size - after.length <= 4);
    assert.is(sandbox.users().length, 21);
  });
});

// SIGHUP is the terminal closing: treated as SIGTERM (issue 13).
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  test(`${signal} in the middle: removals in flight finish, the summary is printed, exit 130; the next run converges`, async () => {
    await setup(121, 20, { latencyMs: 20 }, async ({ manifest, log, sandbox, env, planned }) => {
      const first = startCli(["apply", "-f", manifest, "--yes", "--force", "--concurrency", "4", "--audit-log", log], {
        env,
      });
      await first.waitFor((out) => removedLines(out) >= 10);
      first.child.kill(signal);
      const stopped = await first.run;
      assert.is(stopped.code, 130);
      assert.match(
        stopped.stderr,
        "Interrupted: no new removal will start; waiting for those in flight (press Ctrl-C again to exit at once).",
      );
      const summary =
        /Apply interrupted: (\d+) removed, 0 already absent, 0 failed, (\d+) not started, of 100 planned removals\.\nRun roster apply again to finish/.exec(
          stopped.stdout,
        );
      assert.ok(summary, stopped.stdout.slice(-400));
      const removed = Number(summary![1]);
      assert.is(removed + Number(summary![2]), 100);
      assert.is(sandbox.users().length, 121 - removed, "every removal sent has finished, none is left hanging");
      const lines = readAuditLog(log);
      assert.is(lines.length, removed, "one line for each finished removal");
      assert.not.match(stopped.stdout, "Verified", "an interrupted run does not verify");

      const second = await runCli(["apply", "-f", manifest, "--yes", "--force", "--audit-log", log], { env });
      assert.is(second.code, 0);
      assert.match(second.stdout, "Verified: the organization now matches the manifest.");
      assert.equal(new Set(ids(readAuditLog(log))), planned, "each removed user recorded exactly once over both runs");
    });
  });
}

test("a second Ctrl-C exits at once, recording the removals still in flight as unknown", async () => {
  const org = makeOrg(41);
  const answered = new Set(org.slice(21, 24).map((u) => u.id));
  // The first three removals are answered; every other removal hangs, so only a forced exit ends the run.
  await setup(
    41,
    20,
    {
      faults: {
        script: (r) =>
          r.method === "POST" && ![...answered].some((id) => r.path.includes(id)) ? { kind: "hang" } : undefined,
      },
    },
    async ({ manifest, log, sandbox, env }) => {
      const run = startCli(["apply", "-f", manifest, "--yes", "--force", "--concurrency", "4", "--audit-log", log], {
        env,
      });
      await run.waitFor((out) => removedLines(out) === 3);
      while (sandbox.stats.inFlightRemovals < 4) await new Promise((resolve) => setTimeout(resolve, 5));
      run.child.kill("SIGINT");
      await run.waitFor("Interrupted:");
      run.child.kill("SIGINT");
      const ended = await run.run;
      assert.is(ended.code, 130);
      assert.match(
        ended.stderr,
        "Exiting at once. 4 removals in flight may or may not have happened; run roster plan.",
      );
      assert.not.match(ended.stdout, "Apply interrupted:", "no waiting for the summary");
      const lines = readAuditLog(log);
      assert.equal(lines.map((l) => l.outcome).sort(), [
        "removed",
        "removed",
        "removed",
        "unknown",
        "unknown",
        "unknown",
        "unknown",
      ]);
      const unknown = lines.filter((l) => l.outcome === "unknown");
      assert.ok(
        unknown.every((l) => typeof l.email === "string"),
        "an unknown removal's line names the user",
      );
      assert.ok(
        unknown.every((l) => l.http_status === null),
        "an unknown removal's line has no HTTP status",
      );
    },
  );
});

test("apply verifies by reading the organization again; --no-verify skips it", async () => {
  for (const verify of [true, false]) {
    await setup(12, 9, {}, async ({ manifest, sandbox, env }) => {
      const run = await runCli(["apply", "-f", manifest, "--yes", ...(verify ? [] : ["--no-verify"])], { env });
      assert.is(run.code, 0);
      assert.is(run.stdout.includes("Verified: the organization now matches the manifest."), verify);
      assert.is(
        sandbox.stats.reportRequests + sandbox.stats.listRequests,
        verify ? 2 : 1,
        "one read of the organization, and one more to verify",
      );
    });
  }
});

test("a removal that keeps failing is reported, and verification says the organization has not converged", async () => {
  await setup(12, 9, {}, async ({ org, manifest, env }) => {
    const stubborn = org[11]!;
    await withSandbox(
      {
        users: org,
        apiKey: TEST_API_KEY,
        faults: { script: (r) => (r.path.includes(stubborn.id) ? { kind: "error", status: 500 } : undefined) },
      },
      async (failing) => {
        const run = await runCli(["apply", "-f", manifest, "--yes", "--max-retries", "1"], {
          env: { ...env, TELNYX_BASE_URL: failing.url },
        });
        assert.is(run.code, 1);
        assert.match(
          run.stdout,
          `  failed         ${stubborn.email}: POST /organizations/users/${stubborn.id}/actions/remove answered 500 10007: Unexpected error: injected fault`,
        );
        assert.match(
          run.stdout,
          "Apply complete: 1 removed, 0 already absent, 1 failed, of 2 planned removals.\nNot converged: 1 user the manifest does not list is still in the organization; run roster apply again.\n",
        );
      },
    );
  });
});

test("when the organization cannot be read again, apply says so and still prints every result", async () => {
  for (const format of ["json", "pretty"]) {
    await setup(12, 9, {}, async ({ manifest, env }) => {
      await withSandbox(
        {
          users: makeOrg(12),
          apiKey: TEST_API_KEY,
          faults: {
            script: (r) => (r.method === "GET" && r.occurrence > 1 ? { kind: "error", status: 503 } : undefined),
          },
        },
        async (sandbox) => {
          const run = await runCli(["apply", "-f", manifest, "--yes", "--max-retries", "1", "--format", format], {
            env: { ...env, TELNYX_BASE_URL: sandbox.url },
          });
          assert.is(run.code, 1);
          const why =
            "GET /organizations/users/users_groups_report answered 503 10007: Unexpected error: injected fault";
          if (format === "pretty") {
            assert.match(
              run.stdout,
              `Apply complete: 2 removed, 0 already absent, 0 failed, of 2 planned removals.\nCould not verify: ${why}; run roster plan to check.\n`,
            );
            return;
          }
          const doc = JSON.parse(run.stdout);
          assert.equal(doc.summary, { removed: 2, already_absent: 0, failed: 0 });
          assert.equal(doc.verified, { converged: false, error: why });
        },
      );
    });
  }
});

test("a key revoked in the middle of an apply stops it at once: the message, exit 1, no further removal sent", async () => {
  await setup(61, 20, { latencyMs: 10 }, async ({ manifest, sandbox, env }) => {
    const run = startCli(["apply", "-f", manifest, "--yes", "--force", "--concurrency", "2"], { env });
    await run.waitFor((out) => removedLines(out) >= 3);
    sandbox.setApiKey("rotated-key");
    const ended = await run.run;
    assert.is(ended.code, 1);
    assert.match(ended.stderr, "roster: error: authentication failed: check TELNYX_API_KEY\n");
    const summary =
      /Apply stopped: (\d+) removed, 0 already absent, (\d+) failed, (\d+) not started, of 40 planned removals\./.exec(
        ended.stdout,
      );
    assert.ok(summary, ended.stdout.slice(-300));
    assert.ok(sandbox.stats.unauthorized >= 1, `${sandbox.stats.unauthorized} 401s: the rotated key was met`);
    assert.ok(
      sandbox.stats.unauthorized <= 2,
      `${sandbox.stats.unauthorized} 401s: only the removals already in flight met the 401`,
    );
    const sent = [...sandbox.stats.removeRequests.values()].reduce((a, b) => a + b, 0);
    assert.is(sent, Number(summary![1]) + sandbox.stats.unauthorized);
  });
});

test("when the audit log cannot be written, no further removal starts and the record goes to stderr", async () => {
  await withTempDir(async (dir) => {
    await withSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY }, async (sandbox) => {
      // A log already at the file-size limit the CLI runs under: its first line fails (EFBIG), as on a full disk.
      // (It was /dev/full until the audit log had to be a regular file: issue 13 refuses devices and FIFOs.)
      const log = writeTemp(dir, "audit.jsonl", `${"x".repeat(1023)}\n`);
      const run = await runCli(["apply", "-f", USERS, "--yes", "--concurrency", "1", "--audit-log", log], {
        env: { TELNYX_BASE_URL: sandbox.url },
        fileSizeLimitKiB: 1,
      });
      assert.is(run.code, 1);
      assert.match(
        run.stderr,
        /roster: not in the audit log: \{"time":"[^"]+","id":"[^"]+","email":"ben\.cohen@example\.com",.*"outcome":"removed","http_status":200,"attempts":1\}\n/,
      );
      assert.match(
        run.stderr,
        `roster: error: cannot append to the audit log ${log}: the file has reached the largest size allowed here (a file size limit, ulimit -f): start a new file, or raise the limit: no further removal was started\n`,
      );
      assert.is(sandbox.users().length, 29, "one removal, then it stopped");
    });
  });
});

test("an audit log in a missing folder is refused before any removal, without the key even in the stack", async () => {
  await withSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY }, async (sandbox) => {
    const run = await runCli(["apply", "-f", USERS, "--yes", "--audit-log", "/nonexistent-folder/audit.jsonl"], {
      env: { TELNYX_BASE_URL: sandbox.url, ROSTER_DEBUG: "1" },
    });
    assert.is(run.code, 1);
    assert.match(
      run.stderr,
      "roster: error: cannot open the audit log /nonexistent-folder/audit.jsonl: the folder /nonexistent-folder does not exist: create it first, or give another path; nothing was changed\n",
    );
    assert.match(run.stderr, /\n\s+at /, "ROSTER_DEBUG prints the stack");
    assert.is(sandbox.stats.removeRequests.size, 0);
  });
});

test("an API that echoes the key in an error never gets it printed or logged", async () => {
  const victim: OrganizationUser = { ...makeOrg(2)[1]!, email: "victim@example.com" };
  const owner = makeOrg(1)[0]!;
  const server = await startServer((req, res) => {
    res.writeHead(req.method === "GET" ? 200 : 500, { "content-type": "application/json" });
    if (req.method === "GET")
      return res.end(JSON.stringify({ data: [owner, victim], meta: { total_pages: 1, total_results: 2 } }));
    res.end(
      JSON.stringify({
        errors: [{ code: "10000", title: "Internal error", detail: `bad header: ${req.headers.authorization}` }],
      }),
    );
  });
  const dir = tempDir();
  const log = `${dir}/audit.jsonl`;
  const manifest = writeTemp(dir, "users.yaml", manifestText(["someone@example.com"]));
  try {
    const run = await runCli(["apply", "-f", manifest, "--yes", "--max-retries", "0", "--audit-log", log], {
      env: { TELNYX_BASE_URL: server.url },
    });
    assert.is(run.code, 1);
    assert.match(run.stdout, "Internal error: bad header: Bearer [redacted]");
    assert.is(
      readAuditLog(log)[0]!.error,
      `POST /organizations/users/${victim.id}/actions/remove answered 500 10000: Internal error: bad header: Bearer [redacted]`,
    );
    assert.not.match(run.stdout + run.stderr, TEST_API_KEY);
  } finally {
    await server.close();
  }
});

test("escape sequences and bidi controls from the API are neutralised in text, JSON and the audit log", async () => {
  const org = makeOrg(3);
  const hostile = { ...org[2]!, email: "evil\u001b[2J\u202e@example.com", last_sign_in_at: "\u001b]0;pwned\u0007" };
  await withSandbox({ users: [org[0]!, org[1]!, hostile], apiKey: TEST_API_KEY }, async (sandbox) => {
    const dir = tempDir();
    const manifest = writeTemp(dir, "users.yaml", manifestText([org[1]!.email]));
    const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;
    const plan = await runCli(["plan", "-f", manifest], { env: { TELNYX_BASE_URL: sandbox.url } });
    assert.not.match(plan.stdout, raw);
    assert.match(plan.stdout, "  - evil\\u001b[2J\\u202e@example.com");
    assert.match(plan.stdout, "last sign-in \\u001b]0;pwned\\u0007");
    const json = await runCli(["plan", "-f", manifest, "--format", "json"], { env: { TELNYX_BASE_URL: sandbox.url } });
    assert.not.match(json.stdout, raw);
    assert.is(
      JSON.parse(json.stdout).changes[0].email,
      "evil\u001b[2J\u202e@example.com",
      "the same value once parsed",
    );
    const log = `${dir}/audit.jsonl`;
    const apply = await runCli(["apply", "-f", manifest, "--yes", "--force", "--audit-log", log], {
      env: { TELNYX_BASE_URL: sandbox.url },
    });
    assert.is(apply.code, 0);
    assert.not.match(apply.stdout + apply.stderr, raw);
    const { readFileSync } = await import("node:fs");
    assert.not.match(readFileSync(log, "utf8").replace(/\n/g, ""), raw);
    assert.is(readAuditLog(log)[0]!.last_sign_in_at, "\u001b]0;pwned\u0007");
  });
});

test("an API listing that cannot be trusted is an error, and nothing is removed", async () => {
  const [owner, alice, mallory] = makeOrg(3);
  const listings: [string, unknown][] = [
    ["not with JSON", "<html>maintenance</html>"],
    ['without a "data" list', { users: [owner, alice, mallory], meta: { total_pages: 1 } }],
    ["with an invalid meta.total_pages", { data: [owner, alice, mallory], meta: { total_pages: -1 } }],
    [
      "with data[2] lacking a string email",
      { data: [owner, alice, { ...mallory, email: null }], meta: { total_pages: 1 } },
    ],
    // The listed alice's id, also listed as someone to remove: removing by that id would remove alice.
    [
      "twice, as two different users",
      { data: [owner, alice, mallory, { ...mallory, id: alice!.id }], meta: { total_pages: 1, total_results: 4 } },
    ],
  ];
  const dir = tempDir();
  const manifest = writeTemp(dir, "users.yaml", manifestText([alice!.email]));
  for (const [what, body] of listings) {
    let posts = 0;
    const server = await startServer((req, res) => {
      if (req.method === "POST") posts += 1;
      // An API without the groups report: the listing under test is read page by page.
      if (req.url?.includes("users_groups_report")) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ errors: [{ code: "10005", title: "Resource not found" }] }));
        return;
      }
      res.writeHead(200, { "content-type": typeof body === "string" ? "text/html" : "application/json" });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    });
    try {
      const run = await runCli(["apply", "-f", manifest, "--yes", "--force"], { env: { TELNYX_BASE_URL: server.url } });
      assert.is(run.code, 1, what);
      assert.match(run.stderr, what, what);
      assert.match(run.stderr, "nothing was changed");
      assert.is(posts, 0, `${what}: no removal was sent`);
    } finally {
      await server.close();
    }
  }
});

test("a groups report that is not whole JSON (cut short, a trailing comma, data given twice) is not read: the pages are", async () => {
  const [owner, alice, mallory, eve] = makeOrg(4);
  const users = [owner, alice, mallory].map((u) => ({ ...u, groups: [] }));
  const whole = JSON.stringify({ data: users });
  const reports: [string, string][] = [
    ["cut short", whole.slice(0, whole.length - 40)],
    ["a trailing comma", `${whole.slice(0, -2)},]}`],
    // JSON.parse keeps the last "data" (no one to remove but eve); a reader that kept the first would differ.
    [
      "data given twice",
      `{"data":${JSON.stringify(users)},"data":${JSON.stringify([...users, { ...eve, groups: [] }])}}`,
    ],
  ];
  const dir = tempDir();
  const manifest = writeTemp(dir, "users.yaml", manifestText([alice!.email]));
  for (const [what, report] of reports) {
    let pages = 0;
    const server = await startServer((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      if (req.url?.includes("users_groups_report")) return res.end(report);
      pages += 1;
      res.end(
        JSON.stringify({ data: users, meta: { total_pages: 1, total_results: 3, page_number: 1, page_size: 250 } }),
      );
    });
    try {
      const run = await runCli(["plan", "-f", manifest, "--format", "json"], { env: { TELNYX_BASE_URL: server.url } });
      assert.is(run.code, 0, `${what}: ${run.stderr}`);
      const plan = JSON.parse(run.stdout) as { changes: { email: string }[] };
      assert.equal(
        plan.changes.map((c) => c.email),
        [mallory!.email],
        what,
      );
      assert.is(pages, 1, `${what}: the pages were read`);
    } finally {
      await server.close();
    }
  }
});

test("roster sandbox takes its faults from flags, and refuses rates that add up past 1", async () => {
  const refused = await runCli(["sandbox", "--fail-rate", "0.7", "--hang-rate", "0.5"]);
  assert.is(refused.code, 1);
  assert.is(refused.stderr, "roster: error: sandbox fault rates add up to 1.200: they must add up to at most 1\n");

  const sandbox = startCli(["sandbox", "--rate-limit", "2", "--rate-window", "60000", "--seed", "3"], {
    env: { TELNYX_API_KEY: TEST_API_KEY },
  });
  try {
    await sandbox.waitFor("Press Ctrl-C to stop.");
    const { stdout, stderr } = sandbox.output();
    assert.match(stderr, "  faults (seed 3): rate limit 2 per 60000 ms\n");
    const url = stdout.trim();
    const statuses = [];
    for (let i = 0; i < 3; i += 1) {
      const answer = await fetch(`${url}/organizations/users`, {
        headers: { Authorization: `Bearer ${TEST_API_KEY}` },
      });
      statuses.push([answer.status, answer.headers.get("x-ratelimit-remaining")]);
    }
    assert.equal(statuses, [
      [200, "1"],
      [200, "0"],
      [429, "0"],
    ]);
  } finally {
    sandbox.child.kill("SIGTERM");
    assert.is((await sandbox.run).code, 0);
  }
});

test.run();
