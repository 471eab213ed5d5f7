import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { plural, thousands } from "../../src/core/plural.js";

test("counts are written with a comma between each group of three digits, as en-US writes them", () => {
  const cases: [number, string][] = [
    [0, "0"],
    [7, "7"],
    [999, "999"],
    [1000, "1,000"],
    [65_536, "65,536"],
    [100_000, "100,000"],
    [1_048_576, "1,048,576"],
  ];
  for (const [count, text] of cases) assert.is(thousands(count), text, String(count));
  fc.assert(
    fc.property(
      fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      (count) => thousands(count) === count.toLocaleString("en-US"),
    ),
  );
});

test("a count agrees with its word", () => {
  assert.is(plural(1, "user"), "1 user");
  assert.is(plural(0, "user"), "0 users");
  assert.is(plural(2, "entry", "entries"), "2 entries");
});

test.run();
