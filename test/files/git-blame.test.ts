import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { blameManifest, parsePorcelain, pullRequestOf, type Blame } from "../../src/files/git-blame.js";
import { withTempDir } from "../helpers/cli.js";
import { commitAll, commitAs, git, gitEnv, gitInit } from "../helpers/git.js";

const ANN = { name: "Ann Auditor", email: "ann@acme.example", time: 1_767_607_200 }; // 2026-01-05T10:00:00Z
const BEN = { name: "Ben Builder", email: "ben@acme.example", time: 1_767_693_600 }; // 2026-01-06T10:00:00Z

/** The environment roster hands git in the tests: the machine's configuration left out. */
const envFor = (dir: string) => ({ PATH: process.env.PATH ?? "", HOME: dir, ...gitEnv(dir) });

const lines = (blame: Blame) => {
  if (blame.kind !== "blamed") throw new Error(`no blame: ${blame.why}`);
  return blame.lines;
};

test("the pull request a subject names: GitHub's squash (#42) and merge commits; else null", () => {
  const cases: [string, number | null][] = [
    ["Add bob (#42)", 42],
    ["Merge pull request #7 from org/add-carol", 7],
    ['Revert "Add bob (#42)" (#43)', 43],
    ["Add bob #42", null],
    ["Fix (#abc)", null],
    ["Add bob", null],
    ["", null],
    ["Bump (#1234567890123)", null],
  ];
  for (const [subject, number] of cases) assert.is(pullRequestOf(subject), number, subject);
});

test("porcelain output: each line's commit, author, mail, time and subject, the headers given once per commit", () => {
  const sha = "4b2e21e1e678c917a2c408977eac2cdea859ac88";
  const text = [
    `${sha} 1 1 2`,
    "author Ann Auditor",
    "author-mail <ann@acme.example>",
    "author-time 1767607200",
    "author-tz +0100",
    "summary Add alice (#3)",
    "boundary",
    "filename users.yaml",
    "\tversion: 1",
    `${sha} 2 2`,
    "\tusers:",
    `${"0".repeat(40)} 3 3 1`,
    "author Not Committed Yet",
    "author-mail <not.committed.yet>",
    "author-time 1767700000",
    "summary Version of users.yaml from users.yaml",
    "filename users.yaml",
    "\t  - author a@b.example",
    "",
  ].join("\n");
  const approval = {
    commit: sha,
    author: "Ann Auditor",
    author_email: "ann@acme.example",
    date: "2026-01-05T10:00:00Z",
    subject: "Add alice (#3)",
    pull_request: 3,
  };
  assert.equal(
    parsePorcelain(text),
    new Map([
      [1, approval],
      [2, approval],
      [3, null],
    ]),
  );
});

test("git blame of a real repository: two authors, a pull request's squash, a merge, and a line not committed yet", async () => {
  await withTempDir(async (dir) => {
    gitInit(dir);
    writeFileSync(`${dir}/users.yaml`, "version: 1\nusers:\n  - alice@acme.example\n");
    const first = commitAll(dir, ANN, "Start the manifest");
    writeFileSync(`${dir}/users.yaml`, "version: 1\nusers:\n  - alice@acme.example\n  - bob@acme.example\n");
    const second = commitAll(dir, BEN, "Add bob (#42)");
    git(dir, ["checkout", "-q", "-b", "add-carol"]);
    writeFileSync(
      `${dir}/users.yaml`,
      "version: 1\nusers:\n  - alice@acme.example\n  - bob@acme.example\n  - carol@acme.example\n",
    );
    commitAll(dir, ANN, "Add carol");
    git(dir, ["checkout", "-q", "main"]);
    commitAs(dir, BEN, ["merge", "-q", "--no-ff", "-m", "Merge pull request #7 from org/add-carol", "add-carol"]);
    const merge = git(dir, ["rev-parse", "HEAD"]).trim();
    writeFileSync(
      `${dir}/users.yaml`,
      "version: 1\nusers:\n  - alice@acme.example\n  - bob@acme.example\n  - carol@acme.example\n  - dave@acme.example\n",
    );
    const blamed = lines(await blameManifest(`${dir}/users.yaml`, envFor(dir)));
    assert.equal(blamed.get(3), {
      commit: first,
      author: "Ann Auditor",
      author_email: "ann@acme.example",
      date: "2026-01-05T10:00:00Z",
      subject: "Start the manifest",
      pull_request: null,
    });
    assert.equal(blamed.get(4), { ...blamed.get(4)!, commit: second, author: "Ben Builder", pull_request: 42 });
    assert.equal(
      blamed.get(5),
      { ...blamed.get(5)!, commit: merge, author: "Ben Builder", pull_request: 7 },
      "a line merged from a branch is the merge's: the commit that brought it to main",
    );
    assert.is(blamed.get(6), null, "not committed yet");
    assert.is(blamed.size, 6);

    // A symbolic link to the manifest is blamed as the file it points to.
    mkdirSync(`${dir}/elsewhere`);
    symlinkSync(`${dir}/users.yaml`, `${dir}/elsewhere/link.yaml`);
    assert.equal(lines(await blameManifest(`${dir}/elsewhere/link.yaml`, envFor(dir))).get(4), blamed.get(4));
  });
});

test("no blame, with the reason: outside a Git work tree, a file not committed yet, no git on PATH", async () => {
  await withTempDir(async (dir) => {
    mkdirSync(`${dir}/plain`);
    writeFileSync(`${dir}/plain/users.yaml`, "version: 1\n");
    assert.equal(await blameManifest(`${dir}/plain/users.yaml`, envFor(`${dir}/plain`)), {
      kind: "none",
      why: `${dir}/plain/users.yaml is not in a Git work tree`,
    });
    mkdirSync(`${dir}/repo`);
    gitInit(`${dir}/repo`);
    writeFileSync(`${dir}/repo/users.yaml`, "version: 1\n");
    assert.equal(await blameManifest(`${dir}/repo/users.yaml`, envFor(`${dir}/repo`)), {
      kind: "none",
      why: `${dir}/repo/users.yaml is not committed yet`,
    });
    writeFileSync(`${dir}/repo/other.yaml`, "x\n");
    git(`${dir}/repo`, ["add", "other.yaml"]);
    commitAs(`${dir}/repo`, ANN, ["commit", "-q", "-m", "Something else"]);
    assert.equal(
      await blameManifest(`${dir}/repo/users.yaml`, envFor(`${dir}/repo`)),
      { kind: "none", why: `${dir}/repo/users.yaml is not committed yet` },
      "in a repository with commits, but never committed",
    );
    assert.equal(await blameManifest(`${dir}/plain/users.yaml`, { ...envFor(dir), PATH: `${dir}/no-such-folder` }), {
      kind: "none",
      why: "git was not found (install Git, or put it on PATH)",
    });
  });
});

test.run();
