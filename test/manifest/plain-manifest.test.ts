import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { isPlainAddress } from "../../src/core/email.js";
import { validate } from "../../src/generated/manifest-schema.js";
import { schemaAccepts } from "../../src/manifest/plain-manifest.js";

const LOCAL_CHARS = [..."aZ09!#$%&'*+/=?^_`{|}~-"];
const LABEL_CHARS = [..."aZ09-"];

/** Addresses isPlainAddress takes, on both sides of the schema's 254 characters (a long label takes them past). */
const plainAddress = fc
  .tuple(
    fc.array(fc.string({ unit: fc.constantFrom(...LOCAL_CHARS), minLength: 1, maxLength: 12 }), { minLength: 1 }),
    fc.array(fc.string({ unit: fc.constantFrom(...LABEL_CHARS), maxLength: 12 }), { minLength: 2, maxLength: 4 }),
    fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, fc.integer({ min: 200, max: 260 })),
  )
  .map(([atoms, labels, long]) => `${atoms.join(".")}@${"a".repeat(long)}${labels.map((l) => `a${l}z`).join(".")}`)
  .filter(isPlainAddress);

/** Users the schema accepts or refuses: mostly plain addresses, and near misses, mappings and other types. */
const user = fc.oneof(
  { arbitrary: plainAddress, weight: 30 },
  fc.string({ unit: fc.constantFrom("a", "Z", "0", ".", "-", "@", " ", "xn--", '"', "é", "b.c", "\u0000") }),
  fc.record({ email: fc.oneof(plainAddress, fc.string()), name: fc.string() }, { requiredKeys: [] }),
  fc.constantFrom(null, 42, ["a@b.c"], { email: "a@b.c", role: "x" }),
);

/** Manifest data as a reading might hand it over, mostly valid: the schema's keys and others, of any kind. */
const data = fc
  .oneof(
    {
      arbitrary: fc.record({
        version: fc.constantFrom(1, 1, 1, 2, "1"),
        users: fc.oneof({ arbitrary: fc.array(user, { maxLength: 8 }), weight: 9 }, fc.constantFrom(null, "a@b.c", {})),
        extra: fc.oneof(
          { arbitrary: fc.constant({}), weight: 6 },
          fc.record({ protect: fc.array(fc.oneof(fc.string(), fc.record({ group: fc.string() })), { maxLength: 2 }) }),
          fc.record({ account: fc.record({ id: fc.uuid() }) }),
          fc.record({ unknown: fc.string() }),
        ),
      }),
      weight: 9,
    },
    fc.constantFrom(null, [], "version: 1", { users: ["a@b.c"] }),
  )
  .map(withExtraKeys);

/** The generated `extra` keys as keys of the manifest itself. */
function withExtraKeys(value: unknown): unknown {
  if (!value || typeof value !== "object" || !("extra" in value)) return value;
  const { extra, ...rest } = value as { extra: object };
  return { ...rest, ...extra };
}

test("the schema's answer skipping plain addresses is its answer over the whole manifest", () => {
  fc.assert(
    fc.property(data, (value) => schemaAccepts(value) === validate(value)),
    { numRuns: 5000 },
  );
});

test("the schema accepts every plain address of at most 254 characters as a user, and no longer one", () => {
  fc.assert(
    fc.property(plainAddress, (email) => {
      assert.is(validate({ version: 1, users: [email] }), email.length <= 254, email);
    }),
    { numRuns: 3000 },
  );
});

test.run();
