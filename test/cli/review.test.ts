import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { OrganizationUser } from "../../src/core/organization-user.js";
import { REVIEW_CSV_COLUMNS } from "../../src/render/review-csv.js";
import { runCli, TEST_API_KEY, withTempDir, type CliRun } from "../helpers/cli.js";
import { commitAll, commitAs, git, gitEnv, gitInit, type Author } from "../helpers/git.js";
import { liveUser } from "../helpers/org.js";
import { withSandbox, type TestSandbox } from "../helpers/sandbox.js";
import { CEDAR, HARBOR, label, managerSandbox, manifestFor, NORTHWIND } from "../helpers/accounts.js";

// `roster review` as a user runs it: the CLI as a subprocess against the sandbox, on manifests in Git
// repositories the tests make (two authors, a squashed pull request, a merge, a line not committed yet), in a
// folder outside Git, and without git at all. Nothing is ever removed.

const ANN: Author = { name: "Ann Auditor", email: "ann@acme.example", time: 1_767_607_200 }; // 2026-01-05T10:00:00Z
const BEN: Author = { name: "Ben Builder", email: "ben@acme.example", time: 1_767_693_600 }; // 2026-01-06T10:00:00Z

const ADMINS = [{ id: "g-admins", name: "Admins" }];
const ORG: OrganizationUser[] = [
  liveUser("u1", "owner@acme.example", {
    record_type: "organization_owner",
    last_sign_in_at: "2026-11-20T01:00:00Z",
    groups: ADMINS,
  }),
  liveUser("u2", "alice@acme.example", { last_sign_in_at: "2026-11-19T18:00:00Z", groups: ADMINS }),
  liveUser("u3", "bob@acme.example", { last_sign_in_at: "2026-10-01T08:00:00Z", groups: [] }),
  liveUser("u4", "carol@acme.example", { created_at: "2025-01-01T00:00:00Z", groups: [] }),
  liveUser("u5", "dave@acme.example", { last_sign_in_at: "2026-11-01T08:00:00Z", groups: [] }),
  liveUser("u6", "bot@partners.example", { last_sign_in_at: "2026-11-18T08:00:00Z", groups: [] }),
  liveUser("u7", "mallory@acme.example", { last_sign_in_at: "2025-11-01T08:00:00Z", groups: ADMINS }),
];

const HEAD = 'version: 1\nguards:\n  require_force_for_groups: [Admins]\nprotect:\n  - "*@partners.example"\nusers:\n';
const listing = (names: readonly string[]) => HEAD + names.map((name) => `  - ${name}@acme.example\n`).join("");

/**
 * A repository whose users.yaml lists alice (line 7, Ann's first commit), bob (line 8, Ben's "Add bob (#42)"),
 * carol (line 9, merged by Ben as pull request #7) and dave (line 10, not committed yet).
 */
function reviewedRepository(dir: string): { manifest: string; commits: Record<string, string> } {
  gitInit(dir);
  const manifest = `${dir}/users.yaml`;
  writeFileSync(manifest, listing(["alice"]));
  const first = commitAll(dir, ANN, "Start the manifest");
  writeFileSync(manifest, listing(["alice", "bob"]));
  const bob = commitAll(dir, BEN, "Add bob (#42)");
  git(dir, ["checkout", "-q", "-b", "add-carol"]);
  writeFileSync(manifest, listing(["alice", "bob", "carol"]));
  commitAll(dir, ANN, "Add carol");
  git(dir, ["checkout", "-q", "main"]);
  commitAs(dir, BEN, ["merge", "-q", "--no-ff", "-m", "Merge pull request #7 from org/add-carol", "add-carol"]);
  const merge = git(dir, ["rev-parse", "HEAD"]).trim();
  writeFileSync(manifest, listing(["alice", "bob", "carol", "dave"]));
  return { manifest, commits: { first, bob, merge } };
}

async function review(sandbox: TestSandbox, dir: string, args: string[], env: Record<string, string> = {}) {
  return runCli(["review", ...args], { env: { TELNYX_BASE_URL: sandbox.url, ...gitEnv(dir), ...env } });
}

/** A review document as --format json prints it. */
interface ReviewDocument {
  format_version: number;
  generated_at: string;
  users: Record<string, unknown>[];
  summary: Record<string, number>;
  notes: string[];
}
const json = (run: CliRun) => JSON.parse(run.stdout) as ReviewDocument;

/** The rows of RFC 4180 text, each a list of cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quoted && ch === '"' && text[i + 1] === '"') {
      cell += '"';
      i += 1;
    } else if (quoted) {
      if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      rows.push([...row, cell]);
      row = [];
      cell = "";
      i += 1;
    } else {
      cell += ch;
    }
  }
  assert.is(cell + row.join(""), "", "the CSV ends with CRLF");
  return rows;
}

/** The cells of each row of a Markdown table (a pipe escaped as \| is inside a cell), the header first. */
function markdownTable(text: string): string[][] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("| "))
    .map((line) =>
      line
        .slice(2, -2)
        .split(/(?<!\\) \| /)
        .map((cell) => cell.trim()),
    )
    .filter((cells) => cells[0] !== "---");
}

const test = suite("cli: roster review");

test("review --format json in a Git repository names the author and pull request of each line; nothing is removed", async () => {
  await withSandbox({ users: ORG, apiKey: TEST_API_KEY }, async (sandbox) => {
    await withTempDir(async (dir) => {
      const { manifest, commits } = reviewedRepository(dir);
      const run = await review(sandbox, dir, ["-f", manifest, "--format", "json"]);
      assert.is(run.code, 0, run.stderr);
      const doc = json(run);
      assert.is(doc.format_version, 1);
      assert.ok(Math.abs(Date.parse(doc.generated_at) - Date.now()) < 60_000, "generated now");
      const byEmail = new Map(doc.users.map((user) => [user.email, user]));
      assert.equal(
        doc.users.map((u) => [u.email, u.decision]),
        [
          ["alice@acme.example", "keep"],
          ["bob@acme.example", "keep"],
          ["bot@partners.example", "protected"],
          ["carol@acme.example", "keep"],
          ["dave@acme.example", "keep"],
          ["mallory@acme.example", "remove"],
          ["owner@acme.example", "protected"],
        ],
      );
      assert.equal(byEmail.get("alice@acme.example"), {
        email: "alice@acme.example",
        id: "u2",
        user_status: "enabled",
        groups: ["Admins"],
        last_sign_in_at: "2026-11-19T18:00:00Z",
        decision: "keep",
        kept_by: { reason: "manifest", line: 7 },
        approved: {
          commit: commits.first,
          author: "Ann Auditor",
          author_email: "ann@acme.example",
          date: "2026-01-05T10:00:00Z",
          subject: "Start the manifest",
          pull_request: null,
        },
        expires: null,
        idle_days: byEmail.get("alice@acme.example")!.idle_days,
        flags: ["privileged"],
      });
      assert.equal(byEmail.get("bob@acme.example")!.approved, {
        commit: commits.bob,
        author: "Ben Builder",
        author_email: "ben@acme.example",
        date: "2026-01-06T10:00:00Z",
        subject: "Add bob (#42)",
        pull_request: 42,
      });
      assert.equal(
        byEmail.get("carol@acme.example")!.approved,
        {
          commit: commits.merge,
          author: "Ben Builder",
          author_email: "ben@acme.example",
          date: "2026-01-06T10:00:00Z",
          subject: "Merge pull request #7 from org/add-carol",
          pull_request: 7,
        },
        "the merge that brought carol's line to main",
      );
      assert.equal(byEmail.get("carol@acme.example")!.flags, ["never_signed_in"]);
      assert.is(byEmail.get("dave@acme.example")!.approved, null, "its line is not committed yet");
      assert.equal(byEmail.get("bot@partners.example")!.kept_by, {
        reason: "protect",
        pattern: "*@partners.example",
        line: 5,
      });
      assert.equal((byEmail.get("bot@partners.example")!.approved as { commit: string }).commit, commits.first);
      assert.equal(byEmail.get("owner@acme.example")!.kept_by, { reason: "owner" });
      assert.is(byEmail.get("owner@acme.example")!.approved, null, "no line keeps the owner");
      assert.equal(byEmail.get("mallory@acme.example")!.kept_by, null);
      assert.equal(byEmail.get("mallory@acme.example")!.flags, ["privileged"]);
      assert.ok((byEmail.get("mallory@acme.example")!.idle_days as number) >= 365);
      assert.equal(doc.summary, {
        users: 7,
        keep: 4,
        remove: 1,
        protected: 2,
        approved: 4,
        idle: 0,
        never_signed_in: 1,
        expiring: 0,
        expired: 0,
        privileged: 3,
      });
      const note = `line 10 of ${manifest} is not committed yet: approved is null for the users they keep (commit them to record who approved)`;
      assert.equal(doc.notes, [note]);
      assert.is(run.stderr, `roster: note: ${note}.\n`, "said once on stderr");
      assert.is(sandbox.stats.removeRequests.size, 0, "review never sends a removal");
      assert.is(sandbox.users().length, ORG.length);
    });
  });
});

test("CSV and Markdown carry the same rows as JSON: CSV a header and one row a user, Markdown the counts first", async () => {
  await withSandbox({ users: ORG, apiKey: TEST_API_KEY }, async (sandbox) => {
    await withTempDir(async (dir) => {
      const { manifest, commits } = reviewedRepository(dir);
      const users = json(await review(sandbox, dir, ["-f", manifest, "--format", "json"])).users;
      const csvRun = await review(sandbox, dir, ["-f", manifest, "--format", "csv"]);
      assert.is(csvRun.code, 0, csvRun.stderr);
      const [header, ...rows] = parseCsv(csvRun.stdout);
      assert.equal(header, [...REVIEW_CSV_COLUMNS]);
      assert.equal(header!.slice(0, 7), [
        "email",
        "user_status",
        "groups",
        "last_sign_in_at",
        "decision",
        "kept_by",
        "approved_by",
      ]);
      const column = (name: string) => header!.indexOf(name);
      assert.equal(
        rows.map((r) => [r[column("email")], r[column("decision")]]),
        users.map((u) => [u.email, u.decision]),
      );
      const bob = rows.find((r) => r[0] === "bob@acme.example")!;
      assert.equal(
        [bob[column("kept_by")], bob[column("approved_by")], bob[column("commit")], bob[column("pull_request")]],
        ["manifest line 8", "Ben Builder", commits.bob, "42"],
      );
      const owner = rows.find((r) => r[0] === "owner@acme.example")!;
      assert.equal([owner[column("kept_by")], owner[column("approved_by")]], ["owner", ""]);
      assert.is(rows.find((r) => r[0] === "alice@acme.example")![column("flags")], "privileged");

      const mdRun = await review(sandbox, dir, ["-f", manifest]);
      assert.is(mdRun.code, 0, mdRun.stderr);
      const markdown = mdRun.stdout;
      assert.ok(
        markdown.startsWith(
          "### roster review: 7 users: 4 kept by the manifest, 1 to remove, 2 protected; 4 approved in Git; 1 never signed in, 3 privileged\n",
        ),
        markdown.slice(0, 200),
      );
      assert.match(markdown, "> **Note:** line 10 of ");
      const [mdHeader, ...mdRows] = markdownTable(markdown);
      assert.is(mdHeader![0], "Email");
      assert.equal(
        mdRows.map((r) => [r[0]!.replace(/\\/g, ""), r[4]]),
        users.map((u) => [u.email, u.decision]),
      );
      const mdBob = mdRows.find((r) => r[0] === "bob\\@acme.example")!;
      assert.equal(mdBob.slice(5, 10), [
        "manifest line 8",
        "Ben Builder \\<ben\\@acme.example\\>",
        "2026-01-06",
        commits.bob!.slice(0, 12),
        "#42",
      ]);
      assert.ok(
        mdRows.every((r) => r.length === mdHeader!.length),
        "every row has every column",
      );
    });
  });
});

test("outside Git, or without git, approved is null for every user, the review says why once and still succeeds", async () => {
  await withSandbox({ users: ORG, apiKey: TEST_API_KEY }, async (sandbox) => {
    await withTempDir(async (dir) => {
      const manifest = `${dir}/users.yaml`;
      writeFileSync(manifest, listing(["alice", "bob"]));
      const outside = await review(sandbox, dir, ["-f", manifest, "--format", "json"]);
      assert.is(outside.code, 0, outside.stderr);
      const note = `${manifest} is not in a Git work tree: approved is null for every user`;
      assert.equal(json(outside).notes, [note]);
      assert.ok(json(outside).users.every((u) => u.approved === null));
      assert.is(json(outside).users.length, ORG.length);
      assert.is(outside.stderr, `roster: note: ${note}.\n`);

      const markdown = await review(sandbox, dir, ["-f", manifest]);
      assert.is(markdown.code, 0);
      assert.is(markdown.stdout.split(note.replace(/[_@]/g, "\\$&")).length, 2, "the note once in Markdown");

      // A machine without git: the same review, said once.
      const noGit = await review(sandbox, dir, ["-f", manifest, "--format", "csv"], { PATH: `${dir}/no-bin` });
      assert.is(noGit.code, 0, noGit.stderr);
      assert.is(
        noGit.stderr,
        "roster: note: git was not found (install Git, or put it on PATH): approved is null for every user.\n",
      );
      assert.is(parseCsv(noGit.stdout).length, ORG.length + 1);
      assert.is(sandbox.stats.removeRequests.size, 0);
    });
  });
});

test("a user past its expires: date is a removal flagged expired; one within the warning days is kept, flagged expiring", async () => {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  await withSandbox({ users: ORG, apiKey: TEST_API_KEY }, async (sandbox) => {
    await withTempDir(async (dir) => {
      const manifest = `${dir}/users.yaml`;
      const users = `  - email: alice@acme.example\n    expires: ${day(-1)}\n  - email: bob@acme.example\n    expires: ${day(5)}\n`;
      writeFileSync(manifest, `${HEAD}${users}  - carol@acme.example\n  - dave@acme.example\n`);
      const run = await review(sandbox, dir, ["-f", manifest, "--format", "json"]);
      assert.is(run.code, 0, run.stderr);
      const row = (email: string) => json(run).users.find((u) => u.email === email)!;
      assert.is(row("alice@acme.example").decision, "remove", "alice's last day was yesterday");
      assert.is(row("alice@acme.example").expires, day(-1));
      assert.ok((row("alice@acme.example").flags as string[]).includes("expired"));
      assert.is(row("bob@acme.example").decision, "keep");
      assert.is(row("bob@acme.example").expires, day(5));
      assert.ok((row("bob@acme.example").flags as string[]).includes("expiring"));
      assert.is(sandbox.stats.removeRequests.size, 0, "review removes nobody");
    });
  });
});

test("a hostile author, subject or group is escaped in every format: no terminal codes, no HTML, no formula", async () => {
  const hostile = "**Eve** <img src=x> \u001b[31m| @team";
  const org = [
    liveUser("u1", "owner@acme.example", { record_type: "organization_owner", groups: [] }),
    liveUser("u2", "alice@acme.example", { groups: [{ id: "g1", name: "Ops | <b>Night</b>" }] }),
  ];
  await withSandbox({ users: org, apiKey: TEST_API_KEY }, async (sandbox) => {
    await withTempDir(async (dir) => {
      gitInit(dir);
      const manifest = `${dir}/users.yaml`;
      writeFileSync(manifest, "version: 1\nusers:\n  - alice@acme.example\n");
      commitAll(
        dir,
        { name: hostile, email: "eve@acme.example" },
        '=HYPERLINK("http://evil.example") | **x** <script> \u001b[2J (#9)',
      );
      const blamedName = git(dir, ["log", "-1", "--format=%an"]).trim();
      assert.match(blamedName, "**Eve**", "git keeps the Markdown of the name");
      assert.match(blamedName, "\u001b[31m", "and its control characters");

      const runs = await Promise.all(
        ["json", "csv", "markdown"].map((format) => review(sandbox, dir, ["-f", manifest, "--format", format])),
      );
      for (const run of runs) {
        assert.is(run.code, 0, run.stderr);
        assert.not.match(run.stdout, "\u001b", "no terminal control character is printed");
      }
      const [jsonRun, csvRun, mdRun] = runs as [CliRun, CliRun, CliRun];
      const alice = json(jsonRun).users.find((u) => u.email === "alice@acme.example")!;
      assert.is((alice.approved as { author: string }).author, blamedName, "JSON keeps the value, escaped");
      assert.is((alice.approved as { pull_request: number }).pull_request, 9);

      const [header, ...rows] = parseCsv(csvRun.stdout);
      const row = rows.find((r) => r[0] === "alice@acme.example")!;
      assert.is(row[header!.indexOf("approved_by")], blamedName.replace("\u001b", "\\u001b"));
      assert.ok(row[header!.indexOf("subject")]!.startsWith("'=HYPERLINK("), "a formula is shown, not run");
      assert.is(row[header!.indexOf("groups")], "Ops | <b>Night</b>");

      const md = mdRun.stdout;
      for (const raw of [/(?<!\\)<(script|b|\/b)/, /(?<!\\)\*\*/, /(?<!\\)@team/, "http://"])
        assert.not.match(md, raw, `Markdown escapes ${raw}`);
      assert.match(md, "\\<script\\>");
      const [mdHeader, ...mdRows] = markdownTable(md);
      const mdAlice = mdRows.find((r) => r[0] === "alice\\@acme.example")!;
      assert.is(mdAlice.length, mdHeader!.length, "a pipe in a value does not add a column");
      assert.is(mdAlice[2], "Ops \\| \\<b\\>Night\\</b\\>");
      assert.match(mdAlice[6]!, "\\*\\*Eve\\*\\*");
    });
  });
});

test("-o FILE writes the review atomically, readable by its owner only; a manifest, or a folder, is refused", async () => {
  await withSandbox({ users: ORG, apiKey: TEST_API_KEY }, async (sandbox) => {
    await withTempDir(async (dir) => {
      const { manifest } = reviewedRepository(dir);
      const before = readFileSync(manifest, "utf8");
      const out = `${dir}/review.csv`;
      writeFileSync(out, "an older review\n");
      const run = await review(sandbox, dir, ["-f", manifest, "--format", "csv", "-o", out]);
      assert.is(run.code, 0, run.stderr);
      assert.is(run.stdout, "");
      assert.match(run.stderr, `Wrote the access review of 7 users to ${out}.\n`);
      assert.is(parseCsv(readFileSync(out, "utf8")).length, ORG.length + 1);
      assert.is(statSync(out).mode & 0o777, 0o600);

      const refused = await review(sandbox, dir, ["-f", manifest, "-o", manifest]);
      assert.is(refused.code, 1);
      assert.match(refused.stderr, `-o ${manifest} is a manifest: write the review to another file, such as review.md`);
      assert.is(readFileSync(manifest, "utf8"), before, "the manifest is untouched");
      mkdirSync(`${dir}/folder`);
      const folder = await review(sandbox, dir, ["-f", manifest, "-o", `${dir}/folder`]);
      assert.is(folder.code, 1);
      assert.is(folder.stdout, "");
      const stray = await review(sandbox, dir, [manifest]);
      assert.is(stray.code, 1);
      assert.match(stray.stderr, `roster review takes the manifest with -f: roster review -f ${manifest}`);
      assert.is(sandbox.stats.removeRequests.size, 0);
    });
  });
});

test("across managed accounts: one entry an account in JSON, an account column in CSV, a section each in Markdown", async () => {
  await withSandbox(managerSandbox([HARBOR, NORTHWIND, { ...CEDAR, status: "disabled" }]), async (sandbox) => {
    await withTempDir(async (dir) => {
      gitInit(dir);
      mkdirSync(`${dir}/accounts`);
      writeFileSync(`${dir}/accounts/cedar.yaml`, manifestFor(CEDAR, ["jia"]));
      writeFileSync(
        `${dir}/accounts/harbor.yaml`,
        manifestFor(HARBOR, ["amara", "bruno", "chen"], "organization_name"),
      );
      writeFileSync(`${dir}/accounts/northwind.yaml`, manifestFor(NORTHWIND, ["farah", "goran", "hana"], "email"));
      commitAll(dir, ANN, "Adopt roster for Harbor and Northwind (#3)");
      const jsonRun = await review(sandbox, dir, ["-f", `${dir}/accounts`, "--format", "json"]);
      assert.is(jsonRun.code, 0, jsonRun.stderr);
      assert.match(jsonRun.stderr, `roster: ${label(CEDAR)} was skipped, not reviewed: `);
      const doc = JSON.parse(jsonRun.stdout) as {
        accounts: { account: { id: string }; users: { email: string; approved: { pull_request: number } | null }[] }[];
        summary: Record<string, number>;
        notes: string[];
      };
      assert.equal(
        doc.accounts.map((a) => a.account.id),
        [HARBOR.id, NORTHWIND.id],
      );
      assert.equal(
        doc.accounts.map((a) => a.users.length),
        [HARBOR.users.length, NORTHWIND.users.length],
      );
      const amara = doc.accounts[0]!.users.find((u) => u.email === "amara@harbor.example.com")!;
      assert.is(amara.approved?.pull_request, 3);
      assert.equal(doc.summary, {
        users: 11,
        keep: 8,
        remove: 3,
        protected: 0,
        approved: 8,
        idle: 0,
        never_signed_in: 9,
        expiring: 0,
        expired: 0,
        privileged: 0,
        accounts: 2,
        skipped: 1,
      });
      assert.equal(doc.notes, []);
      const csv = parseCsv((await review(sandbox, dir, ["-f", `${dir}/accounts`, "--format", "csv"])).stdout);
      assert.is(csv[0]![0], "account");
      assert.is(csv.length, 12);
      assert.match(csv[1]![0]!, HARBOR.id);
      const md = (await review(sandbox, dir, ["-f", `${dir}/accounts`])).stdout;
      assert.ok(md.startsWith("## roster review across 2 accounts: 11 users: 8 kept by the manifest, 3 to remove"));
      assert.match(md, "#### Harbor Dental LLC \\<accounts\\@harbor.example.com\\>");
      assert.match(md, "**Skipped (1)**: not read, not reviewed.\n\n- Cedar Realty Group");
      assert.is(sandbox.stats.removeRequests.size, 0);
    });
  });
});

test.run();
