import { accountLabel, OWN_ACCOUNT_ID, type AccountRef } from "../core/managed-account.js";
import { plural } from "../core/plural.js";
import { sanitize } from "../core/safe-text.js";
import type { GuardVerdict } from "../plan/guards.js";
import type { Plan, PlanSource, PlanSummary } from "../plan/plan.js";
import type { RunShape } from "../plan/saved-plan.js";
import { planGithub, workflowCommand } from "./github-commands.js";
import { line, linesToText, toned, type Line } from "./lines.js";
import { planJson } from "./plan-json.js";
import { countsText, planLines, type PlanViewContext } from "./plan-lines.js";

// A run's plan: its organizations' plans. One organization is shown as a plan always was (runText, runJson,
// ...); across accounts, each account's plan in the format of a single plan, under a heading naming the
// account, then the total.

/** One account's part of a plan across accounts. */
export interface AccountPlanView {
  account: AccountRef;
  plan: Plan;
  verdict: GuardVerdict;
  source: PlanSource;
}

/** An account a manifest names that was not read (cancelled, disabled): reported, never planned. */
export interface SkippedAccountView {
  account: AccountRef;
  manifest: string;
  reason: string;
}

/** A plan across accounts, in the order of the manifests. */
export interface AccountsPlanView {
  accounts: AccountPlanView[];
  skipped: SkippedAccountView[];
}

/**
 * A run's plan as every renderer takes it: its organizations in order, and how the run names them (`shape`):
 * one organization is shown without account headings, with the documents of one organization.
 */
export interface RunView extends AccountsPlanView {
  shape: RunShape;
  /** How many organizations the manifests (or the saved plan) named, the skipped ones included. */
  manifests: number;
}

/** The one organization of a run shown as one organization (no account headings); undefined across accounts. */
export function oneOrganization(view: RunView): AccountPlanView | undefined {
  return view.shape === "organization" ? view.accounts[0] : undefined;
}

/**
 * `plan --format json`: one organization's document; for one manifest naming an account, with its account; else every
 * account's.
 */
export function runJson(view: RunView) {
  const one = oneOrganization(view);
  if (one) return planJson(one.plan, one.verdict);
  return view.manifests === 1 && view.accounts.length === 1 ? oneAccountJson(view.accounts[0]!) : accountsJson(view);
}

/** The plain text of a run's plan, for CI logs and pipes. */
export function runText(view: RunView): string {
  const one = oneOrganization(view);
  return one ? linesToText(planLines(one.plan, { verdict: one.verdict })) : accountsText(view);
}

/** `--format diff` of a run's plan. */
export function runDiff(view: RunView, planDiff: (plan: Plan, source: PlanSource) => string): string {
  const one = oneOrganization(view);
  return one ? planDiff(one.plan, one.source) : accountsDiff(view, planDiff);
}

/** `--format github` of a run's plan. */
export function runGithub(view: RunView): string {
  const one = oneOrganization(view);
  return one ? planGithub(one.plan, one.verdict, one.source) : accountsGithub(view);
}

/** Every count of a plan's summary: the total adds them up across accounts. */
const COUNTS = [
  "remove",
  "keep",
  "protected",
  "missing",
  "group_drift",
] as const satisfies readonly (keyof PlanSummary)[];

/** The counts of every account together. */
export function accountsSummary(
  view: AccountsPlanView,
): PlanSummary & { accounts: number; skipped: number; refused: number; live: number } {
  const total = {
    remove: 0,
    keep: 0,
    protected: 0,
    missing: 0,
    group_drift: 0,
    accounts: view.accounts.length,
    skipped: view.skipped.length,
    refused: 0,
    live: 0,
  };
  for (const { plan, verdict } of view.accounts) {
    for (const key of COUNTS) total[key] += plan.summary[key];
    total.live += plan.liveCount;
    if (!verdict.allowed) total.refused += 1;
  }
  return total;
}

/** The total line under every format: "Total across 3 accounts: 12 to remove, ...". */
export function accountsTotalText(view: AccountsPlanView): string {
  return `Total across ${plural(view.accounts.length, "account")}: ${totalCounts(view)}`;
}

/** The total's counts: every account's summed, its users, and the accounts skipped or refused by a guard. */
export function totalCounts(view: AccountsPlanView): string {
  const t = accountsSummary(view);
  const skipped = t.skipped > 0 ? `; ${plural(t.skipped, "account")} skipped` : "";
  const refused = t.refused > 0 ? `; ${plural(t.refused, "account")} refused by a guard` : "";
  return `${countsText(t)} (${plural(t.live, "user")})${skipped}${refused}`;
}

/** The plan across accounts as lines: each account's heading and plan, the skipped accounts, the total. */
export function accountsLines(view: AccountsPlanView, context: Omit<PlanViewContext, "verdict"> = {}): Line[] {
  const lines: Line[] = [];
  for (const { account, plan, verdict, source } of view.accounts) {
    lines.push(
      line(toned("heading", `Account: ${accountLabel(account)}`)),
      line(toned("muted", `  manifest ${sanitize(source.manifest)}`)),
    );
    lines.push(...planLines(plan, { ...context, verdict }), line(""));
  }
  if (view.skipped.length > 0) {
    lines.push(line(toned("warn", `Skipped (${view.skipped.length}): nothing read or changed in them`)));
    for (const skipped of view.skipped)
      lines.push(
        line(
          toned("warn", `  ! ${accountLabel(skipped.account)}`),
          toned("muted", `  ${sanitize(skipped.reason)} (manifest ${sanitize(skipped.manifest)})`),
        ),
      );
    lines.push(line(""));
  }
  lines.push(line(toned("heading", accountsTotalText(view))));
  return lines;
}

/** The account as the JSON documents (plan's and apply's) give it; the own organization has no id of its own. */
export function accountData(account: AccountRef) {
  if (account.id === OWN_ACCOUNT_ID) return { id: null, email: null, organization_name: null, own: true };
  return { id: account.id, email: account.email, organization_name: account.organization_name || null };
}

/**
 * `plan --format json` of one manifest that names a managed account: the document of one organization, as
 * ever, with the account it is for (`account`) beside it; across several manifests, accountsJson.
 */
export function oneAccountJson(plan: AccountPlanView) {
  return { ...planJson(plan.plan, plan.verdict), account: accountData(plan.account) };
}

/** `plan --format json` across accounts: each account's document of a single plan, with its account and manifest. */
export function accountsJson(view: AccountsPlanView) {
  const { accounts, skipped, refused, live, ...summary } = accountsSummary(view);
  return {
    format_version: 1,
    accounts: view.accounts.map(({ account, plan, verdict, source }) => {
      const { format_version: _, ...single } = planJson(plan, verdict);
      return { account: accountData(account), manifest: source.manifest, ...single };
    }),
    skipped: view.skipped.map((s) => ({ account: accountData(s.account), manifest: s.manifest, reason: s.reason })),
    summary: { ...summary, accounts, skipped, refused, live_count: live },
  };
}

/**
 * `--format diff` across accounts: each account's diff, its headers naming the account, then the total as a comment
 * line.
 */
export function accountsDiff(view: AccountsPlanView, planDiff: (plan: Plan, source: PlanSource) => string): string {
  return (
    view.accounts
      .map(
        (a) =>
          `# ${accountLabel(a.account)}\n${planDiff(a.plan, { ...a.source, host: `${a.source.host} ${a.account.id}` })}`,
      )
      .join("\n") +
    view.skipped.map((s) => `# skipped: ${accountLabel(s.account)}: ${sanitize(s.reason)}\n`).join("") +
    `\n# ${accountsTotalText(view)}\n`
  );
}

/** `--format github` across accounts: each account's plan and annotations, then the total as a notice. */
export function accountsGithub(view: AccountsPlanView): string {
  const parts = view.accounts.map(
    (a) => `Account: ${accountLabel(a.account)}\n${planGithub(a.plan, a.verdict, a.source)}`,
  );
  const skipped = view.skipped.map(
    (s) =>
      `${workflowCommand(
        "warning",
        { file: sanitize(s.manifest) },
        `${accountLabel(s.account)} skipped: ${sanitize(s.reason)}`,
      )}\n`,
  );
  return `${parts.join("\n") + skipped.join("") + workflowCommand("notice", {}, accountsTotalText(view))}\n`;
}

/** The plain text across accounts, for CI logs and pipes. */
export function accountsText(view: AccountsPlanView): string {
  return linesToText(accountsLines(view));
}
