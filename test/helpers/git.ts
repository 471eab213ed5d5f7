import { execFileSync } from "node:child_process";
import { dirname } from "node:path";

// Git repositories for tests, made in temporary folders: git runs with no configuration of the machine's
// (GIT_CONFIG_GLOBAL=/dev/null, GIT_CONFIG_NOSYSTEM=1) and never looks above the test's folder.

/** The environment git runs in for the tests, and that `roster review` is given in them: nothing of the machine's. */
export function gitEnv(dir: string): Record<string, string> {
  return {
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CEILING_DIRECTORIES: dirname(dir),
    GIT_AUTHOR_DATE: "",
    GIT_COMMITTER_DATE: "",
  };
}

/** Runs git in `dir` with the tests' environment; returns its output. */
export function git(dir: string, args: readonly string[], env: Record<string, string> = {}): string {
  const base: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: dir, ...gitEnv(dir), ...env };
  for (const [key, value] of Object.entries(base)) if (value === "") delete base[key];
  return execFileSync("git", args, { cwd: dir, env: base, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** A new repository in `dir`, on branch main. */
export function gitInit(dir: string): void {
  git(dir, ["init", "-q", "-b", "main"]);
}

/** Who makes a commit, and when (seconds since 1970, UTC). */
export interface Author {
  name: string;
  email: string;
  time?: number;
}

/** Commits every change in `dir` as `author`, with `message`; returns the commit's id. */
export function commitAll(dir: string, author: Author, message: string): string {
  git(dir, ["add", "-A"]);
  commitAs(dir, author, ["commit", "-q", "-m", message]);
  return git(dir, ["rev-parse", "HEAD"]).trim();
}

/** Runs a git command that makes a commit (commit, merge) as `author`, at its time. */
export function commitAs(dir: string, author: Author, args: readonly string[]): void {
  const when: Record<string, string> =
    author.time === undefined
      ? {}
      : { GIT_AUTHOR_DATE: `@${author.time} +0000`, GIT_COMMITTER_DATE: `@${author.time} +0000` };
  git(dir, ["-c", `user.name=${author.name}`, "-c", `user.email=${author.email}`, ...args], when);
}
