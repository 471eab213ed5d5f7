import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT } from "./helpers/org.js";
import { withTempDir } from "./helpers/temp.js";

/** Runs `code` (an ES module) as the suite runs a test file, with test/setup.ts preloaded and TMPDIR at `tmp`. */
async function underSetup(code: string, tmp: string) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--import", `${ROOT}test/setup.ts`, "--input-type=module", "-e", code],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: tmp },
    },
  );
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  child.stdout.resume();
  const [status] = await once(child, "exit");
  // tsx keeps its compile cache in the temporary folder it finds at start (tsx-<uid>): not the run's files.
  return { status: status as number, stderr, left: readdirSync(tmp).filter((name) => !name.startsWith("tsx-")) };
}

test("a test that leaves a temporary folder behind fails the run, and the folder is removed all the same", async () => {
  await withTempDir(async (tmp) => {
    const run = await underSetup(
      'import { mkdtempSync } from "node:fs"; import { tmpdir } from "node:os"; mkdtempSync(tmpdir() + "/stray-");',
      tmp,
    );
    assert.is(run.status, 1);
    assert.match(
      run.stderr,
      /tests left 1 temporary files or folders behind \(stray-\w+\): make them with tempDir\(\) or withTempDir\(\)/,
    );
    assert.equal(run.left, [], "nothing left in the temporary folder");
  });
});

test("folders made with tempDir() are removed at exit, and a clean run says nothing", async () => {
  await withTempDir(async (tmp) => {
    const code = `import { writeFileSync } from "node:fs"; const { tempDir } = await import("${ROOT}test/helpers/temp.js"); writeFileSync(tempDir() + "/users.yaml", "version: 1\\n");`;
    const run = await underSetup(code, tmp);
    assert.is(run.stderr, "");
    assert.is(run.status, 0);
    assert.equal(run.left, []);
  });
});

test.run();
