import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GUARD_KEYS, guardData, guardSettings } from "../../src/manifest/guard-keys.js";

const planSchema = JSON.parse(readFileSync(new URL("../../schema/plan.schema.json", import.meta.url), "utf8"));
const usersSchema = JSON.parse(readFileSync(new URL("../../schema/users.schema.json", import.meta.url), "utf8"));

test("the manifest, saved plans and verdicts name the guards alike", () => {
  const names = Object.values(GUARD_KEYS);
  assert.equal(
    Object.keys(usersSchema.properties.guards.properties),
    names,
    "users.schema.json names the guards of guard-keys.ts",
  );
  assert.equal(
    Object.keys(planSchema.properties.manifest.properties.guards.properties),
    names,
    "a saved plan's manifest guards",
  );
  assert.equal(planSchema.properties.guard.properties.guard.enum, names, "a saved plan's verdict names a guard");
});

test("guards read from a file are written back under the same names", () => {
  assert.equal(guardSettings({ max_removals: 5, max_removal_percent: 12.5 }), {
    maxRemovals: 5,
    maxRemovalPercent: 12.5,
  });
  assert.equal(
    guardData({ maxRemovalPercent: 0 }),
    { max_removal_percent: 0 },
    "a guard of 0 is kept; an unset one is left out",
  );
  assert.equal(guardSettings(undefined), {});
});

test.run();
