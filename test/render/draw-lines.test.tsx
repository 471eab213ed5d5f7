import fc from "fast-check";
import { render } from "ink-testing-library";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { checkGuards } from "../../src/plan/guards.js";
import { planRemovals } from "../../src/plan/plan.js";
import { drawLines, wrapLine } from "../../src/render/draw-lines.js";
import { renderPlanToString } from "../../src/render/ink/render-plan.js";
import { LinesView } from "../../src/render/ink/LinesView.js";
import { line, lineText, toned, type Line } from "../../src/render/lines.js";
import { planLines } from "../../src/render/plan-lines.js";
import { makeOrg, manifestText, SMALL_MANIFEST, smallOrg } from "../helpers/org.js";

// The terminal preview is drawn without ink: the same text as ink's view, wrapped so that a row's
// continuation lines keep its indent, in ink's colours.

const texts = (lines: Line[]) => lines.map(lineText);

const CASES: { name: string; line: Line; width: number; expected: string[] }[] = [
  {
    name: "a line that fits is left alone",
    line: line("  - a@example.com  active"),
    width: 40,
    expected: ["  - a@example.com  active"],
  },
  {
    name: "a removal row continues under its email",
    line: line(
      toned("remove", "  - someone.long@example.com"),
      "  enabled ",
      toned("muted", "  last sign-in 2026-01-02"),
    ),
    width: 40,
    expected: ["  - someone.long@example.com  enabled", "    last sign-in 2026-01-02"],
  },
  {
    name: "a protected row continues under its email",
    line: line(toned("protected", "  = bot@partners.example.com"), toned("muted", "  matches *@partners.example.com")),
    width: 40,
    expected: ["  = bot@partners.example.com  matches", "    *@partners.example.com"],
  },
  {
    name: "a drift row continues under its email, word by word",
    line: line(
      toned("warn", "  ≠ kept@example.com"),
      toned("muted", "  in [Admins]; manifest says [Admins, Billing, Support]"),
    ),
    width: 40,
    expected: ["  ≠ kept@example.com  in [Admins];", "    manifest says [Admins, Billing,", "    Support]"],
  },
  {
    name: "a warning continues under its text",
    line: line(toned("warn", '  ! protect pattern "*@old.example.com" matches no user')),
    width: 30,
    expected: ["  ! protect pattern", '    "*@old.example.com"', "    matches no user"],
  },
  {
    name: "an indented line without a sign keeps its indent",
    line: line("      groups: Team 001, Team 002, Team 003"),
    width: 24,
    expected: ["      groups: Team 001,", "      Team 002, Team 003"],
  },
  {
    name: "a heading starts at column 0, as its continuation does",
    line: line(toned("heading", "Missing from the organization (1): "), "invite them"),
    width: 24,
    expected: ["Missing from the", "organization (1): invite", "them"],
  },
  {
    name: "a word longer than the room is cut at the room, under the indent",
    line: line("  - abcdefghijklmnopqrstuvwxyz@example.com"),
    width: 20,
    expected: ["  - abcdefghijklmnop", "    qrstuvwxyz@examp", "    le.com"],
  },
  {
    name: "trailing padding is dropped",
    line: line("  - a@example.com     ", "   "),
    width: 40,
    expected: ["  - a@example.com"],
  },
];

for (const c of CASES) {
  test(`wrapping: ${c.name}`, () => {
    assert.equal(texts(wrapLine(c.line, c.width)), c.expected);
  });
}

test("wrapping keeps every word in order, no line wider than the width, no continuation at column 0 of an indented row", () => {
  const word = fc.stringMatching(/^[a-z@.-]{1,14}$/);
  const row = fc.record({
    indent: fc.constantFrom("", "  ", "  - ", "  = ", "  ≠ ", "      "),
    words: fc.array(word, { minLength: 1, maxLength: 12 }),
    gaps: fc.array(fc.constantFrom(" ", "  ", "   "), { minLength: 12, maxLength: 12 }),
    width: fc.integer({ min: 16, max: 100 }),
  });
  fc.assert(
    fc.property(row, ({ indent, words, gaps, width }) => {
      const text = indent + words.map((w, i) => (i === 0 ? w : gaps[i]! + w)).join("");
      const wrapped = texts(wrapLine(line(toned("remove", text.slice(0, 5)), text.slice(5)), width));
      for (const l of wrapped) assert.ok(l.length <= width, `${l.length} > ${width}: ${l}`);
      if (indent !== "")
        for (const l of wrapped.slice(1))
          assert.ok(l.startsWith(" "), `continuation at column 0: ${JSON.stringify(wrapped)}`);
      assert.is(wrapped.join("").replace(/ /g, ""), text.replace(/ /g, ""));
    }),
    { numRuns: 300 },
  );
});

test("tones stay with their characters across a wrap", () => {
  const [first, second] = wrapLine(
    line(toned("remove", "  - someone@example.com"), toned("muted", "  last sign-in never")),
    26,
  );
  assert.equal(first, [{ text: "  - someone@example.com", tone: "remove" }]);
  assert.equal(second, [{ text: "    " }, { text: "last sign-in never", tone: "muted" }]);
});

test("colours are ink's: red removals, cyan protected, magenta missing, bold headings, dim notes; none without colour", () => {
  const lines = [
    line(toned("heading", "Remove 1 user:")),
    line(toned("remove", "  - a@example.com"), toned("muted", "  never")),
    line(toned("protected", "  = b@example.com")),
    line(toned("missing", "  ? c@example.com")),
  ];
  assert.is(
    drawLines(lines, 80, true),
    "\u001b[1mRemove 1 user:\u001b[22m\n\u001b[31m  - a@example.com\u001b[39m\u001b[2m  never\u001b[22m\n\u001b[36m  = b@example.com\u001b[39m\n\u001b[35m  ? c@example.com\u001b[39m",
  );
  assert.is(
    drawLines(lines, 80, false),
    "Remove 1 user:\n  - a@example.com  never\n  = b@example.com\n  ? c@example.com",
  );
});

test("the preview's text is ink's text where nothing wraps", () => {
  const plan = planRemovals(parseManifest(SMALL_MANIFEST, "users.yaml"), smallOrg());
  const verdict = checkGuards(plan, {});
  const { lastFrame, unmount } = render(<LinesView lines={planLines(plan, { verdict, width: 100 })} />);
  assert.is(renderPlanToString(plan, { verdict }, 100, false), lastFrame());
  unmount();
});

for (const columns of [40, 80]) {
  test(`at ${columns} columns every wrapped part of a row is indented under it, and every removal is listed`, () => {
    const org = makeOrg(60);
    const plan = planRemovals(parseManifest(manifestText(org.slice(0, 50).map((u) => u.email)), "users.yaml"), org);
    const text = renderPlanToString(plan, { verdict: checkGuards(plan, {}) }, columns, false);
    const lines = text.split("\n");
    for (const l of lines) assert.ok(l.length <= columns, `${l.length} > ${columns}: ${l}`);
    const rows = lines.filter((l) => l.startsWith("  - "));
    assert.is(rows.length, plan.summary.remove);
    // Inside the removals' section, every line is a row ("  - ") or indented under one.
    const start = lines.findIndex((l) => l.startsWith("Remove "));
    const section = lines.slice(start + 1, lines.indexOf("", start + 1));
    for (const l of section)
      assert.ok(l.startsWith("  - ") || l.startsWith("    "), `a wrapped part at column ${l.search(/\S/)}: ${l}`);
  });
}

test.run();
