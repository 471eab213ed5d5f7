import { test } from "uvu";
import * as assert from "uvu/assert";
import { colorWanted } from "../../src/render/color.js";

test("NO_COLOR with any value, FORCE_COLOR=0 or false turn colour off; an empty NO_COLOR does not", () => {
  assert.ok(colorWanted({}));
  assert.not.ok(colorWanted({ NO_COLOR: "1" }));
  assert.not.ok(colorWanted({ NO_COLOR: "false" }), "any non-empty value, as no-color.org says");
  assert.ok(colorWanted({ NO_COLOR: "" }));
  assert.not.ok(colorWanted({ FORCE_COLOR: "0" }));
  assert.not.ok(colorWanted({ FORCE_COLOR: "false" }));
  assert.ok(colorWanted({ FORCE_COLOR: "1" }));
});

test.run();
