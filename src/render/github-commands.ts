import type { ManifestProblem } from "../manifest/manifest-error.js";
import type { GuardVerdict } from "../plan/guards.js";
import type { Plan } from "../plan/plan.js";
import { lineText, linesToText } from "./lines.js";
import { plural } from "../core/plural.js";
import type { PlanSource } from "../plan/plan.js";
import {
  driftText,
  driftUnknownText,
  PLAN_WORDS,
  planLines,
  planWarnings,
  summaryLine,
  verdictLine,
} from "./plan-lines.js";
import { sanitize } from "../core/safe-text.js";
import { expiringText, idleText } from "./lifecycle-lines.js";

/** The annotations GitHub Actions draws from workflow commands. */
export type WorkflowCommand = "error" | "warning" | "notice";

/** GitHub shows at most this many annotations of one kind per step; the rest would only fill the log. */
const MAX_MISSING_ANNOTATIONS = 10;

/**
 * One GitHub Actions workflow command, e.g. `::error file=users.yaml,line=12,col=5::duplicate user`. The
 * message and properties are escaped as the runner expects, so no text can end the command early or
 * start another one.
 */
export function workflowCommand(
  command: WorkflowCommand,
  properties: Record<string, string | number | undefined>,
  message: string,
): string {
  const props = Object.entries(properties)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(",");
  return `::${command}${props ? ` ${props}` : ""}::${escapeData(message)}`;
}

/** The runner's escaping of a command's message. */
export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** The runner's escaping of a command's property value: the message's, and "," and ":" too. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** Manifest problems as error annotations at their file, line and column. */
export function problemCommands(problems: readonly ManifestProblem[]): string {
  return problems
    .map(
      (p) =>
        `${workflowCommand(
          "error",
          p.missing ? { file: sanitize(p.file) } : { file: sanitize(p.file), line: p.line, col: p.col },
          sanitize(p.message),
        )}\n`,
    )
    .join("");
}

/** A warning at the manifest line of each user expiring soon, and a notice for each idle user (the first few). */
function lifecycleCommands(plan: Pick<Plan, "expiring" | "idle" | "idleAfterDays">, file: string): string[] {
  const commands = plan.expiring
    .slice(0, MAX_MISSING_ANNOTATIONS)
    .map((e) =>
      workflowCommand("warning", { file, line: e.line }, `${sanitize(e.email)}: expiring soon, ${expiringText(e)}`),
    );
  const moreExpiring = plan.expiring.length - MAX_MISSING_ANNOTATIONS;
  if (moreExpiring > 0)
    commands.push(
      workflowCommand("warning", { file }, `and ${plural(moreExpiring, "more user")} expiring soon: see the plan`),
    );
  for (const i of plan.idle.slice(0, MAX_MISSING_ANNOTATIONS))
    commands.push(workflowCommand("notice", { file }, `${sanitize(i.email)} is idle: ${idleText(i)}`));
  const moreIdle = plan.idle.length - MAX_MISSING_ANNOTATIONS;
  if (moreIdle > 0)
    commands.push(workflowCommand("notice", { file }, `and ${plural(moreIdle, "more idle user")}: see the plan`));
  return commands;
}

/**
 * The plan for a GitHub Actions log: the plain-text plan for people reading the log, then a notice with
 * the summary and the guard verdict, an error when a guard would refuse, and a warning at each manifest
 * line whose user is missing from the organization.
 */
export function planGithub(plan: Plan, verdict: GuardVerdict, source: PlanSource): string {
  const file = sanitize(source.manifest);
  const commands = [
    workflowCommand("notice", { file }, `${lineText(summaryLine(plan))}\n${lineText(verdictLine(verdict))}`),
  ];
  if (!verdict.allowed) commands.push(workflowCommand("error", { file }, lineText(verdictLine(verdict))));
  else if (verdict.forced) commands.push(workflowCommand("warning", { file }, lineText(verdictLine(verdict))));
  for (const missing of plan.missing.slice(0, MAX_MISSING_ANNOTATIONS)) {
    commands.push(
      workflowCommand(
        "warning",
        { file, line: missing.line, col: missing.col },
        `${sanitize(missing.email)} is not in the organization: ${PLAN_WORDS.missingAdvice}`,
      ),
    );
  }
  const more = plan.missing.length - MAX_MISSING_ANNOTATIONS;
  if (more > 0)
    commands.push(
      workflowCommand("warning", { file }, `and ${plural(more, "more missing user")}: see the plan in the log`),
    );
  for (const warning of planWarnings(plan)) {
    commands.push(workflowCommand("warning", { file, line: warning.line, col: warning.col }, warning.text()));
  }
  for (const drift of plan.groupDrift.slice(0, MAX_MISSING_ANNOTATIONS)) {
    commands.push(
      workflowCommand(
        "notice",
        { file, line: drift.line },
        `${sanitize(drift.email)} is ${driftText(drift)}: ${PLAN_WORDS.driftAdvice}`,
      ),
    );
  }
  if (plan.groupDriftUnknown)
    commands.push(
      workflowCommand("notice", { file }, `Group drift: ${driftUnknownText(plan.groupDriftUnknown.length)}`),
    );
  commands.push(...lifecycleCommands(plan, file));
  return `${linesToText(planLines(plan, { verdict })) + commands.join("\n")}\n`;
}
