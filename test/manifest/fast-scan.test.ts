import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { isMap, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { scanPlainManifest, type DataPath } from "../../src/manifest/fast-scan.js";
import { mulberry32 } from "../../src/sandbox/faults.js";
import { parseManifest, parseManifestWithYaml } from "../../src/manifest/parse-manifest.js";
import { EXAMPLES } from "../helpers/org.js";

// Values chosen to sit on both sides of the line between text and not-text, plain and not-plain.
const PLAIN_VALUES = [
  "alice@example.com",
  "Bob.Smith@Example.COM",
  '"quoted@example.com"',
  "'single@example.com'",
  "x@example.com # c",
  "José García",
  "user+tag@example.com",
  '"*@partners.example.com"',
  "on call",
  "joined 2026-10, has not signed in yet",
  "o'brien@example.com",
  "a[1]{2}@example.com",
  'say "hi"',
];
const VALUES = [
  "a#b@example.com",
  "a, b",
  "[x], y",
  "x: y, z",
  "a,b #c,d",
  "x@example.com # trailing comment",
  "x@example.com#not-a-comment",
  "123",
  "1.5",
  "0x1F",
  "1e3",
  "true",
  "no",
  "null",
  "~",
  ".inf",
  "José García",
  "name: value",
  "[a@example.com]",
  "{a: b}",
  "&anchor a@example.com",
  "*alias",
  "!!str tag",
  "-dash@example.com",
  "?q@example.com",
  "@at@example.com",
  "%pct",
  "`tick`",
  '"with \\"escape\\""',
  "'it''s'",
  '"*@partners.example.com"',
  "user+tag@example.com",
  "  padded@example.com  ",
  "a  b",
  "multi word comment",
  "ünï@example.com",
  "e\u2028x@example.com",
  "",
];
// Protect patterns and emails on both sides of roster's own checks: unsupported syntax, look-alikes,
// decomposed letters, internationalised domains.
const IDENTITY_VALUES = [
  "svc-[ab]@example.com",
  "{a,b}@example.com",
  ".*@example.com",
  "*@.*example.com",
  "ops+*@example.com",
  "a*+@example.com",
  "svc.*@example.com",
  "(a|b)@example.com",
  "^x@example.com",
  "x@example.com$",
  "jose\u0301*@example.com",
  "*@bücher.example",
  "user@bücher.example",
  "user@xn--bcher-kva.example",
  "*@p\u0430rtners.example.com",
  "соре@example.com",
  "ΟΔΟΣ@example.com",
  "a@example.com.",
  "a@xn--zz.example",
];
const INDENTS = ["", " ", "  ", "    "];
// expires: values on both sides of a calendar date, and of text.
const DATE_VALUES = [
  "2099-12-31",
  "2026-02-30",
  "'2030-01-15'",
  "2026-12-01T10:00:00Z",
  "2026-12-01 # last day",
  "20261201",
  "soon",
];
const POLICY_VALUES = ["0", "1", "14", "90", "-1", "1.5", '"30"', "x", "90 # days"];

function pick<T>(rnd: () => number, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)]!;
}

function generate(rnd: () => number): string {
  const lines: string[] = [];
  const value = () =>
    rnd() < 0.93 ? pick(rnd, PLAIN_VALUES) : rnd() < 0.5 ? pick(rnd, VALUES) : pick(rnd, IDENTITY_VALUES);
  const maybeComment = () =>
    rnd() < 0.15 ? lines.push(`${pick(rnd, INDENTS)}# note ${value()}`) : rnd() < 0.1 && lines.push("");
  const keys = ["version", "users", "protect", "guards", "policy", "unknown"].filter(
    (k) => rnd() < (k === "unknown" ? 0.1 : k === "policy" ? 0.3 : 0.85),
  );
  for (const key of keys.sort(() => rnd() - 0.5)) {
    maybeComment();
    if (key === "version") {
      lines.push(`version: ${rnd() < 0.7 ? "1" : pick(rnd, ["2", "01", "1.0", '"1"', "1 # v", "one"])}`);
    } else if (key === "guards") {
      lines.push("guards:");
      const indent = pick(rnd, INDENTS.slice(1));
      for (const g of ["max_removals", "max_removal_percent", "max_removals"].slice(0, 1 + Math.floor(rnd() * 3))) {
        lines.push(`${indent}${g}: ${rnd() < 0.7 ? "3" : pick(rnd, ["12.5", "0", "-1", "x", "1e2", "7 # c"])}`);
      }
    } else if (key === "policy") {
      lines.push("policy:");
      const indent = pick(rnd, INDENTS.slice(1));
      for (const p of ["warn_before_expiry_days", "inactive_after_days", "idle"].filter(
        (p) => rnd() < (p === "idle" ? 0.05 : 0.6),
      )) {
        lines.push(`${indent}${p}: ${rnd() < 0.7 ? "30" : pick(rnd, POLICY_VALUES)}`);
      }
    } else {
      lines.push(`${key}:${rnd() < 0.1 ? " " : ""}`);
      const indent = pick(rnd, INDENTS);
      const count = Math.floor(rnd() * 5);
      for (let i = 0; i < count; i += 1) {
        maybeComment();
        if (key === "users" && rnd() < 0.35) {
          lines.push(`${indent}- email: ${value()}`);
          for (const field of ["name", "comment", "expires", "email", "role"].filter(
            (f) => rnd() < (f === "email" || f === "role" ? 0.05 : f === "expires" ? 0.3 : 0.4),
          )) {
            const text =
              field !== "expires"
                ? value()
                : rnd() < 0.7
                  ? "2099-12-31"
                  : rnd() < 0.9
                    ? pick(rnd, DATE_VALUES)
                    : value();
            lines.push(`${indent}${rnd() < 0.95 ? "  " : "   "}${field}: ${text}`);
          }
        } else {
          lines.push(`${rnd() < 0.95 ? indent : pick(rnd, INDENTS)}-${rnd() < 0.9 ? " " : "   "}${value()}`);
        }
      }
    }
  }
  return lines.join("\n") + (rnd() < 0.8 ? "\n" : "");
}

function paths(value: unknown, prefix: DataPath = []): DataPath[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...paths(v, [...prefix, i])]);
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
  return [];
}

// What an `account:` mapping may hold: ids (in either case, padded), emails, organization names, and values
// the schema or YAML reads otherwise.
const ACCOUNT_ENTRIES = [
  "id: 0215f31d-8a8a-4037-b2c4-952f2128806d",
  "id: 0215F31D-8A8A-4037-B2C4-952F2128806D",
  'id: " 0215f31d-8a8a-4037-b2c4-952f2128806d "',
  "email: accounts@harbor-dental.example.com",
  "organization_name: Harbor Dental LLC",
  "organization_name: 'Cedar Realty Group'",
];
const ACCOUNT_KEYS = ["id", "email", "organization_name", "name"];
const ACCOUNT_VALUES = ["0215f31d", "Smith & Sons", "12345", "null", '""', "a@b # c"];

/** A generated manifest with an `account:` mapping before or after the rest, from its own random stream. */
function withAccount(text: string, rnd: () => number): string {
  const lines = rnd() < 0.05 ? [`account: { id: ${pick(rnd, ACCOUNT_ENTRIES).split(": ")[1]} }`] : ["account:"];
  if (lines[0] === "account:") {
    const indent = pick(rnd, INDENTS.slice(1));
    for (let i = rnd() < 0.95 ? 1 : 2; i > 0; i -= 1) {
      const entry =
        rnd() < 0.85
          ? pick(rnd, ACCOUNT_ENTRIES)
          : `${pick(rnd, ACCOUNT_KEYS)}: ${rnd() < 0.5 ? pick(rnd, ACCOUNT_VALUES) : pick(rnd, VALUES)}`;
      lines.push(`${rnd() < 0.95 ? indent : pick(rnd, INDENTS)}${entry}${rnd() < 0.1 ? " # the account" : ""}`);
    }
  }
  const block = `${lines.join("\n")}\n`;
  return rnd() < 0.5 ? block + text : `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${block}`;
}

/** Whether the fast reader accepted `text`, failing when yaml reads what it accepted otherwise. */
function readsAlike(text: string, seed: number): boolean {
  const fast = scanPlainManifest(text);
  if (!fast) return false;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  assert.equal(doc.errors, [], `seed ${seed}: the fast reader accepted what yaml refuses:\n${text}`);
  assert.equal(fast.value, doc.toJS(), `seed ${seed}: different data for\n${text}`);
  for (const path of paths(fast.value)) {
    const node = doc.getIn(path, true) as Node | undefined;
    if (!node?.range || (!isMap(node) && !isSeq(node) && (node as { value?: unknown }).value === null)) continue;
    const { line, col } = lineCounter.linePos(node.range[0]);
    assert.equal(fast.positionOf(path), { line, col }, `seed ${seed}: position of ${path.join(".")} in\n${text}`);
  }
  return true;
}

test("whatever the fast reader accepts, yaml reads to the same data at the same places", () => {
  let accepted = 0;
  for (let seed = 1; seed <= 4000; seed += 1) {
    if (readsAlike(generate(mulberry32(seed)), seed)) accepted += 1;
  }
  assert.ok(accepted > 300, `the generator should produce plenty of plain manifests (got ${accepted})`);
});

test("with an account: mapping as well, whatever the fast reader accepts, yaml reads alike", () => {
  let accepted = 0;
  for (let seed = 1; seed <= 4000; seed += 1) {
    if (readsAlike(withAccount(generate(mulberry32(seed)), mulberry32(seed ^ 0xacc)), seed)) accepted += 1;
  }
  assert.ok(accepted > 300, `the generator should produce plenty of plain manifests with an account (got ${accepted})`);
});

function outcome(read: () => unknown): unknown {
  try {
    return { manifest: read() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

test("a manifest reads the same, and is refused with the same words, whichever reading serves it", () => {
  let fast = 0;
  for (let seed = 1; seed <= 6000; seed += 1) {
    const text = generate(mulberry32(seed));
    const full = outcome(() => parseManifestWithYaml(text, "users.yaml"));
    assert.equal(
      outcome(() => parseManifest(text, "users.yaml")),
      full,
      `seed ${seed}:\n${text}`,
    );
    if (scanPlainManifest(text) && "manifest" in (full as object)) fast += 1;
  }
  assert.ok(fast > 100, `plenty of valid manifests should take the fast path (got ${fast})`);
});

test("a manifest naming its account reads the same, and is refused with the same words, whichever reading serves it", () => {
  let fast = 0;
  for (let seed = 1; seed <= 6000; seed += 1) {
    const text = withAccount(generate(mulberry32(seed)), mulberry32(seed ^ 0xacc));
    const full = outcome(() => parseManifestWithYaml(text, "users.yaml"));
    assert.equal(
      outcome(() => parseManifest(text, "users.yaml")),
      full,
      `seed ${seed}:\n${text}`,
    );
    if (scanPlainManifest(text) && "manifest" in (full as object)) fast += 1;
  }
  assert.ok(fast > 50, `plenty of valid manifests with an account should take the fast path (got ${fast})`);
});

test("the example manifest and the common forms take the fast path", () => {
  const fast = scanPlainManifest(
    '# who may log in\nversion: 1\nusers:\n  - alice@example.com  # lead\n  - email: bob@example.com\n    comment: on call\nprotect:\n  - "*@partners.example.com"\n',
  );
  assert.equal(fast?.value, {
    version: 1,
    users: ["alice@example.com", { email: "bob@example.com", comment: "on call" }],
    protect: ["*@partners.example.com"],
  });
  assert.equal(fast?.positionOf(["users", 1, "email"]), { line: 5, col: 12 });
});

test("a manifest naming its account takes the fast path", () => {
  const fast = scanPlainManifest(
    "version: 1\naccount:\n  id: 0215f31d-8a8a-4037-b2c4-952f2128806d  # Harbor Dental\nusers:\n  - alice@example.com\n",
  );
  assert.equal(fast?.value, {
    version: 1,
    account: { id: "0215f31d-8a8a-4037-b2c4-952f2128806d" },
    users: ["alice@example.com"],
  });
  assert.equal(fast?.positionOf(["account", "id"]), { line: 3, col: 7 });
  for (const selector of [
    "email: accounts@northwind-logistics.example.com",
    "organization_name: Harbor Dental LLC",
    'organization_name: "Cedar Realty Group"',
  ]) {
    assert.ok(scanPlainManifest(`version: 1\naccount:\n  ${selector}\nusers:\n  - alice@example.com\n`), selector);
  }
});

test("the example manifest takes the fast path", () => {
  assert.ok(scanPlainManifest(readFileSync(`${EXAMPLES}users.yaml`, "utf8")));
});

test("no space but the plain one indents a line or ends a value: a manifest with another reads as yaml reads it", () => {
  // What String.prototype.trim removes besides the space and tab (which the fast reader refuses), and NEL.
  const spaces = [..."\u000b\u000c\u0085\u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"];
  for (const space of spaces) {
    for (const text of [
      `version: 1\nusers:\n${space}${space}- a@example.com\n`,
      `version: 1\nusers:\n  - a@example.com\n${space}  - b@example.com\n`,
      `version: 1\nusers:\n  - ${space}a@example.com\n`,
      `version: 1\nusers:\n  - a@example.com${space}\n`,
      `version: 1\nusers:\n  - "a@example.com"${space}\n`,
      `version: 1\nusers:\n  - email: a@example.com\n    name: Bob${space}\n`,
      `version: 1${space}\nusers:\n  - a@example.com\n`,
      `version: 1\nusers:\n${space}# note\n  - a@example.com\n`,
      `version: 1\nguards:\n  max_removals: 3${space}\nusers:\n  - a@example.com\n`,
    ]) {
      readsAlike(text, 0);
      const full = outcome(() => parseManifestWithYaml(text, "users.yaml"));
      assert.equal(
        outcome(() => parseManifest(text, "users.yaml")),
        full,
        JSON.stringify(text),
      );
    }
  }
});

test("anything doubtful is left to the yaml library", () => {
  for (const text of [
    "version: 1\r\nusers:\r\n  - a@example.com\r\n",
    "version: 1\nusers:\n\t- a@example.com\n",
    "version: 1\nusers: [a@example.com]\n",
    "version: 1\nusers:\n  - &x a@example.com\n  - *x\n",
    "version: 1\nusers:\n  - 42\n",
    "version: 1\nusers:\n  - a@example.com\n---\nversion: 1\n",
    "version: 1\nversion: 1\n",
    "",
  ]) {
    assert.is(scanPlainManifest(text), undefined, JSON.stringify(text));
  }
});

test.run();
