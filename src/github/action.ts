// roster's GitHub Action (action.yml): runs the bundled CLI next to this file with the runner's Node, no
// npm install; sets the step's outputs; on a pull request keeps one plan comment up to date.
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { workflowCommand } from "../render/github-commands.js";
import { ACTION_REPORT_ENV, type ActionReport } from "./job-summary.js";
import { commentMarker, GithubApiError, upsertPlanComment } from "./pull-request-comment.js";

/** The inputs of action.yml, as the runner passes them: INPUT_<NAME> in the environment. */
function input(env: NodeJS.ProcessEnv, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim();
}

/** The commands the action runs. */
const COMMANDS = ["plan", "apply", "review"] as const;
type ActionCommand = (typeof COMMANDS)[number];

/** The roster command line the inputs ask for. */
export function rosterArgs(env: NodeJS.ProcessEnv): { command: ActionCommand; manifest: string; args: string[] } {
  const given = input(env, "command") || "plan";
  const command = COMMANDS.find((name) => name === given);
  if (command === undefined) throw new Error(`the command input is "${given}": give plan, apply or review`);
  const manifest = input(env, "manifest") || "users.yaml";
  const format = input(env, "format") || { plan: "github", apply: "pretty", review: "markdown" }[command];
  const args = [command, "-f", manifest, "--format", format];
  // A review reads and writes its Markdown to the job summary: the guards are for a run that removes.
  if (command === "review") {
    const guard = ["max-removals", "max-removal-percent", "audit-log"].find((name) => input(env, name) !== "");
    if (guard) throw new Error(`the ${guard} input is for plan and apply: review changes nothing`);
    if (!["", "false"].includes(input(env, "force")))
      throw new Error("the force input is for plan and apply: review changes nothing");
    if (input(env, "base-url") !== "") args.push("--base-url", input(env, "base-url"));
    return { command, manifest, args };
  }
  // plan exits 2 with removals and 3 when a guard would refuse: both are worth telling apart in the outputs.
  args.push(command === "plan" ? "--detailed-exitcode" : "--yes");
  for (const flag of ["max-removals", "max-removal-percent", "base-url"]) {
    const value = input(env, flag);
    if (value !== "") args.push(`--${flag}`, value);
  }
  if (command === "apply" && input(env, "audit-log") !== "") args.push("--audit-log", input(env, "audit-log"));
  const force = input(env, "force");
  if (force !== "" && force !== "false") {
    if (force !== "true") throw new Error(`the force input is "${force}": give true or false`);
    args.push("--force");
  }
  return { command, manifest, args };
}

/** Runs the action; returns the step's exit code. Messages for the log go to `log` (stdout). */
export async function runAction(env: NodeJS.ProcessEnv, log: (text: string) => void): Promise<number> {
  let request: ReturnType<typeof rosterArgs>;
  try {
    request = rosterArgs(env);
  } catch (error) {
    log(`${workflowCommand("error", {}, `roster: ${(error as Error).message}`)}\n`);
    return 1;
  }
  const work = mkdtempSync(join(env.RUNNER_TEMP || tmpdir(), "roster-"));
  const reportFile = join(work, "report.json");
  const code = await runRoster(request.args, childEnv(env, reportFile));
  const report = existsSync(reportFile) ? (JSON.parse(readFileSync(reportFile, "utf8")) as ActionReport) : undefined;
  rmSync(reportFile, { force: true });

  const outputs: Record<string, string> = { "exit-code": String(code) };
  if (report) {
    // Kept for later steps of the job (an artifact, a comment of one's own); the runner cleans RUNNER_TEMP.
    const markdownFile = join(work, `${request.command}.md`);
    writeFileSync(markdownFile, report.markdown);
    outputs.removals = String(report.removals);
    outputs[request.command === "review" ? "review-markdown" : "plan-markdown"] = markdownFile;
  } else {
    rmSync(work, { recursive: true, force: true });
  }
  if (env.GITHUB_OUTPUT)
    appendFileSync(
      env.GITHUB_OUTPUT,
      Object.entries(outputs)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(""),
    );

  const ok = request.command === "plan" ? code === 0 || code === 2 : code === 0;
  // The review goes to the job summary only: a pull-request comment is for a plan.
  const commented = report && request.command !== "review" ? await comment(env, request.manifest, report, log) : true;
  return ok && commented ? 0 : 1;
}

/** The environment roster runs in: the API key from the input or the job's env; the GitHub token left out. */
function childEnv(env: NodeJS.ProcessEnv, reportFile: string): NodeJS.ProcessEnv {
  const child: NodeJS.ProcessEnv = { ...env, CI: "true", [ACTION_REPORT_ENV]: reportFile };
  for (const key of Object.keys(child)) if (key.startsWith("INPUT_")) delete child[key];
  const apiKey = input(env, "api-key");
  if (apiKey !== "") child.TELNYX_API_KEY = apiKey;
  return child;
}

function runRoster(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const roster = fileURLToPath(new URL("./roster.js", import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [roster, ...args], { env, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
}

/**
 * On a pull request: keeps the plan's one comment up to date. False when it failed for another reason than a read-only
 * token.
 */
async function comment(
  env: NodeJS.ProcessEnv,
  manifest: string,
  report: ActionReport,
  log: (text: string) => void,
): Promise<boolean> {
  const say = (kind: "warning" | "error", message: string) => log(`${workflowCommand(kind, {}, message)}\n`);
  const wanted = input(env, "comment") || "true";
  if (wanted === "false") return true;
  if (!["pull_request", "pull_request_target"].includes(env.GITHUB_EVENT_NAME ?? "")) return true;
  const pullRequest = pullRequestNumber(env.GITHUB_EVENT_PATH);
  const token = input(env, "github-token") || env.GITHUB_TOKEN || "";
  if (pullRequest === undefined || !env.GITHUB_REPOSITORY || token === "") {
    say("warning", "roster: no pull request, repository or token to comment with: the plan is in the job summary");
    return true;
  }
  try {
    const { command } = report;
    const run =
      env.GITHUB_SERVER_URL && env.GITHUB_RUN_ID
        ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
        : undefined;
    const head = headCommit(env.GITHUB_EVENT_PATH);
    const outcome = await upsertPlanComment(
      { apiUrl: env.GITHUB_API_URL || "https://api.github.com", repository: env.GITHUB_REPOSITORY, pullRequest, token },
      commentMarker(manifest, command),
      report.markdown,
      { command, at: new Date(), ...(head ? { commit: head } : {}), ...(run ? { runUrl: run } : {}) },
    );
    log(`roster: ${outcome.action} the ${command} comment ${outcome.url}\n`);
    return true;
  } catch (error) {
    const message = redactToken((error as Error).message, token);
    const advice = error instanceof GithubApiError && error.advice ? `: ${error.advice}` : "";
    if (error instanceof GithubApiError && error.status === 403) {
      // Pull requests from forks get a read-only token: the plan is still in the log and the job summary.
      say(
        "warning",
        `roster: cannot comment on the pull request with this token (${message})${advice}. The plan is in the job ` +
          `summary.`,
      );
      return true;
    }
    say("error", `roster: could not update the plan comment (${message})${advice}. The plan is in the job summary.`);
    return false;
  }
}

/** The pull request's head commit, as the event names it: what the plan was made at (GITHUB_SHA is a merge). */
function headCommit(eventPath: string | undefined): string | undefined {
  if (!eventPath) return undefined;
  try {
    const event = JSON.parse(readFileSync(eventPath, "utf8")) as { pull_request?: { head?: { sha?: unknown } } };
    const sha = event.pull_request?.head?.sha;
    return typeof sha === "string" ? sha : undefined;
  } catch {
    return undefined;
  }
}

function pullRequestNumber(eventPath: string | undefined): number | undefined {
  if (!eventPath) return undefined;
  try {
    const number = (JSON.parse(readFileSync(eventPath, "utf8")) as { pull_request?: { number?: unknown } }).pull_request
      ?.number;
    return typeof number === "number" && Number.isInteger(number) ? number : undefined;
  } catch {
    return undefined;
  }
}

function redactToken(text: string, token: string): string {
  return token.length >= 4 ? text.split(token).join("[redacted]") : text;
}
