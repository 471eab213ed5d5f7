import { once } from "node:events";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertNoKey, TEST_API_KEY, withTempDir, writeTemp } from "../helpers/cli.js";
import { makeOrg, manifestText } from "../helpers/org.js";
import { withSandbox } from "../helpers/sandbox.js";
import { screenLines } from "../helpers/screen.js";
import { plainText, startAtTerminal } from "../helpers/pty.js";

// The live area of apply at a narrow terminal: the bar keeps its width, a large run says "No failures.",
// Ctrl-C turns the time left into what the run still waits for, and a second Ctrl-C leaves a summary, not a bar.

/**
 * Runs roster at a pseudo-terminal `columns` wide, answers "Enter a value:" with yes, then types each step's
 * text once the terminal has shown its `after` since the answer. Returns what the terminal was sent.
 */
async function atTerminal(
  args: string[],
  columns: number,
  url: string,
  cwd: string,
  steps: { after: string; type: string }[] = [],
) {
  const child = startAtTerminal(args, { columns, cwd, env: { TELNYX_BASE_URL: url } });
  let shown = "";
  let answeredAt = -1;
  let step = 0;
  child.stdout.on("data", (d) => {
    shown += d;
    if (answeredAt < 0 && shown.includes("Enter a value:")) {
      answeredAt = shown.length;
      child.stdin.write("yes\r");
    }
    if (answeredAt >= 0 && step < steps.length && plainText(shown.slice(answeredAt)).includes(steps[step]!.after)) {
      child.stdin.write(steps[step]!.type);
      answeredAt = shown.length;
      step += 1;
    }
  });
  child.stderr.on("data", (d) => (shown += d));
  const [code] = await once(child, "exit");
  assertNoKey(shown, `roster ${args.join(" ")} at a terminal`);
  const after = shown.slice(shown.indexOf("Enter a value:"));
  return { code: code as number, raw: after, text: plainText(after), screen: screenLines(after, columns) };
}

test("at 40 columns the bar keeps its width from the first removal to the last, and a large run without failures says so", async () => {
  const org = makeOrg(181);
  await withTempDir(async (dir) => {
    writeTemp(dir, "users.yaml", manifestText(org.slice(1, 31).map((u) => u.email)));
    await withSandbox({ users: org, apiKey: TEST_API_KEY, latencyMs: 15 }, async (sandbox) => {
      const run = await atTerminal(
        ["apply", "-f", "users.yaml", "--force", "--concurrency", "4"],
        40,
        sandbox.url,
        dir,
      );
      assert.is(run.code, 0, run.text);
      const bars = [...run.text.matchAll(/Removing (\[[=> ]*\]) +(\d+) of 150/g)];
      assert.ok(bars.length >= 3, `several frames: ${bars.length}`);
      const widths = new Set(bars.map((b) => b[1]!.length));
      assert.is(widths.size, 1, `one width of bar: ${[...widths].join(", ")}`);
      assert.ok(
        bars.some((b) => Number(b[2]) < 10) && bars.some((b) => Number(b[2]) >= 100),
        "frames with one and three digits",
      );
      const screen = run.screen.join("\n");
      assert.match(
        screen,
        "Listing only failures of the 150\nremovals.\nNo failures.\n\nApply complete: 150 removed, 0 already\n",
      );
      assert.not.match(run.text, "--audit-log FILE records", "no advice to pass what may have been passed");
      for (const row of run.screen) assert.ok(row.length <= 40, row);
    });
  });
});

test("Ctrl-C shows what the run waits for instead of its time left; a second leaves the summary of what is known, not the live area", async () => {
  const org = makeOrg(41);
  await withTempDir(async (dir) => {
    writeTemp(dir, "users.yaml", manifestText(org.slice(1, 11).map((u) => u.email)));
    await withSandbox({ users: org, apiKey: TEST_API_KEY, latencyMs: 1500 }, async (sandbox) => {
      const steps = [
        { after: "removed        user", type: "\u0003" },
        { after: "waiting for 2 in flight", type: "\u0003" },
      ];
      const run = await atTerminal(
        ["apply", "-f", "users.yaml", "--force", "--concurrency", "2"],
        60,
        sandbox.url,
        dir,
        steps,
      );
      assert.is(run.code, 130, run.text);
      const stopping = run.text.slice(run.text.indexOf("Interrupted:"));
      assert.match(stopping, /Stopping \[[=> ]+\] \d+ of 30/, "the bar says the run is stopping");
      const waitingFrame = stopping.slice(
        stopping.indexOf("Stopping ["),
        stopping.indexOf("waiting for 2 in flight") + 30,
      );
      assert.not.match(waitingFrame, /left/, "no time left for a run that is stopping");
      const screen = run.screen.join("\n");
      assert.match(screen, "Exiting at once. 2 removals in flight may or may not have\nhappened; run roster plan.");
      assert.match(
        screen,
        /Exited at once: \d+ removed, 0 already absent, 0 failed, 2 in\nflight \(may or may not have happened\), \d+ not started, of 30\nplanned removals\./,
      );
      assert.not.match(screen, /(Removing|Stopping) \[/, "the live lines are gone from the screen");
      assert.not.match(screen, /elapsed/, "and their figures");
    });
  });
});

test.run();
