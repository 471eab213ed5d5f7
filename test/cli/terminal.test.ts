import { spawn } from "node:child_process";
import { once } from "node:events";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { startSandbox, type Sandbox } from "../../src/sandbox/sandbox.js";
import { assertNoKey, TEST_API_KEY } from "../helpers/cli.js";
import { EXAMPLES, ROOT, exampleOrg } from "../helpers/org.js";

const terminal = suite<{ sandbox: Sandbox }>("terminal", { sandbox: undefined as unknown as Sandbox });
terminal.before.each(async (context) => {
  context.sandbox = await startSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY });
});
terminal.after.each(async ({ sandbox }) => {
  await sandbox.close();
});

const shellQuote = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;
// Colours and cursor movements, so the assertions read the text a person sees.
const plainText = (text: string) => text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");

/**
 * Runs roster at a real terminal (a pseudo-terminal from util-linux's `script`, outside CI), answers the
 * confirmation with `answer` once it is asked, and returns what the terminal showed.
 */
async function atTerminal(args: string[], sandbox: Sandbox, answer: string) {
  const command = [process.execPath, `${ROOT}dist/roster.js`, ...args].map(shellQuote).join(" ");
  const child = spawn("script", ["-qfec", command, "/dev/null"], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: "xterm-256color", TELNYX_API_KEY: TEST_API_KEY, TELNYX_BASE_URL: sandbox.url },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let shown = "";
  let answered = false;
  child.stdout.on("data", (d) => {
    shown += d;
    if (!answered && shown.includes("Enter a value:")) {
      answered = true;
      child.stdin.write(`${answer}\r`);
    }
  });
  child.stderr.on("data", (d) => (shown += d));
  const [code] = await once(child, "exit");
  assertNoKey(shown, `roster ${args.join(" ")} at a terminal`);
  return { code: code as number, raw: shown, text: plainText(shown) };
}

terminal("at a terminal, apply draws the preview in colour, asks, and removes once the answer is yes", async ({ sandbox }) => {
  const run = await atTerminal(["apply", "-f", `${EXAMPLES}users.yaml`], sandbox, "yes");
  assert.is(run.code, 0, run.text);
  assert.match(run.raw, "\u001b[31m5 to remove", "the count of removals in red");
  assert.match(run.text, "Plan: 5 to remove, 22 to keep, 3 protected, 1 missing (30 users in the organization)");
  assert.match(run.text, "  - intern.2024@example.com           disabled  last sign-in never\n");
  assert.match(run.text, "Do you want to remove 5 users from the organization at 127.0.0.1:");
  assert.match(run.text, "Removing: 0 of 5 done (0 removed, 0 already absent, 0 failed)", "the live counter");
  assert.match(run.text, "  removed        intern.2024@example.com\n");
  assert.match(run.text, "Apply complete: 5 removed, 0 already absent, 0 failed, of 5 planned removals.");
  assert.match(run.text, "Verified: the organization now matches the manifest.");
  assert.is(sandbox.users().length, 25);
});

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

terminal.run();
