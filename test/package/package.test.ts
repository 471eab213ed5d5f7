import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { assertNoKey, tempDir, TEST_API_KEY } from "../helpers/cli.js";
import { EXAMPLES, ROOT } from "../helpers/org.js";

/** A command's end: exit code and output. */
interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command with a clean environment (no npm lifecycle variables of the `npm test` around the suite). */
function run(command: string, args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", CI: "true", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      assertNoKey(stdout + stderr, `${command} ${args.join(" ")}`);
      resolve({ code, stdout, stderr });
    });
  });
}

test("the packed tarball installs alone with --omit=dev, without a warning, and runs every command in an empty folder", async () => {
  const packs = tempDir();
  const project = tempDir();
  let sandbox: ReturnType<typeof spawn> | undefined;
  try {
    // npm pack builds dist/ first (prepack), on the packer's side: the tarball ships it prebuilt.
    const packed = await run("npm", ["pack", "--pack-destination", packs], ROOT);
    assert.is(packed.code, 0, packed.stderr);
    const [tarball] = readdirSync(packs);
    assert.match(tarball!, /^telnyx-roster-\d+\.\d+\.\d+\.tgz$/);

    writeFileSync(join(project, "package.json"), '{ "name": "adopter", "private": true }\n');
    const installed = await run("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline", join(packs, tarball!)], project);
    assert.is(installed.code, 0, installed.stderr);
    assert.is(installed.stderr, "", "npm warns about nothing: no install script, no dependency to fetch");
    assert.match(installed.stdout, "added 1 package");
    assert.equal(readdirSync(join(project, "node_modules")).filter((name) => name !== ".bin" && name !== ".package-lock.json"), ["telnyx-roster"]);

    const manifest = JSON.parse(readFileSync(join(project, "node_modules/telnyx-roster/package.json"), "utf8"));
    assert.equal(manifest.dependencies ?? {}, {}, "the bundle holds every runtime dependency");
    for (const script of ["preinstall", "install", "postinstall", "prepare"]) assert.is(manifest.scripts?.[script], undefined, `no ${script} script`);
    const shipped = readdirSync(join(project, "node_modules/telnyx-roster")).sort();
    assert.equal(shipped, ["README.md", "action.yml", "dist", "package.json", "schema"]);

    const help = await run("npx", ["roster", "--help"], project);
    assert.is(help.code, 0, help.stderr);
    assert.match(help.stdout, "Usage: roster [options] [command]");
    assert.is(help.stderr, "");

    writeFileSync(join(project, "users.yaml"), readFileSync(`${EXAMPLES}users.yaml`));
    const validated = await run("npx", ["roster", "validate"], project);
    assert.is(validated.code, 0, validated.stderr);
    assert.is(validated.stderr, "");

    // The installed package's own sandbox, seeded from the organization bundled with it.
    sandbox = spawn(join(project, "node_modules/.bin/roster"), ["sandbox"], { cwd: project, env: { PATH: process.env.PATH ?? "", TELNYX_API_KEY: TEST_API_KEY }, stdio: ["ignore", "pipe", "ignore"] });
    const [url] = (await once(createInterface({ input: sandbox.stdout! }), "line")) as [string];
    const env = { TELNYX_API_KEY: TEST_API_KEY, TELNYX_BASE_URL: url };

    const planned = await run("npx", ["roster", "plan", "--detailed-exitcode"], project, env);
    assert.is(planned.code, 2, planned.stderr);
    assert.match(planned.stdout, "5 to remove");
    assert.is(planned.stderr, "");

    const applied = await run("npx", ["roster", "apply", "--yes"], project, env);
    assert.is(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, "Apply complete: 5 removed, 0 already absent, 0 failed, of 5 planned removals.");
    assert.match(applied.stdout, "Verified: the organization now matches the manifest.");

    // The action as `uses: ./node_modules/telnyx-roster` runs it: action.yml's main, from the package.
    const action = parse(readFileSync(join(project, "node_modules/telnyx-roster/action.yml"), "utf8"));
    writeFileSync(join(project, "outputs"), "");
    const acted = await run(process.execPath, [join(project, "node_modules/telnyx-roster", action.runs.main)], project, {
      INPUT_COMMAND: "plan",
      "INPUT_API-KEY": TEST_API_KEY,
      "INPUT_BASE-URL": url,
      GITHUB_EVENT_NAME: "push",
      GITHUB_OUTPUT: join(project, "outputs"),
      RUNNER_TEMP: project,
    });
    assert.is(acted.code, 0, acted.stderr);
    assert.match(readFileSync(join(project, "outputs"), "utf8"), "exit-code=0\nremovals=0\n", "after the apply: nothing left to remove");

    const exported = await run("npx", ["roster", "export", "-o", "exported.yaml"], project, env);
    assert.is(exported.code, 0, exported.stderr);
    assert.ok(
      readFileSync(join(project, "exported.yaml"), "utf8").startsWith("# yaml-language-server: $schema=node_modules/telnyx-roster/schema/users.schema.json\n"),
      "the manifest points at the schema shipped in the package",
    );

    const completion = await run("npx", ["roster", "completion", "bash"], project);
    assert.is(completion.code, 0, completion.stderr);
    assert.match(completion.stdout, "complete -F");
  } finally {
    if (sandbox && sandbox.exitCode === null) {
      sandbox.kill("SIGTERM");
      await once(sandbox, "exit");
    }
    rmSync(packs, { recursive: true, force: true });
    rmSync(project, { recursive: true, force: true });
  }
});

/** Every file of the built bundle, as paths under dist/. */
function bundleFiles(): string[] {
  return readdirSync(join(ROOT, "dist"), { recursive: true, encoding: "utf8" }).filter((name) => statSync(join(ROOT, "dist", name)).isFile());
}

test("the bundle ships no React DevTools code (ink loads it only with DEV=true) and stays under 2 MB", () => {
  const files = bundleFiles();
  assert.ok(files.includes("roster.js") && files.length > 10, "npm test builds dist/ before the suite");
  // What ink's devtools.js brings in: its window polyfill, the ws WebSocket client and react-devtools-core.
  const markers = ["// node_modules/ws/", "// node_modules/react-devtools-core/", "__REACT_DEVTOOLS_COMPONENT_FILTERS__", "connectToDevTools"];
  for (const file of files) {
    const text = readFileSync(join(ROOT, "dist", file), "utf8");
    for (const marker of markers) assert.not.ok(text.includes(marker), `dist/${file} holds ${marker}`);
  }
  const total = files.reduce((sum, file) => sum + statSync(join(ROOT, "dist", file)).size, 0);
  // 1.98 MB at the time of writing; the devtools chunk alone was 130 kB.
  assert.ok(total < 2_050_000, `dist/ is ${total} bytes`);
});

test.run();
