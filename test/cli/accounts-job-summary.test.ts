import { mkdirSync, readFileSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { ManagedAccountSeed } from "../../src/sandbox/sandbox.js";
import { escapeMarkdown } from "../../src/render/markdown.js";
import { runCli, TEST_API_KEY, withTempDir, writeTemp } from "../helpers/cli.js";
import { assertInert } from "../helpers/markdown.js";
import { exampleOrg, liveUser, manifestText } from "../helpers/org.js";
import { withSandbox, type TestSandbox } from "../helpers/sandbox.js";

// The job summary of apply across accounts, as a manager's CI writes it (GITHUB_STEP_SUMMARY a file): the
// plan, then each account's results, then the verification, every value the API gave escaped.

/** Organization names a managed customer could choose, each of which would be live Markdown or HTML if printed raw. */
const HOSTILE_NAME = "Acme @octocat <img src=x onerror=alert(1)> [link](https://evil.example) **bold** a|b `x`";
const SECOND_NAME = "Beta <script>alert(1)</script> @admins ~~gone~~ www.evil.example";

function account(n: number, name: string, slug: string, firsts: readonly string[]): ManagedAccountSeed {
  const hex = String(n).repeat(8);
  const users = ["owner", ...firsts].map((first, i) =>
    liveUser(
      `${hex}-0000-4000-8000-${String(i).padStart(12, "0")}`,
      `${first}@${slug}.example.com`,
      i === 0 ? { record_type: "organization_owner" } : {},
    ),
  );
  return {
    id: `${hex}-aaaa-4bbb-8ccc-${hex}dddd`,
    email: `accounts@${slug}.example.com`,
    organization_name: name,
    api_key: `KEY0${n}MANAGED_${slug.toUpperCase()}_never_print_me`,
    users,
  };
}

const ACME = account(1, HOSTILE_NAME, "acme", ["amara", "bruno", "chen", "dalia", "emeka"]);
const BETA = account(2, SECOND_NAME, "beta", ["farah", "goran", "hana", "ivan"]);
const SECRETS = [TEST_API_KEY, ACME.api_key, BETA.api_key];

/** A manifest for `seed` by its id, listing its owner and the users whose first name is given. */
const manifestFor = (seed: ManagedAccountSeed, keep: readonly string[]) => {
  const slug = seed.email.split("@")[1]!;
  return `${manifestText(
    ["owner", ...keep].map((first) => `${first}@${slug}`),
    "guards:\n  max_removal_percent: 100\n",
  )}account:\n  id: ${seed.id}\n`;
};

/**
 * Acme removes dalia and emeka (emeka's removal fails); Beta removes goran and ivan, but its key is revoked at its
 * first removal.
 */
function scenario(dir: string): string {
  const folder = `${dir}/accounts`;
  mkdirSync(folder);
  writeTemp(folder, "acme.yaml", manifestFor(ACME, ["amara", "bruno", "chen"]));
  writeTemp(folder, "beta.yaml", manifestFor(BETA, ["farah", "hana"]));
  return folder;
}

const test = suite("cli: the job summary of apply across accounts");

test("apply across accounts: each account's results (a failure, a key refused) and the verification, every API value escaped", async () => {
  const state: { sandbox?: TestSandbox; revoked: boolean } = { revoked: false };
  const faults = {
    script: (request: { method: string; path: string; account?: string }) => {
      if (request.account === ACME.id && request.path.includes("-000000000005/actions/remove"))
        return { kind: "error" as const, status: 500 as const };
      if (!state.revoked && request.account === BETA.id && request.path.endsWith("/actions/remove")) {
        state.revoked = true;
        state.sandbox!.managedAccount(BETA.id).setApiKey("KEY0_rotated_by_its_owner");
      }
      return undefined;
    },
  };
  await withSandbox(
    { users: exampleOrg(), apiKey: TEST_API_KEY, managedAccounts: [ACME, BETA], faults },
    async (sandbox) => {
      state.sandbox = sandbox;
      await withTempDir(async (dir) => {
        const folder = scenario(dir);
        const file = writeTemp(dir, "summary.md", "## earlier step\n");
        const run = await runCli(["apply", "-f", folder, "--yes", "--max-retries", "0"], {
          env: { TELNYX_BASE_URL: sandbox.url, GITHUB_STEP_SUMMARY: file },
        });
        assert.is(run.code, 1, run.stderr);
        const text = readFileSync(file, "utf8");
        for (const secret of SECRETS) assert.not.ok(text.includes(secret), "no key in the job summary");
        assert.ok(
          text.startsWith("## earlier step\n## roster plan across 2 accounts: 4 to remove"),
          "after the earlier step, the plan",
        );
        // Escaped wherever it is shown: the plan's headings, the results' and the verification's lines.
        assertInert(text, [HOSTILE_NAME.slice(0, 80), SECOND_NAME], "the job summary");
        const acme = escapeMarkdown(
          `${HOSTILE_NAME.slice(0, 80)}… (${HOSTILE_NAME.length - 80} more characters) <${ACME.email}> (${ACME.id})`,
        );
        const beta = escapeMarkdown(`${SECOND_NAME} <${BETA.email}> (${BETA.id})`);
        const results = text.slice(text.indexOf("\n## roster apply "));
        assert.ok(
          results.startsWith(
            "\n## roster apply complete across 2 accounts: 1 removed, 0 already absent, 3 failed, of 4 planned removals; 1 account stopped by a refused key\n",
          ),
          results.slice(0, 300),
        );
        // Each account's counts and every finished removal, in its own section.
        const acmeAt = results.indexOf(
          `\n#### ${acme}\n\n##### roster apply complete: 1 removed, 0 already absent, 1 failed, of 2 planned removals\n\n\`\`\`text\n`,
        );
        const betaAt = results.indexOf(
          `\n#### ${beta}\n\n##### roster apply stopped: 0 removed, 0 already absent, 2 failed, of 2 planned removals\n`,
        );
        assert.ok(acmeAt > 0 && betaAt > acmeAt, results);
        const acmePart = results.slice(acmeAt, betaAt);
        assert.match(acmePart, "\nremoved         dalia@acme.example.com\n");
        assert.match(
          acmePart,
          `\nfailed          emeka@acme.example.com: POST /organizations/users/${ACME.users[5]!.id}/actions/remove answered 500`,
        );
        const betaPart = results.slice(betaAt);
        assert.match(betaPart, `\n**Stopped:** the API refused the key of the managed account ${beta} (401): `);
        assert.match(betaPart, /\nfailed {10}goran@beta\.example\.com: the API refused the key/);
        assert.ok(
          text.endsWith(
            "\n\nNot converged: 1 user still to remove; run roster apply again.\n\n" +
              `- ${acme}: Not converged: 1 user the manifest does not list is still in the organization; run roster apply again. Left: emeka\\@acme.example.com.\n\n` +
              `Not verified: ${beta}: its key was refused.\n\n`,
          ),
          text.slice(-800),
        );
      });
    },
  );
});

test.run();
