import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { loadManifest } from "../../src/manifest/load-manifest.js";
import { parseManifest, parseManifestWithYaml } from "../../src/manifest/parse-manifest.js";
import { plainManifest } from "../../src/manifest/plain-manifest.js";
import { problems } from "../helpers/manifest.js";
import { withTempDir } from "../helpers/temp.js";

// `account:` names the managed account a manifest is for: by id, email or organization name, exactly one.

const BASE = "version: 1\nusers:\n  - a@example.com\n";
const ID = "6a09cdc3-8948-47f0-aa62-74ac943d6c58";

const account = suite("manifest: account");

account("a manifest names its account by id, email or organization name; the value is trimmed and placed", () => {
  assert.equal(parseManifest(`${BASE}account:\n  id: ${ID.toUpperCase()}\n`, "users.yaml").account, {
    by: "id",
    value: ID.toUpperCase(),
    position: { line: 5, col: 7 },
  });
  assert.equal(parseManifest(`${BASE}account: { email: Ops@Example.com }\n`, "users.yaml").account, {
    by: "email",
    value: "Ops@Example.com",
    position: { line: 4, col: 19 },
  });
  assert.equal(parseManifest(`${BASE}account:\n  organization_name: "  Harbor Dental LLC "\n`, "users.yaml").account, {
    by: "organization_name",
    value: "Harbor Dental LLC",
    position: { line: 5, col: 22 },
  });
});

account("a manifest without account: is for the key's own organization, as before", () => {
  const manifest = parseManifest(BASE, "users.yaml");
  assert.is(manifest.account, undefined);
  assert.not.ok("account" in manifest, "no account key at all, so saved plans and JSON stay as they were");
});

account("both readings give the same manifest: the fast reader reads a block account: as the yaml reading does", () => {
  for (const text of [
    `${BASE}account:\n  id: ${ID}\n`,
    `account:\n  email: ops@example.com # the reseller's client\n${BASE}`,
  ]) {
    assert.equal(plainManifest(text, "users.yaml"), parseManifestWithYaml(text, "users.yaml"));
    assert.equal(parseManifest(text, "users.yaml"), parseManifestWithYaml(text, "users.yaml"));
  }
  assert.is(
    plainManifest(`${BASE}account: { id: ${ID} }\n`, "users.yaml"),
    undefined,
    "a flow mapping is left to the yaml reading",
  );
  assert.ok(plainManifest(BASE, "users.yaml"), "a manifest without account: is still read fast");
});

account("no key, two keys, or another key: a positioned error saying to keep exactly one", () => {
  assert.equal(problems(`${BASE}account: {}\n`), [
    'users.yaml:4:10: "account" is empty: name the managed account by one of id, email or organization_name',
  ]);
  assert.equal(problems(`${BASE}account:\n  id: ${ID}\n  email: a@example.com\n`), [
    'users.yaml:5:3: "account" names the managed account by 2 keys (id, email): keep exactly one of id, email or organization_name',
  ]);
  assert.equal(problems(`${BASE}account:\n  name: Harbor\n`), [
    'users.yaml:5:3: unknown key "name" in account: the keys allowed are id, email, organization_name',
  ]);
  assert.equal(problems(`${BASE}account:\n`), [
    'users.yaml:4:1: "account" must be a mapping with one key, id, email or organization_name, found nothing',
  ]);
  assert.equal(problems(`${BASE}account: Harbor Dental\n`), [
    'users.yaml:4:10: "account" must be a mapping with one key, id, email or organization_name, found the text "Harbor Dental"',
  ]);
});

account("a bad id, email or organization name: a positioned error with the value and what to write", () => {
  assert.equal(problems(`${BASE}account:\n  id: 6a09cdc3-8948\n`), [
    'users.yaml:5:7: invalid account id "6a09cdc3-8948": write the managed account\'s id, a UUID such as 6a09cdc3-8948-47f0-aa62-74ac943d6c58',
  ]);
  assert.equal(problems(`${BASE}account:\n  email: ops.example.com\n`), [
    'users.yaml:5:10: invalid account email "ops.example.com": write it as name@domain.example',
  ]);
  assert.equal(problems(`${BASE}account:\n  email: "ops\\u200b@example.com"\n`), [
    'users.yaml:5:10: invalid account email "ops\u200b@example.com": it contains U+200B, an invisible or control character: type the address again',
  ]);
  assert.equal(problems(`${BASE}account:\n  organization_name: "   "\n`), [
    'users.yaml:5:22: "organization_name" is blank: write the managed account\'s organization name',
  ]);
  assert.equal(problems(`${BASE}account:\n  organization_name: 1234\n`), [
    'users.yaml:5:22: "organization_name" must be text, the managed account\'s organization name, found the number 1234',
  ]);
  assert.equal(problems(`${BASE}account:\n  id: [${ID}]\n`), [
    'users.yaml:5:7: "id" must be the managed account\'s id, a UUID such as 6a09cdc3-8948-47f0-aa62-74ac943d6c58, found a list',
  ]);
});

account("account: is read from a file like the rest of the manifest", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "harbor.yaml");
    writeFileSync(path, `version: 1\naccount:\n  organization_name: Harbor Dental LLC\nusers:\n  - a@example.com\n`);
    const manifest = await loadManifest(path);
    assert.equal(manifest.account, {
      by: "organization_name",
      value: "Harbor Dental LLC",
      position: { line: 3, col: 22 },
    });
    assert.equal(
      manifest.users.map((u) => u.email),
      ["a@example.com"],
    );
  });
});

account.run();
