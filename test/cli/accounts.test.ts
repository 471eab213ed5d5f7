import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { OrganizationUser } from "../../src/core/organization-user.js";
import { generateManagedAccounts } from "../../src/sandbox/generate.js";
import type { ManagedAccountSeed } from "../../src/sandbox/sandbox.js";
import { readAuditLog, runCli, TEST_API_KEY, withTempDir, writeTemp, type CliRun } from "../helpers/cli.js";
import { exampleOrg, manifestText } from "../helpers/org.js";
import {
  account,
  ACCOUNTS,
  assertNoPieceOfKey,
  CEDAR,
  HARBOR,
  label,
  managerSandbox,
  manifestFor,
  NORTHWIND,
} from "../helpers/accounts.js";
import { withSandbox, type TestSandbox } from "../helpers/sandbox.js";
import { startGateway } from "../helpers/servers.js";

// roster plan and apply across a manager's managed accounts, run as a user runs them: the CLI as a subprocess
// (CI=true, no terminal), the manager's key in TELNYX_API_KEY, against the sandbox playing the manager and its
// accounts, each behind its own key. Every test checks what the user sees and what each account went through.

/** Every secret of a run: the manager's key and each managed account's. */
const SECRETS = [TEST_API_KEY, ...ACCOUNTS.map((a) => a.api_key)];

/** Fails if any key (the manager's or a managed account's), or any run of 8 of its characters, is in `text`. */
function assertNoSecret(text: string, where: string): void {
  assertNoPieceOfKey(text, SECRETS, where);
}

/** The CLI against this sandbox; every output checked for every key. */
async function roster(sandbox: TestSandbox, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const run = await runCli(args, { env: { TELNYX_BASE_URL: sandbox.url, ...env } });
  assertNoSecret(run.stdout + run.stderr, `roster ${args.join(" ")}`);
  return run;
}

/** Harbor keeps amara, bruno, chen (2 removed); Northwind keeps farah, goran, hana (1 removed). */
function writeTwo(dir: string): { harbor: string; northwind: string; folder: string } {
  const folder = `${dir}/accounts`;
  mkdirSync(folder);
  return {
    harbor: writeTemp(folder, "harbor.yaml", manifestFor(HARBOR, ["amara", "bruno", "chen"], "organization_name")),
    northwind: writeTemp(folder, "northwind.yaml", manifestFor(NORTHWIND, ["farah", "goran", "hana"], "email")),
    folder,
  };
}

const emailsOf = (users: readonly OrganizationUser[]) => users.map((u) => u.email).sort();
/** Reads of an account's users: pages of the list, or the groups report. */
const readsOf = (sandbox: TestSandbox, seed: ManagedAccountSeed) =>
  sandbox.managedAccount(seed.id).stats.listRequests + sandbox.managedAccount(seed.id).stats.reportRequests;
const removedFrom = (sandbox: TestSandbox, seed: ManagedAccountSeed) =>
  sandbox.managedAccount(seed.id).stats.removeRequests.size;

/** Nothing was sent to remove anyone, in any account or the manager's own organization. */
function assertNothingRemoved(sandbox: TestSandbox): void {
  assert.is(sandbox.stats.removeRequests.size, 0, "no removal request reached the sandbox");
  for (const seed of ACCOUNTS)
    assert.is(
      sandbox.managedAccount(seed.id).users().length,
      seed.users.length,
      `${seed.organization_name} is unchanged`,
    );
}

const test = suite("cli: plan and apply across managed accounts");

test("plan -f a.yaml -f b.yaml shows each account (name, email, id) with its own plan, then the total; nothing is changed", async () => {
  await withSandbox(managerSandbox(), async (sandbox) => {
    await withTempDir(async (dir) => {
      const { harbor, northwind } = writeTwo(dir);
      const run = await roster(sandbox, ["plan", "-f", harbor, "-f", northwind]);
      assert.is(run.code, 0);
      assert.is(run.stderr, "");
      const out = run.stdout;
      const harborAt = out.indexOf(
        `Account: ${label(HARBOR)}\n  manifest ${harbor}\nPlan: 2 to remove, 4 to keep, 0 protected, 0 missing (6 users in the organization)\n`,
      );
      const northwindAt = out.indexOf(
        `Account: ${label(NORTHWIND)}\n  manifest ${northwind}\nPlan: 1 to remove, 4 to keep, 0 protected, 0 missing (5 users in the organization)\n`,
      );
      const totalAt = out.indexOf(
        "Total across 2 accounts: 3 to remove, 8 to keep, 0 protected, 0 missing (11 users)\n",
      );
      assert.ok(
        harborAt >= 0 && northwindAt > harborAt && totalAt > northwindAt,
        `each account in the manifests' order, then the total:\n${out}`,
      );
      assert.match(
        out.slice(harborAt, northwindAt),
        /- dalia@harbor\.example\.com[^\n]*\n\s+- emeka@harbor\.example\.com/,
      );
      assert.match(out.slice(northwindAt, totalAt), "- ivan@northwind.example.com");
      assert.not.match(out, "cedar", "an account no manifest names is not shown");
      assert.not.match(out, "dana.whitfield@example.com", "nor the manager's own organization");
      assertNothingRemoved(sandbox);
    });
  });
});

test("plan -f folder/ reads every manifest of the folder, by name, and shows what -f a -f b shows", async () => {
  await withSandbox(managerSandbox(), async (sandbox) => {
    await withTempDir(async (dir) => {
      const { harbor, northwind, folder } = writeTwo(dir);
      writeTemp(folder, "notes.txt", "not a manifest");
      const byFiles = await roster(sandbox, ["plan", "-f", harbor, "-f", northwind]);
      const byFolder = await roster(sandbox, ["plan", "-f", `${folder}/`]);
      assert.is(byFolder.code, 0);
      assert.is(byFolder.stdout.replaceAll(`${folder}//`, `${folder}/`), byFiles.stdout);
    });
  });
});

test("--format json: { format_version, accounts: [{ account, manifest, summary, changes, protected, missing, guard }], skipped, summary } with the total", async () => {
  await withSandbox(managerSandbox(), async (sandbox) => {
    await withTempDir(async (dir) => {
      const { harbor, northwind } = writeTwo(dir);
      const run = await roster(sandbox, ["plan", "-f", harbor, "-f", northwind, "--format", "json"]);
      assert.is(run.code, 0);
      assert.is(run.stderr, "");
      const doc = JSON.parse(run.stdout);
      assert.is(doc.format_version, 1);
      assert.equal(
        doc.accounts.map((a: { account: unknown }) => a.account),
        [HARBOR, NORTHWIND].map((s) => ({ id: s.id, email: s.email, organization_name: s.organization_name })),
      );
      assert.equal(
        doc.accounts.map((a: { manifest: string }) => a.manifest),
        [harbor, northwind],
      );
      const [h, n] = doc.accounts;
      for (const key of ["summary", "changes", "protected", "missing", "guard"])
        assert.ok(key in h && key in n, `each account has ${key}`);
      assert.equal(
        h.changes.map((c: { email: string }) => c.email),
        ["dalia@harbor.example.com", "emeka@harbor.example.com"],
      );
      assert.equal(
        n.changes.map((c: { email: string }) => c.email),
        ["ivan@northwind.example.com"],
      );
      assert.equal(h.summary, { remove: 2, keep: 4, protected: 0, missing: 0, group_drift: 0 });
      assert.is(h.guard.allowed, true);
      assert.equal(doc.skipped, []);
      assert.equal(doc.summary, {
        remove: 3,
        keep: 8,
        protected: 0,
        missing: 0,
        group_drift: 0,
        accounts: 2,
        skipped: 0,
        refused: 0,
        live_count: 11,
      });
      assertNothingRemoved(sandbox);
    });
  });
});

test("--format markdown, diff and github name every account and end with the total", async () => {
  await withSandbox(managerSandbox(), async (sandbox) => {
    await withTempDir(async (dir) => {
      const { folder } = writeTwo(dir);
      const markdown = await roster(sandbox, ["plan", "-f", folder, "--format", "markdown"]);
      assert.is(markdown.code, 0);
      assert.ok(
        markdown.stdout.startsWith(
          "## roster plan across 2 accounts: 3 to remove, 8 to keep, 0 protected, 0 missing (11 users)\n",
        ),
        markdown.stdout,
      );
      assert.match(
        markdown.stdout,
        `#### Harbor Dental LLC \\<accounts\\@harbor.example.com\\> (${HARBOR.id})\n\n##### roster plan: 2 to remove, 4 to keep`,
      );
      assert.match(
        markdown.stdout,
        `#### Northwind Logistics Inc \\<accounts\\@northwind.example.com\\> (${NORTHWIND.id})\n\n##### roster plan: 1 to remove, 4 to keep`,
      );

      const diff = await roster(sandbox, ["plan", "-f", folder, "--format", "diff"]);
      assert.is(diff.code, 0);
      assert.match(diff.stdout, `# ${label(HARBOR)}\n`);
      assert.match(diff.stdout, `# ${label(NORTHWIND)}\n`);
      assert.match(
        diff.stdout,
        `--- live\t${new URL(sandbox.url).host} ${HARBOR.id}, 6 users\n+++ after-apply\t${folder}/harbor.yaml, 4 users\n`,
      );
      assert.match(diff.stdout, /^-dalia@harbor\.example\.com /m);
      assert.match(diff.stdout, /^-emeka@harbor\.example\.com /m);
      assert.match(diff.stdout, /^-ivan@northwind\.example\.com /m);
      assert.match(diff.stdout, /^ farah@northwind\.example\.com /m, "a kept user is a context line");
      assert.ok(
        diff.stdout.endsWith(
          "\n# Total across 2 accounts: 3 to remove, 8 to keep, 0 protected, 0 missing (11 users)\n",
        ),
        diff.stdout.slice(-300),
      );

      const github = await roster(sandbox, ["plan", "-f", folder, "--format", "github"]);
      assert.is(github.code, 0);
      assert.match(github.stdout, `Account: ${label(HARBOR)}\n`);
      assert.match(github.stdout, `Account: ${label(NORTHWIND)}\n`);
      assert.ok(
        github.stdout.endsWith(
          "::notice::Total across 2 accounts: 3 to remove, 8 to keep, 0 protected, 0 missing (11 users)\n",
        ),
        github.stdout.slice(-300),
      );
      assertNothingRemoved(sandbox);
    });
  });
});

test("one manifest without account: keeps the document of one organization, read with the key's own organization", async () => {
  await withSandbox(managerSandbox(), async (sandbox) => {
    await withTempDir(async (dir) => {
      const manifest = writeTemp(dir, "users.yaml", manifestText(exampleOrg().map((u) => u.email)));
      const run = await roster(sandbox, ["plan", "-f", manifest, "--format", "json"]);
      assert.is(run.code, 0);
      const doc = JSON.parse(run.stdout);
      assert.not.ok("accounts" in doc, "no accounts list");
      assert.equal(doc.summary, { remove: 0, keep: exampleOrg().length, protected: 0, missing: 0, group_drift: 0 });
      for (const seed of ACCOUNTS)
        assert.is(sandbox.managedAccount(seed.id).stats.requests, 0, "no managed account was read");
    });
  });
});

test("one manifest naming a managed account keeps the document of one organization, with its account beside it", async () => {
  await withSandbox(managerSandbox(), async (sandbox) => {
    await withTempDir(async (dir) => {
      const emails = HARBOR.users.slice(0, 4).map((u) => u.email);
      const manifest = writeTemp(
        dir,
        "harbor.yaml",
        `${manifestText(emails)}account:\n  organization_name: Harbor Dental LLC\n`,
      );
      const run = await roster(sandbox, ["plan", "-f", manifest, "--format", "json"]);
      assert.is(run.code, 0, run.stderr);
      const doc = JSON.parse(run.stdout);
      assert.not.ok("accounts" in doc, "no accounts list for one manifest");
      assert.equal(doc.account, { id: HARBOR.id, email: HARBOR.email, organization_name: "Harbor Dental LLC" });
      assert.equal(doc.summary, { remove: 2, keep: 4, protected: 0, missing: 0, group_drift: 0 });
      assert.equal(
        doc.changes.map((c: { email: string }) => c.email),
        ["dalia@harbor.example.com", "emeka@harbor.example.com"],
      );
    });
  });
});

test("apply --format json of one manifest naming a managed account keeps the apply document of one organization, with its account", async () => {
  await withSandbox(managerSandbox(), async (sandbox) => {
    await withTempDir(async (dir) => {
      const emails = HARBOR.users.slice(0, 4).map((u) => u.email);
      const manifest = writeTemp(dir, "harbor.yaml", `${manifestText(emails)}account:\n  id: ${HARBOR.id}\n`);
      const run = await roster(sandbox, ["apply", "-f", manifest, "--format", "json", "--yes"]);
      assert.is(run.code, 0, run.stderr);
      const doc = JSON.parse(run.stdout);
      assert.not.ok("accounts" in doc, "no accounts list for one manifest");
      assert.equal(doc.account, { id: HARBOR.id, email: HARBOR.email, organization_name: "Harbor Dental LLC" });
      assert.equal(doc.summary, { removed: 2, already_absent: 0, failed: 0 });
      assert.equal(doc.verified, { converged: true, remaining: 0 });
      assert.equal(
        sandbox
          .managedAccount(HARBOR.id)
          .users()
          .map((u) => u.email)
          .sort(),
        [...emails].sort(),
      );
    });
  });
});

test("the Markdown of 200 accounts with long plans stays within 65,536 characters and keeps every account's summary line", async () => {
  const many = generateManagedAccounts(200, 11, 14);
  await withSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY, managedAccounts: many }, async (sandbox) => {
    await withTempDir(async (dir) => {
      // Each manifest lists the owner only: 13 removals an account, 2,600 in all, far too many for one comment.
      many.forEach((seed, i) =>
        writeTemp(
          dir,
          `${String(i).padStart(3, "0")}.yaml`,
          `${manifestText([seed.users[0]!.email])}account:\n  id: ${seed.id}\n`,
        ),
      );
      const summaryFile = `${dir}/summary.md`;
      const run = await runCli(["plan", "-f", dir, "--format", "markdown"], {
        env: { TELNYX_BASE_URL: sandbox.url, GITHUB_STEP_SUMMARY: summaryFile },
      });
      assert.is(run.code, 0, run.stderr);
      for (const [text, where] of [
        [run.stdout, "stdout"],
        [readFileSync(summaryFile, "utf8"), "the job summary"],
      ] as const) {
        assert.ok(text.length <= 65_536, `${where} is ${text.length} characters`);
        assert.ok(text.startsWith("## roster plan across 200 accounts: 2600 to remove"), text.slice(0, 200));
        for (const seed of many) {
          const heading = `#### ${seed.organization_name} \\<${seed.email.replace("@", "\\@")}\\> (${seed.id})\n\n##### roster plan: 13 to remove (refused by a guard), 1 to keep`;
          assert.ok(text.includes(heading), `${where} keeps the summary of ${seed.organization_name}`);
        }
        assert.match(
          text,
          "Some accounts' plans are cut or shown by their summary line alone: a comment holds at most 65,536 characters. roster plan --format json lists every account in full.",
        );
      }
      assert.is(sandbox.stats.removeRequests.size, 0);
    });
  });
});

test("a Markdown too long cuts the longest account first: the small accounts keep their whole plans", async () => {
  const [big] = generateManagedAccounts(1, 5, 1500);
  await withSandbox(managerSandbox([HARBOR, NORTHWIND, big!]), async (sandbox) => {
    await withTempDir(async (dir) => {
      const { harbor, northwind } = writeTwo(dir);
      const huge = writeTemp(
        dir,
        "big.yaml",
        `${manifestText([big!.users[0]!.email])}account:\n  id: ${big!.id}\nguards:\n  max_removal_percent: 100\n`,
      );
      const run = await roster(sandbox, ["plan", "-f", harbor, "-f", huge, "-f", northwind, "--format", "markdown"]);
      assert.is(run.code, 0, run.stderr);
      assert.ok(run.stdout.length <= 65_536, `${run.stdout.length} characters`);
      const [, harborPart, bigPart, northwindPart] = run.stdout.split(/^#### /m);
      assert.match(
        harborPart!,
        "- dalia@harbor.example.com  enabled, last sign-in never\n- emeka@harbor.example.com  enabled, last sign-in never\n```",
      );
      assert.match(northwindPart!, "- ivan@northwind.example.com   enabled, last sign-in never\n```");
      assert.match(bigPart!, "##### roster plan: 1499 to remove, 1 to keep");
      assert.match(bigPart!, /… and [\d,]+ more removals left out: a comment holds at most 65,536 characters\./);
      assert.ok(bigPart!.length > 50_000, "the big account has the room the small ones leave");
    });
  });
});

/**
 * Harbor and a larger account, Oakridge, of 12 users: a guard refuses Harbor's plan of 5 removals (83%), Oakridge's 1
 * is fine.
 */
const OAKRIDGE = account(4, "Oakridge Clinic Ltd", "oakridge", [
  "lena",
  "mateo",
  "nadia",
  "omar",
  "priya",
  "quinn",
  "rosa",
  "sven",
  "tariq",
  "uma",
  "viktor",
]);
const BIG_HARBOR = account(1, "Harbor Dental LLC", "harbor", [
  "amara",
  "bruno",
  "chen",
  "dalia",
  "emeka",
  "wen",
  "ximena",
  "yusuf",
  "zoe",
  "abel",
  "beth",
]);

test("guards apply per account; --detailed-exitcode gives the worst: 3 over 2 over 0", async () => {
  await withSandbox(managerSandbox([BIG_HARBOR, OAKRIDGE]), async (sandbox) => {
    await withTempDir(async (dir) => {
      const everyone = (seed: ManagedAccountSeed) => seed.users.slice(1).map((u) => u.email.split("@")[0]!);
      const refused = writeTemp(dir, "harbor.yaml", manifestFor(BIG_HARBOR, everyone(BIG_HARBOR).slice(0, 5)));
      const fine = writeTemp(dir, "oakridge.yaml", manifestFor(OAKRIDGE, everyone(OAKRIDGE).slice(1)));
      const clean = writeTemp(dir, "harbor-all.yaml", manifestFor(BIG_HARBOR, everyone(BIG_HARBOR)));
      const none = writeTemp(dir, "oakridge-all.yaml", manifestFor(OAKRIDGE, everyone(OAKRIDGE)));

      const worst = await roster(sandbox, ["plan", "-f", refused, "-f", fine, "--detailed-exitcode"]);
      assert.is(worst.code, 3, "a guard refusing one account is the worst");
      const [harborPart, oakPart] = worst.stdout.split(`Account: ${label(OAKRIDGE)}`);
      assert.match(harborPart!, "Refused: would remove 6 of 12 users (50.0%), over the 25% guard: ");
      assert.match(oakPart!, "Guards: would remove 1 of 12 users (8.3%): within the guards");
      assert.match(worst.stdout, "; 1 account refused by a guard");
      const json = JSON.parse((await roster(sandbox, ["plan", "-f", refused, "-f", fine, "--format", "json"])).stdout);
      assert.equal(
        json.accounts.map((a: { guard: { allowed: boolean } }) => a.guard.allowed),
        [false, true],
      );
      assert.is(json.summary.refused, 1);

      assert.is(
        (await roster(sandbox, ["plan", "-f", clean, "-f", fine, "--detailed-exitcode"])).code,
        2,
        "removals and no refusal",
      );
      assert.is(
        (await roster(sandbox, ["plan", "-f", clean, "-f", none, "--detailed-exitcode"])).code,
        0,
        "no removal anywhere",
      );
      assert.is(
        (await roster(sandbox, ["plan", "-f", refused, "-f", fine])).code,
        0,
        "without --detailed-exitcode a plan succeeds",
      );

      const apply = await roster(sandbox, ["apply", "-f", refused, "-f", fine, "--yes"]);
      assert.is(apply.code, 3);
      assert.match(apply.stderr, `roster: refused: ${label(BIG_HARBOR)}: `);
      assert.ok(apply.stderr.endsWith("Nothing was changed in any account.\n"), apply.stderr);
      assert.not.match(apply.stderr, OAKRIDGE.id, "the account within its guards is not called refused");
      assert.is(sandbox.stats.removeRequests.size, 0, "nothing was sent to either account");
      assert.is(sandbox.managedAccount(OAKRIDGE.id).users().length, 12);
    });
  });
});

test("apply --yes removes exactly each account's planned users, with its own key; the audit log has account_id on every line; each account verified", async () => {
  await withSandbox(managerSandbox(), async (sandbox) => {
    await withTempDir(async (dir) => {
      const { folder } = writeTwo(dir);
      const log = `${dir}/audit.jsonl`;
      const summaryFile = `${dir}/summary.md`;
      const run = await roster(sandbox, ["apply", "-f", folder, "--yes", "--audit-log", log], {
        GITHUB_STEP_SUMMARY: summaryFile,
      });
      assert.is(run.code, 0, run.stderr);
      assert.match(run.stdout, "Apply complete: 3 removed, 0 already absent, 0 failed, of 3 planned removals.\n");
      assert.match(run.stdout, "Verified: both accounts now match their manifests.\n");
      assert.equal(
        emailsOf(sandbox.managedAccount(HARBOR.id).users()),
        ["amara", "bruno", "chen", "owner"].map((f) => `${f}@harbor.example.com`),
      );
      assert.equal(
        emailsOf(sandbox.managedAccount(NORTHWIND.id).users()),
        ["farah", "goran", "hana", "owner"].map((f) => `${f}@northwind.example.com`),
      );
      assert.is(removedFrom(sandbox, HARBOR), 2, "Harbor's removals went with Harbor's key");
      assert.is(removedFrom(sandbox, NORTHWIND), 1);
      assert.is(sandbox.managedAccount(CEDAR.id).stats.requests, 0, "an account no manifest names is not even read");
      assert.is(sandbox.own.stats.removeRequests.size, 0, "nothing removed from the manager's own organization");
      // Read twice: the plan, then the verification.
      assert.is(readsOf(sandbox, HARBOR), 2);

      const lines = readAuditLog(log);
      assertNoSecret(readFileSync(log, "utf8"), "the audit log");
      assert.is(lines.length, 3);
      const byAccount = lines
        .map((l) => [l.account_id, l.email, l.outcome])
        .sort((a, b) => String(a[1]).localeCompare(String(b[1])));
      assert.equal(byAccount, [
        [HARBOR.id, "dalia@harbor.example.com", "removed"],
        [HARBOR.id, "emeka@harbor.example.com", "removed"],
        [NORTHWIND.id, "ivan@northwind.example.com", "removed"],
      ]);
      const summary = readFileSync(summaryFile, "utf8");
      assertNoSecret(summary, "the job summary");
      assert.match(summary, "## roster plan across 2 accounts");
      assert.match(summary, "Verified: both accounts now match their manifests.");
    });
  });
});

test("apply --format json across accounts: each account's results and verification, and the total", async () => {
  await withSandbox(managerSandbox(), async (sandbox) => {
    await withTempDir(async (dir) => {
      const { folder } = writeTwo(dir);
      const run = await roster(sandbox, ["apply", "-f", folder, "--yes", "--format", "json"]);
      assert.is(run.code, 0, run.stderr);
      assert.is(run.stderr, "");
      const doc = JSON.parse(run.stdout);
      assert.is(doc.format_version, 1);
      assert.equal(
        doc.accounts.map((a: { account: { id: string } }) => a.account.id),
        [HARBOR.id, NORTHWIND.id],
      );
      assert.equal(
        doc.accounts.map((a: { summary: { removed: number } }) => a.summary.removed),
        [2, 1],
      );
      assert.is(doc.summary.removed, 3);
      assert.equal(doc.verified, { converged: true, remaining: 0, unreadable: 0 });
      assert.is(removedFrom(sandbox, HARBOR) + removedFrom(sandbox, NORTHWIND), 3);
    });
  });
});

test("a 401 on one account's key during apply stops that account only, named in the report; the others converge; exit 1", async () => {
  // Northwind's key is revoked as its first removal arrives: that removal and any after it are answered 401.
  const state: { sandbox?: TestSandbox; revoked: boolean } = { revoked: false };
  const faults = {
    script: (request: { method: string; path: string; account?: string }) => {
      if (!state.revoked && request.account === NORTHWIND.id && request.path.endsWith("/actions/remove")) {
        state.revoked = true;
        state.sandbox!.managedAccount(NORTHWIND.id).setApiKey("KEY0_rotated_by_its_owner");
      }
      return undefined;
    },
  };
  await withSandbox(managerSandbox(ACCOUNTS, { faults }), async (sandbox) => {
    state.sandbox = sandbox;
    await withTempDir(async (dir) => {
      const { folder } = writeTwo(dir);
      const log = `${dir}/audit.jsonl`;
      const run = await roster(sandbox, ["apply", "-f", folder, "--yes", "--audit-log", log, "--max-retries", "0"]);
      assert.is(run.code, 1);
      assert.ok(state.revoked);
      assert.is(
        run.stderr,
        `roster: error: the API refused the key of the managed account ${label(NORTHWIND)} (401): the account may have been cancelled, or its key revoked; roster sent it nothing more; the other accounts went on\n`,
        "the account named once",
      );
      assert.match(run.stderr, "; the other accounts went on\n");
      assert.not.match(run.stderr, HARBOR.id, "the account that went on is not reported as an error");
      assert.equal(
        emailsOf(sandbox.managedAccount(HARBOR.id).users()),
        ["amara", "bruno", "chen", "owner"].map((f) => `${f}@harbor.example.com`),
        "Harbor converged",
      );
      assert.is(sandbox.managedAccount(NORTHWIND.id).users().length, 5, "Northwind lost no one");
      const lines = readAuditLog(log);
      assertNoSecret(readFileSync(log, "utf8"), "the audit log");
      assert.ok(
        lines.every((l) => l.account_id === HARBOR.id || l.account_id === NORTHWIND.id),
        "every line names its account",
      );
      assert.equal(
        lines.filter((l) => l.account_id === HARBOR.id).map((l) => l.outcome),
        ["removed", "removed"],
      );
      assert.not.ok(lines.some((l) => l.account_id === NORTHWIND.id && l.outcome === "removed"));
      assert.match(
        run.stdout,
        `Verified: 1 account now matches its manifest.\nNot verified: ${label(NORTHWIND)}: its key was refused.\n`,
      );
    });
  });
});

test("a disabled account (403) and a cancelled one (401) are reported as skipped; nothing read or changed in them; the others applied", async () => {
  const disabled = { ...CEDAR, status: "disabled" as const };
  const cancelled = account(5, "Larkspur Travel Co", "larkspur", ["wen", "zoe"], { status: "cancelled" });
  await withSandbox(managerSandbox([HARBOR, NORTHWIND, disabled, cancelled]), async (sandbox) => {
    await withTempDir(async (dir) => {
      const { folder } = writeTwo(dir);
      writeTemp(folder, "cedar.yaml", manifestFor(CEDAR, ["jia"]));
      writeTemp(folder, "larkspur.yaml", manifestFor(cancelled, ["wen"], "email"));
      const plan = await roster(sandbox, ["plan", "-f", folder, "--format", "json"]);
      assert.is(plan.code, 0, plan.stderr);
      const doc = JSON.parse(plan.stdout);
      assert.equal(
        doc.accounts.map((a: { account: { id: string } }) => a.account.id),
        [HARBOR.id, NORTHWIND.id],
      );
      assert.equal(
        doc.skipped.map((s: { account: { id: string }; manifest: string }) => [s.account.id, s.manifest]),
        [
          [CEDAR.id, `${folder}/cedar.yaml`],
          [cancelled.id, `${folder}/larkspur.yaml`],
        ],
      );
      assert.match(doc.skipped[0].reason, "disabled");
      assert.match(doc.skipped[1].reason, "cancelled");
      assert.is(doc.summary.skipped, 2);

      const apply = await roster(sandbox, ["apply", "-f", folder, "--yes"]);
      assert.is(apply.code, 0, apply.stderr);
      assert.match(apply.stdout, "Skipped (2): nothing read or changed in them\n");
      assert.match(
        apply.stdout,
        `  ! ${label(CEDAR)}  its key may not read its users (403): the account is disabled (manifest ${folder}/cedar.yaml)\n`,
      );
      assert.match(apply.stdout, `  ! ${label(cancelled)}  `);
      assert.match(apply.stdout, "; 2 accounts skipped");
      assert.match(apply.stdout, "Apply complete: 3 removed");
      for (const seed of [CEDAR, cancelled]) {
        const managed = sandbox.managedAccount(seed.id);
        assert.is(managed.users().length, seed.users.length, `${seed.organization_name} unchanged`);
        assert.is(readsOf(sandbox, seed), 0, `${seed.organization_name}'s users were never read`);
        assert.is(managed.stats.removeRequests.size, 0);
      }
    });
  });
});

test("a manifest without account: beside managed ones is the key's own organization, read and changed with the manager's key", async () => {
  await withSandbox(managerSandbox(), async (sandbox) => {
    await withTempDir(async (dir) => {
      const { harbor } = writeTwo(dir);
      const own = exampleOrg();
      const leaving = own.find((u) => u.record_type !== "organization_owner")!;
      const ownManifest = writeTemp(
        dir,
        "users.yaml",
        manifestText(own.filter((u) => u !== leaving).map((u) => u.email)),
      );
      const plan = await roster(sandbox, ["plan", "-f", ownManifest, "-f", harbor]);
      assert.is(plan.code, 0, plan.stderr);
      assert.match(
        plan.stdout,
        `Account: the API key's own organization\n  manifest ${ownManifest}\nPlan: 1 to remove`,
      );
      assert.match(plan.stdout, `Account: ${label(HARBOR)}\n`);
      const planJson = JSON.parse(
        (await roster(sandbox, ["plan", "-f", ownManifest, "-f", harbor, "--format", "json"])).stdout,
      );
      assert.equal(planJson.accounts[0].account, { id: null, email: null, organization_name: null, own: true });

      const apply = await roster(sandbox, ["apply", "-f", ownManifest, "-f", harbor, "--yes", "--format", "json"]);
      assert.is(apply.code, 0, apply.stderr);
      const applied = JSON.parse(apply.stdout);
      assert.equal(
        applied.accounts.map((a: { account: unknown }) => a.account),
        planJson.accounts.map((a: { account: unknown }) => a.account),
        "apply's JSON names the accounts as plan's does",
      );
      assert.equal(
        emailsOf(sandbox.users()),
        emailsOf(own.filter((u) => u !== leaving)),
        "the manager's own organization lost exactly the unlisted user",
      );
      assert.is(sandbox.own.stats.removeRequests.size, 1);
      assert.is(removedFrom(sandbox, HARBOR), 2);
    });
  });
});

test("apply across accounts without --yes and without a terminal asks nothing and changes nothing", async () => {
  await withSandbox(managerSandbox(), async (sandbox) => {
    await withTempDir(async (dir) => {
      const { folder } = writeTwo(dir);
      const apply = await roster(sandbox, ["apply", "-f", folder]);
      assert.is(apply.code, 1);
      assert.match(apply.stdout, "Total across 2 accounts: 3 to remove", "the plan is shown first");
      assert.is(
        apply.stderr,
        "roster: refusing to apply without confirmation: no terminal to ask at. Review the plan, then pass --yes to apply unattended. Nothing was changed.\n",
      );

      assertNothingRemoved(sandbox);
    });
  });
});

test("account: matching none names the closest candidates; positioned, exit 1, nothing read in any account", async () => {
  await withSandbox(managerSandbox(), async (sandbox) => {
    await withTempDir(async (dir) => {
      const { harbor } = writeTwo(dir);
      const wrong = writeTemp(
        dir,
        "wrong.yaml",
        `${manifestText(["owner@nowhere.example.com"])}account:\n  organization_name: Harbour Dental LLC\n`,
      );
      const run = await roster(sandbox, ["plan", "-f", harbor, "-f", wrong]);
      assert.is(run.code, 1);
      assert.is(run.stdout, "");
      assert.match(run.stderr, `${wrong}:5:22: `);
      assert.match(run.stderr, 'account organization name "Harbour Dental LLC" ');
      assert.match(run.stderr, "matches none of the 3 accounts the API key manages; the closest are: ");
      assert.match(run.stderr, `id "${HARBOR.id}", email "${HARBOR.email}", organization "Harbor Dental LLC"`);
      for (const seed of ACCOUNTS)
        assert.is(sandbox.managedAccount(seed.id).stats.requests, 0, "no account was read: the run stopped before any");
    });
  });
});

test("account: matching several names each; two manifests for one account name both files; exit 1, nothing changed", async () => {
  const twin = account(6, "Harbor Dental LLC", "harbor-east", ["amara"]);
  await withSandbox(managerSandbox([...ACCOUNTS, twin]), async (sandbox) => {
    await withTempDir(async (dir) => {
      const ambiguous = writeTemp(dir, "a.yaml", manifestFor(HARBOR, [], "organization_name"));
      const several = await roster(sandbox, [
        "apply",
        "--yes",
        "-f",
        ambiguous,
        "-f",
        writeTemp(dir, "n.yaml", manifestFor(NORTHWIND, [])),
      ]);
      assert.is(several.code, 1);
      assert.match(several.stderr, `${ambiguous}:5:22: `);
      assert.match(several.stderr, "matches 2 managed accounts: ");
      assert.match(several.stderr, HARBOR.id);
      assert.match(several.stderr, twin.id);
      assert.match(several.stderr, "by its id (account: { id: ... })");

      const byId = writeTemp(dir, "b.yaml", manifestFor(CEDAR, [], "id"));
      const byEmail = writeTemp(dir, "c.yaml", manifestFor(CEDAR, ["jia", "kofi"], "email"));
      const twice = await roster(sandbox, ["apply", "--yes", "-f", byId, "-f", byEmail]);
      assert.is(twice.code, 1);
      assert.match(twice.stderr, `${byEmail}:7:10: `);
      assert.match(twice.stderr, `which ${byId}:5:7 names as well`);
      assert.match(twice.stderr, "each account has one manifest; merge the two");
      assert.is(sandbox.stats.removeRequests.size, 0);
      for (const seed of ACCOUNTS) assert.is(sandbox.managedAccount(seed.id).stats.requests, 0);
    });
  });
});

test("a key that is not a manager's (403 on /managed_accounts): a clear error, exit 1, nothing changed", async () => {
  await withSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY }, async (sandbox) => {
    await withTempDir(async (dir) => {
      const { folder } = writeTwo(dir);
      for (const command of [["plan"], ["apply", "--yes"]]) {
        const run = await roster(sandbox, [...command, "-f", folder]);
        assert.is(run.code, 1);
        assert.is(run.stdout, "");
        assert.match(run.stderr, "403");
        assert.match(run.stderr, "the key in TELNYX_API_KEY is not a manager account's key");
        assert.match(run.stderr, "export the manager's API key, or leave account: out of the manifests");
      }
      assert.is(sandbox.stats.removeRequests.size, 0);
      assert.is(sandbox.users().length, exampleOrg().length);
    });
  });
});

test("no key, the manager's or an account's, reaches stdout, stderr, the audit log or the job summary, even echoed by the API", async () => {
  await withSandbox(managerSandbox(), async (sandbox) => {
    // A gateway in front of the sandbox that echoes the caller's key (and another account's) in Northwind's removal
    // errors.
    const proxy = await startGateway(sandbox.url, {
      answer: ({ method, path, key }) =>
        key === NORTHWIND.api_key && method === "POST" && path.endsWith("/actions/remove")
          ? {
              status: 500,
              body: {
                errors: [
                  {
                    code: "10000",
                    title: "Internal error",
                    detail: `bad header Bearer ${key}; also saw ${HARBOR.api_key} and ${TEST_API_KEY}`,
                  },
                ],
              },
            }
          : undefined,
    });
    try {
      await withTempDir(async (dir) => {
        const { folder } = writeTwo(dir);
        const log = `${dir}/audit.jsonl`;
        const summaryFile = `${dir}/summary.md`;
        for (const format of ["pretty", "json"]) {
          const run = await runCli(
            ["apply", "-f", folder, "--yes", "--max-retries", "0", "--audit-log", log, "--format", format],
            {
              env: { TELNYX_BASE_URL: proxy.url, GITHUB_STEP_SUMMARY: summaryFile },
            },
          );
          assertNoSecret(run.stdout + run.stderr, `apply --format ${format}`);
          assert.is(run.code, 1);
        }
        const first = await runCli(["plan", "-f", folder], { env: { TELNYX_BASE_URL: proxy.url } });
        assertNoSecret(first.stdout + first.stderr, "plan");
        const audit = readFileSync(log, "utf8");
        assertNoSecret(audit, "the audit log");
        const failed = readAuditLog(log).filter((l) => l.outcome === "failed");
        assert.ok(failed.length > 0, "Northwind's failure is logged");
        assert.match(String(failed[0]!.error), "bad header Bearer [redacted]; also saw [redacted] and [redacted]");
        assert.ok(existsSync(summaryFile));
        assertNoSecret(readFileSync(summaryFile, "utf8"), "the job summary");
      });
    } finally {
      await proxy.close();
    }
  });
});

test.run();
