import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TEST_API_KEY } from "./helpers/cli.js";
import { removeTempDirs, TEMP_PREFIX } from "./helpers/temp.js";

// Preloaded before any test file. ink decides once, when first imported, whether it runs in CI (only the
// final frame) or at a terminal. roster draws ink only at a terminal outside CI, so the ink views are tested
// in that mode whatever machine runs the suite; the CLI subprocess tests set CI=true themselves.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;

// Whatever the suite itself prints (test names, failure diffs, anything roster writes in-process) is
// searched for the test key too: finding it fails the run.
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (String(chunk).includes(TEST_API_KEY)) {
      process.exitCode = 1;
      write("\nthe test API key appeared in the output of the suite\n");
      return write(String(chunk).split(TEST_API_KEY).join("[KEY]"), ...rest);
    }
    return write(chunk, ...rest);
  }) as typeof stream.write;
}

// Tests leave nothing behind among the system's temporary files. Every temporary file of the run goes into
// one folder of its own: TMPDIR points there, so tempDir(), a test's own mkdtemp and anything else that asks
// os.tmpdir() land in it. At exit the folders tempDir() made are removed; anything else still there was left
// behind by a test, which fails the run (and is removed too, so that even a failed run leaves nothing).
const runDir = mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}run-`));
process.env.TMPDIR = runDir;
let finished = false;
function finish(): void {
  if (finished) return;
  finished = true;
  removeTempDirs();
  const left = readdirSync(runDir);
  rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
  if (left.length === 0) return;
  process.exitCode = 1;
  process.stderr.write(
    `\ntests left ${left.length} temporary files or folders behind (${left.slice(0, 5).join(", ")}): ` +
      "make them with tempDir() or withTempDir() from test/helpers/temp.ts, or remove them\n",
  );
}
process.on("exit", finish);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    finish();
    process.kill(process.pid, signal);
  });
}
// No Node warning may be printed under any test (issue 11): the CLI subprocess tests fail on one in the
// child's stderr (test/helpers/cli.ts), and one in the suite's own process fails the run here.
const warnings: string[] = [];
process.on("warning", (warning) => warnings.push(`${warning.name}: ${warning.message}`));
process.on("exit", () => {
  if (warnings.length === 0) return;
  process.stderr.write(`\nNode printed ${warnings.length} warning(s) during the suite, the first: ${warnings[0]}\n`);
  process.exitCode = 1;
});
