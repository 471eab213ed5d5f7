import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PROTECTION_REASONS } from "../../src/plan/protection.js";

const planSchema = JSON.parse(readFileSync(new URL("../../schema/plan.schema.json", import.meta.url), "utf8"));

test("a saved plan accepts exactly the protection reasons roster words", () => {
  assert.equal(
    planSchema.definitions.protectedUser.properties.reason.enum,
    PROTECTION_REASONS,
    "schema/plan.schema.json lists every reason of src/plan/protection.ts",
  );
});

test.run();
