import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadManifest, MAX_MANIFEST_BYTES } from "../../src/manifest/load-manifest.js";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { problems } from "../helpers/manifest.js";
import { rejection, tempDir, writeTemp } from "../helpers/cli.js";
import { EXAMPLES } from "../helpers/org.js";

test("the example manifest loads with every user, the protect pattern and the written forms", async () => {
  const manifest = await loadManifest(`${EXAMPLES}users.yaml`);
  assert.is(manifest.users.length, 23);
  assert.equal(manifest.protect, ["*@partners.example.com"]);
  const yuki = manifest.users.find((u) => u.written === "Yuki.Tanaka@example.com");
  assert.is(yuki?.email, "yuki.tanaka@example.com");
  const kwame = manifest.users.find((u) => u.email === "kwame.mensah@example.com");
  assert.is(kwame?.comment, "on-call rotation");
});

test("emails are compared trimmed and lower-cased, and name and comment are kept", () => {
  const manifest = parseManifest(
    'version: 1\nusers:\n  - "  Alice@Example.COM "\n  - email: bob@example.com\n    name: Bob\n    comment: on call\n',
    "users.yaml",
  );
  assert.equal(
    manifest.users.map((u) => [u.email, u.position.line, u.position.col]),
    [
      ["alice@example.com", 3, 5],
      ["bob@example.com", 4, 12],
    ],
  );
  assert.is(manifest.users[1]?.name, "Bob");
});

test("a duplicate user names both lines, even when written in another case", () => {
  const text =
    "version: 1\nusers:\n  - alice@example.com\n  - carol@example.com\n  - dave@example.com\n  - erin@example.com\n  - bob@example.com\n  - frank@example.com\n  - gina@example.com\n  - hank@example.com\n  - ivan@example.com\n  - BOB@example.com\n";
  assert.equal(problems(text), ['users.yaml:12:5: duplicate user "bob@example.com" (first at line 7)']);
});

test("YAML syntax errors are positioned", () => {
  const [problem] = problems("version: 1\nusers:\n  - alice@example.com\n  - [unclosed\n");
  assert.match(problem ?? "", /^users\.yaml:\d+:\d+: YAML syntax error: /);
});

test("a duplicate YAML key is an error at the second key", () => {
  assert.equal(problems("version: 1\nusers:\n  - a@example.com\nversion: 1\n"), [
    "users.yaml:4:1: duplicate key: each key may appear once in a mapping",
  ]);
});

test("a missing version is an error that says what to add", () => {
  assert.equal(problems("users:\n  - a@example.com\n"), [
    'users.yaml:1:1: missing "version": add "version: 1" at the top of the manifest',
  ]);
});

test("an unsupported version names the value", () => {
  assert.equal(problems("version: 2\nusers:\n  - a@example.com\n"), [
    'users.yaml:1:10: unsupported version 2: roster understands "version: 1"',
  ]);
  assert.equal(problems('version: "1"\nusers:\n  - a@example.com\n'), [
    'users.yaml:1:10: unsupported version "1": roster understands "version: 1"',
  ]);
});

test("unknown keys are errors at the key, at the top and in a user", () => {
  assert.equal(problems("version: 1\nuser:\n  - a@example.com\nusers:\n  - email: b@example.com\n    role: admin\n"), [
    'users.yaml:2:1: unknown key "user" in the manifest: the keys allowed are version, users, protect, guards, policy, account',
    'users.yaml:6:5: unknown key "role" in a user: the keys allowed are email, name, comment, expires, groups',
  ]);
});

test("wrong types are errors that say what was found", () => {
  assert.equal(problems("version: 1\nusers: alice@example.com\n"), [
    'users.yaml:2:8: "users" must be a list of emails, found the text "alice@example.com"',
  ]);
  assert.equal(problems("version: 1\nusers:\n  - 42\n"), ["users.yaml:3:5: expected an email, found the number 42"]);
  assert.equal(problems("version: 1\nusers:\n  - email: a@example.com\n    name: [x]\n"), [
    'users.yaml:4:11: "name" must be text, found a list',
  ]);
  assert.equal(problems('version: 1\nusers:\n  - a@example.com\nprotect: "*@x.com"\n'), [
    'users.yaml:4:10: "protect" must be a list of email patterns such as "*@partners.example.com" or { group: NAME }, found the text "*@x.com"',
  ]);
});

test("an invalid email is an error at the value", () => {
  assert.equal(problems("version: 1\nusers:\n  - alice@example.com\n  - bob at example.com\n"), [
    'users.yaml:4:5: invalid email "bob at example.com": write it as name@domain.example',
  ]);
  assert.equal(problems("version: 1\nusers:\n  - email: carol@\n"), [
    'users.yaml:3:12: invalid email "carol@": write it as name@domain.example',
  ]);
});

test("an empty users list is refused: roster never plans to remove everyone by accident", () => {
  assert.equal(problems("version: 1\nusers: []\n"), [
    'users.yaml:2:8: "users" is empty: roster will not plan to remove everyone; list the users who stay',
  ]);
  assert.equal(problems("version: 1\nusers:\n"), ['users.yaml:2:1: "users" must be a list of emails, found nothing']);
});

test("an empty file says how to start", () => {
  assert.equal(problems(""), ['users.yaml:1:1: the manifest is empty: start it with "version: 1" and a "users:" list']);
});

test("every problem is reported at once, in file order", () => {
  assert.equal(problems("version: 3\nusers:\n  - nope\n  - 7\n"), [
    'users.yaml:1:10: unsupported version 3: roster understands "version: 1"',
    'users.yaml:3:5: invalid email "nope": write it as name@domain.example',
    "users.yaml:4:5: expected an email, found the number 7",
  ]);
});

test("aliases are refused, so an alias bomb never expands", () => {
  const [problem] = problems("version: 1\nusers:\n  - &a alice@example.com\n  - *a\n");
  assert.is(problem, "users.yaml:4:5: YAML aliases (*name) are not allowed in a manifest: write the value out");
});

test("guards are read and checked", () => {
  const manifest = parseManifest(
    "version: 1\nusers:\n  - a@example.com\nguards:\n  max_removals: 3\n  max_removal_percent: 12.5\n",
    "users.yaml",
  );
  assert.equal(manifest.guards, { maxRemovals: 3, maxRemovalPercent: 12.5 });
  assert.equal(
    problems("version: 1\nusers:\n  - a@example.com\nguards:\n  max_removals: -1\n  max_removal_percent: 101\n"),
    [
      "users.yaml:5:17: max_removals must be a whole number of 0 or more, found the number -1",
      "users.yaml:6:24: max_removal_percent must be a number from 0 to 100, found the number 101",
    ],
  );
});

test("a missing file, a byte-order mark, invalid UTF-8 and an oversized file are handled at load", async () => {
  const dir = tempDir();
  assert.is(
    (await rejection(loadManifest(`${dir}/nope.yaml`))).message,
    `${dir}/nope.yaml: the file does not exist: create one from the organization with roster export -o ${dir}/nope.yaml, or pass another manifest with -f FILE`,
  );
  const bom = writeTemp(dir, "bom.yaml", "\uFEFFversion: 1\nusers:\n  - a@example.com\n");
  assert.is((await loadManifest(bom)).users.length, 1);
  const bad = writeTemp(
    dir,
    "bad.yaml",
    Buffer.concat([Buffer.from("version: 1\nusers:\n  - a"), Buffer.from([0xff, 0xfe]), Buffer.from("@example.com\n")]),
  );
  assert.is(
    (await rejection(loadManifest(bad))).message,
    `${bad}:3:6: the manifest is not valid UTF-8: save it as UTF-8 text`,
  );
  const big = writeTemp(dir, "big.yaml", Buffer.alloc(MAX_MANIFEST_BYTES + 1, 0x20));
  assert.match(
    (await rejection(loadManifest(big))).message,
    `${big}:1:1: the manifest is ${MAX_MANIFEST_BYTES + 1} bytes, over the limit`,
  );
});

test("one manifest's decoding leaves nothing to the next: after invalid UTF-8, a byte-order mark or a truncated character", async () => {
  const dir = tempDir();
  const text = "version: 1\nusers:\n  - a@example.com\n";
  const cut = writeTemp(dir, "cut.yaml", Buffer.concat([Buffer.from(text), Buffer.from([0xe2, 0x82])]));
  const bom = writeTemp(dir, "bom.yaml", `\uFEFF${text}`);
  const plain = writeTemp(dir, "plain.yaml", text);
  for (const path of [cut, plain, bom, plain, cut, bom]) {
    const loaded = await loadManifest(path).catch((error: Error) => error.message);
    const expected =
      path === cut ? `${cut}:4:1: the manifest is not valid UTF-8: save it as UTF-8 text` : "a@example.com";
    assert.is(typeof loaded === "string" ? loaded : loaded.users[0]!.email, expected, path);
  }
});

test("a file holding more than its size said (as Linux's /proc files do) is refused as changed while it was read", async () => {
  if (process.platform !== "linux") return;
  assert.is(
    (await rejection(loadManifest("/proc/self/status"))).message,
    "/proc/self/status:1:1: the manifest changed while it was being read: run roster again once it is saved",
  );
});

test.run();
