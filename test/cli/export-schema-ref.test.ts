import { spawn } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { startSandbox, type Sandbox } from "../../src/sandbox/sandbox.js";
import { assertNoKey, TEST_API_KEY } from "../helpers/cli.js";
import { exampleOrg, ROOT } from "../helpers/org.js";
import { removeTempDir, tempDir } from "../helpers/temp.js";

const VERSION: string = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")).version;
const PUBLISHED = `https://unpkg.com/telnyx-roster@${VERSION}/schema/users.schema.json`;

/** A copy of the built package (what npm installs: dist, schema, package.json) at `folder`. */
function installAt(folder: string): string {
  mkdirSync(folder, { recursive: true });
  for (const part of ["dist", "schema", "package.json"])
    cpSync(join(ROOT, part), join(folder, part), { recursive: true });
  return folder;
}

/** Runs `roster export` from the roster installed at `install`, in `cwd`; returns the manifest's first line. */
async function exportWith(
  sandbox: Sandbox,
  install: string,
  cwd: string,
  args: readonly string[],
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [join(install, "dist/roster.js"), "export", ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", CI: "true", TELNYX_API_KEY: TEST_API_KEY, TELNYX_BASE_URL: sandbox.url },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let stderr = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (stderr += d));
  const code = await new Promise<number | null>((done) => child.on("close", done));
  assertNoKey(output + stderr, "roster export");
  return { code, stderr };
}

const schemaLine = (file: string) => readFileSync(file, "utf8").split("\n", 1)[0]!;

const exported = suite<{ sandbox: Sandbox; dir: string }>("export's schema reference", {
  sandbox: undefined as unknown as Sandbox,
  dir: "",
});
exported.before.each(async (context) => {
  context.sandbox = await startSandbox({ users: exampleOrg(), apiKey: TEST_API_KEY });
  context.dir = tempDir();
});
exported.after.each(async ({ sandbox, dir }) => {
  await sandbox.close();
  removeTempDir(dir);
});

/**
 * Where roster is installed and where the manifest goes, both under one temporary folder, and what the first line must
 * say.
 */
const CASES: {
  name: string;
  install: string;
  project?: string;
  output: string;
  args?: string[];
  ref: string | null;
}[] = [
  {
    name: "a global install (another prefix), the file in a project",
    install: "gprefix/lib/node_modules/telnyx-roster",
    output: "project/users.yaml",
    ref: PUBLISHED,
  },
  {
    name: "a checkout of roster elsewhere, the file in a project",
    install: "src/roster",
    output: "project/users.yaml",
    ref: PUBLISHED,
  },
  {
    name: "the project's dev dependency, the file at the project's top",
    install: "project/node_modules/telnyx-roster",
    output: "project/users.yaml",
    ref: "node_modules/telnyx-roster/schema/users.schema.json",
  },
  {
    name: "the project's dev dependency, the file in a folder of manifests",
    install: "project/node_modules/telnyx-roster",
    output: "project/accounts/cedar.yaml",
    ref: "../node_modules/telnyx-roster/schema/users.schema.json",
  },
  {
    name: "another project's dev dependency",
    install: "other/node_modules/telnyx-roster",
    project: "project/node_modules/telnyx-roster",
    output: "project/users.yaml",
    ref: PUBLISHED,
  },
  {
    name: "a checkout of roster, the file inside it",
    install: "roster",
    output: "roster/examples/users.yaml",
    ref: "../schema/users.schema.json",
  },
  {
    name: "--schema-ref none",
    install: "gprefix/lib/node_modules/telnyx-roster",
    output: "project/users.yaml",
    args: ["--schema-ref", "none"],
    ref: null,
  },
  {
    name: "--schema-ref a URL",
    install: "project/node_modules/telnyx-roster",
    output: "project/users.yaml",
    args: ["--schema-ref", "https://schemas.example.com/users.json"],
    ref: "https://schemas.example.com/users.json",
  },
];

for (const c of CASES) {
  exported(`export's $schema works wherever the manifest is checked out: ${c.name}`, async ({ sandbox, dir }) => {
    const install = installAt(join(dir, c.install));
    if (c.project) installAt(join(dir, c.project));
    const output = join(dir, c.output);
    mkdirSync(dirname(output), { recursive: true });
    const run = await exportWith(sandbox, install, dirname(output), ["-o", output, ...(c.args ?? [])]);
    assert.is(run.code, 0, run.stderr);
    const first = schemaLine(output);
    if (c.ref === null) {
      assert.not.match(readFileSync(output, "utf8"), "$schema", "no schema line at all");
      assert.match(first, /^# Who may log in/);
      return;
    }
    assert.is(first, `# yaml-language-server: $schema=${c.ref}`);
    if (!c.ref.startsWith("https://")) {
      // A relative reference names a schema inside the project or checkout that holds the file.
      const target = resolve(dirname(output), c.ref);
      assert.ok(target.startsWith(join(dir, c.output.split("/")[0]!)), `${c.ref} stays in the project`);
      assert.ok(readFileSync(target, "utf8").includes('"$schema"'), "and is the schema");
    }
  });
}

exported(
  "a project whose node_modules/telnyx-roster links to the running roster (npm install ../roster) gets the node_modules path",
  async ({ sandbox, dir }) => {
    const install = installAt(join(dir, "roster"));
    mkdirSync(join(dir, "project/node_modules"), { recursive: true });
    symlinkSync(install, join(dir, "project/node_modules/telnyx-roster"));
    const run = await exportWith(sandbox, join(dir, "project/node_modules/telnyx-roster"), join(dir, "project"), [
      "-o",
      "users.yaml",
    ]);
    assert.is(run.code, 0, run.stderr);
    assert.is(
      schemaLine(join(dir, "project/users.yaml")),
      "# yaml-language-server: $schema=node_modules/telnyx-roster/schema/users.schema.json",
    );
  },
);

exported(
  "--schema-ref with a space is refused, naming none as a choice, and nothing is written",
  async ({ sandbox, dir }) => {
    const run = await exportWith(sandbox, ROOT, dir, ["-o", "users.yaml", "--schema-ref", "my schema.json"]);
    assert.is(run.code, 1);
    assert.is(
      run.stderr,
      "roster: error: --schema-ref takes a path or URL without spaces or control characters, or none. Nothing was written\n",
    );
  },
);

exported.run();
