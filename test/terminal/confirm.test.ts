import { PassThrough } from "node:stream";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { confirm } from "../../src/terminal/confirm.js";

/** Asks the question on in-memory streams, answers `typed`, and returns the answer with what the terminal showed. */
async function ask(typed: string) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let shown = "";
  stdout.on("data", (chunk) => (shown += chunk));
  const answer = confirm({ stdin, stdout, stderr: new PassThrough(), env: {} }, "\nRemove 2 users?\n\n");
  stdin.write(typed);
  return { answer: await answer, shown };
}

test("only 'yes' approves: the question and the prompt are shown first", async () => {
  const { answer, shown } = await ask("yes\n");
  assert.is(answer, "yes");
  assert.is(shown, "\nRemove 2 users?\n\n  Enter a value: \n");
});

test("'y', 'Yes!' or an empty answer cancel", async () => {
  for (const typed of ["y\n", "Yes!\n", "\n"]) assert.is((await ask(typed)).answer, "no", JSON.stringify(typed));
});

test.run();
