import { test } from "uvu";
import * as assert from "uvu/assert";
import { pagerCommand } from "../../src/terminal/pager.js";

test("the pager is chosen as git and gh choose it: ROSTER_PAGER, then PAGER, then less; empty or cat is none", () => {
  const cases: [NodeJS.ProcessEnv, string | undefined][] = [
    [{}, "less"],
    [{ PAGER: "more" }, "more"],
    [{ PAGER: "more", ROSTER_PAGER: "most -s" }, "most -s"],
    [{ PAGER: "more", ROSTER_PAGER: "" }, undefined],
    [{ PAGER: "cat" }, undefined],
    [{ PAGER: "  " }, undefined],
    [{ ROSTER_PAGER: " cat " }, undefined],
  ];
  for (const [env, chosen] of cases) assert.is(pagerCommand(env), chosen, JSON.stringify(env));
});

test.run();
