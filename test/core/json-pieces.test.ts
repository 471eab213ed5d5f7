import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { jsonPieces } from "../../src/core/json-pieces.js";
import { escapeInvisibleInJson, jsonText } from "../../src/core/safe-text.js";

// A plan of 100,000 users is written as JSON piece by piece: the pieces, joined, must be the very text
// JSON.stringify writes, whatever the value.

/** The pieces jsonPieces emits, in order. */
function piecesOf(value: unknown, indent: number, depth?: number): string[] {
  const out: string[] = [];
  jsonPieces(value, indent, (piece) => out.push(piece), depth);
  return out;
}

const test = suite("jsonPieces: JSON.stringify's text, in pieces");

test("any JSON value, at any indentation and depth, joins to JSON.stringify's text", () => {
  fc.assert(
    fc.property(
      fc.jsonValue(),
      fc.integer({ min: 0, max: 4 }),
      fc.integer({ min: 0, max: 5 }),
      (value, indent, depth) => {
        assert.is(piecesOf(value, indent, depth).join(""), JSON.stringify(value, null, indent));
      },
    ),
    { numRuns: 2000 },
  );
});

test("what JSON leaves out or asks of toJSON, as JSON.stringify does", () => {
  const value = {
    gone: undefined,
    list: [undefined, () => 1, { inner: undefined }, Symbol("s")],
    when: new Date(0),
    asked: { toJSON: (key: string) => `asked for ${key}` },
    empty: [],
    none: {},
    nested: [[[1, [2, { three: [3] }]]]],
  };
  for (const indent of [0, 2]) assert.is(piecesOf(value, indent).join(""), JSON.stringify(value, null, indent));
});

test("a list of many users is many pieces, none of them more than a few hundred users", () => {
  const users = Array.from({ length: 1000 }, (_, i) => ({ id: String(i), email: `user${i}@example.com` }));
  const pieces = piecesOf({ changes: users }, 2);
  const usersIn = (piece: string) => piece.split('"email"').length - 1;
  assert.ok(pieces.length >= 4, `${pieces.length} pieces`);
  assert.ok(Math.max(...pieces.map(usersIn)) <= 256, `${Math.max(...pieces.map(usersIn))} users in one piece`);
  assert.is(
    pieces.map(usersIn).reduce((a, b) => a + b),
    1000,
  );
});

test("items with a toJSON of their own are asked under their index in the whole list", () => {
  const list = Array.from({ length: 600 }, (_, i) => (i % 250 === 7 ? { toJSON: (key: string) => `item ${key}` } : i));
  for (const indent of [1, 2]) assert.is(piecesOf({ list }, indent).join(""), JSON.stringify({ list }, null, indent));
});

test("escaping each piece escapes what jsonText escapes (bidi and zero-width characters)", () => {
  const value = { email: "a\u202eb@example.com", groups: ["x\u200by", "\u2028"], note: "\u007f" };
  assert.is(piecesOf(value, 2).map(escapeInvisibleInJson).join(""), jsonText(value, 2));
});

test.run();
