import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { loadManifests } from "../../src/manifest/load-manifests.js";
import { formatProblem, ManifestError } from "../../src/manifest/manifest-error.js";
import { withTempDir } from "../helpers/temp.js";

// Several manifests in one run: files and folders, each file read once, one manifest an account.

const ID = "6a09cdc3-8948-47f0-aa62-74ac943d6c58";

/** A manifest for `account` (a line such as "id: …", or none for the key's own organization). */
function manifest(account?: string, user = "a@example.com"): string {
  return `version: 1\n${account ? `account:\n  ${account}\n` : ""}users:\n  - ${user}\n`;
}

async function refusal(paths: string[]): Promise<string[]> {
  try {
    await loadManifests(paths);
  } catch (error) {
    if (error instanceof ManifestError) return error.problems.map(formatProblem);
    throw error;
  }
  throw new Error("expected the manifests to be refused");
}

const several = suite("manifest: several manifests");

several(
  "files and folders: a folder gives each *.yaml and *.yml directly in it, by name, and nothing else",
  async () => {
    await withTempDir(async (dir) => {
      const accounts = join(dir, "accounts");
      mkdirSync(join(accounts, "nested"), { recursive: true });
      writeFileSync(join(accounts, "b-northwind.yml"), manifest("email: ops@northwind.example.com"));
      writeFileSync(join(accounts, "a-harbor.yaml"), manifest("organization_name: Harbor Dental LLC"));
      writeFileSync(join(accounts, "Z-cedar.yaml"), manifest(`id: ${ID}`));
      writeFileSync(join(accounts, "notes.txt"), "not a manifest");
      writeFileSync(join(accounts, ".hidden.yaml"), "not: a manifest");
      writeFileSync(join(accounts, "nested", "deeper.yaml"), manifest("email: deeper@example.com"));
      writeFileSync(join(dir, "users.yaml"), manifest());
      const loaded = await loadManifests([join(dir, "users.yaml"), accounts]);
      assert.equal(
        loaded.map((m) => m.path),
        [
          join(dir, "users.yaml"),
          join(accounts, "Z-cedar.yaml"),
          join(accounts, "a-harbor.yaml"),
          join(accounts, "b-northwind.yml"),
        ],
      );
      assert.equal(
        loaded.map((m) => m.account?.value),
        [undefined, ID, "Harbor Dental LLC", "ops@northwind.example.com"],
      );
      assert.ok(loaded.every((m) => m.sha256.startsWith("sha256:")));
    });
  },
);

several("the same file named twice, through its folder, a ./ path or a symbolic link, is read once", async () => {
  await withTempDir(async (dir) => {
    writeFileSync(join(dir, "harbor.yaml"), manifest("organization_name: Harbor Dental LLC"));
    symlinkSync(join(dir, "harbor.yaml"), join(dir, "link.yml"));
    const loaded = await loadManifests([join(dir, "harbor.yaml"), dir, `${dir}/./harbor.yaml`, join(dir, "link.yml")]);
    assert.equal(
      loaded.map((m) => m.path),
      [join(dir, "harbor.yaml")],
    );
  });
});

several("a folder named through a symbolic link holds the same files as the folder itself", async () => {
  await withTempDir(async (dir) => {
    const folder = join(dir, "accounts");
    mkdirSync(folder);
    writeFileSync(join(folder, "harbor.yaml"), manifest("organization_name: Harbor Dental LLC"));
    writeFileSync(join(folder, "northwind.yaml"), manifest("email: ops@northwind.example.com", "b@example.com"));
    symlinkSync(folder, join(dir, "alias"));
    const loaded = await loadManifests([join(dir, "alias"), join(folder, "northwind.yaml"), folder]);
    assert.equal(
      loaded.map((m) => m.path),
      [join(dir, "alias", "harbor.yaml"), join(dir, "alias", "northwind.yaml")],
    );
  });
});

several("a folder without a manifest is an error naming it", async () => {
  await withTempDir(async (dir) => {
    writeFileSync(join(dir, "README.md"), "manifests go here");
    assert.equal(await refusal([dir]), [
      `${dir}:1:1: no manifest in this folder (roster reads each *.yaml and *.yml file directly in it): add one, or name the manifest files themselves`,
    ]);
  });
});

several("two manifests for the same account, however its selector is written, name both files and lines", async () => {
  await withTempDir(async (dir) => {
    writeFileSync(join(dir, "a.yaml"), manifest("email: Ops@Northwind.example.com"));
    writeFileSync(join(dir, "b.yaml"), manifest("email: ops@northwind.example.com", "b@example.com"));
    writeFileSync(join(dir, "c.yaml"), manifest(`id: ${ID.toUpperCase()}`));
    writeFileSync(join(dir, "d.yaml"), manifest(`id: ${ID}`));
    writeFileSync(join(dir, "e.yaml"), manifest("organization_name: Harbor Dental LLC"));
    writeFileSync(
      join(dir, "f.yaml"),
      `version: 1\naccount: { organization_name: "Harbor Dental LLC " }\nusers:\n  - a@example.com\n`,
    );
    assert.equal(await refusal([dir]), [
      `${join(dir, "b.yaml")}:3:10: account email "ops@northwind.example.com" is named by ${join(dir, "a.yaml")}:3:10 as well: each account has one manifest; merge the two`,
      `${join(dir, "d.yaml")}:3:7: account id "${ID}" is named by ${join(dir, "c.yaml")}:3:7 as well: each account has one manifest; merge the two`,
      `${join(dir, "f.yaml")}:2:31: account organization name "Harbor Dental LLC" is named by ${join(dir, "e.yaml")}:3:22 as well: each account has one manifest; merge the two`,
    ]);
  });
});

several("two manifests without account: are both for the key's own organization: an error naming both", async () => {
  await withTempDir(async (dir) => {
    writeFileSync(join(dir, "one.yaml"), manifest());
    writeFileSync(join(dir, "two.yaml"), manifest(undefined, "b@example.com"));
    assert.equal(await refusal([join(dir, "one.yaml"), join(dir, "two.yaml")]), [
      `${join(dir, "two.yaml")}:1:1: neither this manifest nor ${join(dir, "one.yaml")}:1:1 names an account (account:), so both are for the API key's own organization: merge the two, or give the managed account's manifest an account:`,
    ]);
  });
});

several("every file's problems are reported together, a missing file among them", async () => {
  await withTempDir(async (dir) => {
    writeFileSync(join(dir, "a.yaml"), "version: 1\nusers:\n  - not-an-email\n");
    writeFileSync(join(dir, "b.yaml"), `version: 1\naccount:\n  id: 42\nusers:\n  - b@example.com\n`);
    const found = await refusal([dir, join(dir, "missing.yaml")]);
    assert.is(found.length, 3, found.join("\n"));
    assert.match(found[0]!, `${join(dir, "a.yaml")}:3:5: invalid email "not-an-email"`);
    assert.match(found[1]!, `${join(dir, "b.yaml")}:3:7: "id" must be the managed account's id`);
    assert.match(
      found[2]!,
      `${join(dir, "missing.yaml")}: the file does not exist: create one from the organization with roster export -o ${join(dir, "missing.yaml")}`,
    );
  });
});

several("one manifest, as today: a file without account: loads alone", async () => {
  await withTempDir(async (dir) => {
    writeFileSync(join(dir, "users.yaml"), manifest());
    const [only, ...rest] = await loadManifests([join(dir, "users.yaml")]);
    assert.is(rest.length, 0);
    assert.is(only!.account, undefined);
    assert.equal(
      only!.users.map((u) => u.email),
      ["a@example.com"],
    );
  });
});

several.run();
