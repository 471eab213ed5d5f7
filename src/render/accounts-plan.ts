import type { AccountRef } from "../apply/apply-accounts.js";
import { plural } from "../core/plural.js";
import { clip, sanitize } from "../core/safe-text.js";
import type { GuardVerdict } from "../plan/guards.js";
import type { Plan, PlanSource, PlanSummary } from "../plan/plan.js";
import { planGithub, workflowCommand } from "./github-commands.js";
import { line, linesToText, toned, type Line } from "./lines.js";
import { escapeMarkdown } from "./markdown.js";
import { planJson } from "./plan-json.js";
import { countsText, planLines, type PlanViewContext } from "./plan-lines.js";
import { GITHUB_COMMENT_LIMIT, planMarkdown } from "./plan-markdown.js";

// One plan across several accounts (a manager's managed accounts, and the key's own organization): each
// account's plan in the format of a single plan, under a heading naming the account, then the total.

/** The id a run across accounts gives the API key's own organization (a manifest without `account:`). */
export const OWN_ACCOUNT_ID = "own";
/** The API key's own organization as a run across accounts names it: it has no id, email or name of its own. */
export const OWN_ACCOUNT: AccountRef = { id: OWN_ACCOUNT_ID, email: "", organization_name: "" };

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

/** An account in words: "Acme <ops@acme.example> (6a09…)", or the key's own organization. Made safe to print. */
export function accountLabel(account: AccountRef): string {
  if (account.id === OWN_ACCOUNT_ID) return "the API key's own organization";
  const name = account.organization_name ? clip(account.organization_name, 80) : "(no organization name)";
  return sanitize(`${name} <${clip(account.email, 120)}> (${clip(account.id, 60)})`);
}

/** An account's short name, beside each result of an apply: its organization name, else its email. Made safe. */
export function accountName(account: AccountRef): string {
  if (account.id === OWN_ACCOUNT_ID) return "own organization";
  return sanitize(clip(account.organization_name || account.email, 40));
}

/** Every count of a plan's summary: the total adds them up across accounts. */
const COUNTS = ["remove", "keep", "protected", "missing", "group_drift"] as const satisfies readonly (keyof PlanSummary)[];

/** The counts of every account together. */
export function accountsSummary(view: AccountsPlanView): PlanSummary & { accounts: number; skipped: number; refused: number; live: number } {
  const total = { remove: 0, keep: 0, protected: 0, missing: 0, group_drift: 0, accounts: view.accounts.length, skipped: view.skipped.length, refused: 0, live: 0 };
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
function totalCounts(view: AccountsPlanView): string {
  const t = accountsSummary(view);
  const skipped = t.skipped > 0 ? `; ${plural(t.skipped, "account")} skipped` : "";
  const refused = t.refused > 0 ? `; ${plural(t.refused, "account")} refused by a guard` : "";
  return `${countsText(t)} (${plural(t.live, "user")})${skipped}${refused}`;
}

/** The plan across accounts as lines: each account's heading and plan, the skipped accounts, the total. */
export function accountsLines(view: AccountsPlanView, context: Omit<PlanViewContext, "verdict"> = {}): Line[] {
  const lines: Line[] = [];
  for (const { account, plan, verdict, source } of view.accounts) {
    lines.push(line(toned("heading", `Account: ${accountLabel(account)}`)), line(toned("muted", `  manifest ${sanitize(source.manifest)}`)));
    lines.push(...planLines(plan, { ...context, verdict }), line(""));
  }
  if (view.skipped.length > 0) {
    lines.push(line(toned("warn", `Skipped (${view.skipped.length}): nothing read or changed in them`)));
    for (const skipped of view.skipped) lines.push(line(toned("warn", `  ! ${accountLabel(skipped.account)}`), toned("muted", `  ${sanitize(skipped.reason)} (manifest ${sanitize(skipped.manifest)})`)));
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
 * The pull-request comment across accounts, never over `limit` characters: every account keeps its heading
 * and summary line; when the whole would be too long, the longest accounts' sections are cut first (each
 * account gets an equal share, and what a short account leaves goes to the longer ones). An account whose
 * share cannot hold even its cut plan keeps its summary line alone, and one note at the end says so.
 */
export function accountsMarkdown(view: AccountsPlanView, limit = GITHUB_COMMENT_LIMIT): string {
  const head = [`## roster plan across ${plural(view.accounts.length, "account")}: ${escapeMarkdown(totalCounts(view))}`, ""];
  const skipped =
    view.skipped.length > 0
      ? ["", `**Skipped (${view.skipped.length})**: nothing read or changed in them.`, "", ...view.skipped.map((s) => `- ${escapeMarkdown(accountLabel(s.account))}: ${escapeMarkdown(s.reason)}`)]
      : [];
  const part = (a: AccountPlanView, markdown: string) => [`#### ${escapeMarkdown(accountLabel(a.account))}`, "", markdown.replace(/^### /, "##### ")].join("\n");
  const full = view.accounts.map((a) => part(a, planMarkdown(a.plan, a.verdict, a.source, Number.MAX_SAFE_INTEGER)));
  const whole = [...head, ...full, ...skipped].join("\n").trimEnd() + "\n";
  if (whole.length <= limit) return whole;

  // Too long: every account is sure of its heading and summary line; the room left is shared for the rest.
  const summaryOnly = full.map((text) => text.slice(0, text.indexOf("\n", text.indexOf("##### ")) + 1));
  const fixed = [...head, ...skipped, LEFT_OUT_NOTE].join("\n").length + 2 + summaryOnly.reduce((n, text) => n + text.length + 1, 0);
  const extras = shares(
    full.map((text, i) => text.length - summaryOnly[i]!.length),
    Math.max(0, limit - fixed),
  );
  let shortened = false;
  const parts = view.accounts.map((a, i) => {
    const room = summaryOnly[i]!.length + extras[i]!;
    if (full[i]!.length <= room) return full[i]!;
    shortened = true;
    const headingRoom = summaryOnly[i]!.length - summaryOnly[i]!.indexOf("##### ");
    const cut = part(a, planMarkdown(a.plan, a.verdict, a.source, Math.max(0, room - (summaryOnly[i]!.length - headingRoom)), limit));
    return cut.length <= room ? cut : summaryOnly[i]!;
  });
  const text = [...head, ...parts, ...skipped, ...(shortened ? ["", LEFT_OUT_NOTE] : [])].join("\n").trimEnd() + "\n";
  if (text.length <= limit) return text;
  // Only when the accounts' headings and summary lines alone pass the limit (many hundreds of accounts).
  const cutNote = "\n\n… cut: the plan is too long for one comment; roster plan --format json lists it all.\n";
  return text.slice(0, Math.max(0, limit - cutNote.length)) + cutNote;
}

/** Said once under a comment in which some accounts' plans were cut or left out. */
const LEFT_OUT_NOTE = `Some accounts' plans are cut or shown by their summary line alone: a comment holds at most ${GITHUB_COMMENT_LIMIT.toLocaleString("en-US")} characters. roster plan --format json lists every account in full.`;

/** Splits `room` among items that want `wanted` each: equal shares, what a small item leaves going to the larger ones. */
export function shares(wanted: readonly number[], room: number): number[] {
  const given = wanted.map(() => 0);
  const smallestFirst = wanted.map((_, i) => i).sort((a, b) => wanted[a]! - wanted[b]!);
  let left = room;
  smallestFirst.forEach((i, k) => {
    given[i] = Math.min(wanted[i]!, Math.floor(left / (smallestFirst.length - k)));
    left -= given[i]!;
  });
  return given;
}

/** `--format diff` across accounts: each account's diff, its headers naming the account, then the total as a comment line. */
export function accountsDiff(view: AccountsPlanView, planDiff: (plan: Plan, source: PlanSource) => string): string {
  return (
    view.accounts.map((a) => `# ${accountLabel(a.account)}\n${planDiff(a.plan, { ...a.source, host: `${a.source.host} ${a.account.id}` })}`).join("\n") +
    view.skipped.map((s) => `# skipped: ${accountLabel(s.account)}: ${sanitize(s.reason)}\n`).join("") +
    `\n# ${accountsTotalText(view)}\n`
  );
}

/** `--format github` across accounts: each account's plan and annotations, then the total as a notice. */
export function accountsGithub(view: AccountsPlanView): string {
  const parts = view.accounts.map((a) => `Account: ${accountLabel(a.account)}\n${planGithub(a.plan, a.verdict, a.source)}`);
  const skipped = view.skipped.map((s) => workflowCommand("warning", { file: sanitize(s.manifest) }, `${accountLabel(s.account)} skipped: ${sanitize(s.reason)}`) + "\n");
  return parts.join("\n") + skipped.join("") + workflowCommand("notice", {}, accountsTotalText(view)) + "\n";
}

/** The plain text across accounts, for CI logs and pipes. */
export function accountsText(view: AccountsPlanView): string {
  return linesToText(accountsLines(view));
}
