import { TEST_API_KEY } from "./helpers/cli.js";

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

// No Node warning may be printed under any test (issue 11): the CLI subprocess tests fail on one in the
// child's stderr (test/helpers/cli.ts), and one in the suite's own process fails the run here.
const warnings: string[] = [];
process.on("warning", (warning) => warnings.push(`${warning.name}: ${warning.message}`));
process.on("exit", () => {
  if (warnings.length === 0) return;
  process.stderr.write(`\nNode printed ${warnings.length} warning(s) during the suite, the first: ${warnings[0]}\n`);
  process.exitCode = 1;
});
