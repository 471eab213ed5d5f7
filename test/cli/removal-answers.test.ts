import { rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readAuditLog, runCli, tempDir, writeTemp } from "../helpers/cli.js";
import { liveUser, manifestText } from "../helpers/org.js";
import { startServer } from "../helpers/servers.js";

const owner = liveUser("u-owner", "owner@example.com", { record_type: "organization_owner" });
const kept = liveUser("u-kept", "kept@example.com");
const gone1 = liveUser("u-gone-1", "gone1@example.com");
const gone2 = liveUser("u-gone-2", "gone2@example.com");

/**
 * A fake API on loopback that lists the same four users every time (nobody is ever removed) and answers each
 * removal with `answer`.
 */
async function fakeApi(answer: (id: string, res: ServerResponse) => void) {
  const dir = tempDir();
  const manifest = writeTemp(dir, "users.yaml", manifestText([kept.email]));
  const server = await startServer((req: IncomingMessage, res: ServerResponse) => {
    const remove = req.url?.match(/\/organizations\/users\/([^/]+)\/actions\/remove$/);
    if (req.method === "POST" && remove) return answer(decodeURIComponent(remove[1]!), res);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ data: [owner, kept, gone1, gone2], meta: { total_pages: 1, total_results: 4 } }));
  });
  return {
    manifest,
    log: `${dir}/audit.jsonl`,
    env: { TELNYX_BASE_URL: server.url },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

test("an API that answers the API's 404 to every removal while the users stay: not converged, exit 1 (pretty and JSON)", async () => {
  const api = await fakeApi((_id, res) => json(res, 404, { errors: [{ code: "10005", title: "Resource not found" }] }));
  try {
    const pretty = await runCli(["apply", "-f", api.manifest, "--yes", "--force"], { env: api.env });
    assert.is(pretty.code, 1, pretty.stderr);
    assert.match(
      pretty.stdout,
      "Apply complete: 0 removed, 2 already absent, 0 failed, of 2 planned removals.\nNot converged: 2 users the manifest does not list are still in the organization; run roster apply again.\n",
    );
    const doc = await runCli(["apply", "-f", api.manifest, "--yes", "--force", "--format", "json"], { env: api.env });
    assert.is(doc.code, 1);
    assert.equal(JSON.parse(doc.stdout).verified, { converged: false, remaining: 2 });
  } finally {
    await api.close();
  }
});

test("a 200 naming another user, or no user, is not a removal: that removal fails, saying what came back", async () => {
  const api = await fakeApi((id, res) => {
    if (id === gone1.id) return json(res, 200, { data: { ...kept, email: "kept\u001b[31m@example.com" } });
    json(res, 200, { data: {} });
  });
  try {
    const run = await runCli(
      ["apply", "-f", api.manifest, "--yes", "--force", "--max-retries", "0", "--audit-log", api.log],
      { env: api.env },
    );
    assert.is(run.code, 1, run.stderr);
    const path = (id: string) => `POST /organizations/users/${id}/actions/remove answered 200`;
    const other = `${path(gone1.id)} with the record of another user (id "u-kept", email "kept\\u001b[31m@example.com"): not counted as removed; check --base-url`;
    // The control character from the answer is shown as \u001b, never sent to the terminal.
    assert.match(run.stdout, `  failed         gone1@example.com: ${other}`);
    assert.not.match(run.stdout, "\u001b");
    assert.match(
      run.stdout,
      `  failed         gone2@example.com: ${path(gone2.id)} with a user record without an id: not counted as removed; check --base-url`,
    );
    assert.match(
      run.stdout,
      "Apply complete: 0 removed, 0 already absent, 2 failed, of 2 planned removals.\nNot converged: 2 users",
    );
    const lines = readAuditLog(api.log);
    assert.equal(lines.map((l) => [l.email, l.outcome, l.http_status]).sort(), [
      ["gone1@example.com", "failed", 200],
      ["gone2@example.com", "failed", 200],
    ]);
  } finally {
    await api.close();
  }
});

test.run();
