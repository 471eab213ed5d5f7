import { once } from "node:events";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertNoKey, runCli, withTempDir } from "../helpers/cli.js";
import { screenLines } from "../helpers/screen.js";
import { startAtTerminal } from "../helpers/pty.js";

// roster's own messages on stderr, at a pseudo-terminal: wrapped at words, never cut mid-word by the terminal;
// and validate of a manifest that does not exist says so, and how to make one, without a position.

async function atTerminal(args: string[], columns: number, cwd: string) {
  const child = startAtTerminal(args, { columns, cwd });
  child.stdin.end();
  let shown = "";
  child.stdout.on("data", (d) => (shown += d));
  child.stderr.on("data", (d) => (shown += d));
  const [code] = await once(child, "exit");
  assertNoKey(shown, `roster ${args.join(" ")}`);
  return { code: code as number, screen: screenLines(shown, columns) };
}

/** Fails when a line of the screen ends in the middle of a word that the next line goes on with. */
function assertWrappedAtWords(screen: string[], words: string): void {
  const text = screen.filter(Boolean).join(" ");
  assert.match(text, words, "every word whole, in order");
}

for (const columns of [40, 80]) {
  test(`at ${columns} columns, a missing manifest is named with how to make one, wrapped at words`, async () => {
    await withTempDir(async (dir) => {
      const run = await atTerminal(["validate", "-f", "users.yaml"], columns, dir);
      assert.is(run.code, 1);
      for (const line of run.screen) assert.ok(line.length <= columns, line);
      assertWrappedAtWords(
        run.screen,
        "users.yaml: the file does not exist: create one from the organization with roster export -o users.yaml, or pass another manifest with -f FILE",
      );
      assert.not.match(run.screen.join("\n"), "1:1");
      assert.not.match(run.screen.join("\n"), "Nothing was changed");
    });
  });
}

test("at 60 columns an error with a long id is wrapped before the id, not through it", async () => {
  await withTempDir(async (dir) => {
    const run = await atTerminal(["apply", "plan-for-account-0b6c3e1a-9f2d-4c1b-8e7a-5d4f3c2b1a09.json"], 60, dir);
    assert.is(run.code, 1);
    const id = run.screen.find((l) => l.includes("0b6c3e1a"));
    assert.ok(id?.includes("plan-for-account-0b6c3e1a-9f2d-4c1b-8e7a-5d4f3c2b1a09.json"), run.screen.join("\n"));
  });
});

test("in a pipe, the same message is one line, without a position or 'Nothing was changed'", async () => {
  await withTempDir(async (dir) => {
    const run = await runCli(["validate", "-f", "users.yaml"], { cwd: dir });
    assert.is(run.code, 1);
    assert.is(
      run.stderr,
      "users.yaml: the file does not exist: create one from the organization with roster export -o users.yaml, or pass another manifest with -f FILE\n",
    );
  });
});

test.run();
