import { emailProblem, isPlainAddress, normalizeEmail, textProblem } from "../core/email.js";
import { showName } from "../core/names.js";
import type { DataPath } from "./fast-scan.js";
import { guardSettings, type GuardData } from "./guard-keys.js";
import { groupKey } from "../core/groups.js";
import { DEFAULT_WARN_BEFORE_EXPIRY_DAYS, expiryProblem } from "../core/expiry-date.js";
import type {
  AccountSelector,
  DesiredUser,
  Manifest,
  PolicySettings,
  ProtectedGroup,
  SourcePosition,
} from "./manifest.js";
import { patternProblem, type PatternProblem } from "./protect-pattern.js";
import { rememberUsersByEmail } from "./users-by-email.js";

/** The manifest's data once it has passed the schema (schema/users.schema.json). */
export interface ManifestData {
  version: 1;
  users: (string | { email: string; name?: string; comment?: string; groups?: string[]; expires?: string })[];
  protect?: (string | { group: string })[];
  guards?: GuardData;
  policy?: { warn_before_expiry_days?: number; inactive_after_days?: number };
  account?: { id?: string; email?: string; organization_name?: string };
}

/** What a reading of the manifest (the fast line reader or the yaml library) hands the one builder. */
export interface ManifestReading {
  /** The data as read; parts the schema refused are skipped through `refused`. */
  data: unknown;
  /** Where a path's value is written; undefined when the reading cannot place it. */
  positionOf(path: DataPath): SourcePosition | undefined;
  /** Paths the schema refused (joined by "/"): reported there already, so not checked again. */
  refused?: ReadonlySet<string>;
}

/** What the builder finds wrong, for the reading to word (the yaml reading) or to give up on (the fast one). */
export type BuildProblem =
  | { kind: "email"; path: DataPath; message: string }
  | { kind: "duplicate"; path: DataPath; message: string }
  | { kind: "name"; path: DataPath; message: string }
  | { kind: "expires"; path: DataPath; message: string }
  | { kind: "pattern"; path: DataPath; pattern: string; problem: PatternProblem };

/**
 * The one place a manifest is built from its data, whichever reading served it: emails normalised and
 * checked, each user once (a user listed twice, even in another letter case, is a problem naming the first
 * line), names and comments copied, protect patterns checked and trimmed, guards mapped. Every problem goes
 * to `report`; the manifest returned is meaningful only when none was reported.
 */
export function toManifest(file: string, reading: ManifestReading, report: (problem: BuildProblem) => void): Manifest {
  const data = reading.data as Partial<ManifestData> | null;
  const refused = reading.refused ?? new Set<string>();
  const users: DesiredUser[] = [];
  const byEmail = new Map<string, number>();
  const list: unknown[] = Array.isArray(data?.users) ? data.users : [];
  list.forEach((item, index) => {
    const entry =
      typeof item === "string"
        ? { email: item }
        : (item as { email?: unknown; name?: unknown; comment?: unknown; groups?: unknown; expires?: unknown } | null);
    const emailPath = typeof item === "string" ? ["users", index] : ["users", index, "email"];
    const position = reading.positionOf(emailPath);
    // An email the schema refused is reported there; it cannot also be a duplicate.
    if (typeof entry?.email !== "string" || !position || (refused.size > 0 && refused.has(emailPath.join("/")))) return;
    const plain = isPlainAddress(entry.email);
    const problem = plain ? undefined : emailProblem(entry.email);
    if (problem)
      return report({
        kind: "email",
        path: emailPath,
        message: `invalid email ${JSON.stringify(entry.email)}: ${problem}`,
      });
    const email = plain ? entry.email.toLowerCase() : normalizeEmail(entry.email);
    const first = byEmail.get(email);
    if (first !== undefined)
      return report({
        kind: "duplicate",
        path: ["users", index],
        message: `duplicate user ${JSON.stringify(email)} (first at line ${users[first]!.position.line})`,
      });
    const user: DesiredUser = { email, written: entry.email, position };
    // Listed even when its last day is refused below: a later listing of it is a duplicate all the same (and
    // a manifest with any problem is never used).
    byEmail.set(email, users.length);
    users.push(user);
    if (typeof entry.name === "string") user.name = entry.name;
    if (typeof entry.comment === "string") user.comment = entry.comment;
    // A user's groups are only compared for the drift report, as export wrote them from the API: unchecked.
    if (Array.isArray(entry.groups))
      user.groups = entry.groups.filter((name): name is string => typeof name === "string").map(groupKey);
    if (typeof entry.expires === "string") {
      const expiresPath = ["users", index, "expires"];
      const expiresAt = reading.positionOf(expiresPath);
      const why = expiryProblem(entry.expires);
      if (why) return report({ kind: "expires", path: expiresPath, message: `expires ${why}` });
      user.expires = entry.expires.trim();
      if (expiresAt) user.expiresAt = expiresAt;
    }
  });
  rememberUsersByEmail(users, byEmail);
  const entries: unknown[] = Array.isArray(data?.protect) ? data.protect : [];
  const protect: string[] = [];
  const protectAt: SourcePosition[] = [];
  const protectGroups: ProtectedGroup[] = [];
  entries.forEach((entry, index) => {
    const path = ["protect", index];
    const position = reading.positionOf(path) ?? { line: 1, col: 1 };
    if (typeof entry === "string") {
      const problem = patternProblem(entry);
      if (problem) report({ kind: "pattern", path, pattern: entry, problem });
      protect.push(entry.trim());
      protectAt.push(position);
    } else if (typeof (entry as { group?: unknown } | null)?.group === "string") {
      const name = (entry as { group: string }).group;
      checkGroupName(name, [...path, "group"], report);
      protectGroups.push({ name: groupKey(name), position: reading.positionOf([...path, "group"]) ?? position });
    }
  });
  const guarded = data?.guards?.require_force_for_groups;
  const guardGroupsAt: SourcePosition[] = [];
  if (Array.isArray(guarded)) {
    guarded.forEach((name, index) => {
      const path = ["guards", "require_force_for_groups", index];
      if (typeof name === "string") checkGroupName(name, path, report);
      guardGroupsAt.push(reading.positionOf(path) ?? { line: 1, col: 1 });
    });
  }
  const account = accountSelector(data?.account, reading, report);
  return {
    path: file,
    version: 1,
    users,
    protect,
    protectAt,
    protectGroups,
    guards: guardSettings(data?.guards),
    policy: policySettings(data?.policy),
    ...(guardGroupsAt.length > 0 ? { guardGroupsAt } : {}),
    ...(account ? { account } : {}),
  };
}

/** `policy:` as the schema let it through, its defaults filled in. */
function policySettings(data: ManifestData["policy"] | undefined): PolicySettings {
  const warn = data?.warn_before_expiry_days;
  const inactive = data?.inactive_after_days;
  return {
    warnBeforeExpiryDays: typeof warn === "number" ? warn : DEFAULT_WARN_BEFORE_EXPIRY_DAYS,
    ...(typeof inactive === "number" ? { inactiveAfterDays: inactive } : {}),
  };
}

/**
 * A group name that decides who stays (protect's, the groups guard's) holds no character a reader cannot
 * see, and no compatibility form: the name compared would not be the name reviewed (as for addresses).
 */
function checkGroupName(name: string, path: DataPath, report: (problem: BuildProblem) => void): void {
  const problem = textProblem(name.trim().normalize("NFC"), "name");
  if (problem) report({ kind: "name", path, message: `group name ${showName(name)}: ${problem}` });
}

/** The `account:` selector, when the schema let it through: its one key and its value, trimmed. */
function accountSelector(
  data: unknown,
  reading: ManifestReading,
  report: (problem: BuildProblem) => void,
): AccountSelector | undefined {
  const refused = reading.refused ?? new Set<string>();
  if (typeof data !== "object" || data === null || refused.has("account")) return undefined;
  const entries = Object.entries(data);
  if (entries.length !== 1) return undefined;
  const [by, value] = entries[0]!;
  const path = ["account", by];
  const position = reading.positionOf(path);
  if (
    (by !== "id" && by !== "email" && by !== "organization_name") ||
    typeof value !== "string" ||
    !position ||
    refused.has(path.join("/"))
  )
    return undefined;
  if (by === "email") {
    const problem = emailProblem(value);
    if (problem)
      return void report({
        kind: "email",
        path,
        message: `invalid account email ${JSON.stringify(value)}: ${problem}`,
      });
  }
  return { by, value: value.trim(), position };
}
