import { readdirSync, readFileSync, statSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeProblem } from "../../src/files/file-error.js";
import { writeFileAtomic } from "../../src/files/write-file-atomic.js";
import { rejection, tempDir, writeTemp } from "../helpers/cli.js";

test("a new file is written whole, with the mode asked for, and no temporary file is left", async () => {
  const dir = tempDir();
  await writeFileAtomic(`${dir}/plan.json`, "{}\n", { overwrite: false, mode: 0o600 });
  assert.is(readFileSync(`${dir}/plan.json`, "utf8"), "{}\n");
  assert.is(statSync(`${dir}/plan.json`).mode & 0o777, 0o600);
  assert.equal(readdirSync(dir), ["plan.json"]);
});

test("without overwrite an existing file is refused and left as it was", async () => {
  const dir = tempDir();
  const path = writeTemp(dir, "users.yaml", "reviewed\n");
  const error = (await rejection(writeFileAtomic(path, "new\n", { overwrite: false }))) as NodeJS.ErrnoException;
  assert.is(error.code, "EEXIST");
  assert.is(readFileSync(path, "utf8"), "reviewed\n");
  assert.equal(readdirSync(dir), ["users.yaml"]);
});

test("with overwrite the file is replaced in one step", async () => {
  const dir = tempDir();
  const path = writeTemp(dir, "plan.json", "old\n");
  await writeFileAtomic(path, "new\n", { overwrite: true });
  assert.is(readFileSync(path, "utf8"), "new\n");
  assert.equal(readdirSync(dir), ["plan.json"]);
});

test("a folder that does not exist is an error, and nothing is left behind", async () => {
  const dir = tempDir();
  const error = (await rejection(
    writeFileAtomic(`${dir}/no/plan.json`, "x", { overwrite: true }),
  )) as NodeJS.ErrnoException;
  assert.is(error.code, "ENOENT");
  assert.is(
    error.message,
    `cannot write ${dir}/no/plan.json: the folder ${dir}/no does not exist: create it first, or give another path`,
  );
  assert.equal(readdirSync(dir), []);
});

test("every write failure says in words what happened and what to do, without a bare code", () => {
  const cases: [string, string][] = [
    [
      "EACCES",
      "no permission to write in the folder out: give a path you can write to, or change the folder's permissions",
    ],
    [
      "EPERM",
      "no permission to write in the folder out: give a path you can write to, or change the folder's permissions",
    ],
    ["ENOSPC", "the disk is full: free some space, or give a path on another disk"],
    ["EROFS", "the folder out is on a read-only file system: give a path on a writable disk"],
    ["EDQUOT", "your disk quota is used up: free some space, or give a path on another disk"],
    ["EIO", "the disk reported an input/output error: check the disk, or give a path on another one"],
    ["EWHATEVER", "the system refused the write (error EWHATEVER): check the path and the disk, or give another path"],
  ];
  for (const [code, words] of cases) assert.is(writeProblem(code, "out/plan.json"), words, code);
});

test.run();
