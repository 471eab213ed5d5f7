import { readFileSync } from "node:fs";
import type { OrganizationUser } from "../../src/telnyx/organization-user.js";

export const ROOT = new URL("../../", import.meta.url).pathname;
export const EXAMPLES = `${ROOT}examples/`;

/** The example organization the demo and most tests run against. */
export function exampleOrg(): OrganizationUser[] {
  return JSON.parse(readFileSync(`${EXAMPLES}org.json`, "utf8"));
}

/** A made-up organization: an owner and `count - 1` sub-users named user0001@example.com and so on. */
export function makeOrg(count: number): OrganizationUser[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    record_type: i === 0 ? "organization_owner" : "organization_sub_user",
    email: i === 0 ? "owner@example.com" : `user${String(i).padStart(4, "0")}@example.com`,
    user_status: i % 7 === 3 ? "disabled" : "enabled",
    organization_user_bypasses_sso: false,
    created_at: "2025-01-01T00:00:00Z",
    last_sign_in_at: i % 5 === 2 ? null : "2026-11-01T12:00:00Z",
  }));
}

/** A manifest text listing the given emails. */
export function manifestText(emails: readonly string[], extra = ""): string {
  return `version: 1\nusers:\n${emails.map((e) => `  - ${e}\n`).join("")}${extra}`;
}
