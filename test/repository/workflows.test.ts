import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { withTempDir } from "../helpers/temp.js";
import { ROOT } from "../helpers/org.js";

const VALIDATOR = join(ROOT, "node_modules/.bin/action-validator");
const WORKFLOWS = [".github/workflows/ci.yml", ".github/workflows/release.yml"];

/** Exit code and output of action-validator on one file (workflow, or action when named action.yml). */
function validate(path: string): { code: number | null; output: string } {
  const result = spawnSync(VALIDATOR, [path], { encoding: "utf8", env: { PATH: process.env.PATH ?? "" } });
  return { code: result.status, output: result.stdout + result.stderr };
}

/** A workflow's steps, job by job. */
interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string;
  permissions?: Record<string, string>;
  steps: Step[];
  strategy?: { matrix: { node: string[] } };
}
interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

function workflow(path: string): Workflow {
  return parse(readFileSync(join(ROOT, path), "utf8"), { strict: true, uniqueKeys: true });
}

for (const file of WORKFLOWS) {
  test(`${file} is a valid workflow under action-validator's schema`, () => {
    const { code, output } = validate(join(ROOT, file));
    assert.is(code, 0, output);
  });
}

// action-validator 0.6.0's schema predates the node24 runtime action.yml uses: its runtime is read as node20.
test("action.yml is a valid action under action-validator's schema", () => {
  const text = readFileSync(join(ROOT, "action.yml"), "utf8");
  assert.match(text, /^ {2}using: node24$/m);
  withTempDir((dir) => {
    writeFileSync(join(dir, "action.yml"), text.replace(/^ {2}using: node24$/m, "  using: node20"));
    const { code, output } = validate(join(dir, "action.yml"));
    assert.is(code, 0, output);
  });
});

test("the validator refuses a misspelt workflow key and an action with no runs", () => {
  withTempDir((dir) => {
    copyFileSync(join(ROOT, WORKFLOWS[0]!), join(dir, "ci.yml"));
    writeFileSync(join(dir, "ci.yml"), readFileSync(join(dir, "ci.yml"), "utf8").replace("    steps:", "    step:"));
    const broken = validate(join(dir, "ci.yml"));
    assert.is(broken.code, 1);
    assert.match(broken.output, "Additional property 'step' is not allowed");
    writeFileSync(join(dir, "action.yml"), "name: x\ndescription: y\n");
    assert.is(validate(join(dir, "action.yml")).code, 1);
  });
});

test("ci.yml runs bash .ci/run on every push and pull request, on Node 20 and the current LTS", () => {
  const ci = workflow(WORKFLOWS[0]!);
  assert.ok("push" in ci.on && "pull_request" in ci.on);
  const job = ci.jobs.test!;
  assert.equal(job.strategy?.matrix.node, ["20.x", "lts/*"]);
  const setupNode = job.steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
  assert.is(setupNode?.with?.["node-version"], "${{ matrix.node }}");
  assert.is(job.steps.at(-1)?.run, "bash .ci/run");
});

test("release.yml, on a version tag, tests, publishes with provenance, attaches the tarball, moves v1 to dist/", () => {
  const release = workflow(WORKFLOWS[1]!);
  assert.equal(release.on, { push: { tags: ["v*.*.*"] } });
  assert.is(release.jobs.test!.steps.at(-1)?.run, "bash .ci/run");
  const job = release.jobs.release!;
  assert.is(job.needs, "test");
  assert.equal(job.permissions, { contents: "write", "id-token": "write" });
  const runs = job.steps.map((s) => s.run ?? "");
  const publish = job.steps.find((s) => s.run?.includes("npm publish"))!;
  assert.match(publish.run!, 'npm publish "telnyx-roster-$VERSION.tgz" --provenance --access public');
  assert.is(publish.env?.NODE_AUTH_TOKEN, "${{ secrets.NPM_TOKEN }}");
  const attach = job.steps.find((s) => s.run?.includes("gh release create"))!;
  assert.match(attach.run!, 'gh release create "$GITHUB_REF_NAME" "telnyx-roster-$VERSION.tgz"');
  assert.is(attach.env?.GH_TOKEN, "${{ secrets.GITHUB_TOKEN }}");
  assert.is(release.env?.ACTION_MAJOR_TAG, "v1");
  const tag = runs.find((r) => r.includes("git tag -f"))!;
  const moves = ["git checkout --detach", "git add -f dist", 'git tag -f "$ACTION_MAJOR_TAG"'];
  for (const line of [...moves, 'git push -f origin "refs/tags/$ACTION_MAJOR_TAG"']) assert.match(tag, line);
  const steps = ["npm pack", "npm publish", "gh release", "git tag -f"];
  const order = steps.map((word) => runs.findIndex((r) => r.includes(word)));
  assert.not.ok(order.includes(-1), `every step is there: ${order}`);
  assert.equal(
    [...order].sort((a, b) => a - b),
    order,
    `steps in order: ${order}`,
  );
});

test("release.yml refuses a tag that is not package.json's version, and takes the notes from CHANGELOG.md", () => {
  const steps = workflow(WORKFLOWS[1]!).jobs.release!.steps;
  const check = steps.find((s) => s.run?.includes("package.json's version"))!.run!;
  withTempDir((dir) => {
    const env = { PATH: process.env.PATH ?? "", GITHUB_ENV: join(dir, "env") };
    const runCheck = (tag: string) =>
      spawnSync("bash", ["-c", check], { cwd: ROOT, encoding: "utf8", env: { ...env, GITHUB_REF_NAME: tag } });
    const wrong = runCheck("v9.9.9");
    assert.is(wrong.status, 1);
    const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
    assert.match(wrong.stdout, `::error::the tag is v9.9.9 but package.json's version is ${version}: tag v${version}`);
    const right = runCheck(`v${version}`);
    assert.is(right.status, 0, right.stdout);
    assert.is(readFileSync(join(dir, "env"), "utf8"), `VERSION=${version}\n`);

    const attach = steps.find((s) => s.run?.includes("release-notes.md"))!.run!;
    const notes = attach.split("\n").find((l) => l.startsWith("awk "))!;
    const made = spawnSync("bash", ["-c", notes.replace("> release-notes.md", `> ${join(dir, "notes.md")}`)], {
      cwd: ROOT,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", VERSION: version },
    });
    assert.is(made.status, 0, made.stderr);
    const text = readFileSync(join(dir, "notes.md"), "utf8");
    const changelog = readFileSync(join(ROOT, "CHANGELOG.md"), "utf8");
    const section = changelog.split(`## [${version}]`)[1]!.split("\n## ")[0]!.split("\n").slice(1).join("\n");
    assert.ok(text.trim().length > 100, "the version's section is not empty");
    assert.is(text.trim(), section.replace(/\n\[[^\]]+\]: .*/g, "").trim());
    assert.not.match(text, "## [Unreleased]");
  });
});

test.run();
