import { readFileSync } from "node:fs";
import type { OrganizationUser } from "../../src/core/organization-user.js";

export const ROOT = new URL("../../", import.meta.url).pathname;
export const EXAMPLES = `${ROOT}examples/`;

/** The example organization the demo and most tests run against. */
export function exampleOrg(): OrganizationUser[] {
  return JSON.parse(readFileSync(`${EXAMPLES}org.json`, "utf8"));
}

/** A made-up organization: an owner and `count - 1` sub-users named user0001@example.com and so on. */
export function makeOrg(count: number): OrganizationUser[] {
  const width = Math.max(4, String(count).length);
  return Array.from({ length: count }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    record_type: i === 0 ? "organization_owner" : "organization_sub_user",
    email: i === 0 ? "owner@example.com" : `user${String(i).padStart(width, "0")}@example.com`,
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

/** One live user as the API lists it: a sub-user, enabled, never signed in, unless `extra` says otherwise. */
export function liveUser(id: string, email: string, extra: Partial<OrganizationUser> = {}): OrganizationUser {
  return { id, email, record_type: "organization_sub_user", user_status: "enabled", last_sign_in_at: null, ...extra };
}

/** A small organization with one of each kind of user: owner, listed, unlisted, protected by pattern. */
export function smallOrg(): OrganizationUser[] {
  return [
    liveUser("1", "owner@example.com", { record_type: "organization_owner", last_sign_in_at: "2026-11-20T01:00:00Z" }),
    liveUser("2", "alice@example.com"),
    liveUser("3", "zed@example.com", { user_status: "disabled", last_sign_in_at: "2026-01-02T03:04:05Z" }),
    liveUser("4", "bot@partners.example.com"),
    liveUser("5", "bob@example.com", { user_status: "blocked" }),
  ];
}

/** The manifest that goes with smallOrg: alice listed, carol missing, partners protected. */
export const SMALL_MANIFEST = manifestText(
  ["alice@example.com", "carol@example.com"],
  'protect:\n  - "*@partners.example.com"\n',
);
