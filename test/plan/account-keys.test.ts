import { test } from "uvu";
import * as assert from "uvu/assert";
import { keysNotTheirOwn, organizationsNotTheirOwn, type ReadOrganization } from "../../src/plan/account-keys.js";
import { liveUser } from "../helpers/org.js";

// Whether a key handed for a managed account can be its own: the checks made before any request with it
// (the keys), and before any plan (what each key read).

const MANAGER = "KEY0MANAGER0000000000000000_bWFuYWdlcg";
const A = "KEY0AAAA0000000000000000000_YWFhYQ";
const B = "KEY0BBBB0000000000000000000_YmJiYg";

test("keys: the manager's own key, and a key handed for two accounts (each naming the other), are refused; distinct keys pass", () => {
  const cases: [string, string[], ReturnType<typeof keysNotTheirOwn>][] = [
    ["distinct keys", [A, B], [undefined, undefined]],
    ["the manager's key", [A, MANAGER], [undefined, { kind: "manager-key" }]],
    [
      "one key for two accounts",
      [A, B, A],
      [{ kind: "shared-key", others: [2] }, undefined, { kind: "shared-key", others: [0] }],
    ],
    [
      "one key for three",
      [B, B, B],
      [
        { kind: "shared-key", others: [1, 2] },
        { kind: "shared-key", others: [0, 2] },
        { kind: "shared-key", others: [0, 1] },
      ],
    ],
    [
      "the manager's key twice says the manager's",
      [MANAGER, MANAGER],
      [{ kind: "manager-key" }, { kind: "manager-key" }],
    ],
    ["no accounts", [], []],
  ];
  for (const [name, keys, expected] of cases) assert.equal(keysNotTheirOwn(keys, MANAGER), expected, name);
});

const owner = (id: string, email: string) => liveUser(id, email, { record_type: "organization_owner" });
const staff = (id: string, email: string) => liveUser(id, email);
const org = (email: string, users: ReturnType<typeof liveUser>[], own = false): ReadOrganization => ({
  own,
  email,
  users,
});
const KNOWN = {
  managerEmail: "Dana.Whitfield@example.com",
  accountEmails: ["accounts@harbor.example.com", "accounts@northwind.example.com", "boss@cedar.example.com"],
};

test("organizations: the manager's, another account's, or one read twice are refused; the own organization and distinct ones pass", () => {
  const harbor = org("accounts@harbor.example.com", [
    owner("h-0", "owner@harbor.example.com"),
    staff("h-1", "amara@harbor.example.com"),
  ]);
  const northwind = org("accounts@northwind.example.com", [owner("n-0", "owner@northwind.example.com")]);
  const managers = [owner("m-0", "dana.whitfield@example.com"), staff("m-1", "maria@example.com")];
  const cases: [string, ReadOrganization[], ReturnType<typeof organizationsNotTheirOwn>][] = [
    ["distinct organizations", [harbor, northwind], [undefined, undefined]],
    [
      "owned by the manager's email, in any case",
      [org("accounts@harbor.example.com", managers)],
      [{ kind: "manager-organization" }],
    ],
    [
      "the same owner as the own organization read in the run",
      [
        org("", [owner("m-0", "someone@example.com")], true),
        org("accounts@harbor.example.com", [owner("m-0", "someone@example.com")]),
      ],
      [undefined, { kind: "manager-organization" }],
    ],
    [
      "the same owner for two accounts",
      [harbor, northwind, org("boss@cedar.example.com", [owner("h-0", "owner@harbor.example.com")])],
      [{ kind: "same-organization", others: [2] }, undefined, { kind: "same-organization", others: [0] }],
    ],
    [
      "owned by another managed account's email",
      [org("accounts@harbor.example.com", [owner("x-0", "BOSS@cedar.example.com")])],
      [{ kind: "other-account", email: "boss@cedar.example.com" }],
    ],
    [
      "owned by its own account's email, which is also listed",
      [org("boss@cedar.example.com", [owner("c-0", "boss@cedar.example.com")])],
      [undefined],
    ],
    [
      "an account whose own email is the manager's is not refused for it",
      [org("dana.whitfield@example.com", managers)],
      [undefined],
    ],
    [
      "no owner in the answer: nothing to compare",
      [org("accounts@harbor.example.com", [staff("z-1", "dana.whitfield@example.com")])],
      [undefined],
    ],
    ["the own organization is never refused", [org("", managers, true)], [undefined]],
  ];
  for (const [name, read, expected] of cases) assert.equal(organizationsNotTheirOwn(read, KNOWN), expected, name);
});

test("organizations: without the manager's email (the API gave none), the other checks still hold", () => {
  const read = [
    org("accounts@harbor.example.com", [owner("m-0", "dana.whitfield@example.com")]),
    org("accounts@northwind.example.com", [owner("m-0", "dana.whitfield@example.com")]),
  ];
  assert.equal(organizationsNotTheirOwn(read, { managerEmail: "", accountEmails: [] }), [
    { kind: "same-organization", others: [1] },
    { kind: "same-organization", others: [0] },
  ]);
});

test.run();
