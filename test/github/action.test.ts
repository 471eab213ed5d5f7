import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { commentMarker } from "../../src/github/pull-request-comment.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/sandbox.js";
import { assertNoKey, runCli, tempDir, TEST_API_KEY, writeTemp } from "../helpers/cli.js";
import { foreignComment, startFakeGithub, type FakeGithub } from "../helpers/fake-github.js";
import { EXAMPLES, ROOT, exampleOrg } from "../helpers/org.js";

const TOKEN = "ghs_fakeJobToken_0123456789abcdef";
const PR = 42;
const HEAD_SHA = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";

interface Context {
  sandbox: Sandbox;
  github: FakeGithub;
  dir: string;
  manifest: string;
}

/** One run of the action's entry, as the runner starts it: its log, exit code, and the outputs it set. */
interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
}

/** Runs dist/action.js with the environment GitHub Actions sets for a step of a pull_request workflow. */
async function runAction(
  context: Context,
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
): Promise<ActionRun> {
  const { dir, github, sandbox } = context;
  const event = writeTemp(
    dir,
    "event.json",
    JSON.stringify({ action: "synchronize", number: PR, pull_request: { number: PR, head: { sha: HEAD_SHA } } }),
  );
  const outputFile = writeTemp(dir, "github-output", "");
  const all: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: "pull_request",
    GITHUB_EVENT_PATH: event,
    GITHUB_REPOSITORY: "octo/org-users",
    GITHUB_SERVER_URL: "https://github.test",
    GITHUB_RUN_ID: "777",
    GITHUB_API_URL: github.url,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: `${dir}/step-summary.md`,
    RUNNER_TEMP: dir,
    // What action.yml's defaults make of the inputs not given.
    INPUT_COMMAND: "plan",
    INPUT_MANIFEST: context.manifest,
    INPUT_FORMAT: "",
    "INPUT_MAX-REMOVALS": "",
    "INPUT_MAX-REMOVAL-PERCENT": "",
    INPUT_FORCE: "false",
    "INPUT_BASE-URL": sandbox.url,
    "INPUT_API-KEY": TEST_API_KEY,
    "INPUT_AUDIT-LOG": "",
    "INPUT_GITHUB-TOKEN": TOKEN,
    INPUT_COMMENT: "true",
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    ...env,
  };
  const child = spawn(process.execPath, [`${ROOT}dist/action.js`], {
    cwd: dir,
    env: all,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  for (const secret of [TOKEN, TOKEN.slice(0, 16)])
    assert.not.ok((stdout + stderr).includes(secret), "the GitHub token never appears in the log");
  assertNoKey(stdout + stderr, "the action");
  const outputs = Object.fromEntries(
    readFileSync(outputFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
  return { code, stdout, stderr, outputs };
}

/** roster's comments on the pull request. */
const botComments = (github: FakeGithub) =>
  github.comments.filter((c) => c.user.login === "github-actions[bot]" && c.user.type === "Bot");

const action = suite<Context>("GitHub Action", {
  sandbox: undefined as unknown as Sandbox,
  github: undefined as unknown as FakeGithub,
  dir: "",
  manifest: "",
});

action.before.each(async (context) => {
  context.sandbox = await startSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY });
  context.github = await startFakeGithub({ token: TOKEN });
  context.dir = tempDir();
  context.manifest = writeTemp(context.dir, "users.yaml", readFileSync(`${EXAMPLES}users.yaml`));
});
action.after.each(async ({ sandbox, github, dir }) => {
  await sandbox.close();
  await github.close();
  rmSync(dir, { recursive: true, force: true });
});

action(
  "the first run creates the plan comment, the second edits the same one, never a second comment",
  async (context) => {
    const { github, sandbox } = context;
    const first = await runAction(context);
    assert.is(first.code, 0, first.stderr);
    assert.is(first.stderr, "");
    assert.equal(first.outputs["exit-code"], "2", "plan has removals");
    assert.equal(first.outputs.removals, "5");
    const markdown = readFileSync(first.outputs["plan-markdown"]!, "utf8");
    assert.match(markdown, /^### roster plan: 5 to remove, /);
    assert.match(first.stdout, "::notice file=", "the log shows the plan with annotations (format github)");
    assert.match(
      first.stdout,
      "roster: created the plan comment https://github.test/octo/org-users/pull/42#issuecomment-",
    );
    assert.is(github.comments.length, 1);
    const [comment] = github.comments;
    const [marker, stamp, blank, ...rest] = comment!.body.split("\n");
    assert.is(marker, commentMarker(context.manifest));
    assert.match(
      stamp!,
      /^_Planned at commit `0a1b2c3` \(the pull request's head\) on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC, in \[its workflow run\]\(https:\/\/github\.test\/octo\/org-users\/actions\/runs\/777\)\._$/,
      "the comment names the commit it was planned at, and when",
    );
    assert.is(blank, "");
    assert.is(rest.join("\n"), markdown);
    assert.match(readFileSync(`${context.dir}/step-summary.md`, "utf8"), markdown, "and the job summary has the plan");

    // Someone applies, then pushes again: the same comment now says there is nothing to remove.
    assert.is(
      (await runCli(["apply", "-f", context.manifest, "--yes"], { env: { TELNYX_BASE_URL: sandbox.url } })).code,
      0,
    );
    const second = await runAction(context);
    assert.is(second.code, 0, second.stderr);
    assert.equal(second.outputs["exit-code"], "0");
    assert.equal(second.outputs.removals, "0");
    assert.match(second.stdout, `roster: updated the plan comment ${comment!.html_url}`);
    assert.is(github.comments.length, 1, "one comment across two runs");
    assert.match(github.comments[0]!.body, "### roster plan: 0 to remove");
    assert.match(github.comments[0]!.body, "No changes: every user in the organization is listed or protected.");
    assert.equal(github.requests.filter((r) => r.method === "POST").length, 1);
    assert.equal(github.requests.filter((r) => r.method === "PATCH").length, 1);
  },
);

action(
  "a comment by anyone else is never touched, even one with roster's marker; each manifest has its own comment",
  async (context) => {
    const { github } = context;
    const marker = commentMarker(context.manifest);
    const person = foreignComment(github, PR, `${marker}\n### roster plan: 0 to remove (a person's copy)`);
    const otherBot = foreignComment(github, PR, `${marker}\n### roster plan: 0 to remove`, {
      login: "other-app[bot]",
      type: "Bot",
    });
    // A person may not register a [bot] login, but the type is checked too.
    const lookalike = foreignComment(github, PR, `${marker}\nlook-alike`, {
      login: "github-actions[bot]",
      type: "User",
    });
    const run = await runAction(context);
    assert.is(run.code, 0, run.stderr);
    assert.is(github.comments.length, 4, "a new comment of its own");
    assert.is(person.body, `${marker}\n### roster plan: 0 to remove (a person's copy)`);
    assert.is(otherBot.body, `${marker}\n### roster plan: 0 to remove`);
    assert.is(lookalike.body, `${marker}\nlook-alike`);
    assert.equal(
      github.requests.filter((r) => r.method === "PATCH"),
      [],
    );

    const second = writeTemp(context.dir, "contractors.yaml", readFileSync(context.manifest));
    await runAction(context, { manifest: second });
    await runAction(context);
    assert.equal(
      botComments(github).map((c) => c.body.split("\n", 1)[0]),
      [marker, commentMarker(second)],
      "two manifests, two comments, each kept up to date",
    );
  },
);

action("the comments are read page by page (Link header) before one is created", async (context) => {
  const github = await startFakeGithub({ token: TOKEN, pageSize: 2 });
  await context.github.close();
  context.github = github;
  for (let i = 0; i < 5; i += 1) foreignComment(github, PR, `review comment ${i}`);
  const first = await runAction(context);
  assert.is(first.code, 0, first.stderr);
  assert.equal(
    github.requests
      .filter((r) => r.method === "GET" && r.path.includes("/comments"))
      .map((r) => new URL(r.path, "http://x").searchParams.get("page")),
    [null, "2", "3"],
  );
  assert.is(botComments(github).length, 1);
  // Now roster's comment is on the third page: found there and edited.
  foreignComment(github, PR, "a later review comment");
  const second = await runAction(context);
  assert.match(second.stdout, "roster: updated the plan comment");
  assert.is(botComments(github).length, 1);
});

action(
  "a read-only token (a pull request from a fork) is a warning: the step keeps the plan's outcome",
  async (context) => {
    const github = await startFakeGithub({ token: TOKEN, readOnly: true });
    await context.github.close();
    context.github = github;
    const run = await runAction(context);
    assert.is(run.code, 0, "plan succeeded; only the comment could not be written");
    assert.equal(run.outputs["exit-code"], "2");
    assert.match(
      run.stdout,
      "::warning::roster: cannot comment on the pull request with this token (POST /repos/octo/org-users/issues/42/comments answered 403: Resource not accessible by integration): give the job `permissions: pull-requests: write`; a pull request from a fork gets a read-only token, which cannot comment. The plan is in the job summary.",
    );
    assert.not.match(run.stdout, "::error::");
    assert.is(github.comments.length, 0);
  },
);

/** A failed comment, as the step's log must tell it: the request, the answer and what to do; the step fails. */
const COMMENT_FAILURES: {
  name: string;
  setup: (context: Context) => Promise<{ inputs?: Record<string, string>; env?: Record<string, string> }>;
  says: string;
}[] = [
  {
    name: "a token GitHub refuses (401)",
    setup: async () => ({ inputs: { "github-token": "ghs_revokedToken_fedcba9876543210" } }),
    says: "::error::roster: could not update the plan comment (GET /repos/octo/org-users/issues/42/comments answered 401: Bad credentials): the token was refused: check the action's github-token input (expired, revoked or mistyped). The plan is in the job summary.",
  },
  {
    name: "a repository the token cannot see, or no such pull request (404)",
    setup: async () => ({ env: { GITHUB_REPOSITORY: "octo/elsewhere" } }),
    says: "::error::roster: could not update the plan comment (GET /repos/octo/elsewhere/issues/42/comments answered 404: Not Found): check that pull request #42 is in octo/elsewhere (GITHUB_REPOSITORY) and that the token can see that repository. The plan is in the job summary.",
  },
  {
    name: "a GitHub API nobody answers at (network error)",
    setup: async () => {
      const gone = await startFakeGithub({ token: TOKEN });
      await gone.close();
      return { env: { GITHUB_API_URL: gone.url } };
    },
    says: "::error::roster: could not update the plan comment (GET /user got no answer: connect ECONNREFUSED 127.0.0.1:",
  },
];

for (const failure of COMMENT_FAILURES) {
  action(`a failed comment names the request, the answer and what to do: ${failure.name}`, async (context) => {
    const { inputs, env } = await failure.setup(context);
    const run = await runAction(context, inputs, env);
    assert.is(run.code, 1, "the comment failed for another reason than a fork's token: the step fails");
    assert.equal(run.outputs["exit-code"], "2", "the plan itself ran");
    assert.match(run.stdout, failure.says);
    assert.not.match(run.stdout, "fetch failed");
    assert.is(context.github.comments.length, 0);
  });
}

action("a network error names GITHUB_API_URL and the runner's network as what to check", async (context) => {
  const gone = await startFakeGithub({ token: TOKEN });
  await gone.close();
  const run = await runAction(context, {}, { GITHUB_API_URL: gone.url });
  assert.match(
    run.stdout,
    `): check GITHUB_API_URL (${gone.url}/) and the runner's network. The plan is in the job summary.`,
  );
});

action("a token that names its owner (GET /user) edits that owner's comment, and only it", async (context) => {
  const github = await startFakeGithub({ token: TOKEN, identity: { login: "roster-bot", type: "User" } });
  await context.github.close();
  context.github = github;
  await runAction(context);
  await runAction(context);
  assert.equal(
    github.comments.map((c) => c.user.login),
    ["roster-bot"],
  );
});

action(
  "apply on a pull request writes its results in a comment of its own: the plan reviewers approved stays",
  async (context) => {
    const planned = await runAction(context);
    assert.is(planned.code, 0, planned.stderr);
    const [plan] = context.github.comments;
    const planBody = plan!.body;
    const applied = await runAction(context, { command: "apply" });
    assert.is(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, "roster: created the apply comment ");
    assert.is(context.github.comments.length, 2);
    assert.is(context.github.comments[0]!.body, planBody, "the plan comment is not touched");
    const apply = context.github.comments[1]!;
    assert.is(apply.body.split("\n", 1)[0], commentMarker(context.manifest, "apply"));
    assert.match(apply.body.split("\n")[1]!, /^_Applied at commit `0a1b2c3` \(the pull request's head\) on /);
    // A later plan updates the plan comment, never the apply's.
    await runAction(context);
    assert.is(context.github.comments.length, 2);
    assert.is(context.github.comments[1]!.body, apply.body);
  },
);

action("a guard refusing the plan fails the step, after the comment says so", async (context) => {
  const run = await runAction(context, { "max-removals": "2" });
  assert.is(run.code, 1);
  assert.equal(run.outputs["exit-code"], "3");
  assert.match(context.github.comments[0]!.body, "(refused by a guard)");
});

action(
  "apply removes unattended and reports the results; outside a pull request nothing is commented",
  async (context) => {
    const run = await runAction(context, { command: "apply" }, { GITHUB_EVENT_NAME: "push" });
    assert.is(run.code, 0, run.stderr);
    assert.equal(run.outputs["exit-code"], "0");
    assert.equal(run.outputs.removals, "5");
    assert.match(run.stdout, "Apply complete: 5 removed");
    assert.match(readFileSync(run.outputs["plan-markdown"]!, "utf8"), "### roster apply complete: 5 removed");
    assert.is(context.sandbox.users().length, 25);
    assert.equal(context.github.requests, []);
  },
);

action(
  "command: review writes the access review to the job summary and review-markdown; no comment, nothing removed",
  async (context) => {
    const run = await runAction(context, { command: "review" });
    assert.is(run.code, 0, run.stderr);
    assert.equal(run.outputs["exit-code"], "0");
    assert.equal(run.outputs.removals, "5", "what apply would remove");
    const markdown = readFileSync(run.outputs["review-markdown"]!, "utf8");
    assert.match(markdown, /^### roster review: 30 users: 22 kept by the manifest, 5 to remove, 3 protected; /);
    assert.match(markdown, "| Email | Status | Groups |");
    assert.match(readFileSync(`${context.dir}/step-summary.md`, "utf8"), markdown, "the job summary has the review");
    assert.match(run.stdout, "| Email | Status | Groups |", "the log shows it too");
    assert.match(run.stderr, "is not in a Git work tree: approved is null for every user");
    assert.equal(context.github.requests, [], "a review is never a pull-request comment");
    assert.is(context.sandbox.stats.removeRequests.size, 0);

    const refused = await runAction(context, { command: "review", "max-removals": "2" });
    assert.is(refused.code, 1);
    assert.match(refused.stdout, "the max-removals input is for plan and apply: review changes nothing");
    const unknown = await runAction(context, { command: "destroy" });
    assert.match(unknown.stdout, 'the command input is "destroy": give plan, apply or review');
  },
);

action("a manifest error fails the step with exit-code 1 and no other output", async (context) => {
  writeFileSync(context.manifest, "version: 1\nusers: []\n");
  const run = await runAction(context);
  assert.is(run.code, 1);
  assert.equal(run.outputs, { "exit-code": "1" });
  assert.equal(context.github.requests, []);
});

action("every input the action reads is declared in action.yml, and no declared input is ignored", () => {
  const declared = Object.keys(parse(readFileSync(`${ROOT}action.yml`, "utf8")).inputs).sort();
  const source = readFileSync(`${ROOT}src/github/action.ts`, "utf8");
  const read = [...source.matchAll(/input\(env, "([a-z-]+)"\)/g)].map((m) => m[1]!);
  const loop = /for \(const flag of \[([^\]]+)\]\)/
    .exec(source)![1]!
    .match(/"([a-z-]+)"/g)!
    .map((s) => s.slice(1, -1));
  assert.equal([...new Set([...read, ...loop])].sort(), declared);
});

action.run();
