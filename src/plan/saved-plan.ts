import { createHmac, timingSafeEqual } from "node:crypto";
import { sha256 } from "../core/digest.js";
import { normalizeEmail } from "../core/email.js";
import { guardData } from "../manifest/guard-keys.js";
import type { GuardSettings } from "../manifest/manifest.js";
import { verdictData, type GuardVerdict } from "./guards.js";
import type { Plan } from "./plan.js";
import { rulesOf, type Rules } from "./rules.js";

/** The `format` every saved plan carries, so no other JSON (such as `plan --format json`) is taken for one. */
export const PLAN_FILE_FORMAT = "roster-plan";
/**
 * The version of the saved-plan layout this roster writes and reads (schema/plan.schema.json). Version 2
 * seals the plan with an HMAC keyed by the API key; version 1's plain sha256 anyone could compute again.
 * Version 3 keeps every user's groups, the protected groups and the group drift.
 */
export const PLAN_FILE_VERSION = 3;

/**
 * A plan saved by `roster plan --out`: everything `roster apply PLAN` needs to apply exactly these removals
 * and to re-check each one, without the manifest. It holds the API's host, never the key.
 */
export interface SavedPlan {
  /** When the plan was made, ISO 8601. */
  createdAt: string;
  /** The host of the base URL the organization was read from. */
  apiHost: string;
  manifest: {
    path: string;
    /** "sha256:" and the hex digest of the manifest file's bytes. */
    sha256: string;
    /** Trimmed and lower-cased, sorted: with `protect`, what the executor's safety check needs. */
    desiredEmails: string[];
    /**
     * The last day of access of each desired email that has one, by that email: apply judges them again on
     * its own day. Absent when none (and in plans saved by roster 0.1).
     */
    desiredExpires?: Record<string, string>;
    protect: string[];
    /** The manifest's protected groups (trimmed names): the executor's check needs them too. */
    protectGroups: string[];
    guards: GuardSettings;
  };
  /** organizationFingerprint of the live users the plan was made from. */
  fingerprint: string;
  plan: Plan;
  /** The guard verdict when the plan was made (apply checks the guards again). */
  verdict: GuardVerdict;
}

/** The format of a saved plan across accounts: a list of accounts, each with its own plan as above. */
export const ACCOUNTS_PLAN_FORMAT = "roster-plan-accounts";
export const ACCOUNTS_PLAN_VERSION = 1;

/**
 * How a run names its organizations, which its outputs follow: "organization" for the key's own organization
 * planned from one manifest (the documents and words of one organization), "accounts" for a run across
 * accounts (each account named, the total under them), however many accounts it has.
 */
export type RunShape = "organization" | "accounts";

/** The account a saved plan is for: a managed account (never its key), or null for the key's own organization. */
export interface SavedAccount {
  id: string;
  email: string;
  organization_name: string;
}

/** One organization's part of a saved run: the account it is for and its plan. */
export interface SavedTarget {
  account: SavedAccount | null;
  saved: SavedPlan;
}

/**
 * A saved plan as roster holds it in memory, whichever file it came from: a list of organizations, one for a
 * plan of the key's own organization (the file of format 3), one or more across accounts.
 */
export interface SavedRun {
  shape: RunShape;
  createdAt: string;
  apiHost: string;
  targets: SavedTarget[];
}

/**
 * The file's text. One organization is written as roster 0.1 wrote it (format 3, the seal over the plan); a
 * run across accounts as the list of accounts 0.1 wrote, each account's plan sealed on its own with `apiKey`
 * (the manager's) and the whole sealed too, so no account can be added, dropped or swapped.
 */
export function savedRunText(run: SavedRun, apiKey: string): string {
  if (run.shape === "organization") return savedPlanText(run.targets[0]!.saved, apiKey);
  const body = {
    format: ACCOUNTS_PLAN_FORMAT,
    format_version: ACCOUNTS_PLAN_VERSION,
    created_at: run.createdAt,
    api_host: run.apiHost,
    accounts: run.targets.map(({ account, saved }) => ({
      account,
      plan: JSON.parse(savedPlanText(saved, apiKey)) as unknown,
    })),
  };
  return `${JSON.stringify({ ...body, checksum: checksumOf(body, apiKey) }, null, 2)}\n`;
}

/**
 * The rules a saved plan carries, for its own check and the executor's: the listed emails with their last
 * days, patterns and protected groups, judged on `today`.
 */
export function savedPlanRules(
  manifest: Pick<SavedPlan["manifest"], "desiredEmails" | "desiredExpires" | "protect" | "protectGroups">,
  today?: string,
): Rules {
  const expires = manifest.desiredExpires ?? {};
  return rulesOf(
    {
      users: manifest.desiredEmails.map((email) =>
        Object.hasOwn(expires, email) ? { email, expires: expires[email]! } : { email },
      ),
      protect: manifest.protect,
      protectGroups: manifest.protectGroups.map((name) => ({ name })),
    },
    today,
  );
}

/**
 * The last days of the manifest's users that have one, by the email as compared, for a saved plan; undefined when none.
 */
export function desiredExpiresOf(
  users: readonly { email: string; expires?: string | undefined }[],
): Record<string, string> | undefined {
  const entries = users.flatMap((user) =>
    user.expires === undefined ? [] : [[normalizeEmail(user.email), user.expires] as const],
  );
  return entries.length > 0 ? Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : undefined;
}

/** A saved plan that cannot be applied as it is: unreadable, not roster's, changed by hand, or stale. */
export class SavedPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SavedPlanError";
  }
}

/**
 * Identifies an organization's membership: a digest of the id and email of every user, sorted by id. Any
 * user added, removed or renamed changes it; a changed status or sign-in does not.
 */
export function organizationFingerprint(users: readonly { id: string; email: string }[]): string {
  const rows = users.map((u) => `${u.id}\t${normalizeEmail(u.email)}\n`).sort();
  return sha256(rows.join(""));
}

/** The saved plan as the file holds it: JSON, sealed with an HMAC of everything before it keyed by `apiKey`. */
export function savedPlanText(saved: SavedPlan, apiKey: string): string {
  const { plan, verdict, manifest } = saved;
  const body = {
    format: PLAN_FILE_FORMAT,
    format_version: PLAN_FILE_VERSION,
    created_at: saved.createdAt,
    api_host: saved.apiHost,
    manifest: {
      path: manifest.path,
      sha256: manifest.sha256,
      desired_emails: manifest.desiredEmails,
      ...(manifest.desiredExpires ? { desired_expires: manifest.desiredExpires } : {}),
      protect: manifest.protect,
      protect_groups: manifest.protectGroups,
      guards: guardData(manifest.guards),
    },
    organization: { fingerprint: saved.fingerprint, live_count: plan.liveCount },
    guard: verdictData(verdict),
    summary: plan.summary,
    removals: plan.removals,
    kept: plan.kept,
    protected: plan.protected,
    missing: plan.missing,
    group_drift: plan.groupDrift,
  };
  return `${JSON.stringify({ ...body, checksum: checksumOf(body, apiKey) }, null, 2)}\n`;
}

/**
 * The seal of a saved plan's content: HMAC-SHA256 keyed by the API key, so a plan edited by anyone without
 * the key (or made with another key) is refused, and the file reveals nothing of the key. Whoever holds the
 * key can forge one; the executor's checks of every removal against the live organization still stand.
 */
export function checksumOf(body: object, apiKey: string): string {
  // The label keeps this use of the key apart from any other MAC that might ever be made with it.
  const mac = createHmac("sha256", apiKey).update(`roster-plan ${PLAN_FILE_VERSION}\n`).update(JSON.stringify(body));
  return `hmac-sha256:${mac.digest("hex")}`;
}

/** Whether `checksum` is the seal of `body` under `apiKey`, compared in constant time. */
export function checksumMatches(body: object, checksum: string, apiKey: string): boolean {
  const expected = Buffer.from(checksumOf(body, apiKey));
  const given = Buffer.from(checksum);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
