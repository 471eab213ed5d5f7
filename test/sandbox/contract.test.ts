import { suite } from "uvu";
import * as assert from "uvu/assert";
import { startSandbox, type Fault, type Sandbox } from "../../src/sandbox/sandbox.js";
import type { OrganizationUser } from "../../src/core/organization-user.js";
import { assertShape, type ApiSchema } from "../helpers/api-schemas.js";
import { TEST_API_KEY } from "../helpers/cli.js";
import { exampleOrg, makeOrg } from "../helpers/org.js";
import { withSandbox } from "../helpers/sandbox.js";

// Every kind of answer the sandbox gives, checked against the published shapes in test/fixtures/api/: if the
// sandbox drifts from the API, roster's tests stop proving anything about the real one.

/** Codes and titles by status, as Telnyx lists them (its error list and the endpoints' published examples). */
const API_ERRORS: Record<number, { code: string; title: string; source: boolean }> = {
  400: { code: "10015", title: "Bad Request", source: true },
  401: { code: "10009", title: "Authentication failed", source: false },
  403: { code: "10010", title: "Not authorized", source: true },
  404: { code: "10005", title: "Resource not found", source: true },
  408: { code: "10008", title: "Request timeout", source: false },
  429: { code: "10011", title: "Too many requests", source: false },
  500: { code: "10007", title: "Unexpected error", source: false },
  503: { code: "10007", title: "Unexpected error", source: false },
};

const contract = suite<{ sandbox: Sandbox; org: OrganizationUser[] }>("sandbox contract", {
  sandbox: undefined as unknown as Sandbox,
  org: [],
});
contract.before.each(async (context) => {
  context.org = exampleOrg();
  context.sandbox = await startSandbox({ users: context.org, apiKey: TEST_API_KEY, faults: { script: injected } });
});
contract.after.each(async ({ sandbox }) => {
  await sandbox.close();
});

/** Faults asked for by the request itself (`?inject=503`), so that each error status can be produced at will. */
function injected(request: { path: string }): Fault | undefined {
  const status = Number(/[?&]inject=(\w+)/.exec(request.path)?.[1] ?? Number.NaN);
  if (status === 429) return { kind: "throttle" };
  if (status === 504) return { kind: "ghost", loss: "504" };
  if (status === 408 || status === 500 || status === 502 || status === 503) return { kind: "error", status };
  return undefined;
}

interface Answer {
  status: number;
  type: string;
  headers: Headers;
  text: string;
  body: unknown;
}

async function ask(
  sandbox: Sandbox,
  path: string,
  init: { method?: string; accept?: string; key?: string } = {},
): Promise<Answer> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method: init.method ?? "GET",
    headers: { Authorization: `Bearer ${init.key ?? TEST_API_KEY}`, Accept: init.accept ?? "application/json" },
  });
  const text = await response.text();
  const type = response.headers.get("content-type") ?? "";
  return {
    status: response.status,
    type,
    headers: response.headers,
    text,
    body: type.includes("json") ? JSON.parse(text) : undefined,
  };
}

/** Asserts a 200 JSON answer of the published shape, and returns its body. */
function ok<T>(answer: Answer, shape: ApiSchema, what: string): T {
  assert.is(answer.status, 200, `${what}: ${answer.text.slice(0, 300)}`);
  assert.is(answer.type, "application/json", what);
  assertShape(shape, answer.body, what);
  return answer.body as T;
}

/** Asserts an error answer with the API's body, code, title, source and meta for `status`. */
function apiError(answer: Answer, status: number, what: string): void {
  assert.is(answer.status, status, `${what}: ${answer.text.slice(0, 300)}`);
  assert.is(answer.type, "application/json", what);
  assertShape("error", answer.body, what);
  const [error, ...more] = (answer.body as { errors: Record<string, unknown>[] }).errors;
  assert.is(more.length, 0, `${what}: one error`);
  const expected = API_ERRORS[status]!;
  assert.is(error!.code, expected.code, `${what}: code`);
  assert.is(error!.title, expected.title, `${what}: title`);
  assert.type(error!.detail, "string", `${what}: detail`);
  assert.equal(
    error!.meta,
    { url: `https://developers.telnyx.com/docs/overview/errors/${expected.code}` },
    `${what}: meta`,
  );
  assert.is(
    "source" in error!,
    expected.source,
    `${what}: source ${expected.source ? "given" : "not given"}, as the API does`,
  );
}

type ListBody = {
  data: OrganizationUser[];
  meta: { total_pages: number; total_results: number; page_number: number; page_size: number };
};

contract("the list without include_groups: pages of 250 by default, and no user carries groups", async () => {
  await withSandbox({ users: makeOrg(600), apiKey: TEST_API_KEY }, async (sandbox) => {
    const first = ok<ListBody>(await ask(sandbox, "/organizations/users"), "user-list", "GET /organizations/users");
    assert.equal(first.meta, { total_pages: 3, total_results: 600, page_number: 1, page_size: 250 });
    assert.is(first.data.length, 250);
    const last = ok<ListBody>(await ask(sandbox, "/organizations/users?page[number]=3"), "user-list", "the last page");
    assert.is(last.data.length, 100);
    const small = ok<ListBody>(
      await ask(sandbox, "/organizations/users?page[number]=7&page[size]=25"),
      "user-list",
      "page 7 of 25",
    );
    assert.equal(small.meta, { total_pages: 24, total_results: 600, page_number: 7, page_size: 25 });
    assert.equal(
      small.data.map((u) => u.email),
      makeOrg(600)
        .slice(150, 175)
        .map((u) => u.email),
    );
    const beyond = ok<ListBody>(
      await ask(sandbox, "/organizations/users?page[number]=4"),
      "user-list",
      "a page past the end",
    );
    assert.equal(beyond.data, []);
    const exact = ok<ListBody>(
      await ask(sandbox, "/organizations/users?page[size]=250"),
      "user-list",
      "page[size]=250, the largest",
    );
    assert.is(exact.data.length, 250);
    for (const user of [...first.data, ...last.data, ...small.data])
      assert.not.ok("groups" in user, `${user.email} carries no groups`);
  });
});

contract(
  "the list with include_groups=true: every user carries its groups, none for a user in no group",
  async ({ sandbox, org }) => {
    const body = ok<ListBody>(
      await ask(sandbox, "/organizations/users?include_groups=true"),
      "user-list",
      "the list with groups",
    );
    assert.is(body.data.length, org.length);
    for (const user of body.data) assert.equal(user.groups, org.find((u) => u.id === user.id)!.groups, user.email);
    assert.ok(
      body.data.some((u) => u.groups!.length === 0),
      "a user in no group",
    );
    assert.ok(
      body.data.some((u) => u.groups!.length > 1),
      "a user in several groups",
    );
    const filtered = ok<ListBody>(
      await ask(sandbox, "/organizations/users?filter[user_status]=disabled&filter[email]=example.com"),
      "user-list",
      "a filtered page",
    );
    assert.ok(filtered.data.length > 0, "the filters match some users");
    assert.equal(
      filtered.data.filter((u) => u.user_status !== "disabled").map((u) => u.email),
      [],
      "every user of the filtered page is disabled",
    );
    assert.equal(
      filtered.data.filter((u) => "groups" in u).map((u) => u.email),
      [],
      "no user carries groups without include_groups",
    );
  },
);

contract(
  "a single user carries groups only with include_groups=true; an unknown one is the API's 404",
  async ({ sandbox, org }) => {
    const member = org.find((u) => u.groups!.length > 1)!;
    const plain = ok<{ data: OrganizationUser }>(
      await ask(sandbox, `/organizations/users/${member.id}`),
      "organization-user-response",
      "GET one user",
    );
    assert.is(plain.data.email, member.email);
    assert.not.ok("groups" in plain.data, "no groups unless asked");
    const full = ok<{ data: OrganizationUser }>(
      await ask(sandbox, `/organizations/users/${member.id}?include_groups=true`),
      "organization-user-response",
      "GET one user with groups",
    );
    assert.equal(full.data.groups, member.groups);
    apiError(await ask(sandbox, "/organizations/users/no-such-user"), 404, "GET an unknown user");
  },
);

contract(
  "the groups report as JSON: every user, each with its groups, the owner told apart by record_type",
  async ({ sandbox, org }) => {
    const body = ok<{ data: OrganizationUser[] }>(
      await ask(sandbox, "/organizations/users/users_groups_report"),
      "users-groups-report",
      "the report",
    );
    assert.equal(body.data.map((u) => u.id).sort(), org.map((u) => u.id).sort());
    const owner = body.data.find((u) => u.record_type === "organization_owner")!;
    assert.is(owner.email, "dana.whitfield@example.com");
    assert.equal(
      owner.groups!.map((g) => g.name),
      ["Admins"],
    );
    // With makeOrg's users (no groups field in the seed) every report item still carries groups: [].
    await withSandbox({ users: makeOrg(3), apiKey: TEST_API_KEY }, async (bare) => {
      const report = ok<{ data: OrganizationUser[] }>(
        await ask(bare, "/organizations/users/users_groups_report"),
        "users-groups-report",
        "the report of users in no group",
      );
      assert.equal(
        report.data.map((u) => u.groups),
        [[], [], []],
      );
    });
  },
);

contract(
  "the groups report as CSV: the published columns, no record_type, group names joined by ', ' in one quoted field",
  async ({ sandbox, org }) => {
    const answer = await ask(sandbox, "/organizations/users/users_groups_report", { accept: "text/csv" });
    assert.is(answer.status, 200);
    assert.is(answer.type, "text/csv");
    const [header, ...rows] = answer.text.trimEnd().split("\n");
    assert.is(header, "id,email,user_status,created_at,last_sign_in_at,groups");
    assert.is(rows.length, org.length);
    const maria = org.find((u) => u.email === "maria.garcia@example.com")!;
    assert.is(
      rows.find((r) => r.startsWith(maria.id)),
      `${maria.id},maria.garcia@example.com,enabled,2023-02-18T09:00:00Z,2026-11-19T18:00:00Z,"Admins, Engineering"`,
    );
    const parsed = rows.map(parseCsvLine);
    for (const [index, user] of org.entries()) {
      assert.equal(
        parsed[index],
        [
          user.id,
          user.email,
          user.user_status,
          user.created_at!,
          user.last_sign_in_at ?? "",
          user.groups!.map((g) => g.name).join(", "),
        ],
        user.email,
      );
    }
    assert.not.match(answer.text, "organization_owner", "the CSV cannot tell the owner: roster reads the JSON");
  },
);

contract("a removal's 200 is the removed user, with groups only when include_groups=true", async ({ sandbox, org }) => {
  const [first, second] = org.filter((u) => u.record_type !== "organization_owner" && u.groups!.length > 0);
  const removed = ok<{ data: OrganizationUser }>(
    await ask(sandbox, `/organizations/users/${first!.id}/actions/remove`, { method: "POST" }),
    "organization-user-response",
    "a removal",
  );
  assert.is(removed.data.id, first!.id);
  assert.not.ok("groups" in removed.data, "no groups unless asked");
  const withGroups = ok<{ data: OrganizationUser }>(
    await ask(sandbox, `/organizations/users/${second!.id}/actions/remove?include_groups=true`, { method: "POST" }),
    "organization-user-response",
    "a removal with include_groups=true",
  );
  assert.equal(withGroups.data.groups, second!.groups);
  apiError(
    await ask(sandbox, `/organizations/users/${first!.id}/actions/remove`, { method: "POST" }),
    404,
    "removing a removed user",
  );
  const owner = org.find((u) => u.record_type === "organization_owner")!;
  apiError(
    await ask(sandbox, `/organizations/users/${owner.id}/actions/remove`, { method: "POST" }),
    403,
    "removing the owner",
  );
});

contract(
  "a malformed list request is the API's 400 with the parameter named in source.pointer",
  async ({ sandbox }) => {
    for (const query of [
      "page[size]=0",
      "page[size]=251",
      "page[size]=ten",
      "page[number]=0",
      "page[number]=-1",
      "filter[user_status]=gone",
    ]) {
      const answer = await ask(sandbox, `/organizations/users?${query}`);
      apiError(answer, 400, `GET /organizations/users?${query}`);
      const pointer = (answer.body as { errors: { source: { pointer: string } }[] }).errors[0]!.source.pointer;
      assert.is(pointer, `/${query.split("=")[0]!.replace(/\[/g, "/").replace(/\]/g, "")}`, query);
    }
  },
);

contract("a wrong key is the API's 401, without source, on every endpoint", async ({ sandbox, org }) => {
  for (const [path, method] of [
    ["/organizations/users", "GET"],
    ["/organizations/users/users_groups_report", "GET"],
    [`/organizations/users/${org[1]!.id}`, "GET"],
    [`/organizations/users/${org[1]!.id}/actions/remove`, "POST"],
  ] as const) {
    apiError(await ask(sandbox, path, { method, key: "wrong-key" }), 401, `${method} ${path} with a wrong key`);
  }
  assert.is(sandbox.users().length, org.length, "nothing removed");
});

contract("an account refused the report, an unknown path: the API's 403 and 404", async ({ org }) => {
  await withSandbox({ users: org, apiKey: TEST_API_KEY, refuseGroupsReport: true }, async (sandbox) => {
    apiError(await ask(sandbox, "/organizations/users/users_groups_report"), 403, "the refused report");
    apiError(await ask(sandbox, "/organizations/nothing"), 404, "an unknown path");
  });
});

contract(
  "injected faults answer with the API's codes: 408 10008, 429 10011, 500 and 503 10007 (never 10003 Invalid URL)",
  async ({ sandbox, org }) => {
    for (const status of [408, 500, 503]) {
      apiError(
        await ask(sandbox, `/organizations/users?inject=${status}`),
        status,
        `an injected ${status} on the list`,
      );
      apiError(
        await ask(sandbox, `/organizations/users/${org[1]!.id}/actions/remove?inject=${status}`, { method: "POST" }),
        status,
        `an injected ${status} on a removal`,
      );
    }
    const throttled = await ask(sandbox, "/organizations/users/users_groups_report?inject=429");
    apiError(throttled, 429, "an injected 429");
    assert.is(throttled.headers.get("x-ratelimit-remaining"), "0");
    assert.ok(Number(throttled.headers.get("x-ratelimit-reset")) > 0, "a reset to wait for");
    assert.is(sandbox.users().length, org.length, "no fault did the work");
  },
);

contract("past the real rate limit: the API's 429 with the x-ratelimit headers", async ({ org }) => {
  await withSandbox(
    { users: org, apiKey: TEST_API_KEY, faults: { rateLimit: 1, rateWindowMs: 60_000 } },
    async (sandbox) => {
      const first = await ask(sandbox, "/organizations/users");
      ok(first, "user-list", "the request within the limit");
      assert.is(first.headers.get("x-ratelimit-limit"), "1");
      const refused = await ask(sandbox, "/organizations/users");
      apiError(refused, 429, "the request past the limit");
      assert.is(refused.headers.get("x-ratelimit-remaining"), "0");
      assert.is(refused.headers.get("x-ratelimit-reset"), "60");
    },
  );
});

contract(
  "a gateway's 502 and 504 are HTML, not the API's JSON: roster must not read them as the API's answer",
  async ({ sandbox, org }) => {
    for (const status of [502, 504]) {
      const answer = await ask(sandbox, `/organizations/users/${org[2]!.id}/actions/remove?inject=${status}`, {
        method: "POST",
      });
      assert.is(answer.status, status);
      assert.is(answer.type, "text/html");
      assert.match(answer.text, `<title>${status} `);
    }
  },
);

/** One line of RFC 4180 CSV: fields split on commas outside quotes, "" inside quotes is one quote. */
function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i]!;
    if (quoted && char === '"' && line[i + 1] === '"') {
      field += '"';
      i += 1;
    } else if (char === '"') quoted = !quoted;
    else if (char === "," && !quoted) {
      fields.push(field);
      field = "";
    } else field += char;
  }
  return [...fields, field];
}

contract.run();
