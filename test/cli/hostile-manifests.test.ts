import { readdirSync, writeFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MAX_MANIFEST_BYTES } from "../../src/manifest/load-manifest.js";
import { runCli, tempDir, TEST_API_KEY } from "../helpers/cli.js";
import { ROOT, exampleOrg } from "../helpers/org.js";
import { withSandbox } from "../helpers/sandbox.js";

const DIR = `${ROOT}test/fixtures/hostile/`;
const INVISIBLE = ": it contains U+%s, an invisible or control character: type the address again";
const hidden = (code: string) => INVISIBLE.replace("%s", code);
const YAML_CONTROL = (code: string, hint = "") =>
  `the manifest holds U+${code}, a control character YAML does not allow${hint}: remove it`;
const NOT_UTF8 = "the manifest is not valid UTF-8: save it as UTF-8 text";
const ALIAS = "YAML aliases (*name) are not allowed in a manifest: write the value out";
const TOO_DEEP = /^\d+:\d+: nested too deeply to read: a manifest is a mapping holding lists of emails$/;

/** The first problem each hostile manifest gets, after "FILE:": its line, column and message. */
const EXPECTED: Record<string, string | RegExp> = {
  "alias-bomb.yaml": `6:10: ${ALIAS}`,
  "alias-user.yaml": `4:5: ${ALIAS}`,
  "anchor-shadowing.yaml": `5:5: ${ALIAS}`,
  "merge-key-alias.yaml": `4:9: ${ALIAS}`,
  "merge-key-yaml11.yaml": "6:5: keys in a user must be plain words, found the YAML merge key <<",
  "binary-tag.yaml": "4:14: expected an email, found binary data (!!binary)",
  "custom-tag.yaml": "4:5: YAML syntax error: Unresolved tag: !python/object:os.system",
  "tag-directive.yaml": "5:5: YAML syntax error: Unresolved tag: tag:evil.example,2024:user",
  "timestamp-tag.yaml": "4:17: expected an email, found a date",
  "set-tag.yaml": '2:14: "users" must be a list of emails, found a mapping',
  "deep-flow.yaml": TOO_DEEP,
  "deep-block.yaml": TOO_DEEP,
  "huge-key.yaml":
    "2:1: YAML syntax error: The : indicator must be at most 1024 chars after the start of an implicit block mapping key",
  "huge-email.yaml": /^3:5: invalid email "a{900,}… \(\d+ more characters\)$/,
  "long-email.yaml": /^3:5: invalid email "a{250}@example\.com": write it as name@domain\.example$/,
  "nul-byte.yaml": `3:22: ${YAML_CONTROL("0000", " (is it UTF-16 or a binary file? save it as UTF-8 text)")}`,
  "del-byte.yaml": `3:10: ${YAML_CONTROL("007F")}`,
  "c1-control.yaml": `3:26: ${YAML_CONTROL("009B")}`,
  "utf16-bom.yaml": "1:1: the manifest is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8",
  "utf16-no-bom.yaml": `1:1: ${YAML_CONTROL("0000", " (is it UTF-16 or a binary file? save it as UTF-8 text)")}`,
  "invalid-utf8.yaml": `4:6: ${NOT_UTF8}`,
  "overlong-utf8.yaml": `3:10: ${NOT_UTF8}`,
  "surrogate-utf8.yaml": `3:10: ${NOT_UTF8}`,
  "latin1.yaml": `3:8: ${NOT_UTF8}`,
  "multiple-docs.yaml":
    "4:1: several YAML documents in one file: a manifest is one document (remove the '---' separator)",
  "document-end-garbage.yaml":
    "5:1: several YAML documents in one file: a manifest is one document (remove the '---' separator)",
  "tab-indent.yaml": "3:1: YAML syntax error: Tabs are not allowed as indentation",
  "cr-only.yaml":
    "1:11: a carriage return without a line feed (old Mac line endings): save the file with LF or CRLF line endings",
  "crlf-bad-email.yaml": '4:5: invalid email "bob at example.com": write it as name@domain.example',
  "ansi-escape-email.yaml": `4:5: invalid email "\\u001b[2J\\u001b[1;1Hbob@example.com"${hidden("001B")}`,
  "bidi-email.yaml": `3:5: invalid email "\\u202emoc.elpmaxe@ecila"${hidden("202E")}`,
  "bidi-raw-email.yaml": `4:5: invalid email "\\u2067bob@example.com\\u2069"${hidden("2067")}`,
  "zero-width-email.yaml": `3:5: invalid email "al\\u200bice@example.com"${hidden("200B")}`,
  "nbsp-email.yaml": `3:5: invalid email "alice\u00a0@example.com"${hidden("00A0")}`,
  "cyrillic-lookalike.yaml":
    '3:5: invalid email "\u0430lice@example.com": it mixes Latin and Cyrillic letters (U+0430 looks like a Latin letter): type the address again',
  "greek-lookalike.yaml":
    '3:5: invalid email "b\u03bfb@example.com": it mixes Latin and Greek letters (U+03BF looks like a Latin letter): type the address again',
  "fullwidth-email.yaml":
    '3:5: invalid email "\uff41lice@example.com": it contains U+FF41, a compatibility form of "a": write "a"',
  "bidi-protect.yaml":
    "5:5: a protect pattern must not hold invisible or control characters: it would not match what it looks like",
  "duplicate-key-quoted.yaml": "4:1: duplicate key: each key may appear once in a mapping",
  "complex-key.yaml": "2:3: keys in the manifest must be plain words, found a list",
  "null-key.yaml": "4:1: keys in the manifest must be plain words, found nothing",
  "only-comments.yaml": '1:1: the manifest is empty: start it with "version: 1" and a "users:" list',
  "mid-file-bom.yaml": "4:1: YAML syntax error: Implicit map keys need to be followed by map values",
  "users-mapping.yaml": '3:3: "users" must be a list of emails, found a mapping',
  "nested-user-list.yaml": "3:5: expected an email, found a list",
  "version-string.yaml": '1:10: unsupported version "1": roster understands "version: 1"',
};

// Raw control characters and bidi overrides must never reach the terminal, whatever the manifest holds.
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/;

test("every hostile manifest in the corpus has an expected error", () => {
  assert.equal(readdirSync(DIR).sort(), Object.keys(EXPECTED).sort());
  assert.ok(Object.keys(EXPECTED).length >= 30);
});

test("each hostile manifest gets a positioned error and exit 1 from apply --yes, and no request reaches the API", async () => {
  const generated = tempDir();
  // Too large to keep in the repository: made here.
  writeFileSync(`${generated}/oversized.yaml`, Buffer.alloc(MAX_MANIFEST_BYTES + 1, 0x20));
  const cases: [string, string | RegExp][] = [
    ...Object.entries(EXPECTED).map(([name, expected]): [string, string | RegExp] => [`${DIR}${name}`, expected]),
    [
      `${generated}/oversized.yaml`,
      `1:1: the manifest is ${MAX_MANIFEST_BYTES + 1} bytes, over the limit of ${MAX_MANIFEST_BYTES} bytes (10 MiB)`,
    ],
    ["/dev/zero", "1:1: not a file: pass the path of a users.yaml manifest with -f"],
  ];
  await withSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY }, async (sandbox) => {
    const failures: string[] = [];
    // Four at a time: each is a process of its own.
    for (let i = 0; i < cases.length; i += 4) {
      await Promise.all(
        cases.slice(i, i + 4).map(async ([file, expected]) => {
          const run = await runCli(["apply", "--yes", "--force", "-f", file], {
            env: { TELNYX_BASE_URL: sandbox.url },
          });
          const [first = "", ...rest] = run.stderr.trimEnd().split("\n");
          const problem = first.startsWith(`${file}:`) ? first.slice(file.length + 1) : `(not positioned) ${first}`;
          const matches = typeof expected === "string" ? problem === expected : expected.test(problem);
          if (!matches) failures.push(`${file}:\n  expected ${expected}\n  got      ${problem.slice(0, 300)}`);
          if (run.code !== 1) failures.push(`${file}: exit ${run.code}`);
          if (run.stdout !== "") failures.push(`${file}: printed on stdout`);
          if (
            !/^roster: the manifest has (a problem|\d+ problems); fix (it|them) and run again\. Nothing was changed\.$/.test(
              rest.at(-1) ?? first,
            )
          ) {
            failures.push(`${file}: no closing line`);
          }
          if (RAW.test(run.stderr)) failures.push(`${file}: raw control characters reached the terminal`);
          if (run.stderr.split("\n").some((line) => line.length > 1200))
            failures.push(`${file}: a line over 1200 characters`);
        }),
      );
    }
    assert.equal(failures, []);
    assert.is(sandbox.stats.requests, 0, "no request reached the API");
    assert.is(sandbox.users().length, 30);
  });
});

test("a CRLF manifest with a byte-order mark and tabs inside comments is fine", async () => {
  const file = `${tempDir()}/users.yaml`;
  writeFileSync(
    file,
    "\ufeffversion: 1\r\nusers:\r\n  - alice@example.com\t# tab before a comment\r\n  - email: josé@example.com\r\n",
  );
  const run = await runCli(["validate", "-f", file]);
  assert.is(run.stdout, `${file}: valid manifest: 2 users\n`);
});

test.run();
