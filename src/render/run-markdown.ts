import { accountLabel } from "../core/managed-account.js";
import { plural, thousands } from "../core/plural.js";
import { escapeMarkdown } from "./markdown.js";
import { GITHUB_COMMENT_LIMIT, planMarkdown } from "./plan-markdown.js";
import { oneOrganization, totalCounts, type AccountPlanView, type AccountsPlanView, type RunView } from "./run-plan.js";

/** A run's plan as Markdown (the job summary, the pull-request comment): one organization's, or across accounts. */
export function runMarkdown(view: RunView): string {
  const one = oneOrganization(view);
  return one ? planMarkdown(one.plan, one.verdict, one.source) : accountsMarkdown(view);
}

/**
 * The pull-request comment across accounts, never over `limit` characters: every account keeps its heading
 * and summary line; when the whole would be too long, the longest accounts' sections are cut first (each
 * account gets an equal share, and what a short account leaves goes to the longer ones). An account whose
 * share cannot hold even its cut plan keeps its summary line alone, and one note at the end says so.
 */
export function accountsMarkdown(view: AccountsPlanView, limit = GITHUB_COMMENT_LIMIT): string {
  const head = [
    `## roster plan across ${plural(view.accounts.length, "account")}: ${escapeMarkdown(totalCounts(view))}`,
    "",
  ];
  const skipped =
    view.skipped.length > 0
      ? [
          "",
          `**Skipped (${view.skipped.length})**: nothing read or changed in them.`,
          "",
          ...view.skipped.map((s) => `- ${escapeMarkdown(accountLabel(s.account))}: ${escapeMarkdown(s.reason)}`),
        ]
      : [];
  const part = (a: AccountPlanView, markdown: string) =>
    [`#### ${escapeMarkdown(accountLabel(a.account))}`, "", markdown.replace(/^### /, "##### ")].join("\n");
  const full = view.accounts.map((a) => part(a, planMarkdown(a.plan, a.verdict, a.source, Number.MAX_SAFE_INTEGER)));
  const whole = `${[...head, ...full, ...skipped].join("\n").trimEnd()}\n`;
  if (whole.length <= limit) return whole;

  // Too long: every account is sure of its heading and summary line; the room left is shared for the rest.
  const summaryOnly = full.map((text) => text.slice(0, text.indexOf("\n", text.indexOf("##### ")) + 1));
  const fixed =
    [...head, ...skipped, LEFT_OUT_NOTE].join("\n").length +
    2 +
    summaryOnly.reduce((n, text) => n + text.length + 1, 0);
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
    const cut = part(
      a,
      planMarkdown(a.plan, a.verdict, a.source, Math.max(0, room - (summaryOnly[i]!.length - headingRoom)), limit),
    );
    return cut.length <= room ? cut : summaryOnly[i]!;
  });
  const text = `${[...head, ...parts, ...skipped, ...(shortened ? ["", LEFT_OUT_NOTE] : [])].join("\n").trimEnd()}\n`;
  if (text.length <= limit) return text;
  // Only when the accounts' headings and summary lines alone pass the limit (many hundreds of accounts).
  const cutNote = "\n\n… cut: the plan is too long for one comment; roster plan --format json lists it all.\n";
  return text.slice(0, Math.max(0, limit - cutNote.length)) + cutNote;
}

/** Said once under a comment in which some accounts' plans were cut or left out. */
const LEFT_OUT_NOTE =
  `Some accounts' plans are cut or shown by their summary line alone: a comment holds at most ` +
  `${thousands(GITHUB_COMMENT_LIMIT)} characters. roster plan --format json lists every account in full.`;

/**
 * Splits `room` among items that want `wanted` each: equal shares, what a small item leaves going to the larger ones.
 */
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
