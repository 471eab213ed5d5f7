import { once } from "node:events";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { startSandbox, type Sandbox } from "../../src/sandbox/sandbox.js";
import { assertNoKey, TEST_API_KEY, writeTemp, withTempDir } from "../helpers/cli.js";
import { EXAMPLES, exampleOrg, makeOrg, manifestText } from "../helpers/org.js";
import { screenLines } from "../helpers/screen.js";
import { withSandbox } from "../helpers/sandbox.js";
import { startAtTerminal } from "../helpers/pty.js";

const terminal = suite<{ sandbox: Sandbox }>("terminal", { sandbox: undefined as unknown as Sandbox });
terminal.before.each(async (context) => {
  context.sandbox = await startSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY });
});
terminal.after.each(async ({ sandbox }) => {
  await sandbox.close();
});

// Colours and cursor movements, so the assertions read the text a person sees.
const plainText = (text: string) => text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");

/** How the pseudo-terminal is set up, and what is typed once something is shown. */
interface TerminalOptions {
  /** The terminal's width (stty cols); unset, the pseudo-terminal reports 0 columns. */
  columns?: number;
  env?: Record<string, string>;
  /** Typed once the output shows `after` (after the answer to the question). */
  then?: { after: string; type: string };
}

/**
 * Runs roster at a real terminal (a pseudo-terminal from util-linux's `script`, outside CI), answers the
 * confirmation with `answer` once it is asked, and returns what the terminal showed.
 */
async function atTerminal(args: string[], sandbox: Sandbox, answer: string, options: TerminalOptions = {}) {
  const child = startAtTerminal(args, {
    ...(options.columns ? { columns: options.columns, rows: 60 } : {}),
    env: { TELNYX_BASE_URL: sandbox.url, ...options.env },
  });
  let shown = "";
  let answered = false;
  let typed = false;
  child.stdout.on("data", (d) => {
    shown += d;
    if (!answered && shown.includes("Enter a value:")) {
      answered = true;
      child.stdin.write(`${answer}\r`);
    }
    const then = options.then;
    if (answered && then && !typed && plainText(shown.slice(shown.indexOf("Enter a value:"))).includes(then.after)) {
      typed = true;
      child.stdin.write(then.type);
    }
  });
  child.stderr.on("data", (d) => (shown += d));
  const [code] = await once(child, "exit");
  assertNoKey(shown, `roster ${args.join(" ")} at a terminal`);
  return {
    code: code as number,
    raw: shown,
    text: plainText(shown),
    screen: screenLines(shown, options.columns ?? 200),
  };
}

terminal(
  "at a terminal, apply draws the preview in colour, asks, and removes once the answer is yes",
  async ({ sandbox }) => {
    const run = await atTerminal(["apply", "-f", `${EXAMPLES}users.yaml`], sandbox, "yes");
    assert.is(run.code, 0, run.text);
    assert.match(run.raw, "\u001b[31m5 to remove", "the count of removals in red");
    assert.match(run.text, "Plan: 5 to remove, 22 to keep, 3 protected, 1 missing (30 users in the organization)");
    assert.match(run.text, "  - intern.2024@example.com           disabled  last sign-in never       Engineering\n");
    assert.match(run.text, "Do you want to remove 5 users from the organization at 127.0.0.1:");
    assert.match(run.text, "Removing [>", "the live bar");
    assert.match(run.text, "0 removed, 0 already absent, 0 failed");
    assert.match(run.text, "  removed        intern.2024@example.com\n");
    assert.match(run.text, "Apply complete: 5 removed, 0 already absent, 0 failed, of 5 planned removals.");
    assert.match(run.text, "Verified: the organization now matches the manifest.");
    assert.is(sandbox.users().length, 25);
  },
);

terminal(
  "a guard's refusal at a terminal is said once, in the preview, then that nothing was changed: exit 3, no question",
  async ({ sandbox }) => {
    await withTempDir(async (dir) => {
      const file = writeTemp(
        dir,
        "users.yaml",
        manifestText(
          exampleOrg()
            .slice(0, 6)
            .map((u) => u.email),
        ),
      );
      const run = await atTerminal(["apply", "-f", file], sandbox, "yes", { columns: 200 });
      assert.is(run.code, 3, run.text);
      const verdict =
        "would remove 24 of 30 users (80.0%), over the 25% guard: review the plan, then raise guards.max_removal_percent or pass --force";
      assert.match(run.text, `Refused: ${verdict}`);
      assert.is(run.text.split(verdict).length - 1, 1, "the verdict is shown once, not repeated on stderr");
      assert.not.match(run.text, "roster: refused:");
      assert.match(run.text, "\nNothing was changed.\n");
      assert.not.match(run.text, "Do you want to remove");
      assert.is(sandbox.stats.removeRequests.size, 0);
    });
  },
);

terminal("any answer but yes cancels, and nothing is removed", async ({ sandbox }) => {
  const run = await atTerminal(["apply", "-f", `${EXAMPLES}users.yaml`], sandbox, "y");
  assert.is(run.code, 1);
  assert.match(run.text, "Apply cancelled: nothing was changed.");
  assert.is(sandbox.stats.removeRequests.size, 0);
  assert.is(sandbox.users().length, 30);
});

terminal("Ctrl-C at the question cancels with exit 130, and nothing is removed", async ({ sandbox }) => {
  const run = await atTerminal(["apply", "-f", `${EXAMPLES}users.yaml`], sandbox, "\u0003");
  assert.is(run.code, 130);
  assert.match(run.text, "Apply cancelled (Ctrl-C): nothing was changed.");
  assert.is(sandbox.stats.removeRequests.size, 0);
});

// An SGR code that colours or styles text (bold, dim, red...): \e[0m and \e[39m only reset.
const STYLED = /\u001b\[(?:[1-9]|[1-9]\d*;[\d;]*|3[0-7]|9[0-7])m/;

for (const env of [{ NO_COLOR: "1" }, { FORCE_COLOR: "0" }] as Record<string, string>[]) {
  terminal(
    `${Object.entries(env)[0]!.join("=")} at a terminal: the preview and the progress have no colour or style`,
    async ({ sandbox }) => {
      const run = await atTerminal(["apply", "-f", `${EXAMPLES}users.yaml`], sandbox, "yes", { env });
      assert.is(run.code, 0, run.text);
      assert.match(run.text, "Plan: 5 to remove, 22 to keep");
      assert.match(run.text, "Apply complete: 5 removed");
      assert.not.ok(STYLED.test(run.raw), JSON.stringify(STYLED.exec(run.raw)?.[0]));
    },
  );
}

terminal(
  "at 40 columns the question, the progress and the summary are wrapped at words, never cut or garbled",
  async ({ sandbox }) => {
    const run = await atTerminal(["apply", "-f", `${EXAMPLES}users.yaml`], sandbox, "yes", { columns: 40 });
    assert.is(run.code, 0, run.text);
    // What roster wrote, line by line, before the terminal wrapped anything: no line is wider than 40 columns.
    for (const line of run.text.split("\n"))
      assert.ok(line.length <= 40, `wider than 40 columns: ${JSON.stringify(line)}`);
    const screen = run.screen.join("\n");
    assert.match(screen, "Do you want to remove 5 users from the\norganization at 127.0.0.1:");
    assert.match(screen, "  Only 'yes' will be accepted to\n  approve.\n");
    assert.match(
      screen,
      "\nApply complete: 5 removed, 0 already\nabsent, 0 failed, of 5 planned removals.\nVerified: the organization now matches\nthe manifest.",
    );
    assert.match(screen, "  removed        intern.2024@example.com");
    assert.not.match(screen, "Removing [", "the live lines are gone once the summary is drawn, leaving nothing behind");
  },
);

terminal("Ctrl-C during apply at a terminal: the Interrupted message stays in sight above the progress", async () => {
  const org = makeOrg(41);
  await withTempDir(async (dir) => {
    await withSandbox({ users: org, apiKey: TEST_API_KEY, latencyMs: 150 }, async (sandbox) => {
      const manifest = writeTemp(dir, "users.yaml", manifestText(org.slice(1, 11).map((u) => u.email)));
      const run = await atTerminal(["apply", "-f", manifest, "--force", "--concurrency", "2"], sandbox, "yes", {
        columns: 80,
        then: { after: "removed        user", type: "\u0003" },
      });
      assert.is(run.code, 130, run.text);
      const screen = run.screen.join("\n");
      assert.match(screen, "Interrupted: no new removal will start;", "not drawn over by the live lines");
      assert.match(
        screen,
        "Interrupted: no new removal will start; waiting for those in flight (press\nCtrl-C again to exit at once).",
      );
      assert.match(screen, /Apply interrupted: \d+ removed, 0 already absent, 0 failed, \d+ not started, of 30/);
      assert.ok(sandbox.users().length > 11, "removals stopped");
    });
  });
});

terminal.run();
