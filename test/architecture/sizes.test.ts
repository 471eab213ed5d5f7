import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT } from "../helpers/org.js";

/** The lines of each TypeScript module of a folder of src/ (not its subfolders), by file name. */
function lineCounts(folder: string): Map<string, number> {
  const dir = join(ROOT, "src", folder);
  const files = readdirSync(dir).filter((name) => /\.tsx?$/.test(name));
  return new Map(files.map((name) => [name, readFileSync(join(dir, name), "utf8").split("\n").length - 1]));
}

test("every module of src/telnyx/ stays under 260 lines: the client is read a module at a time", () => {
  const over = [...lineCounts("telnyx")]
    .filter(([, lines]) => lines >= 260)
    .map(([name, lines]) => `${name}: ${lines} lines`);
  assert.equal(over, []);
});

test("src/commands/ stays under 1,000 lines, and plan and apply each read in under 150: the steps live below them", () => {
  const commands = lineCounts("commands");
  const total = [...commands.values()].reduce((sum, lines) => sum + lines, 0);
  assert.ok(total < 1000, `src/commands/ has ${total} lines`);
  for (const name of ["plan.ts", "apply.ts"])
    assert.ok(commands.get(name)! < 150, `src/commands/${name} has ${commands.get(name)} lines`);
});

test("one pipeline: no module in commands, plan, render or apply is named for accounts beside a twin for one organization", () => {
  // Choosing the accounts a manifest names is a job of its own, with no twin: it keeps its modules.
  const ownJob = new Set(["plan/accounts.ts", "plan/account-keys.ts"]);
  const named = ["commands", "plan", "render", "apply"].flatMap((folder) =>
    [...lineCounts(folder).keys()]
      .map((name) => `${folder}/${name}`)
      .filter((path) => /account/i.test(path) && !ownJob.has(path)),
  );
  assert.equal(named, []);
});

/** Every TypeScript file under a folder of the repository, its subfolders included. */
function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sourcesUnder(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

test("lines of src/ stay within 120 characters: at most 30 over, long string literals the formatter cannot break", () => {
  const over = sourcesUnder(join(ROOT, "src")).flatMap((path) =>
    readFileSync(path, "utf8")
      .split("\n")
      .filter((line) => line.length > 120)
      .map((line) => `${path.slice(ROOT.length)}: ${line.trim().slice(0, 60)}`),
  );
  assert.ok(over.length <= 30, `${over.length} lines over 120 characters:\n${over.join("\n")}`);
});

test.run();
