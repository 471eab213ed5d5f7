import { writeFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readSeed } from "../../src/sandbox/seed.js";
import { EXAMPLES } from "../helpers/org.js";
import { withTempDir } from "../helpers/temp.js";

test("the example organization is a valid seed, its users in groups as the API gives them", async () => {
  const users = await readSeed(`${EXAMPLES}org.json`);
  assert.is(users.length, 30);
  assert.equal([...new Set(users.flatMap((u) => u.groups!.map((g) => g.name)))].sort(), ["Admins", "Billing", "Engineering", "Support"]);
});

test("a seed whose groups are not { id, name } objects is refused, naming the file and the user", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/org.json`;
    writeFileSync(path, JSON.stringify([{ id: "1", email: "a@example.com", record_type: "organization_sub_user", groups: ["Admins"] }]));
    const error = await readSeed(path).then(() => undefined, (e: Error) => e);
    assert.is(error?.message, `${path}: user 1 has "groups" that are not a list of { "id": string, "name": string }, like examples/org.json`);
  });
});

test.run();
