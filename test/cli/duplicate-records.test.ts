import { existsSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { OrganizationUser } from "../../src/core/organization-user.js";
import { runCli, withTempDir, writeTemp } from "../helpers/cli.js";
import { liveUser, manifestText } from "../helpers/org.js";
import { startServer } from "../helpers/servers.js";

// An API that lists one user twice, first in the protected group Admins, then in no group: if the second
// record were believed, the admin would be removed. roster refuses the read, names the id, and sends nothing.

const OWNER = liveUser("0b1e-owner", "owner@example.com", { record_type: "organization_owner", groups: [] });
const BOB = liveUser("2c4d-bob", "bob@example.com", { groups: [] });
const ADMIN = liveUser("9a7f-admin", "ada.admin@example.com", { groups: [{ id: "g-admins", name: "Admins" }] });
const ADMIN_IN_NO_GROUP: OrganizationUser = { ...ADMIN, groups: [] };
const MANIFEST = manifestText(["owner@example.com", "bob@example.com"], "protect:\n  - group: Admins\n");
const REFUSAL =
  'the API listed user id "9a7f-admin" twice, as two different users (groups: Admins in the first record, none in the second): nothing was changed';

const send = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

/**
 * An API on loopback listing `report` as its groups report (or refusing it) and `pages` as its pages; counts every
 * request that is not a read.
 */
async function withApi(
  answers: { report: OrganizationUser[] | "refused"; pages: OrganizationUser[][] },
  fn: (url: string, changes: () => string[]) => Promise<void>,
) {
  const changes: string[] = [];
  const server = await startServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method !== "GET") {
      changes.push(`${req.method} ${url.pathname}`);
      return send(res, 200, { data: { ...ADMIN, groups: undefined } });
    }
    if (url.pathname.endsWith("/users_groups_report")) {
      if (answers.report === "refused")
        return send(res, 404, { errors: [{ code: "10005", title: "Resource not found" }] });
      return send(res, 200, { data: answers.report });
    }
    const page = Number(url.searchParams.get("page[number]"));
    send(res, 200, {
      data: answers.pages[page - 1] ?? [],
      meta: { total_pages: answers.pages.length, total_results: 3 },
    });
  });
  try {
    await fn(server.url, () => changes);
  } finally {
    await server.close();
  }
}

const LISTINGS: [string, { report: OrganizationUser[] | "refused"; pages: OrganizationUser[][] }][] = [
  ["in the groups report", { report: [OWNER, ADMIN, BOB, ADMIN_IN_NO_GROUP], pages: [[OWNER, ADMIN, BOB]] }],
  [
    "on two pages, when the API refuses the groups report",
    {
      report: "refused",
      pages: [
        [OWNER, ADMIN],
        [BOB, ADMIN_IN_NO_GROUP],
      ],
    },
  ],
];

test("an admin listed twice, in Admins then in no group, makes plan and apply fail naming the id, and nothing is removed", async () => {
  for (const [where, answers] of LISTINGS) {
    await withApi(answers, async (url, changes) => {
      await withTempDir(async (dir) => {
        const manifest = writeTemp(dir, "users.yaml", MANIFEST);
        const env = { TELNYX_BASE_URL: url };
        const plan = await runCli(["plan", "-f", manifest, "--out", `${dir}/plan.json`], { env });
        assert.is(plan.code, 1, `${where}: plan`);
        assert.match(plan.stderr, REFUSAL, `${where}: plan`);
        assert.not.match(plan.stdout, "ada.admin", `${where}: no plan is shown`);
        assert.not.ok(existsSync(`${dir}/plan.json`), `${where}: no plan is saved`);
        for (const flags of [["--yes"], ["--yes", "--force"]]) {
          const apply = await runCli(["apply", "-f", manifest, ...flags], { env });
          assert.is(apply.code, 1, `${where}: apply ${flags.join(" ")}`);
          assert.match(apply.stderr, REFUSAL, `${where}: apply ${flags.join(" ")}`);
        }
        assert.equal(changes(), [], `${where}: no removal was sent`);
      });
    });
  }
});

test("the same admin listed twice as the same user is planned once and kept by its group", async () => {
  await withApi(
    {
      report: [
        OWNER,
        ADMIN,
        BOB,
        { ...ADMIN, email: "Ada.Admin@Example.com", last_sign_in_at: "2026-11-01T12:00:00Z" },
      ],
      pages: [],
    },
    async (url, changes) => {
      await withTempDir(async (dir) => {
        const manifest = writeTemp(dir, "users.yaml", MANIFEST);
        const env = { TELNYX_BASE_URL: url };
        const plan = await runCli(["plan", "-f", manifest, "--format", "json"], { env });
        assert.is(plan.code, 0, plan.stderr);
        const doc = JSON.parse(plan.stdout);
        assert.equal(
          doc.protected.map((user: { id: string; reason: string; group: string }) => [
            user.id,
            user.reason,
            user.group,
          ]),
          [["9a7f-admin", "group", "Admins"]],
        );
        assert.equal(doc.summary, { remove: 0, keep: 2, protected: 1, missing: 0, group_drift: 0 });
        const apply = await runCli(["apply", "-f", manifest, "--yes"], { env });
        assert.is(apply.code, 0, apply.stderr);
        assert.equal(changes(), []);
      });
    },
  );
});

test.run();
