import { GROUP_NAME_SHOWN } from "../core/groups.js";
import { clip } from "../core/safe-text.js";
import type { GuardVerdict } from "../plan/guards.js";
import type { Plan } from "../plan/plan.js";
import { protectionNote, type ValueStyle } from "../plan/protection.js";
import { plural, thousands } from "../core/plural.js";
import type { PlanSource } from "../plan/plan.js";
import { codeSpan, escapeMarkdown, fencedBlock } from "./markdown.js";
import { countsText, driftText, driftUnknownText, PLAN_WORDS, planWarnings, verdictLabel } from "./plan-lines.js";
import { groupsNote } from "../core/user-note.js";
import { rosterLines } from "./roster-lines.js";
import { expiringText, idleAdvice, idleText, LIFECYCLE_WORDS } from "./lifecycle-lines.js";

/** GitHub refuses a comment longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** Room kept for each section's "left out" note, so the notes never push the comment over the limit. */
const NOTE_ROOM = 200;

/** A part of the comment whose items may be left out when the comment would be too long. */
interface Section {
  before: string[];
  items: string[];
  after: string[];
  /** What the items are, for the note: "removals". */
  what: string;
}

/**
 * The plan as a pull-request comment: the summary first, the removals as a diff block, then protected and
 * missing users and the guard verdict. A plan too long for one comment keeps its summary and verdict and
 * says how many lines were left out; the result is never longer than `limit` characters. `commentLimit` is the
 * limit the note states: the whole comment's, when this plan is one account's share of it.
 */
export function planMarkdown(
  plan: Plan,
  verdict: GuardVerdict,
  source: PlanSource,
  limit = GITHUB_COMMENT_LIMIT,
  commentLimit = limit,
): string {
  const { summary } = plan;
  const refused = verdict.allowed ? "" : " (refused by a guard)";
  const head = [
    `### roster plan: ${countsText(summary, refused)}`,
    "",
    `${plural(plan.liveCount, "user")} in the organization at ${codeSpan(source.host)}; manifest ` +
      `${codeSpan(source.manifest)}.`,
  ];
  const tail = ["", `**${verdictLabel(verdict)}:** ${escapeMarkdown(verdict.message)}`];

  const sections: Section[] = [];
  if (summary.remove === 0) {
    head.push("", PLAN_WORDS.noChanges);
  } else {
    const removals = rosterLines(plan)
      .filter((line) => line.removed)
      .map((line) => `- ${line.text}`);
    const [open, ...rest] = fencedBlock("diff", removals);
    sections.push({ before: ["", open!], items: removals, after: [rest[rest.length - 1]!], what: "removals" });
  }
  if (summary.protected > 0) {
    sections.push({
      before: ["", `**${PLAN_WORDS.protectedHeading} (${summary.protected})**`, ""],
      items: plan.protected.map(
        (p) => `- ${codeSpan(p.email)}: ${protectionNote(p, MARKDOWN_VALUES)}${escapeMarkdown(groupsNote(p.groups))}`,
      ),
      after: [],
      what: "protected users",
    });
  }
  if (summary.missing > 0) {
    sections.push({
      before: ["", `**${PLAN_WORDS.missingHeading} (${summary.missing})**: ${PLAN_WORDS.missingAdvice}.`, ""],
      items: plan.missing.map((m) => `- ${codeSpan(m.email)} (manifest line ${m.line})`),
      after: [],
      what: "missing users",
    });
  }

  const unchecked = plan.groupDriftUnknown?.length ?? 0;
  if (summary.group_drift > 0) {
    sections.push({
      before: ["", `**${PLAN_WORDS.driftHeading} (${summary.group_drift})**: ${PLAN_WORDS.driftAdvice}.`, ""],
      items: plan.groupDrift.map((d) => `- ${codeSpan(d.email)}: ${escapeMarkdown(driftText(d))}`),
      after: unchecked > 0 ? ["", `${escapeMarkdown(capitalized(driftUnknownText(unchecked)))}.`] : [],
      what: "users with group drift",
    });
  } else if (unchecked > 0) {
    sections.push({
      before: ["", `**${PLAN_WORDS.driftHeading}**: ${escapeMarkdown(driftUnknownText(unchecked))}.`],
      items: [],
      after: [],
      what: "users with group drift",
    });
  }
  if (plan.expiring.length > 0) {
    sections.push({
      before: [
        "",
        `**${LIFECYCLE_WORDS.expiringHeading} (${plan.expiring.length})**: ${LIFECYCLE_WORDS.expiringAdvice}.`,
        "",
      ],
      items: plan.expiring.map((e) => `- ${codeSpan(e.email)}: ${escapeMarkdown(expiringText(e))}`),
      after: [],
      what: "users expiring soon",
    });
  }
  if (plan.idle.length > 0) {
    sections.push({
      before: [
        "",
        `**${LIFECYCLE_WORDS.idleHeading} (${plan.idle.length})**: ${escapeMarkdown(idleAdvice(plan))}.`,
        "",
      ],
      items: plan.idle.map((i) => `- ${codeSpan(i.email)}: ${escapeMarkdown(idleText(i))}`),
      after: [],
      what: "idle users",
    });
  }
  const warnings = planWarnings(plan);
  if (warnings.length > 0) {
    sections.push({
      before: ["", `**${PLAN_WORDS.warningsHeading} (${warnings.length})**`, ""],
      items: warnings.map((w) => `- ${w.text(codeSpan)}`),
      after: [],
      what: "warnings",
    });
  }

  const size = (lines: readonly string[]) => lines.reduce((n, l) => n + l.length + 1, 0);
  let used = size(head) + size(tail) + sections.reduce((n, s) => n + size(s.before) + size(s.after) + NOTE_ROOM, 0);
  let full = false;
  const body: string[] = [];
  for (const section of sections) {
    let shown = 0;
    for (const item of section.items) {
      if (full || used + item.length + 1 > limit) {
        full = true;
        break;
      }
      used += item.length + 1;
      shown += 1;
    }
    body.push(...section.before, ...section.items.slice(0, shown), ...section.after);
    const left = section.items.length - shown;
    if (left > 0) {
      body.push(
        "",
        `… and ${thousands(left)} more ${section.what} left out: a comment holds at most ` +
          `${thousands(commentLimit)} characters. roster plan --format json lists them all.`,
      );
    }
  }
  return `${[...head, ...body, ...tail].join("\n")}\n`;
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** How Markdown shows a protection's values: each in a code span. */
const MARKDOWN_VALUES: ValueStyle = {
  pattern: codeSpan,
  recordType: codeSpan,
  group: (text) => codeSpan(clip(text, GROUP_NAME_SHOWN)),
};
