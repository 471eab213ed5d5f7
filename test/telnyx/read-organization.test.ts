import fc from "fast-check";
import type { ServerResponse } from "node:http";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { OrganizationUser } from "../../src/core/organization-user.js";
import { ApiError } from "../../src/telnyx/api-error.js";
import { TelnyxClient } from "../../src/telnyx/client.js";
import { readOrganization, type ReadSource } from "../../src/telnyx/read-organization.js";
import { rejection, TEST_API_KEY } from "../helpers/cli.js";
import { liveUser } from "../helpers/org.js";
import { judgedFacts, onlySameRepeats, withOneConflict, type ListedOrganization } from "../helpers/records.js";
import { startServer } from "../helpers/servers.js";

// The organization read over real HTTP from a small API on loopback whose groups report and pages list
// users more than once: the same user again, or one id as two different users.

/** What the API on loopback answers: the report's users (or a refusal), and the pages. */
interface Answers {
  report: OrganizationUser[] | "refused";
  pages: OrganizationUser[][];
  totalResults: number;
}

const send = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

/** Runs `fn` with an API on loopback answering what `answers` says at the time, counting the requests for pages. */
async function withApi(
  fn: (api: { url: string; answer(answers: Answers): void; pageRequests(): number }) => Promise<void>,
) {
  let answers: Answers = { report: [], pages: [[]], totalResults: 0 };
  let pageRequests = 0;
  const server = await startServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname.endsWith("/users_groups_report")) {
      if (answers.report === "refused")
        return send(res, 404, { errors: [{ code: "10005", title: "Resource not found" }] });
      return send(res, 200, { data: answers.report });
    }
    pageRequests += 1;
    const page = Number(url.searchParams.get("page[number]"));
    send(res, 200, {
      data: answers.pages[page - 1] ?? [],
      meta: { total_pages: answers.pages.length, total_results: answers.totalResults },
    });
  });
  try {
    await fn({
      url: server.url,
      answer: (next) => {
        answers = next;
        pageRequests = 0;
      },
      pageRequests: () => pageRequests,
    });
  } finally {
    await server.close();
  }
}

async function read(url: string, source: ReadSource) {
  const client = new TelnyxClient({ baseUrl: url, apiKey: TEST_API_KEY, maxRetries: 0 });
  try {
    return await readOrganization(client, { concurrency: 2, source });
  } finally {
    client.close();
  }
}

const answersOf = ({ users, lists }: ListedOrganization, from: "report" | "pages"): Answers =>
  from === "report"
    ? { report: lists.flat(), pages: [[]], totalResults: users.length }
    : { report: "refused", pages: lists, totalResults: users.length };

const admin = liveUser("7f3c-admin", "admin@example.com", { groups: [{ id: "g1", name: "Admins" }] });

test("one id in the groups report first in Admins, then in no group, is refused naming the id, and the pages are not read instead", async () => {
  await withApi(async (api) => {
    api.answer({
      report: [admin, liveUser("8", "bob@example.com", { groups: [] }), { ...admin, groups: [] }],
      pages: [[liveUser("8", "bob@example.com", { groups: [] })]],
      totalResults: 1,
    });
    const error = await rejection(read(api.url, "auto"));
    assert.instance(error, ApiError);
    assert.is(
      error.message,
      'the API listed user id "7f3c-admin" twice, as two different users (groups: Admins in the first record, none in the second): nothing was changed; run again, and if the API lists it so again, ask Telnyx support',
    );
    assert.is(api.pageRequests(), 0, "a report that says two things of one user is not replaced by the pages");
  });
});

test("one id on two pages, in Admins on one and in no group on the other, is refused naming the id", async () => {
  await withApi(async (api) => {
    api.answer({ report: "refused", pages: [[admin], [{ ...admin, groups: [] }]], totalResults: 1 });
    const error = await rejection(read(api.url, "auto"));
    assert.match(
      error.message,
      'the API listed user id "7f3c-admin" twice, as two different users (groups: Admins in the first record, none in the second)',
    );
  });
});

test("property: a report or pages listing one id as two different users is refused, naming the id", async () => {
  await withApi(async (api) => {
    await fc.assert(
      fc.asyncProperty(
        withOneConflict,
        fc.constantFrom("report" as const, "pages" as const),
        async (organization, from) => {
          api.answer(answersOf(organization, from));
          const error = await rejection(read(api.url, "auto"));
          assert.instance(error, ApiError);
          assert.match(
            error.message.toLowerCase(),
            `user id ${JSON.stringify(organization.conflicting.id.toLowerCase())} twice, as two different users (`,
          );
          assert.match(error.message, "nothing was changed");
          if (from === "report") assert.is(api.pageRequests(), 0);
        },
      ),
      { numRuns: 60 },
    );
  });
});

test("property: a report or pages repeating users, each as the same user, give each user once", async () => {
  await withApi(async (api) => {
    await fc.assert(
      fc.asyncProperty(
        onlySameRepeats,
        fc.constantFrom("report" as const, "pages" as const),
        async (organization, from) => {
          api.answer(answersOf(organization, from));
          const users = await read(api.url, "auto");
          const facts = (list: OrganizationUser[]) => list.map(judgedFacts).sort((a, b) => (a.id < b.id ? -1 : 1));
          assert.equal(facts(users), facts(organization.users));
        },
      ),
      { numRuns: 60 },
    );
  });
});

test.run();
