import { Writable } from "node:stream";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { OutputWatch, describeOutputFailure, type OutputFailure } from "../../src/terminal/output-watch.js";

/** A stream whose writes fail with `code` (as /dev/full's fail with ENOSPC), or succeed when undefined. */
function stream(code?: string): Writable & { written: string } {
  const out = new Writable({
    write(chunk, _encoding, callback) {
      if (!code) {
        out.written += String(chunk);
        return callback();
      }
      callback(Object.assign(new Error(`${code}: write failed`), { code }));
    },
  }) as Writable & { written: string };
  out.written = "";
  return out;
}

test("a write that fails is recorded, never thrown, and reported once per stream", async () => {
  const watch = new OutputWatch();
  const stdout = stream("ENOSPC");
  const stderr = stream();
  watch.watch("stdout", stdout);
  watch.watch("stderr", stderr);
  const seen: OutputFailure[] = [];
  watch.onFailure((failure) => seen.push(failure));
  stdout.write("the plan\n");
  stdout.write("more\n");
  stderr.write("a message\n");
  assert.equal(await watch.settled(), [{ stream: "stdout", code: "ENOSPC" }]);
  assert.equal(seen, [{ stream: "stdout", code: "ENOSPC" }]);
  assert.is(stderr.written, "a message\n");
  assert.is(describeOutputFailure(seen[0]!), "cannot write to stdout (ENOSPC: no space left on the device)");
});

test("a closed pipe is an error only where the command says so", async () => {
  const watch = new OutputWatch();
  const stdout = stream("EPIPE");
  watch.watch("stdout", stdout);
  stdout.write("Plan: 3 to remove\n");
  await watch.settled();
  assert.equal(watch.errors(), [], "a preview's reader may leave early");
  watch.closedPipeIsError = true;
  assert.equal(watch.errors(), [{ stream: "stdout", code: "EPIPE" }]);
});

test("nothing written, nothing failed: settled resolves with no failure", async () => {
  const watch = new OutputWatch();
  watch.watch("stdout", stream());
  watch.watch("stderr", stream());
  assert.equal(await watch.settled(), []);
});

test.run();
