import { readFileSync, writeFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RemovalResult } from "../../src/apply/apply-plan.js";
import { AuditLog, auditEntry, unknownEntry } from "../../src/apply/audit-log.js";
import type { Removal } from "../../src/plan/plan.js";
import { readAuditLog, tempDir, TEST_API_KEY } from "../helpers/cli.js";

const removal: Removal = {
  action: "remove",
  id: "u-1",
  email: "evil\u202e\u009b@example.com",
  user_status: "enabled",
  last_sign_in_at: null,
  record_type: "organization_sub_user",
  created_at: "2025-01-01T00:00:00Z",
  groups: ["Billing", "Admins\u202e"],
};
const failed: RemovalResult = {
  removal,
  outcome: "failed",
  status: 500,
  attempts: 3,
  error: `echoed ${TEST_API_KEY}`,
  finishedAt: "2026-11-28T12:00:00.000Z",
};

test("lines are appended after what the file holds, which is never rewritten; a torn last line is closed first", () => {
  const path = `${tempDir()}/audit.jsonl`;
  const earlier = '{"id":"a","outcome":"removed"}\n{"id":"b","outc';
  writeFileSync(path, earlier);
  const log = AuditLog.open(path, (text) => text.split(TEST_API_KEY).join("[redacted]"));
  log.write(auditEntry(failed));
  log.close();
  const text = readFileSync(path, "utf8");
  assert.ok(text.startsWith(`${earlier}\n`), "the earlier bytes are untouched, the torn line closed");
  const last = JSON.parse(text.trimEnd().split("\n").at(-1)!);
  assert.equal(last, {
    time: "2026-11-28T12:00:00.000Z",
    id: "u-1",
    email: "evil\u202e\u009b@example.com",
    user_status: "enabled",
    record_type: "organization_sub_user",
    created_at: "2025-01-01T00:00:00Z",
    last_sign_in_at: null,
    groups: ["Billing", "Admins\u202e"],
    outcome: "failed",
    http_status: 500,
    attempts: 3,
    error: "echoed [redacted]",
  });
});

test("a line is terminal-safe JSON: bidi and C1 characters escaped, the same value once parsed", () => {
  const path = `${tempDir()}/audit.jsonl`;
  const log = AuditLog.open(path);
  log.write(unknownEntry(removal, "2026-11-28T12:00:00.000Z"));
  log.close();
  const text = readFileSync(path, "utf8");
  assert.not.match(text, /[\u202e\u009b]/);
  assert.match(text, "evil\\u202e\\u009b@example.com");
  assert.match(text, '"groups":["Billing","Admins\\u202e"]');
  const [entry] = readAuditLog(path);
  assert.is(entry!.email, removal.email);
  assert.equal(entry!.groups, removal.groups);
  assert.is(entry!.outcome, "unknown");
  assert.is(entry!.attempts, null);
});

test("a new log is readable by its owner only", async () => {
  const { statSync } = await import("node:fs");
  const path = `${tempDir()}/audit.jsonl`;
  AuditLog.open(path).close();
  assert.is(statSync(path).mode & 0o777, 0o600);
});

test.run();
