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
  const over = [...lineCounts("telnyx")].filter(([, lines]) => lines >= 260).map(([name, lines]) => `${name}: ${lines} lines`);
  assert.equal(over, []);
});

test.run();
