import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertNoWarning, readAuditLog, TEST_API_KEY, withTempDir, writeTemp } from "../helpers/cli.js";
import { makeOrg, manifestText, ROOT } from "../helpers/org.js";
import { withSandbox } from "../helpers/sandbox.js";

const auditLines = (path: string) =>
  existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean).length : 0;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("a terminal closed in the middle of an apply: no new removal, every removal made has its audit line, exit 130, no abort", () =>
  withTempDir(async (dir) => {
    const org = makeOrg(221);
    const manifest = writeTemp(dir, "users.yaml", manifestText(org.slice(1, 21).map((u) => u.email)));
    const log = `${dir}/audit.jsonl`;
    await withSandbox({ users: org, apiKey: TEST_API_KEY, latencyMs: 40 }, async (sandbox) => {
      const quote = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;
      const roster = [
        process.execPath,
        `${ROOT}dist/roster.js`,
        "apply",
        "-f",
        manifest,
        "--yes",
        "--force",
        "--concurrency",
        "4",
        "--audit-log",
        log,
      ]
        .map(quote)
        .join(" ");
      // At a real terminal (util-linux's script makes a pseudo-terminal), with stderr kept in a file to read it
      // after the terminal is gone; the shell outlives the terminal to record the exit code.
      const command = `trap '' HUP; ${roster} 2>${dir}/stderr & echo $! > ${dir}/pid; wait $!; echo $? > ${dir}/code`;
      const terminal = spawn("script", ["-qfec", command, "/dev/null"], {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          TERM: "xterm-256color",
          TELNYX_API_KEY: TEST_API_KEY,
          TELNYX_BASE_URL: sandbox.url,
        },
        stdio: ["pipe", "pipe", "pipe"],
      });
      terminal.stdout.resume();
      try {
        // Well into the removals (200 of them, 40 ms each, 4 at a time: about 2 s in all).
        while (auditLines(log) < 10 && !existsSync(`${dir}/code`)) await pause(10);
        // The window closes: the terminal hangs up, and the shell passes SIGHUP on to its job, as bash does.
        terminal.kill("SIGKILL");
        process.kill(Number(readFileSync(`${dir}/pid`, "utf8")), "SIGHUP");
        while (!existsSync(`${dir}/code`)) await pause(20);
        await pause(50);
        assert.is(readFileSync(`${dir}/code`, "utf8").trim(), "130", "exit code");
        const stderr = readFileSync(`${dir}/stderr`, "utf8");
        assert.not.match(stderr, "Native stack trace", "Node restoring a terminal that is gone does not abort");
        assertNoWarning(stderr, "roster apply at a closed terminal");
        const lines = readAuditLog(log);
        assert.is(sandbox.users().length, 221 - lines.length, "every removal made has its audit line");
        assert.ok(lines.length < 200, "no new removal started after the hang-up");
      } finally {
        terminal.kill("SIGKILL");
      }
    });
  }));

test.run();
