import { suite } from "uvu";
import * as assert from "uvu/assert";
import Telnyx, {
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from "telnyx";
import { generateManagedAccounts } from "../../src/sandbox/generate.js";
import type { ManagedAccountSeed, Sandbox, SandboxOptions } from "../../src/sandbox/sandbox.js";
import { TEST_API_KEY } from "../helpers/cli.js";
import { makeOrg } from "../helpers/org.js";
import { withSandbox } from "../helpers/sandbox.js";
import {
  arrayOf,
  assertFields,
  isBoolean,
  isString,
  objectOf,
  oneOf,
  orNull,
  type Fields,
} from "../helpers/sdk-fields.js";

// The official Telnyx Node SDK (pinned in package.json) driven against the sandbox: if the sandbox answers
// anything the SDK would not read the same from the real API (a page walked twice, an error of another class,
// a field its types do not have), the sandbox has drifted and roster's tests stop proving anything.

type User = Telnyx.Organizations.OrganizationUser;
type ReportUser = Telnyx.Organizations.UserGetGroupsReportResponse.Data;
type Group = Telnyx.Organizations.UserGroupReference;
type Listing = Telnyx.ManagedAccountListResponse;
type Account = Telnyx.ManagedAccount;
type Balance = Telnyx.ManagedAccountBalance;
type AccountStatusFilter = NonNullable<NonNullable<Telnyx.ManagedAccountListParams.Filter["status"]>["eq"]>;

const GROUP: Fields<Group> = { id: { required: true, check: isString }, name: { required: true, check: isString } };
const USER_STATUS = oneOf<NonNullable<User["user_status"]>>({ enabled: true, disabled: true, blocked: true });
const USER: Fields<User> = {
  id: { required: false, check: isString },
  record_type: { required: false, check: isString },
  email: { required: false, check: isString },
  user_status: { required: false, check: USER_STATUS },
  organization_user_bypasses_sso: { required: false, check: isBoolean },
  created_at: { required: false, check: isString },
  last_sign_in_at: { required: false, check: orNull(isString) },
  groups: { required: false, check: arrayOf(objectOf(GROUP)) },
};
const REPORT_USER: Fields<ReportUser> = {
  ...USER,
  id: { required: true, check: isString },
  record_type: { required: true, check: isString },
  email: { required: true, check: isString },
  user_status: { required: true, check: USER_STATUS },
  created_at: { required: true, check: isString },
  groups: { required: true, check: arrayOf(objectOf(GROUP)) },
};
const LISTING: Fields<Listing> = {
  id: { required: true, check: isString },
  record_type: { required: true, check: oneOf<Listing["record_type"]>({ managed_account: true }) },
  email: { required: true, check: isString },
  api_user: { required: true, check: isString },
  manager_account_id: { required: true, check: isString },
  created_at: { required: true, check: isString },
  updated_at: { required: true, check: isString },
  organization_name: { required: false, check: isString },
  managed_account_allow_custom_pricing: { required: false, check: isBoolean },
  rollup_billing: { required: false, check: isBoolean },
};
const BALANCE: Fields<Balance> = {
  record_type: { required: false, check: oneOf<NonNullable<Balance["record_type"]>>({ balance: true }) },
  balance: { required: false, check: isString },
  credit_limit: { required: false, check: isString },
  available_credit: { required: false, check: isString },
  currency: { required: false, check: isString },
};
const ACCOUNT: Fields<Account> = {
  ...LISTING,
  api_key: { required: true, check: isString },
  api_token: { required: true, check: isString },
  balance: { required: false, check: objectOf(BALANCE) },
};

/** A client of the SDK for the sandbox: no retries, so that every error reaches the test as the SDK classes it. */
function sdk(sandbox: Sandbox, apiKey = TEST_API_KEY): Telnyx {
  return new Telnyx({ apiKey, baseURL: sandbox.url, maxRetries: 0, timeout: 10_000 });
}

/** 1,000 users, some in groups, so that include_groups and the report have something to show. */
function thousandUsers() {
  const groups = [
    { id: "a0000000-0000-4000-8000-000000000001", name: "Admins" },
    { id: "a0000000-0000-4000-8000-000000000002", name: "Engineering, Platform" },
  ];
  return makeOrg(1000).map((user, i) => ({ ...user, groups: groups.filter((_, g) => (i >> g) % 3 === 0) }));
}

/** Asserts the x-ratelimit headers the real API sends on most endpoints. */
function assertRateHeaders(headers: Headers, what: string): void {
  for (const name of ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"]) {
    assert.match(headers.get(name) ?? "", /^\d+(\.\d+)?$/, `${what}: ${name}`);
  }
}

const users = suite("the official SDK: organization users");

users("auto-pagination over 1,000 users returns each once, at the default page size and at 7 a page", async () => {
  const org = thousandUsers();
  await withSandbox({ users: org, apiKey: TEST_API_KEY }, async (sandbox) => {
    const client = sdk(sandbox);
    for (const [query, pages] of [
      [{}, 4],
      [{ "page[size]": 7 }, 143],
    ] as const) {
      const before = sandbox.stats.listRequests;
      const seen: User[] = [];
      for await (const user of client.organizations.users.list(query)) seen.push(user);
      const what = `page[size] ${JSON.stringify(query)}`;
      assert.is(sandbox.stats.listRequests - before, pages, `${what}: pages read`);
      assert.equal(seen.map((u) => u.id).sort(), org.map((u) => u.id).sort(), `${what}: every user once`);
      for (const user of seen) assertFields(USER, user, `${what}: ${user.email}`);
      assert.ok(
        seen.every((u) => u.groups === undefined),
        `${what}: no groups unless asked`,
      );
    }
  });
});

users("retrieve with and without include_groups; the groups report as JSON and as CSV", async () => {
  const org = thousandUsers();
  await withSandbox({ users: org, apiKey: TEST_API_KEY }, async (sandbox) => {
    const client = sdk(sandbox);
    const member = org.find((u) => (u.groups?.length ?? 0) === 2)!;
    const { data: withGroups, response } = await client.organizations.users
      .retrieve(member.id, { include_groups: true })
      .withResponse();
    assertRateHeaders(response.headers, "retrieve");
    assertFields(USER, withGroups.data, "retrieve with include_groups");
    assert.equal(withGroups.data?.groups, member.groups);
    const plain = await client.organizations.users.retrieve(member.id);
    assertFields(USER, plain.data, "retrieve");
    assert.is(plain.data?.groups, undefined, "no groups unless asked");

    const report = await client.organizations.users.getGroupsReport({ Accept: "application/json" });
    assert.is(report.data?.length, org.length);
    for (const user of report.data ?? []) assertFields(REPORT_USER, user, `report: ${user.email}`);
    assert.equal(report.data?.find((u) => u.id === member.id)?.groups, member.groups);
    // The SDK types the CSV answer as the JSON one; it hands back the text as it came.
    const csv = (await client.organizations.users.getGroupsReport({ Accept: "text/csv" })) as unknown;
    assert.type(csv, "string");
    const lines = (csv as string).trimEnd().split("\n");
    assert.is(lines[0], "id,email,user_status,created_at,last_sign_in_at,groups");
    assert.is(lines.length, org.length + 1);
    assert.ok(
      lines.some((line) => line.startsWith(`${member.id},`) && line.endsWith(`,"Admins, Engineering, Platform"`)),
      "group names in one quoted field",
    );
  });
});

users("remove answers the removed user; removing it again is the SDK's NotFoundError", async () => {
  const org = thousandUsers();
  await withSandbox({ users: org, apiKey: TEST_API_KEY }, async (sandbox) => {
    const client = sdk(sandbox);
    const target = org[5]!;
    const { data: removed, response } = await client.organizations.users.actions.remove(target.id).withResponse();
    assertRateHeaders(response.headers, "remove");
    assertFields(USER, removed.data, "the removal's answer");
    assert.is(removed.data?.email, target.email);
    assert.ok(!sandbox.users().some((u) => u.id === target.id), "the user is gone");
    const again = await client.organizations.users.actions.remove(target.id).catch((e: unknown) => e);
    assert.instance(again, NotFoundError);
    assert.is((again as NotFoundError).status, 404);
    assert.is(sandbox.users().length, org.length - 1, "nothing else removed");
  });
});

users("every error the sandbox answers is the SDK's class for it", async () => {
  const org = makeOrg(10);
  const faults: SandboxOptions["faults"] = {
    script: (r) => (r.path.includes("inject=500") ? { kind: "error", status: 500 } : undefined),
  };
  await withSandbox(
    { users: org, apiKey: TEST_API_KEY, faults, managedAccounts: generateManagedAccounts(1, 3, 2) },
    async (sandbox) => {
      const client = sdk(sandbox);
      const cases: [string, () => Promise<unknown>, new (...args: never[]) => Error, number][] = [
        [
          "a wrong key",
          () =>
            sdk(sandbox, "not-the-key")
              .organizations.users.list()
              .then((page) => page.data),
          AuthenticationError,
          401,
        ],
        [
          "page[size] 0",
          () => client.organizations.users.list({ "page[size]": 0 }).then((page) => page.data),
          BadRequestError,
          400,
        ],
        [
          "an unknown user",
          () => client.organizations.users.retrieve("00000000-0000-4000-8000-999999999999"),
          NotFoundError,
          404,
        ],
        ["removing the owner", () => client.organizations.users.actions.remove(org[0]!.id), PermissionDeniedError, 403],
        [
          "a 500",
          () => client.organizations.users.retrieve(org[1]!.id, {}, { query: { inject: "500" } }),
          InternalServerError,
          500,
        ],
        [
          "an unknown account",
          () => client.managedAccounts.retrieve("00000000-0000-4000-8000-999999999999"),
          NotFoundError,
          404,
        ],
      ];
      for (const [what, call, kind, status] of cases) {
        const error = await call().catch((e: unknown) => e);
        assert.instance(error, kind, what);
        assert.is((error as { status: number }).status, status, what);
      }
    },
  );
  await withSandbox(
    { users: org, apiKey: TEST_API_KEY, faults: { rateLimit: 1, rateWindowMs: 60_000 } },
    async (sandbox) => {
      const client = sdk(sandbox);
      await client.organizations.users.retrieve(org[1]!.id);
      const error = await client.organizations.users.retrieve(org[1]!.id).catch((e: unknown) => e);
      assert.instance(error, RateLimitError, "past the rate limit");
      assert.is((error as RateLimitError).headers.get("x-ratelimit-reset"), "60");
    },
  );
});

const accounts = suite("the official SDK: managed accounts");

/** 45 accounts: five disabled, four cancelled, the rest active. */
function seeds(): ManagedAccountSeed[] {
  return generateManagedAccounts(45, 5, 2).map((seed, i) => ({
    ...seed,
    status: i % 9 === 1 ? "disabled" : i % 11 === 2 ? "cancelled" : "active",
  }));
}

accounts("list with auto-pagination (20 a page by default, and 4), retrieve, disable and enable", async () => {
  const all = seeds();
  const listed = all.filter((a) => a.status !== "cancelled");
  await withSandbox({ users: makeOrg(3), apiKey: TEST_API_KEY, managedAccounts: all }, async (sandbox) => {
    const client = sdk(sandbox);
    for (const [query, pages] of [
      [{}, 3],
      [{ "page[size]": 4 }, 11],
    ] as const) {
      const before = sandbox.stats.requests;
      const seen: Listing[] = [];
      for await (const account of client.managedAccounts.list(query)) seen.push(account);
      const what = `page[size] ${JSON.stringify(query)}`;
      assert.is(sandbox.stats.requests - before, pages, `${what}: pages read`);
      assert.equal(
        seen.map((a) => a.id).sort(),
        listed.map((a) => a.id).sort(),
        `${what}: every account once, no cancelled one`,
      );
      for (const account of seen) assertFields(LISTING, account, `${what}: ${account.organization_name}`);
    }
    const seed = listed[0]!;
    const { data: one, response } = await client.managedAccounts.retrieve(seed.id).withResponse();
    assertRateHeaders(response.headers, "the managed account");
    assertFields(ACCOUNT, one.data, "the managed account");
    assert.is(one.data?.api_key, seed.api_key, "its own key");
    const disabled = await client.managedAccounts.actions.disable(seed.id);
    assertFields(ACCOUNT, disabled.data, "disable's answer");
    assert.is(sandbox.managedAccount(seed.id).status, "disabled");
    const enabled = await client.managedAccounts.actions.enable(seed.id);
    assertFields(ACCOUNT, enabled.data, "enable's answer");
    assert.is(sandbox.managedAccount(seed.id).status, "active");
    const cancelled = all.find((a) => a.status === "cancelled")!;
    const refused = await client.managedAccounts.actions.enable(cancelled.id).catch((e: unknown) => e);
    assert.instance(refused, UnprocessableEntityError, "enabling a cancelled account");
  });
});

accounts("filter[status][eq] lists the accounts of each published status", async () => {
  const all = seeds();
  const ids = (status: string) =>
    all
      .filter((a) => a.status === status)
      .map((a) => a.id)
      .sort();
  await withSandbox({ users: makeOrg(3), apiKey: TEST_API_KEY, managedAccounts: all }, async (sandbox) => {
    const client = sdk(sandbox);
    const expected: Record<AccountStatusFilter, string[]> = {
      all: [...ids("active"), ...ids("disabled")].sort(),
      active: ids("active"),
      enabled: ids("active"),
      disabled: ids("disabled"),
      cancelled: ids("cancelled"),
      blocked: [],
    };
    for (const [status, want] of Object.entries(expected) as [AccountStatusFilter, string[]][]) {
      const seen: string[] = [];
      for await (const account of client.managedAccounts.list({
        filter: { status: { eq: status } },
        "page[size]": 250,
      }))
        seen.push(account.id);
      assert.equal(seen.sort(), want, status);
    }
    const everything: string[] = [];
    for await (const account of client.managedAccounts.list({
      filter: { status: { eq: "all" } },
      include_cancelled_accounts: true,
    }))
      everything.push(account.id);
    assert.equal(everything.sort(), all.map((a) => a.id).sort(), "all with include_cancelled_accounts: every account");
    assert.ok(
      ids("disabled").length > 0 && ids("cancelled").length > 0,
      "the seeds have disabled and cancelled accounts",
    );
  });
});

accounts("a filter the published schema does not have is the SDK's BadRequestError, not ignored", async () => {
  await withSandbox({ users: makeOrg(3), apiKey: TEST_API_KEY, managedAccounts: seeds() }, async (sandbox) => {
    const client = sdk(sandbox);
    const unknown = [
      { status: { eq: "paused" } },
      { color: { eq: "red" } },
      { status: { in: "active" } },
      { email: "a@example.com" },
    ];
    for (const filter of unknown) {
      const params = { filter } as unknown as Telnyx.ManagedAccountListParams;
      const error = await client.managedAccounts
        .list(params)
        .then((page) => page.data)
        .catch((e: unknown) => e);
      assert.instance(error, BadRequestError, JSON.stringify(filter));
    }
  });
});

users.run();
accounts.run();
