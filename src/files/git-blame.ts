import { execFile } from "node:child_process";
import { realpath } from "node:fs/promises";
import { basename, dirname } from "node:path";

// Who approved each line of a manifest: `git blame` of the file, run as a subprocess (one call per manifest),
// its porcelain output parsed here. Git is optional: a manifest outside a Git work tree, or a machine without
// git, has no approvals, and the review says why.

/** The commit that brought one line of a manifest to its branch, as a review shows it. */
export interface LineApproval {
  commit: string;
  author: string;
  author_email: string;
  /** The author's time, ISO 8601 in UTC. */
  date: string;
  /** The commit's subject (first line of its message). */
  subject: string;
  /** The pull request the subject names, "Add bob (#42)" or "Merge pull request #42 from …"; else null. */
  pull_request: number | null;
}

/** The blame of a manifest: each line's approval (null for a line not committed yet), or why there is none. */
export type Blame = { kind: "blamed"; lines: ReadonlyMap<number, LineApproval | null> } | { kind: "none"; why: string };

/** git's commit id for changes not committed yet. */
const NOT_COMMITTED = /^0{40}$/;
/** The first line of each line's entry in porcelain output: the commit, the line in the original, the line now. */
const ENTRY = /^([0-9a-f]{40}) \d+ (\d+)(?: \d+)?$/;

/**
 * The pull request a commit's subject names, or null: GitHub's squash "Title (#42)" and merge "Merge pull request #42
 * from".
 */
export function pullRequestOf(subject: string): number | null {
  const merge = /^Merge pull request #(\d{1,9})\b/.exec(subject);
  if (merge) return Number(merge[1]);
  const squashed = [...subject.matchAll(/\(#(\d{1,9})\)/g)].pop();
  return squashed ? Number(squashed[1]) : null;
}

/**
 * Each line of `git blame --porcelain` output, by its line number in the file: its approval, or null when not
 * committed.
 */
export function parsePorcelain(text: string): Map<number, LineApproval | null> {
  const commits = new Map<string, Record<string, string>>();
  const lines = new Map<number, LineApproval | null>();
  let current: { commit: string; line: number } | undefined;
  for (const row of text.split("\n")) {
    if (row.startsWith("\t")) {
      if (current) lines.set(current.line, approvalOf(current.commit, commits.get(current.commit) ?? {}));
      current = undefined;
      continue;
    }
    const entry = ENTRY.exec(row);
    if (entry && current === undefined) {
      current = { commit: entry[1]!, line: Number(entry[2]) };
      if (!commits.has(current.commit)) commits.set(current.commit, {});
      continue;
    }
    if (!current) continue;
    const space = row.indexOf(" ");
    const key = space < 0 ? row : row.slice(0, space);
    commits.get(current.commit)![key] = space < 0 ? "" : row.slice(space + 1);
  }
  return lines;
}

function approvalOf(commit: string, headers: Record<string, string>): LineApproval | null {
  if (NOT_COMMITTED.test(commit)) return null;
  const seconds = Number(headers["author-time"]);
  const subject = headers.summary ?? "";
  return {
    commit,
    author: headers.author ?? "",
    author_email: (headers["author-mail"] ?? "").replace(/^<(.*)>$/, "$1"),
    date: Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString().replace(".000Z", "Z") : "",
    subject,
    pull_request: pullRequestOf(subject),
  };
}

/** How long git may take over one manifest before the review goes on without approvals. */
const GIT_TIMEOUT_MS = 60_000;

/**
 * Blames the manifest at `path` with git, in the file's own folder (a symbolic link followed to its file):
 * `--first-parent`, so a line merged from a branch is the merge's (whose subject names the pull request).
 * git's words come in English (LC_ALL=C); the API keys of the environment are not passed on.
 */
export async function blameManifest(path: string, env: NodeJS.ProcessEnv): Promise<Blame> {
  let file: string;
  try {
    file = await realpath(path);
  } catch {
    return { kind: "none", why: `${path} could not be found to blame` };
  }
  const { TELNYX_API_KEY: _, ...rest } = env;
  const gitEnv = { ...rest, LC_ALL: "C", GIT_TERMINAL_PROMPT: "0", GIT_PAGER: "cat" };
  const args = ["blame", "--porcelain", "--first-parent", "--no-textconv", "--", basename(file)];
  return new Promise((resolve) => {
    execFile(
      "git",
      args,
      { cwd: dirname(file), env: gitEnv, maxBuffer: 256 * 1024 * 1024, timeout: GIT_TIMEOUT_MS, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (!error) return resolve({ kind: "blamed", lines: parsePorcelain(stdout) });
        resolve({ kind: "none", why: failure(error as NodeJS.ErrnoException & { killed?: boolean }, stderr, path) });
      },
    );
  });
}

/** Why git gave no blame of `path`, in words. */
function failure(error: NodeJS.ErrnoException & { killed?: boolean }, stderr: string, path: string): string {
  if (error.code === "ENOENT") return "git was not found (install Git, or put it on PATH)";
  if (error.killed) return `git blame of ${path} took longer than ${GIT_TIMEOUT_MS / 1000} seconds`;
  if (/not a git repository/i.test(stderr)) return `${path} is not in a Git work tree`;
  if (/no such path .* in HEAD|no such ref: HEAD/i.test(stderr)) return `${path} is not committed yet`;
  const said =
    stderr
      .trim()
      .split("\n")[0]
      ?.replace(/^fatal: /, "") ?? "";
  return `git blame of ${path} failed${said ? ` (${said.slice(0, 200)})` : ""}`;
}
