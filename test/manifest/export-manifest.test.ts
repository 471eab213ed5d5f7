import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { planRemovals } from "../../src/plan/plan.js";
import { exportManifest } from "../../src/manifest/export-manifest.js";
import { liveUser } from "../helpers/org.js";

const source = { host: "api.telnyx.com", schemaRef: "node_modules/telnyx-roster/schema/users.schema.json" };

test("the manifest lists every user sorted by email, the owner included, each with status and last sign-in", () => {
  const live = [
    liveUser("2", "zoe@example.com", { user_status: "disabled", last_sign_in_at: "2026-01-02T03:04:05Z" }),
    liveUser("1", "Owner@Example.com", { record_type: "organization_owner", last_sign_in_at: "2026-11-20T01:00:00Z" }),
    liveUser("3", "al@example.com", { user_status: "blocked" }),
  ];
  assert.is(
    exportManifest(live, source),
    `# yaml-language-server: $schema=node_modules/telnyx-roster/schema/users.schema.json
# Who may log in to the Telnyx organization at api.telnyx.com: its 3 users as roster export found them.
# Review it before you commit it: roster apply removes every user this file does not list (the owner and
# users matching a protect pattern excepted). Each user's groups are as the organization has them: roster
# reports a difference (group drift) but cannot change groups.
version: 1
users:
  - al@example.com     # blocked, last sign-in never
  - Owner@Example.com  # organization owner, enabled, last sign-in 2026-11-20
  - zoe@example.com    # disabled, last sign-in 2026-01-02
`,
  );
});

test("odd emails are quoted, statuses cannot break out of their comment, and the result plans no removal", () => {
  const live = [
    liveUser("1", "owner@example.com", { record_type: "organization_owner" }),
    liveUser("2", "o'hara+ops@example.com"),
    liveUser("3", "-dash@example.com", { user_status: "enabled\nusers: []" }),
    liveUser("4", "tab#x@example.com"),
  ];
  const text = exportManifest(live, source);
  assert.match(text, '\n  - "-dash@example.com"       # enabled\\u000ausers: [], last sign-in never\n');
  const manifest = parseManifest(text, "users.yaml");
  assert.is(manifest.users.length, 4);
  assert.equal(planRemovals(manifest, live).summary, { remove: 0, keep: 4, protected: 0, missing: 0, group_drift: 0 });
});

test("two users with one email in different case are one entry, which keeps both", () => {
  const live = [
    liveUser("1", "a@example.com"),
    liveUser("2", "A@example.com"),
    liveUser("3", "owner@example.com", { record_type: "organization_owner" }),
  ];
  const text = exportManifest(live, source);
  assert.is(text.split("\n").filter((l) => l.startsWith("  - ")).length, 2);
  assert.is(planRemovals(parseManifest(text, "u.yaml"), live).summary.remove, 0);
});

test.run();
