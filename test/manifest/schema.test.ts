import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { problems } from "../helpers/manifest.js";
import { SCHEMA_MESSAGES } from "../../src/manifest/schema-problems.js";
import { EXAMPLES, ROOT } from "../helpers/org.js";

const schema = JSON.parse(readFileSync(`${ROOT}schema/users.schema.json`, "utf8"));

/** Follows a data path ("users/*" then "/email") through the schema: properties, items, $ref, and else. */
function schemaNodeAt(place: string): Record<string, unknown> | undefined {
  const deref = (node: Record<string, unknown> | undefined): Record<string, unknown> | undefined => {
    if (node?.$ref) return deref(schema.definitions[String(node.$ref).replace("#/definitions/", "")]);
    return node;
  };
  let node = deref(schema);
  for (const segment of place === "" ? [] : place.split("/")) {
    if (segment === "*") {
      node = deref(node?.items as Record<string, unknown>);
    } else {
      // A user is "if string then email else mapping": a key can only be in the mapping.
      const mapping = node?.else ? deref(node.else as Record<string, unknown>) : node;
      node = deref((mapping?.properties as Record<string, Record<string, unknown>> | undefined)?.[segment]);
    }
  }
  return node;
}

test("every place with a message of its own is a place in the schema, and every place in the schema has one", () => {
  for (const place of Object.keys(SCHEMA_MESSAGES))
    assert.ok(schemaNodeAt(place), `"${place}" is not in schema/users.schema.json`);
  const places = [
    "",
    "version",
    "users",
    "users/*",
    "users/*/email",
    "users/*/name",
    "users/*/comment",
    "users/*/expires",
    "users/*/groups",
    "users/*/groups/*",
    "protect",
    "protect/*",
    "protect/*/group",
    "guards",
    "guards/max_removals",
    "guards/max_removal_percent",
    "guards/require_force_for_groups",
    "guards/require_force_for_groups/*",
    "policy",
    "policy/warn_before_expiry_days",
    "policy/inactive_after_days",
    "account",
    "account/id",
    "account/email",
    "account/organization_name",
  ];
  assert.equal(Object.keys(SCHEMA_MESSAGES).sort(), places.sort());
});

test("the example manifest names the schema for editors, and the path leads to it", () => {
  const first = readFileSync(`${EXAMPLES}users.yaml`, "utf8").split("\n")[0] ?? "";
  const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
  assert.ok(match, first);
  assert.is(resolve(dirname(`${EXAMPLES}users.yaml`), match[1]!), resolve(`${ROOT}schema/users.schema.json`));
});

test("a guard that is not a number is refused, NaN and infinity included, so a guard never silently stops guarding", () => {
  assert.equal(
    problems("version: 1\nusers:\n  - a@example.com\nguards:\n  max_removal_percent: .nan\n  max_removals: .inf\n"),
    [
      "users.yaml:5:24: max_removal_percent must be a number from 0 to 100, found the number NaN",
      "users.yaml:6:17: max_removals must be a whole number of 0 or more, found the number Infinity",
    ],
  );
  assert.equal(
    problems('version: 1\nusers:\n  - a@example.com\nguards:\n  max_removals: 2.5\n  max_removal_percent: "10"\n'),
    [
      "users.yaml:5:17: max_removals must be a whole number of 0 or more, found the number 2.5",
      'users.yaml:6:24: max_removal_percent must be a number from 0 to 100, found the text "10"',
    ],
  );
});

test("unknown keys in guards name the keys allowed, read from the schema", () => {
  assert.equal(problems("version: 1\nusers:\n  - a@example.com\nguards:\n  max_removal: 3\n"), [
    'users.yaml:5:3: unknown key "max_removal" in guards: the keys allowed are max_removals, max_removal_percent, require_force_for_groups',
  ]);
});

test("keys that are not text are refused before anything else is read", () => {
  assert.equal(problems("version: 1\nusers:\n  - a@example.com\n1: x\n"), [
    "users.yaml:4:1: keys in the manifest must be plain words, found the number 1",
  ]);
  assert.equal(problems("version: 1\nusers:\n  - email: a@example.com\n    ? [x]\n    : y\n"), [
    "users.yaml:4:7: keys in a user must be plain words, found a list",
  ]);
});

test("a key named __proto__ is an unknown key like any other", () => {
  assert.equal(problems("version: 1\nusers:\n  - a@example.com\n__proto__: {}\n"), [
    'users.yaml:4:1: unknown key "__proto__" in the manifest: the keys allowed are version, users, protect, guards, policy, account',
  ]);
});

test("empty items and empty emails are errors at their place, and a mapping without email says so", () => {
  assert.equal(problems("version: 1\nusers:\n  -\n  - email:\n  - name: Ann\n"), [
    "users.yaml:3:4: expected an email, found nothing",
    "users.yaml:4:5: expected an email, found nothing",
    'users.yaml:5:5: a user written as a mapping needs an "email" key',
  ]);
});

test("a protect pattern of only spaces is refused", () => {
  assert.equal(problems("version: 1\nusers:\n  - a@example.com\nprotect:\n  - ' '\n"), [
    'users.yaml:5:5: a protect pattern must be non-empty text such as "*@partners.example.com", or { group: NAME }, found the text " "',
  ]);
});

test("emails longer than 254 characters are refused", () => {
  const long = `${"a".repeat(250)}@example.com`;
  assert.equal(problems(`version: 1\nusers:\n  - ${long}\n`), [
    `users.yaml:3:5: invalid email "${long}": write it as name@domain.example`,
  ]);
});

test("a user with a bad email is not also reported as a duplicate, and one with an unknown key still is", () => {
  assert.equal(
    problems("version: 1\nusers:\n  - a@example.com\n  - email: A@example.com\n    role: x\n  - a@@example.com\n"),
    [
      'users.yaml:4:5: duplicate user "a@example.com" (first at line 3)',
      'users.yaml:5:5: unknown key "role" in a user: the keys allowed are email, name, comment, expires, groups',
      'users.yaml:6:5: invalid email "a@@example.com": write it as name@domain.example',
    ],
  );
});

test.run();
