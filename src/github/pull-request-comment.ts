import { GITHUB_COMMENT_LIMIT } from "../render/plan-markdown.js";
import type { ActionReport } from "./job-summary.js";

/** Where and as whom the action comments: the REST API, the repository, the pull request and the job's token. */
export interface PullRequestTarget {
  /** GITHUB_API_URL: https://api.github.com, or a GitHub Enterprise Server's /api/v3. */
  apiUrl: string;
  /** GITHUB_REPOSITORY: owner/name. */
  repository: string;
  pullRequest: number;
  token: string;
}

/** Who a comment was written by, as the REST API reports it. */
export interface CommentAuthor {
  login: string;
  type: string;
}

/** The identity of the workflow's default token (GITHUB_TOKEN), which cannot ask GET /user who it is. */
export const ACTIONS_BOT: CommentAuthor = { login: "github-actions[bot]", type: "Bot" };

/**
 * A refusal or failure of the GitHub REST API: the message names the request and its answer, `advice` what to
 * do. `status` is 0 when no answer came; 403 is a token that may not comment (a fork's read-only token).
 */
export class GithubApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly advice = "",
  ) {
    super(message);
    this.name = "GithubApiError";
  }
}

/** What to do about a refusal of `request` with this status, for the comment on `target`'s pull request. */
export function adviceFor(status: number, target: Pick<PullRequestTarget, "repository" | "pullRequest">): string {
  if (status === 401)
    return "the token was refused: check the action's github-token input (expired, revoked or mistyped)";
  if (status === 403) {
    return (
      "give the job `permissions: pull-requests: write`; a pull request from a fork gets a read-only token, " +
      "which cannot comment"
    );
  }
  if (status === 404)
    return (
      `check that pull request #${target.pullRequest} is in ${target.repository} (GITHUB_REPOSITORY) and that ` +
      `the token can see that repository`
    );
  if (status === 429 || status >= 500) return "GitHub could not answer for now: run the job again";
  return "";
}

/**
 * Why a request got no answer, from fetch's error: its cause ("connect ECONNREFUSED 127.0.0.1:1"), else its message.
 */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { message?: unknown; code?: unknown } } | undefined)?.cause;
  const text =
    typeof cause?.message === "string" && cause.message !== ""
      ? cause.message
      : typeof cause?.code === "string"
        ? cause.code
        : (error as Error)?.message;
  return String(text ?? "unknown error").slice(0, 300);
}

/**
 * The hidden first line that marks roster's comment for one manifest and command, so each manifest keeps its
 * own plan comment, and an apply's results go in a comment of their own, never over the plan reviewers
 * approved. The path is percent-encoded: it cannot end the HTML comment or start a new line.
 */
export function commentMarker(manifest: string, command: ActionCommand = "plan"): string {
  return `<!-- roster-${command} manifest=${encodeURIComponent(manifest)} -->`;
}

/** The commands whose results the action comments, each in a comment of its own. */
export type ActionCommand = ActionReport["command"];

/** Where a plan or apply came from, for the line under a comment's marker. */
export interface CommentStamp {
  command: ActionCommand;
  /** The pull request's head commit (40 hex digits), when the event names it. */
  commit?: string;
  /** The workflow run's page, when the runner says where it is. */
  runUrl?: string;
  /** When roster ran. */
  at: Date;
}

/**
 * The line that tells a reviewer which commit a comment was made at, and when: "_Planned at commit `0a1b2c3`
 * (the pull request's head) on 2026-12-03 10:02 UTC, in [workflow run 42](…)._". Only roster's own values:
 * a commit that is not hex, or a run URL that is not https, is left out.
 */
export function stampLine(stamp: CommentStamp): string {
  const verb = stamp.command === "plan" ? "Planned" : stamp.command === "apply" ? "Applied" : "Made";
  const commit =
    stamp.commit && /^[0-9a-f]{40}$/.test(stamp.commit)
      ? ` at commit \`${stamp.commit.slice(0, 7)}\` (the pull request's head)`
      : "";
  const when = `${stamp.at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const run =
    stamp.runUrl && /^https:\/\/[^\s()<>]+$/.test(stamp.runUrl) ? `, in [its workflow run](${stamp.runUrl})` : "";
  return `_${verb}${commit} on ${when}${run}._`;
}

/** What happened to the pull request's plan comment. */
export interface CommentOutcome {
  action: "created" | "updated";
  id: number;
  url: string;
}

interface IssueComment {
  id: number;
  body?: string | null;
  html_url: string;
  user: CommentAuthor | null;
}

/**
 * Keeps one plan comment on the pull request: the first comment that carries `marker` on its first line AND
 * was written by the token's own identity is edited; otherwise a new one is created. Comments by anyone else
 * are never touched, whatever they hold.
 */
export async function upsertPlanComment(
  target: PullRequestTarget,
  marker: string,
  markdown: string,
  stamp?: CommentStamp,
): Promise<CommentOutcome> {
  const api = apiClient(target);
  const self = await api.identity();
  const body = commentBody(marker, stamp ? `${stampLine(stamp)}\n\n${markdown}` : markdown);
  const [owner, name] = target.repository.split("/").map(encodeURIComponent);
  const repo = `/repos/${owner}/${name}`;
  let next: string | undefined = `${repo}/issues/${target.pullRequest}/comments?per_page=100`;
  while (next) {
    const page: { data: IssueComment[]; next?: string } = await api.list(next);
    const mine = page.data.find(
      (c) => c.user && isSelf(c.user, self) && (c.body ?? "").split(/\r?\n/, 1)[0] === marker,
    );
    if (mine) {
      const updated = (await api.send("PATCH", `${repo}/issues/comments/${mine.id}`, body)) as IssueComment;
      return { action: "updated", id: updated.id, url: updated.html_url };
    }
    next = page.next;
  }
  const created = (await api.send("POST", `${repo}/issues/${target.pullRequest}/comments`, body)) as IssueComment;
  return { action: "created", id: created.id, url: created.html_url };
}

/** A bot's login can be told from a person's only with its type: both must match. */
function isSelf(author: CommentAuthor, self: CommentAuthor): boolean {
  return author.login === self.login && author.type === self.type;
}

/** The marker, then the Markdown, cut to GitHub's comment limit (an apply's results can be longer). */
export function commentBody(marker: string, markdown: string): string {
  const body = `${marker}\n${markdown}`;
  if (body.length <= GITHUB_COMMENT_LIMIT) return body;
  const note = "\n\n… cut here: a comment holds at most 65,536 characters. The job summary has the rest.\n";
  return body.slice(0, GITHUB_COMMENT_LIMIT - note.length) + note;
}

function apiClient(target: PullRequestTarget) {
  const base = new URL(target.apiUrl.endsWith("/") ? target.apiUrl : `${target.apiUrl}/`);
  const headers = {
    authorization: `Bearer ${target.token}`,
    accept: "application/vnd.github+json",
    "x-github-api-version": "2022-11-28",
    "user-agent": "telnyx-roster",
  };
  const urlOf = (path: string) => new URL(path.replace(/^\//, ""), base);
  /** fetch, with a failure that names the request and why it got no answer (not fetch's bare "fetch failed"). */
  const send = async (method: string, url: URL, init: RequestInit) => {
    try {
      return await fetch(url, { ...init, method });
    } catch (error) {
      const advice = `check GITHUB_API_URL (${base.origin}${base.pathname}) and the runner's network`;
      throw new GithubApiError(0, `${method} ${url.pathname} got no answer: ${causeOf(error)}`, advice);
    }
  };
  const request = async (method: string, url: URL, body?: string) => {
    // The token goes only to the API it was given for: a Link header naming another host is not followed.
    if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname))
      throw new GithubApiError(0, `the GitHub API pointed to ${url.origin}, outside ${base.origin}${base.pathname}`);
    const response = await send(method, url, {
      headers: { ...headers, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify({ body }) } : {}),
    });
    if (!response.ok) {
      const detail = await response.json().then(
        (d: { message?: unknown }) => (typeof d?.message === "string" ? `: ${d.message.slice(0, 300)}` : ""),
        () => "",
      );
      throw new GithubApiError(
        response.status,
        `${method} ${url.pathname} answered ${response.status}${detail}`,
        adviceFor(response.status, target),
      );
    }
    return response;
  };
  return {
    /** GET /user names a personal token's owner; the job's GITHUB_TOKEN may not ask, and is github-actions[bot]. */
    async identity(): Promise<CommentAuthor> {
      const response = await send("GET", urlOf("user"), { headers });
      if (!response.ok) {
        await response.body?.cancel();
        return ACTIONS_BOT;
      }
      const user = (await response.json()) as CommentAuthor;
      return { login: user.login, type: user.type };
    },
    async list(path: string): Promise<{ data: IssueComment[]; next?: string }> {
      const response = await request("GET", path.startsWith("http") ? new URL(path) : urlOf(path));
      const next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
      return { data: (await response.json()) as IssueComment[], ...(next ? { next } : {}) };
    },
    async send(method: "POST" | "PATCH", path: string, body: string): Promise<unknown> {
      return (await request(method, urlOf(path), body)).json();
    },
  };
}
