import { applyPatch, createTwoFilesPatch, formatPatch } from "diff";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { sortedDiffHunks, type SortedLine } from "../../src/render/sorted-diff.js";

/** A deterministic pseudo-random generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const lines = (keys: readonly string[]): SortedLine[] => keys.map((key) => ({ key, text: `${key}  note` }));
const text = (keys: readonly string[]) => keys.map((k) => `${k}  note\n`).join("");
const patch = (before: readonly string[], after: readonly string[], context = 3) =>
  formatPatch({
    oldFileName: "live",
    newFileName: "after",
    oldHeader: undefined,
    newHeader: undefined,
    hunks: sortedDiffHunks(lines(before), lines(after), context),
  });

test("the linear merge gives exactly the patch the diff package computes, on many random sorted rosters", () => {
  const next = random(42);
  for (let round = 0; round < 300; round += 1) {
    const universe = Array.from(
      { length: Math.floor(next() * 40) },
      (_, i) => `user${String(i).padStart(3, "0")}@example.com`,
    );
    const before = universe.filter(() => next() < 0.7);
    const after = universe.filter((k) => (before.includes(k) ? next() < 0.75 : next() < 0.1));
    const context = Math.floor(next() * 4);
    const expected = createTwoFilesPatch("live", "after", text(before), text(after), undefined, undefined, { context });
    assert.is(
      patch(before, after, context),
      expected,
      `round ${round}: ${before.length} before, ${after.length} after, context ${context}`,
    );
  }
});

test("applying the patch to the live roster gives the roster after apply", () => {
  const before = Array.from({ length: 200 }, (_, i) => `u${String(i).padStart(4, "0")}@example.com`);
  const after = before.filter((_, i) => i % 3 !== 0 && i !== 199);
  assert.is(applyPatch(text(before), patch(before, after)), text(after));
});

test("identical rosters give no hunks", () => {
  assert.equal(sortedDiffHunks(lines(["a", "b"]), lines(["a", "b"])), []);
});

test('20,000 removals among 40,000 users: every one is a "-" line, in one hunk as they are one line apart', () => {
  const before = Array.from({ length: 40_000 }, (_, i) => `u${String(i).padStart(6, "0")}@example.com`);
  const after = before.filter((_, i) => i % 2 === 0);
  const hunks = sortedDiffHunks(lines(before), lines(after));
  const removed = hunks.reduce((n, h) => n + h.lines.filter((l) => l.startsWith("-")).length, 0);
  assert.is(removed, 20_000);
  assert.is(hunks.length, 1);
});

test.run();
