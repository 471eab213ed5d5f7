import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { ReportReader, type ReportBody } from "../../src/telnyx/report-reader.js";

// The groups report is parsed as it arrives, run by run of whole users: whatever the body and wherever it is cut
// into pieces, the reader gives what JSON.parse of the whole gives, or refuses.

/** The reader's answer for `text` given in the pieces cut at `cuts`, or the error it throws. */
function readInPieces(text: string, cuts: number[]): ReportBody | Error {
  // Runs of users parsed every few characters, so that every run boundary is tried.
  const reader = new ReportReader({ batchChars: 1 + ((cuts[0] ?? 0) % 40) });
  let from = 0;
  try {
    for (const cut of [...cuts.map((c) => c % (text.length + 1))].sort((a, b) => a - b)) {
      reader.write(text.slice(from, cut));
      from = cut;
    }
    reader.write(text.slice(from));
    return reader.end();
  } catch (error) {
    return error as Error;
  }
}

/** What the whole-text parse gives for the report's data, or undefined when it throws. */
function parsedWhole(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** The reader agrees with JSON.parse: the same value, or both refuse (a repeated "data" key it may refuse). */
function agrees(text: string, cuts: number[]): void {
  const got = readInPieces(text, cuts);
  const whole = parsedWhole(text);
  if (whole === undefined) {
    assert.instance(got, Error, `accepted what JSON.parse refuses: ${JSON.stringify(text)}`);
    return;
  }
  if (got instanceof Error) {
    assert.ok(/"data" more than once/.test(got.message), `refused ${JSON.stringify(text)}: ${got.message}`);
    return;
  }
  const value = "data" in got ? { ...(whole.value as object), data: got.data } : got.whole;
  assert.equal(value, whole.value, JSON.stringify(text));
}

const users = fc.array(
  fc.oneof(
    fc.record({
      id: fc.uuid(),
      email: fc.emailAddress(),
      groups: fc.array(fc.record({ id: fc.string(), name: fc.string() })),
    }),
    fc.jsonValue(),
  ),
  { maxLength: 12 },
);
const body = fc
  .tuple(users, fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 2 }), fc.constantFrom(0, 1, 2), fc.boolean())
  .map(([data, extra, indent, dataFirst]) =>
    JSON.stringify(dataFirst ? Object.assign({ data }, extra, { data }) : { ...extra, data }, null, indent),
  );
const cuts = fc.array(fc.nat(), { maxLength: 8 });

const test = suite("ReportReader: the groups report parsed as it arrives");

test("a body of the report's shape, cut anywhere, reads as JSON.parse reads it", () => {
  fc.assert(fc.property(body, cuts, agrees), { numRuns: 1500 });
});

test("a body with a character dropped, doubled or changed is refused exactly when JSON.parse refuses it", () => {
  const mutated = fc
    .tuple(body, fc.nat(), fc.constantFrom("drop", "double", "change"), fc.constantFrom(...'{}[],:"\\ 0an'))
    .map(([text, at, how, ch]) => {
      const i = at % Math.max(1, text.length);
      if (how === "drop") return text.slice(0, i) + text.slice(i + 1);
      if (how === "double") return text.slice(0, i + 1) + text.slice(i);
      return text.slice(0, i) + ch + text.slice(i + 1);
    });
  fc.assert(fc.property(mutated, cuts, agrees), { numRuns: 3000 });
});

test("users whose strings are full of braces, brackets, commas and escapes read as JSON.parse reads them", () => {
  const tricky = fc.string({ unit: fc.constantFrom(...'{}[],:"\\ a'), maxLength: 8 });
  const user = fc.record({ id: tricky, groups: fc.array(fc.record({ name: tricky }), { maxLength: 3 }) });
  const text = fc
    .tuple(fc.array(user, { maxLength: 8 }), fc.constantFrom(0, 2))
    .map(([data, indent]) => JSON.stringify({ data }, null, indent));
  fc.assert(fc.property(text, cuts, agrees), { numRuns: 1500 });
});

test("a table of edges", () => {
  for (const text of [
    '{"data":[]}',
    ' {\n "data" : [ ] , "meta": {"a": [1, "]"]} }\n',
    '{"data":[1,]}',
    '{"data":[,1]}',
    '{"data":[1]]}',
    '{"data":[1]',
    '{"data":[1],"data":[2]}',
    '{"data":[1],"data":[]}',
    '{"meta":1,"data":[1]}',
    '{"data":{"a":[1]}}',
    '{"data":["a,b]\\"", {"x":"}"}]}',
    '{"data":[{"a":"},{"},{"b":"x}"},{"c":["}",{"d":"]"}]}]}',
    '{"data":[{"a":"}"} , {"b":"{"}, {"c":"\\\\"},{"d":"\\"},{"}]}',
    "[1,2]",
    "",
    "not json",
  ])
    for (const cut of [[], [1], [3, 9], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]]) agrees(text, cut);
});

test("a large report is parsed in runs as it arrives, and reads whole", () => {
  const data = Array.from({ length: 20_000 }, (_, i) => ({ id: String(i), email: `user${i}@example.com`, groups: [] }));
  const text = JSON.stringify({ data });
  const reader = new ReportReader();
  for (let at = 0; at < text.length; at += 16_384) reader.write(text.slice(at, at + 16_384));
  assert.equal(reader.end(), { data });
});

test.run();
