import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ProgressFigures } from "../../src/apply/progress.js";
import { lineText } from "../../src/render/lines.js";
import {
  formatDuration,
  formatEta,
  formatRate,
  formatWaiting,
  liveProgressLines,
  packPieces,
  progressBar,
  progressLogLine,
} from "../../src/render/progress-lines.js";
import { wrapWords } from "../../src/render/wrap-words.js";

const figures = (over: Partial<ProgressFigures> = {}): ProgressFigures => ({
  total: 1000,
  done: 304,
  fraction: 0.304,
  elapsedMs: 12_300,
  rate: 24.7,
  etaMs: 28_200,
  inFlight: 16,
  retries: 3,
  waiting: undefined,
  stopping: false,
  ...over,
});
const counts = { removed: 300, already_absent: 4, failed: 0 };

test("durations read as people say them", () => {
  assert.equal([0, 999, 42_000, 185_000, 3_725_000].map(formatDuration), [
    "0 s",
    "0 s",
    "42 s",
    "3 min 05 s",
    "1 h 02 min",
  ]);
  assert.is(formatRate(24.71), "24.7/s");
  assert.is(formatRate(312.4), "312/s");
  assert.is(formatEta(28_200), "about 29 s left");
  assert.is(formatEta(undefined), "time left unknown");
  assert.is(formatWaiting({ reason: "rate limit", ms: 800 }), "waiting 0.8 s for the rate limit");
  assert.is(formatWaiting({ reason: "retry", ms: 1_250 }), "waiting 1.3 s to retry");
});

test("the bar fills with the share done, cargo's style", () => {
  assert.is(progressBar(0, 12), "[>         ]");
  assert.is(progressBar(0.5, 12), "[=====>    ]");
  assert.is(progressBar(1, 12), "[==========]");
  assert.is(progressBar(1.7, 12), "[==========]", "never past full");
});

test("the live lines at 100 columns: bar and count, outcomes, figures", () => {
  assert.equal(liveProgressLines(figures(), counts, 100).map(lineText), [
    "Removing [============>                           ] 304 of 1000 (30%)",
    "300 removed, 4 already absent, 0 failed",
    "12 s elapsed, 24.7/s, about 29 s left, 16 in flight, 3 retries",
  ]);
});

test("at every width from 32 to 120 columns no live line is wider than the terminal", () => {
  const busy = figures({
    total: 20000,
    done: 19999,
    fraction: 0.99995,
    elapsedMs: 7_200_000,
    rate: 2.8,
    etaMs: 360,
    retries: 12345,
    waiting: { reason: "429", ms: 12_300 },
  });
  for (let width = 32; width <= 120; width++) {
    for (const row of liveProgressLines(busy, { removed: 19000, already_absent: 999, failed: 1000 }, width).map(
      lineText,
    )) {
      assert.ok(row.length <= width, `${width} columns: ${JSON.stringify(row)}`);
    }
  }
  assert.equal(
    liveProgressLines(figures(), counts, 30).map(lineText)[0],
    "Removing: 304 of 1000 (30%)",
    "no room for a bar: the count alone",
  );
});

test("the bar keeps its width and the block its line count as every figure grows, at every width from 32 to 120", () => {
  for (let width = 32; width <= 120; width += 4) {
    for (const total of [7, 150, 20000]) {
      const shapes = new Set<string>();
      for (const share of [0, 0.001, 0.01, 0.1, 0.5, 0.99, 1]) {
        const done = Math.floor(total * share);
        const f = figures({
          total,
          done,
          fraction: done / total,
          elapsedMs: share * 3_600_000,
          rate: share === 0 ? undefined : 40 * share,
          etaMs: share === 0 ? undefined : (1 - share) * 500_000,
          inFlight: Math.min(16, total - done),
          retries: Math.floor(share * 9999),
        });
        const lines = liveProgressLines(f, { removed: done, already_absent: 0, failed: 0 }, width).map(lineText);
        shapes.add(`${lines.length} lines, bar ${/\[[=> ]*\]/.exec(lines[0]!)?.[0].length ?? 0}`);
      }
      assert.is(shapes.size, 1, `${total} removals at ${width} columns: ${[...shapes].join("; ")}`);
    }
  }
});

test("once the run is stopping, the figures say what it waits for instead of the time left", () => {
  const lines = liveProgressLines(figures({ stopping: true, inFlight: 3 }), counts, 100).map(lineText);
  assert.equal(lines, [
    "Stopping [============>                           ] 304 of 1000 (30%)",
    "300 removed, 4 already absent, 0 failed",
    "12 s elapsed, 24.7/s, waiting for 3 in flight, 3 retries",
  ]);
  assert.match(
    lineText(progressLogLine(figures({ stopping: true, inFlight: 3 }), counts)),
    "; 12 s elapsed, 24.7/s, waiting for 3 in flight, 3 retries",
  );
});

test("pieces go on lines whole, never cut in the middle of a figure", () => {
  const lines = packPieces([{ text: "11110 removed" }, { text: "1235 already absent" }, { text: "0 failed" }], 40).map(
    lineText,
  );
  assert.equal(lines, ["11110 removed, 1235 already absent,", "0 failed"]);
});

test("a log's progress line says everything on one line", () => {
  assert.is(
    lineText(progressLogLine(figures({ waiting: { reason: "rate limit", ms: 800 } }), counts)),
    "Removing: 304 of 1000 done (30%): 300 removed, 4 already absent, 0 failed; 12 s elapsed, 24.7/s, about 29 s left, 16 in flight, 3 retries; waiting 0.8 s for the rate limit",
  );
});

test("text for the terminal wraps at spaces, keeps its indentation, and leaves a long word whole", () => {
  const prompt =
    "\nDo you want to remove 5 users from the organization at api.telnyx.com?\n  Only 'yes' will be accepted to approve.\n";
  assert.is(
    wrapWords(prompt, 40),
    "\nDo you want to remove 5 users from the\norganization at api.telnyx.com?\n  Only 'yes' will be accepted to\n  approve.\n",
  );
  assert.is(
    wrapWords("see averyveryveryverylongaddress@example.com now", 20),
    "see\naveryveryveryverylongaddress@example.com\nnow",
  );
  assert.is(wrapWords("short", 40), "short");
});

test.run();
