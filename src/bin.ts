#!/usr/bin/env node
import { main } from "./cli/main.js";

// A reader that goes away (`roster plan | head`) must not crash roster with a stack trace, nor cut short an
// apply whose removals are under way: what cannot be shown any more is dropped, and the run finishes.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
  });
}

const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
process.exitCode = code;
