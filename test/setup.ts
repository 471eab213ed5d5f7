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
