import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { ManagedAccount } from "../../src/core/managed-account.js";
import { AccountChoiceError, chooseAccounts, editDistance } from "../../src/plan/accounts.js";
import { ManifestError } from "../../src/manifest/manifest-error.js";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import type { Manifest } from "../../src/manifest/manifest.js";

// Which managed account each manifest is for: exactly one, or an error at the manifest's account: line
// naming the candidates and what to do.

function account(id: string, email: string, organization_name: string | null): ManagedAccount {
  return {
    id,
    email,
    organization_name,
    api_user: "manager@example.com",
    manager_account_id: "m-1",
    created_at: "2024-01-01T09:00:00Z",
    updated_at: "2024-01-01T09:00:00Z",
  };
}

const HARBOR = account("6a09cdc3-8948-47f0-aa62-74ac943d6c58", "accounts@harbor.example.com", "Harbor Dental LLC");
const NORTHWIND = account(
  "0b1c2d3e-4f50-4a61-8b72-93a4b5c6d7e8",
  "Ops@Northwind.example.com",
  "Northwind Logistics Inc",
);
const CEDAR = account("11111111-2222-4333-8444-555555555555", "admin@cedar.example.com", " Cedar Realty Group ");
const NAMELESS = account("99999999-8888-4777-8666-555555555555", "solo@example.com", null);
const ACCOUNTS = [HARBOR, NORTHWIND, CEDAR, NAMELESS];

/** A manifest at `file` for the account named by `account` (YAML under account:), or for the key's own organization. */
function manifest(file: string, selector?: string): Manifest {
  return parseManifest(`version: 1\n${selector ? `account:\n  ${selector}\n` : ""}users:\n  - a@example.com\n`, file);
}

function problems(manifests: Manifest[], accounts: readonly ManagedAccount[] = ACCOUNTS): string[] {
  try {
    chooseAccounts(manifests, accounts);
  } catch (error) {
    assert.instance(error, AccountChoiceError);
    assert.instance(error, ManifestError, "reported as the manifest's problem, file:line:col");
    return (error as ManifestError).problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`);
  }
  throw new Error("expected the accounts to be refused");
}

const choose = suite("plan: choosing accounts");

choose(
  "an organization name in another Unicode form or with a no-break space is the same name; a near miss shows the difference escaped",
  () => {
    const equipe = account(
      "22222222-3333-4444-8555-666666666666",
      "ops@equipe.example.com",
      "E\u0301quipe Verte\u00a0SA",
    );
    const chosen = chooseAccounts([manifest("a.yaml", "organization_name: Équipe Verte SA")], [equipe, HARBOR]);
    assert.is(
      chosen[0]!.target.kind === "managed" && chosen[0]!.target.account.id,
      equipe.id,
      "NFD and a no-break space match",
    );
    const zeroWidth = account(
      "33333333-3333-4444-8555-666666666666",
      "ops@zw.example.com",
      "Harbor\u00a0Dental\u00a0Group",
    );
    const [problem] = problems([manifest("b.yaml", "organization_name: Harbor Dental Grp")], [zeroWidth]);
    assert.match(
      problem!,
      'organization "Harbor\\u00a0Dental\\u00a0Group"',
      "the closest name shows its no-break spaces",
    );
  },
);

choose(
  "each manifest gets its account: by id in any case, by email as emails compare, by organization name once trimmed",
  () => {
    const manifests = [
      manifest("own.yaml"),
      manifest("harbor.yaml", `id: ${HARBOR.id.toUpperCase()}`),
      manifest("northwind.yaml", "email: ops@NORTHWIND.example.com"),
      manifest("cedar.yaml", 'organization_name: "Cedar Realty Group"'),
    ];
    const chosen = chooseAccounts(manifests, ACCOUNTS);
    assert.equal(
      chosen.map((c) => [c.manifest.path, c.target.kind === "managed" ? c.target.account.id : "own"]),
      [
        ["own.yaml", "own"],
        ["harbor.yaml", HARBOR.id],
        ["northwind.yaml", NORTHWIND.id],
        ["cedar.yaml", CEDAR.id],
      ],
    );
    assert.is(chosen[1]!.manifest, manifests[1], "the manifest itself, not a copy");
  },
);

choose("an organization name matches exactly: not another letter case, nor a name that only contains it", () => {
  assert.equal(problems([manifest("m.yaml", "organization_name: harbor dental llc")]).length, 1);
  assert.equal(problems([manifest("m.yaml", "organization_name: Harbor Dental")]).length, 1);
});

choose("no match: the file, line and column, the 5 closest accounts by the same key, and what to do", () => {
  const many = [
    ...ACCOUNTS,
    ...["a", "b", "c"].map((c, i) =>
      account(`${c.repeat(8)}-0000-4000-8000-00000000000${i}`, `${c}@example.com`, `Harbour Dental ${c.toUpperCase()}`),
    ),
  ];
  const [only, ...rest] = problems([manifest("harbor.yaml", "organization_name: Harbor Dentl LLC")], many);
  assert.is(rest.length, 0);
  assert.is(
    only,
    'harbor.yaml:3:22: account organization name "Harbor Dentl LLC" matches none of the 7 accounts the API key manages; the closest are: ' +
      'id "6a09cdc3-8948-47f0-aa62-74ac943d6c58", email "accounts@harbor.example.com", organization "Harbor Dental LLC"; ' +
      // "C" is closer to "LLC" than "A" or "B"; those two are as close, and listed in the API's order.
      'id "cccccccc-0000-4000-8000-000000000002", email "c@example.com", organization "Harbour Dental C"; ' +
      'id "aaaaaaaa-0000-4000-8000-000000000000", email "a@example.com", organization "Harbour Dental A"; ' +
      'id "bbbbbbbb-0000-4000-8000-000000000001", email "b@example.com", organization "Harbour Dental B"; ' +
      'id "11111111-2222-4333-8444-555555555555", email "admin@cedar.example.com", organization " Cedar Realty Group "' +
      ": correct account:, or check that TELNYX_API_KEY is the key of the account's manager",
  );
});

choose("no match by email names the closest emails first", () => {
  const [only] = problems([manifest("m.yaml", "email: ops@northwind.example.org")]);
  assert.match(
    only!,
    /^m\.yaml:3:10: account email "ops@northwind\.example\.org" matches none of the 4 accounts the API key manages; the closest are: id "0b1c2d3e-4f50-4a61-8b72-93a4b5c6d7e8", email "Ops@Northwind\.example\.com"/,
  );
});

choose("a key that manages one account: that one is named", () => {
  assert.equal(problems([manifest("m.yaml", "email: ops@harbor.example.com")], [HARBOR]), [
    'm.yaml:3:10: account email "ops@harbor.example.com" does not match the one account the API key manages; it is: ' +
      'id "6a09cdc3-8948-47f0-aa62-74ac943d6c58", email "accounts@harbor.example.com", organization "Harbor Dental LLC": ' +
      "correct account:, or check that TELNYX_API_KEY is the key of the account's manager",
  ]);
});

choose("a key that manages no account: the manifest's account: cannot match, and the message says why", () => {
  assert.equal(problems([manifest("m.yaml", `id: ${HARBOR.id}`)], []), [
    `m.yaml:3:7: account id "${HARBOR.id}" matches no managed account: the API key manages none; export the manager account's API key in TELNYX_API_KEY`,
  ]);
});

choose("several matches: each one's id, email and organization name, and to name the account by id", () => {
  const twin = account("22222222-3333-4444-8555-666666666666", "front-desk@harbor.example.com", "Harbor Dental LLC");
  assert.equal(problems([manifest("harbor.yaml", "organization_name: Harbor Dental LLC")], [...ACCOUNTS, twin]), [
    'harbor.yaml:3:22: account organization name "Harbor Dental LLC" matches 2 managed accounts: ' +
      'id "6a09cdc3-8948-47f0-aa62-74ac943d6c58", email "accounts@harbor.example.com", organization "Harbor Dental LLC"; ' +
      'id "22222222-3333-4444-8555-666666666666", email "front-desk@harbor.example.com", organization "Harbor Dental LLC": ' +
      "name the one this manifest is for by its id (account: { id: ... })",
  ]);
});

choose("two manifests reaching one account by different keys: an error naming both files", () => {
  assert.equal(
    problems([
      manifest("by-id.yaml", `id: ${HARBOR.id}`),
      manifest("by-email.yaml", "email: ACCOUNTS@harbor.example.com"),
    ]),
    [
      `by-email.yaml:3:10: account email "ACCOUNTS@harbor.example.com" is the managed account id "${HARBOR.id}", email "accounts@harbor.example.com", organization "Harbor Dental LLC", which by-id.yaml:3:7 names as well (by account id "${HARBOR.id}"): each account has one manifest; merge the two`,
    ],
  );
});

choose(
  "every problem is reported at once, and an account without an organization name is never matched by name",
  () => {
    const found = problems([
      manifest("a.yaml", "organization_name: null-named"),
      manifest("b.yaml", "email: nobody@example.com"),
      manifest("c.yaml", `id: ${NAMELESS.id}`),
    ]);
    assert.is(found.length, 2);
    assert.match(found[0]!, /^a\.yaml:3:22: account organization name "null-named" matches none/);
    assert.match(found[1]!, /^b\.yaml:3:10: account email "nobody@example\.com" matches none/);
    assert.match(
      found.join("\n"),
      'id "99999999-8888-4777-8666-555555555555", email "solo@example.com", no organization name',
    );
  },
);

choose("edit distance: the usual examples", () => {
  assert.is(editDistance("kitten", "sitting"), 3);
  assert.is(editDistance("", "abc"), 3);
  assert.is(editDistance("same", "same"), 0);
});

choose.run();
