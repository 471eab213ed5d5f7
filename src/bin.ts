#!/usr/bin/env node
import { main } from "./cli/main.js";
import { OutputWatch } from "./terminal/output-watch.js";
import { releaseHungUpTerminal } from "./terminal/terminal-exit.js";

// A write that fails (a full disk, a reader gone, a closed terminal) is recorded, never thrown as a crash with
// a stack trace: each command decides what it means (apply starts no further removal), and the exit code tells.
const output = new OutputWatch();
output.watch("stdout", process.stdout);
output.watch("stderr", process.stderr);

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  output,
});
releaseHungUpTerminal();
process.exitCode = code;
