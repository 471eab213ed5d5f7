import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { AccountRef } from "../../src/apply/apply-run.js";
import type { ApplyResult, RemovalResult } from "../../src/apply/apply-plan.js";
import type { AccountsVerification } from "../../src/apply/verify.js";
import type { OrganizationUser } from "../../src/core/organization-user.js";
import { commentBody, commentMarker } from "../../src/github/pull-request-comment.js";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { checkGuards } from "../../src/plan/guards.js";
import { planRemovals } from "../../src/plan/plan.js";
import { accountsApplyMarkdown } from "../../src/render/apply-markdown.js";
import { accountsMarkdown } from "../../src/render/run-markdown.js";
import type { AccountsPlanView } from "../../src/render/run-plan.js";
import { applyMarkdown } from "../../src/render/apply-markdown.js";
import { accountsVerificationText, verificationText } from "../../src/render/apply-report.js";
import { planMarkdown } from "../../src/render/plan-markdown.js";
import { ApiError } from "../../src/telnyx/api-error.js";
import { assertInert } from "../helpers/markdown.js";
import { liveUser } from "../helpers/org.js";

// Every value the API gives (organization names, account emails and ids, users' emails, group names, error
// details) reaches the job summary and the pull-request comment. Whatever it holds, it must read as text: no
// @mention, tag, link, emphasis, code span left open, table cell, forged line or control character.

/** Pieces of hostile text; the property test joins them at random. */
const HOSTILE = [
  "@octocat",
  "<img src=x onerror=alert(1)>",
  "</details><script>x</script>",
  "[link](https://evil.example)",
  "![pic](https://evil.example/p.png)",
  "https://evil.example/path",
  "www.evil.example",
  "**bold**",
  "_em_",
  "~~del~~",
  "`",
  "``tick``",
  "a | b",
  "\n## forged heading",
  "\r\n- forged item",
  "\u0007\u001b[31mred",
  "\u202eevil\u202c",
  "&lt;entity&gt;",
  "#123",
  "\\",
  "\\@escaped",
  "```",
  "<!-- comment -->",
];

/** The values of one run: what the API said, each carrying hostile text. */
interface Hostile {
  orgName: string;
  accountEmail: string;
  email: string;
  group: string;
  error: string;
}

const member = (id: string, email: string, groups: string[] | null, extra: Partial<OrganizationUser> = {}) =>
  liveUser(id, email, { ...(groups ? { groups: groups.map((name, i) => ({ id: `g${i}`, name })) } : {}), ...extra });

/** A plan of one organization whose users' emails and groups are hostile: removals, protected, kept with drift. */
function hostilePlan(h: Hostile) {
  const manifest = parseManifest(
    "version: 1\nusers:\n  - email: listed@example.com\n    groups: [Support]\n  - missing@example.com\n" +
      'protect:\n  - "*@partners.example.com"\n  - group: Admins\nguards:\n  require_force_for_groups: [Billing]\n',
    "users.yaml",
  );
  const live = [
    member("1", `owner${h.email}`, [h.group], { record_type: "organization_owner" }),
    member("2", "listed@example.com", [h.group, "Admins"]),
    member("3", `gone${h.email}`, [h.group, "Billing"]),
    member("4", `bot${h.email}@partners.example.com`, [h.group]),
    member("5", `admin${h.email}`, ["Admins", h.group]),
    member("6", `other${h.email}`, [h.group]),
  ];
  const plan = planRemovals(manifest, live);
  return {
    plan,
    verdict: checkGuards(plan, { requireForceForGroups: ["Billing"] }),
    source: { manifest: "users.yaml", host: "api.telnyx.com" },
  };
}

const removal = (email: string) => ({
  id: email,
  email,
  user_status: "enabled",
  last_sign_in_at: null,
  groups: null,
  action: "remove" as const,
  record_type: "organization_sub_user",
  created_at: null,
});
const finished = (email: string, outcome: RemovalResult["outcome"], error?: string): RemovalResult => ({
  removal: removal(email),
  outcome,
  attempts: 1,
  finishedAt: "2026-11-28T00:00:00Z",
  ...(error !== undefined ? { error } : {}),
});

/** An apply of one organization: a removal made, one failed with the API's hostile detail. */
function hostileResult(h: Hostile): ApplyResult {
  return {
    summary: { removed: 1, already_absent: 0, failed: 1, unknown: 0, not_started: 0 },
    results: [finished(`gone${h.email}`, "removed"), finished(`other${h.email}`, "failed", h.error)],
  };
}

/** Every Markdown text roster builds, each with the hostile values it shows. */
function builders(h: Hostile): [string, string, string[]][] {
  const { plan, verdict, source } = hostilePlan(h);
  const account: AccountRef = { id: `acc-${h.orgName}`, email: h.accountEmail, organization_name: h.orgName };
  const other: AccountRef = { id: "acc-2", email: `second${h.accountEmail}`, organization_name: `Second ${h.orgName}` };
  const view: AccountsPlanView = {
    accounts: [
      { account, plan, verdict, source },
      { account: other, plan, verdict, source: { ...source, manifest: "second.yaml" } },
    ],
    skipped: [{ account: { ...other, id: "acc-3" }, manifest: "third.yaml", reason: `disabled: ${h.error}` }],
  };
  const planText = planMarkdown(plan, verdict, source);
  const accountsText = accountsMarkdown(view);
  const result = hostileResult(h);
  const stopped: ApplyResult = {
    summary: { removed: 0, already_absent: 0, failed: 0, unknown: 0, not_started: 2 },
    results: [],
    stoppedBy: "auth",
    fatal: new ApiError("auth", `the API refused the key of the managed account ${h.orgName} (401): ${h.error}`, {
      status: 401,
    }),
  };
  const verification: AccountsVerification = {
    accounts: [{ account, verification: { converged: false, error: h.error } }],
    converged: false,
    remaining: 0,
    unreadable: 1,
  };
  // As the commands give them: the verification's lines, then an error (a value: a line break in it stays in it).
  const closing = [...accountsVerificationText(verification, [other]).split("\n"), `Error: ${h.error}`];
  const run = {
    accounts: [
      { account, result, planned: 2 },
      { account: other, result: stopped, planned: 2 },
    ],
    result: { ...result, summary: { ...result.summary, not_started: 2 } },
  };
  const emails = plan.removals.map((r) => r.email);
  return [
    ["the plan of one organization", planText, [...emails, h.group]],
    [
      "apply of one organization",
      applyMarkdown(
        planText,
        result,
        [verificationText({ converged: false, error: h.error }).trimEnd(), `Error: ${h.error}`],
        2,
      ),
      [...emails, h.error],
    ],
    ["the plan across accounts", accountsText, [h.orgName, h.accountEmail, h.error, ...emails]],
    [
      "apply across accounts",
      accountsApplyMarkdown(accountsText, run, closing, 4),
      [h.orgName, h.accountEmail, h.error, ...emails],
    ],
    [
      "apply across accounts, stopped before removals",
      accountsApplyMarkdown(accountsText, undefined, closing, 4),
      [h.orgName, h.error],
    ],
    [
      "the pull-request comment",
      pullRequestComment(`accounts/${h.orgName}.yaml`, accountsApplyMarkdown(accountsText, run, closing, 4)),
      [h.orgName, h.error],
    ],
  ];
}

/** The comment's body after its marker, which must be roster's one hidden line (the manifest's path encoded in it). */
function pullRequestComment(manifest: string, markdown: string): string {
  const marker = commentMarker(manifest);
  const [first, ...rest] = commentBody(marker, markdown).split("\n");
  assert.is(first, marker);
  assert.is(marker.indexOf("-->"), marker.length - 3, "the marker's comment ends at the end of its line");
  return rest.join("\n");
}

const hostile = suite("hostile values in every Markdown text");

hostile("each hostile piece, in every value at once, reads as text in every Markdown text", () => {
  for (const piece of HOSTILE) {
    const h: Hostile = {
      orgName: `Org ${piece} Inc`,
      accountEmail: `ops${piece}@example.com`,
      email: `${piece}@example.com`,
      group: `Team ${piece}`,
      error: `bad ${piece} detail`,
    };
    for (const [where, markdown, values] of builders(h))
      assertInert(markdown, values, `${where}, ${JSON.stringify(piece)}`);
  }
});

hostile("any mix of hostile pieces reads as text in every Markdown text (property)", () => {
  const text = fc
    .array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 4 })), { minLength: 1, maxLength: 3 })
    .map((pieces) => pieces.join(""));
  fc.assert(
    fc.property(fc.record({ orgName: text, accountEmail: text, email: text, group: text, error: text }), (h) => {
      // Values are clipped for display past 40 characters (the account's short name); the checks want them whole.
      const fits = (value: string) => value.slice(0, 36);
      const values: Hostile = {
        orgName: fits(h.orgName),
        accountEmail: fits(h.accountEmail),
        email: fits(h.email),
        group: fits(h.group),
        error: fits(h.error),
      };
      for (const [where, markdown, shownValues] of builders(values)) assertInert(markdown, shownValues, where);
    }),
    { numRuns: 100 },
  );
});

hostile("a plain name is shown as it is: escaping is only for what Markdown would act on", () => {
  const h: Hostile = {
    orgName: "Harbor Dental LLC",
    accountEmail: "ops@harbor.example.com",
    email: "@harbor.example.com",
    group: "Support",
    error: "HTTP 500",
  };
  const [, accountsText] = builders(h)[2]!;
  assert.match(accountsText, "#### Harbor Dental LLC \\<ops\\@harbor.example.com\\> (acc-Harbor Dental LLC)\n");
});

hostile.run();
